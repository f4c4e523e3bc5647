#!/bin/sh
# What the ready check costs on the dispatch path: the dispatch benchmark
# (bench/dispatch.sh, same plugin, same workload) run with our daemon as
# built, with our daemon built with -DCOLLECTD_BENCH_NO_READY_CHECK (no
# state check and no in-flight counting around calls into plugins; see
# plugin__call_begin() in src/daemon/plugin_internal.h), and, for context,
# with Debian's collectd 5.12. Runs interleave (with, without, 5.12, with,
# ...) so that a slow spell of the machine hurts all three alike; medians
# are printed with cost = (without - with) / without.
#
# The build without the check is a copy of the source tree configured with
# the same arguments as this build plus that CPPFLAGS, kept in
# BENCH_NOCHECK_DIR and rebuilt only when a source file changed.
#
# Run from the top build directory:  sh bench/ready_check.sh
# Environment (defaults in brackets):
#   BENCH_RUNS [7]          runs per daemon and thread count (median shown)
#   BENCH_THREADS ["1 2"]   WriteThreads settings to try
#   BENCH_NOCHECK_DIR [${TMPDIR:-/tmp}/collectd-bench-nocheck]
#   BENCH_NOCHECK           a daemon built without the check (skips the build)
#   BENCH_VALUES, BENCH_TIMEOUT, BENCH_PEER, BENCH_TYPES_DB, BENCH_CPUS:
#                           passed on to bench/dispatch.sh
#   BENCH_IR_VALUES [200000] values of the instruction count run (0: none)
#
# Wall-clock rates on a small shared machine vary by several percent from
# run to run, more than the check costs. So the script also counts the
# instructions both builds execute for the same values under valgrind's
# callgrind (one write thread), per value, in the write thread's delivery
# of a chunk of values to the write callbacks, where the check sits, with
# all it calls. That count does not depend on the machine's mood; the
# write thread as a whole does (how often it polls an empty queue), and
# the dispatching side has no check (it only queues).
set -eu

runs=${BENCH_RUNS:-7}
threads=${BENCH_THREADS:-"1 2"}
peer=${BENCH_PEER:-/usr/sbin/collectd}
nocheck_dir=${BENCH_NOCHECK_DIR:-${TMPDIR:-/tmp}/collectd-bench-nocheck}
define=-DCOLLECTD_BENCH_NO_READY_CHECK
srcdir=$(cd "$(dirname "$0")/.." && pwd)
dispatch=$srcdir/bench/dispatch.sh
. "$srcdir/bench/common.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-ready-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Our daemon and the plugin, as built here. The plugin does not include
# the core's private header, so this one bench.so serves all three.
if ! make collectd bench/bench.la >"$work/build.log" 2>&1; then
	tail -n 20 "$work/build.log" >&2
	echo "ready_check.sh: the build failed (run from the top build dir)" >&2
	exit 1
fi

# The build without the check. Its key is the configure arguments and
# every source file's checksum; configure's own output (config.h) is left
# out since it is regenerated in the copy.
nocheck=${BENCH_NOCHECK:-}
if [ -z "$nocheck" ]; then
	args=$(./config.status --config)
	key=$( {
		echo "$args $define"
		cd "$srcdir" && find . -name .git -prune -o -type f \
			\( -name '*.[ch]' -o -name '*.am' -o -name '*.m4' \
			-o -name configure.ac \) ! -name config.h -print0 |
			LC_ALL=C sort -z | xargs -0 cksum
	} | cksum)
	nocheck=$nocheck_dir/collectd
	if [ "$(cat "$nocheck_dir/.bench-key" 2>/dev/null)" != "$key" ] ||
		[ ! -x "$nocheck" ]; then
		# Only ever remove a directory this script made.
		if [ -d "$nocheck_dir" ] && [ ! -e "$nocheck_dir/.bench-key" ] &&
			[ -n "$(ls -A "$nocheck_dir")" ]; then
			echo "ready_check.sh: $nocheck_dir is not a build of ours;" \
				"set BENCH_NOCHECK_DIR elsewhere" >&2
			exit 1
		fi
		echo "building without the ready check in $nocheck_dir" \
			"(once; cached for later runs)" >&2
		rm -rf "$nocheck_dir"
		mkdir -p "$nocheck_dir"
		: >"$nocheck_dir/.bench-key" # ours, though not built yet
		tar -C "$srcdir" --exclude=.git -cf - . | tar -C "$nocheck_dir" -xf -
		# The same configure arguments, with the define added to their
		# CPPFLAGS (or as CPPFLAGS). A tree configured in place is
		# cleaned first: its objects were built with the check.
		if ! (
			cd "$nocheck_dir"
			if [ -f config.status ]; then make distclean; fi
			eval "set -- $args"
			cppflags=$define
			for a; do
				shift
				case $a in
				CPPFLAGS=*) cppflags="${a#CPPFLAGS=} $define" ;;
				*) set -- "$@" "$a" ;;
				esac
			done
			./configure -q "$@" "CPPFLAGS=$cppflags" &&
				make -j8 collectd bench/bench.la
		) >"$work/nocheck-build.log" 2>&1; then
			tail -n 20 "$work/nocheck-build.log" >&2
			echo "ready_check.sh: the build without the check failed" >&2
			exit 1
		fi
		echo "$key" >"$nocheck_dir/.bench-key"
	fi
fi
for f in ./collectd "$nocheck" "$peer"; do
	[ -x "$f" ] || { echo "ready_check.sh: $f: no such daemon" >&2; exit 1; }
done

load=$(load_now)
for t in $threads; do
	i=1
	while [ "$i" -le "$runs" ]; do
		for d in with without peer; do
			case $d in
			with) daemon=./collectd ;;
			without) daemon=$nocheck ;;
			peer) daemon=$peer ;;
			esac
			sh "$dispatch" --run "$daemon" "$t" >>"$work/$d-$t.rates" \
				2>"$work/err" || :
			sed "s|^|$d: |" "$work/err" >>"$work/unusual"
		done
		i=$((i + 1))
	done
done

# cost WITH WITHOUT: (without - with) / without, in percent.
cost() {
	awk -v w="${1:-0}" -v n="${2:-0}" \
		'BEGIN { if (w > 0 && n > 0) printf "%+.1f", 100 * (n - w) / n; else print "-" }'
}
# spread COLUMN FILE: the interquartile range of a column over its median,
# in percent: how far apart the runs were, to weigh the cost against.
spread() {
	cut -d ' ' -f "$1" "$2" | sort -n | awk '
	function rank(q,  r, k) { r = q * NR; k = int(r); if (k < r) k++; return k < 1 ? 1 : k }
	{ v[NR] = $1 }
	END {
		m = v[rank(0.5)]
		if (NR && m > 0) printf "%.0f", 100 * (v[rank(0.75)] - v[rank(0.25)]) / m
		else print "-"
	}'
}

printf '%s gauge values per run (bench/dispatch.sh), median of %s runs,\n' \
	"${BENCH_VALUES:-2000000}" "$runs"
printf 'cost = (without - with) / without; runs interleaved\n'
machine_line "$load"
printf '%-7s %39s   %39s\n' write "values per second" \
	"values per CPU second"
printf '%-7s %9s %9s %7s %9s   %9s %9s %7s %9s\n' threads "with" without \
	"cost %" 5.12 "with" without "cost %" 5.12
for t in $threads; do
	w=$(median 1 <"$work/with-$t.rates")
	n=$(median 1 <"$work/without-$t.rates")
	p=$(median 1 <"$work/peer-$t.rates")
	wc=$(median 2 <"$work/with-$t.rates")
	nc=$(median 2 <"$work/without-$t.rates")
	pc=$(median 2 <"$work/peer-$t.rates")
	printf '%-7s %9s %9s %7s %9s   %9s %9s %7s %9s\n' "$t" "${w:--}" \
		"${n:--}" "$(cost "$w" "$n")" "${p:--}" "${wc:--}" "${nc:--}" \
		"$(cost "$wc" "$nc")" "${pc:--}"
done
echo "spread of the runs, interquartile range / median in percent, with/without:"
for t in $threads; do
	printf '  %s write threads: %s/%s per second, %s/%s per CPU second\n' "$t" \
		"$(spread 1 "$work/with-$t.rates")" \
		"$(spread 1 "$work/without-$t.rates")" \
		"$(spread 2 "$work/with-$t.rates")" \
		"$(spread 2 "$work/without-$t.rates")"
done
ir_values=${BENCH_IR_VALUES:-200000}
if [ "$ir_values" -gt 0 ] && command -v valgrind >/dev/null 2>&1; then
	for d in with without; do
		case $d in
		with) daemon=$(pwd)/collectd ;;
		without) daemon=$nocheck ;;
		esac
		callgrind_wrapper "$work/$d-cg.sh" "$work/$d.callgrind" "$daemon"
		BENCH_VALUES=$ir_values BENCH_TIMEOUT=300 \
			sh "$dispatch" --run "$work/$d-cg.sh" 1 >/dev/null 2>&1 || :
	done
	echo
	printf 'instructions per value under callgrind (%s values, 1 write thread):\n' \
		"$ir_values"
	printf '%-34s %10s %10s %8s\n' "" "with" without "cost %"
	for fn in deliver_chunk; do
		w=$(ir "$work/with.callgrind" "$fn")
		n=$(ir "$work/without.callgrind" "$fn")
		awk -v f="$fn (inclusive)" -v w="${w:-0}" -v n="${n:-0}" -v v="$ir_values" '
		BEGIN {
			if (w > 0 && n > 0)
				printf "%-34s %10.3f %10.3f %+8.3f\n", f, w / v, n / v, 100 * (w - n) / n
			else
				printf "%-34s %10s %10s %8s\n", f, "-", "-", "-"
		}'
	done
fi

if [ -s "$work/unusual" ]; then
	echo
	echo "log lines and notes (numbers as N; count, daemon: line):"
	sort "$work/unusual" | uniq -c | sort -rn | head -n 10
fi
