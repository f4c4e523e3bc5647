#!/bin/sh
# What filter chains cost on the dispatch path: the dispatch benchmark
# (bench/dispatch.sh --run: same bench plugin, same workload) with three
# post-cache chain settings, for our daemon and Debian's collectd 5.12 in
# the same run, both with Debian's match_regex.so:
#
#   none     no chain: every value goes to every write plugin.
#   empty    <Chain "PostCache"> with one default target "write" and no
#            rule: a chain that exists and does nothing but write. (An
#            empty <Chain> block would not do: collectd 5.12 ignores it,
#            as if there were no chain, and so does ours.)
#   3 rules  three match_regex rules that never match the bench values
#            (host "bench", plugin "bench", type "gauge", type instance
#            "benchN"), each dropping what it matches, as drop filters do,
#            then the default target "write": every value is tried against
#            all three and written. The first rule is the manual's example
#            (its plugin regex fails first), the second runs a regex on
#            the type instance, the third on the host.
#
# Every value still reaches the bench plugin's write callback, which
# counts it (bench/README.md). Runs interleave (for each run: each chain
# setting, ours then 5.12), so that a slow spell of the machine hurts all
# alike; medians are printed.
#
# Run from the top build directory:  sh bench/chains.sh
# Environment (defaults in brackets):
#   BENCH_RUNS [3]          runs per daemon, setting and thread count
#   BENCH_THREADS ["1 2"]   WriteThreads settings to try
#   BENCH_MATCH_REGEX [/usr/lib/collectd/match_regex.so]
#   BENCH_VALUES, BENCH_TIMEOUT, BENCH_PEER, BENCH_TYPES_DB, BENCH_CPUS:
#                           passed on to bench/dispatch.sh
#   BENCH_IR_VALUES [200000] values of the instruction count runs (0: none)
#
# Wall-clock rates move a lot with other work on a small shared machine.
# So each daemon also runs each setting once under valgrind's callgrind
# (one write thread), and the script prints the instructions per value of
# the step that takes a value from the write queue to the write callbacks,
# with all it calls (the chain, match_regex, the bench plugin's write):
# ours deliver_chunk() (no chain) or deliver_chained(); 5.12
# fc_default_action() (no chain) or fc_process_chain(), the only symbols
# of that step its stripped binary exports. The two daemons' figures
# cover the same work, though ours batches: deliver_chunk() hands a chunk
# of values to each write callback in one call bracket.
set -eu

runs=${BENCH_RUNS:-3}
threads=${BENCH_THREADS:-"1 2"}
peer=${BENCH_PEER:-/usr/sbin/collectd}
match_regex=${BENCH_MATCH_REGEX:-/usr/lib/collectd/match_regex.so}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
dispatch=$srcdir/bench/dispatch.sh
. "$srcdir/bench/common.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-chains.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! make collectd bench/bench.la >"$work/build.log" 2>&1; then
	tail -n 20 "$work/build.log" >&2
	echo "chains.sh: the build failed (run from the top build dir)" >&2
	exit 1
fi
for f in ./collectd "$peer" "$match_regex"; do
	[ -e "$f" ] || { echo "chains.sh: $f: not found" >&2; exit 1; }
done

# The configuration each setting appends (BENCH_CONF of dispatch.sh). The
# match plugin is loaded in all three, so that only the chain differs, and
# before the chains (5.12 builds a chain where it reads it).
echo "LoadPlugin match_regex" >"$work/none.conf"
{ cat "$work/none.conf"; cat <<'EOF'; } >"$work/empty.conf"
<Chain "PostCache">
  Target "write"
</Chain>
EOF
{ cat "$work/none.conf"; cat <<'EOF'; } >"$work/rules.conf"
<Chain "PostCache">
  <Rule "mysql_show">
    <Match "regex">
      Plugin "^mysql$"
      Type "^mysql_command$"
      TypeInstance "^show_"
    </Match>
    Target "stop"
  </Rule>
  <Rule "cpu_states">
    <Match "regex">
      TypeInstance "^(idle|steal|nice|guest)$"
    </Match>
    Target "stop"
  </Rule>
  <Rule "test_hosts">
    <Match "regex">
      Host "^(test|staging)[0-9]+\\.example\\.com$"
    </Match>
    Target "stop"
  </Rule>
  Target "write"
</Chain>
EOF

settings="none empty rules"
label() {
	case $1 in
	none) echo "none" ;;
	empty) echo "empty" ;;
	rules) echo "3 rules" ;;
	esac
}

load=$(load_now)
for t in $threads; do
	i=1
	while [ "$i" -le "$runs" ]; do
		for s in $settings; do
			for d in ours peer; do
				if [ "$d" = ours ]; then daemon=./collectd; else daemon=$peer; fi
				BENCH_CONF=$work/$s.conf BENCH_PLUGINS=$match_regex \
					sh "$dispatch" --run "$daemon" "$t" \
					>>"$work/$d-$s-$t.rates" 2>"$work/err" || :
				sed "s|^|$d, $(label "$s"): |" "$work/err" >>"$work/unusual"
			done
		done
		i=$((i + 1))
	done
done

printf '%s gauge values per run (bench/dispatch.sh), median of %s runs;\n' \
	"${BENCH_VALUES:-2000000}" "$runs"
printf 'ratio = ours / 5.12; "of none" = this setting / no chain, same daemon\n'
machine_line "$load"
printf '%-7s %-8s %29s   %29s   %13s\n' write "" "values per second" \
	"values per CPU second" "of none (/s)"
printf '%-7s %-8s %10s %10s %7s   %10s %10s %7s   %6s %6s\n' threads chain \
	ours 5.12 ratio ours 5.12 ratio ours 5.12
for t in $threads; do
	on=$(median 1 <"$work/ours-none-$t.rates")
	pn=$(median 1 <"$work/peer-none-$t.rates")
	for s in $settings; do
		o=$(median 1 <"$work/ours-$s-$t.rates")
		p=$(median 1 <"$work/peer-$s-$t.rates")
		oc=$(median 2 <"$work/ours-$s-$t.rates")
		pc=$(median 2 <"$work/peer-$s-$t.rates")
		printf '%-7s %-8s %10s %10s %7s   %10s %10s %7s   %6s %6s\n' \
			"$t" "$(label "$s")" "${o:--}" "${p:--}" "$(ratio "$o" "$p")" \
			"${oc:--}" "${pc:--}" "$(ratio "$oc" "$pc")" \
			"$(ratio "$o" "$on")" "$(ratio "$p" "$pn")"
	done
done

ir_values=${BENCH_IR_VALUES:-200000}
if [ "$ir_values" -gt 0 ] && command -v valgrind >/dev/null 2>&1; then
	for s in $settings; do
		for d in ours peer; do
			if [ "$d" = ours ]; then daemon=$(pwd)/collectd; else daemon=$peer; fi
			callgrind_wrapper "$work/cg.sh" "$work/$d-$s.callgrind" "$daemon"
			BENCH_VALUES=$ir_values BENCH_TIMEOUT=300 \
				BENCH_CONF=$work/$s.conf BENCH_PLUGINS=$match_regex \
				sh "$dispatch" --run "$work/cg.sh" 1 >/dev/null 2>&1 || :
		done
	done
	echo
	printf 'instructions per value under callgrind (%s values, 1 write thread),
' \
		"$ir_values"
	printf 'from the write queue to the write callbacks (see the head of chains.sh):
'
	printf '%-8s %10s %10s %7s
' chain ours 5.12 ratio
	for s in $settings; do
		if [ "$s" = none ]; then
			o=$(ir "$work/ours-$s.callgrind" deliver_chunk)
			p=$(ir "$work/peer-$s.callgrind" fc_default_action)
		else
			o=$(ir "$work/ours-$s.callgrind" deliver_chained)
			p=$(ir "$work/peer-$s.callgrind" fc_process_chain)
		fi
		awk -v l="$(label "$s")" -v o="${o:-0}" -v p="${p:-0}" -v v="$ir_values" '
		BEGIN {
			if (o > 0 && p > 0)
				printf "%-8s %10.1f %10.1f %7.2f\n", l, o / v, p / v, o / p
			else
				printf "%-8s %10s %10s %7s\n", l, "-", "-", "-"
		}'
	done
fi

if [ -s "$work/unusual" ]; then
	echo
	echo "log lines and notes (numbers as N; count, daemon, chain: line):"
	sort "$work/unusual" | uniq -c | sort -rn | head -n 10
fi
