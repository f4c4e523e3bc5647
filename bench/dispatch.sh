#!/bin/sh
# Dispatch throughput: loads the same bench plugin binary into our daemon
# and into Debian's collectd 5.12, one after the other, with 1 and 2 write
# threads, and prints the median values/s of each and their ratio, both per
# second of wall-clock time and per second of the daemon's CPU time (the
# second is the steadier figure when other work shares the machine).
#
# Run from the top build directory:  sh bench/dispatch.sh
# One run of one daemon, for other benchmarks (bench/ready_check.sh):
#   sh bench/dispatch.sh --run DAEMON THREADS
# prints "values/s values/CPU-s" (nothing without a result), and on stderr
# the notes and unexpected log lines of the run. It builds nothing.
# Environment (defaults in brackets):
#   BENCH_VALUES [2000000]  values per run
#   BENCH_RUNS [5]          runs per daemon and thread count (median shown)
#   BENCH_THREADS ["1 2"]   WriteThreads settings to try
#   BENCH_TIMEOUT [30]      seconds a run may take before it is stopped
#   BENCH_OURS [./collectd], BENCH_PEER [/usr/sbin/collectd]
#   BENCH_TYPES_DB [/usr/share/collectd/types.db]
#   BENCH_CPUS              pin both daemons to these CPUs (taskset -c list)
#   BENCH_KEEP              if set, keep the work directory and its logs
#   BENCH_CONF              a file appended to every daemon's configuration
#                           (bench/chains.sh: LoadPlugin lines and chains)
#   BENCH_PLUGINS           plugin files (.so) to copy next to bench.so
#   BENCH_ISOLATE           if set, our daemon runs the bench plugin isolated
#                           (Isolate true): every value goes from its host
#                           to the daemon and back to its host's writer
set -eu
. "$(dirname "$0")/common.sh"

values=${BENCH_VALUES:-2000000}
runs=${BENCH_RUNS:-5}
threads=${BENCH_THREADS:-"1 2"}
limit=${BENCH_TIMEOUT:-30}
ours=${BENCH_OURS:-./collectd}
peer=${BENCH_PEER:-/usr/sbin/collectd}
types_db=${BENCH_TYPES_DB:-/usr/share/collectd/types.db}
cpus=${BENCH_CPUS:-}
mode=table
if [ "${1:-}" = --run ]; then
	[ $# -eq 3 ] || { echo "usage: $0 --run DAEMON THREADS" >&2; exit 2; }
	mode=run
	ours=$2
	threads=$3
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-dispatch.XXXXXX")
pid=

# Whatever happens, no daemon of ours outlives the script.
cleanup() { bench_cleanup $pid; }
bench_traps cleanup

# Building is cheap when nothing changed, and makes sure that the daemon
# and the plugin come from the same tree.
if [ -z "${BENCH_OURS:-}" ] && [ "$mode" = table ] &&
	! make collectd bench/bench.la >"$work/build.log" 2>&1; then
	tail -n 20 "$work/build.log" >&2
	echo "dispatch.sh: the build failed (run from the top build dir)" >&2
	exit 1
fi
for f in "$ours" "$peer"; do
	[ "$mode" = run ] && [ "$f" = "$peer" ] && continue
	[ -x "$f" ] || { echo "dispatch.sh: $f: no such daemon" >&2; exit 1; }
done

# One copy of the plugin for both daemons: the point is the same binary.
mkdir "$work/plugins"
cp bench/.libs/bench.so "$work/plugins/bench.so"
for f in ${BENCH_PLUGINS:-}; do
	cp "$f" "$work/plugins/" ||
		{ echo "dispatch.sh: cannot copy $f" >&2; exit 1; }
done

# run_once DAEMON THREADS DIR: runs DAEMON on the benchmark and leaves
# "values seconds dispatched cpu_seconds" in DIR/result, its output in DIR/log and
# anything unusual about the run in DIR/notes.
run_once() {
	dir=$3
	mkdir "$dir"
	isolate=
	if [ -n "${BENCH_ISOLATE:-}" ] && [ "$1" = "$ours" ]; then
		isolate="  Isolate true"
	fi
	cat >"$dir/collectd.conf" <<EOF
Hostname "bench"
FQDNLookup false
BaseDir "$dir"
PIDFile "$dir/collectd.pid"
PluginDir "$work/plugins"
TypesDB "$types_db"
Interval 1
Timeout 2
ReadThreads 1
WriteThreads $2
# A long plugin interval: the first read dispatches everything, and no
# second read starts while the daemon shuts down.
<LoadPlugin bench>
  Interval 3600
$isolate
</LoadPlugin>
<Plugin bench>
  Values $values
  ResultFile "$dir/result"
</Plugin>
EOF
	if [ -n "${BENCH_CONF:-}" ]; then
		cat "$BENCH_CONF" >>"$dir/collectd.conf"
	fi
	if [ -n "$cpus" ]; then
		taskset -c "$cpus" "$1" -f -C "$dir/collectd.conf" >"$dir/log" 2>&1 &
	else
		"$1" -f -C "$dir/collectd.conf" >"$dir/log" 2>&1 &
	fi
	pid=$!

	ticks=0
	while [ ! -e "$dir/result" ] && kill -0 "$pid" 2>/dev/null &&
		[ "$ticks" -lt $((limit * 10)) ]; do
		sleep 0.1
		ticks=$((ticks + 1))
	done
	if [ ! -e "$dir/result" ]; then
		if kill -0 "$pid" 2>/dev/null; then
			echo "no result within ${limit}s" >>"$dir/notes"
		else
			echo "exited before writing a result" >>"$dir/notes"
		fi
	fi

	# A clean shutdown is part of the job: give it ten seconds.
	kill -TERM "$pid" 2>/dev/null || :
	ticks=0
	while kill -0 "$pid" 2>/dev/null && [ "$ticks" -lt 100 ]; do
		sleep 0.1
		ticks=$((ticks + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "did not exit within 10s of SIGTERM; killed" >>"$dir/notes"
		kill -KILL "$pid" 2>/dev/null || :
	fi
	status=0
	wait "$pid" || status=$?
	pid=
	[ "$status" -eq 0 ] || echo "exit status $status" >>"$dir/notes"
	[ -e "$dir/result" ] ||
		echo "no result even after shutdown" >>"$dir/notes"
	return 0
}

# rate DIR: "values/s values/CPU-s" of one run, nothing if it has no result.
rate() {
	[ -e "$1/result" ] || return 0
	read -r count seconds dispatched cpu <"$1/result"
	if [ "$count" -lt "$values" ]; then
		echo "counted $count of $values values ($dispatched dispatched)" \
			>>"$1/notes"
	fi
	awk -v n="$count" -v s="$seconds" -v c="$cpu" \
		'BEGIN { if (s > 0 && c > 0) printf "%.0f %.0f\n", n / s, n / c }'
}

# unusual DIR PREFIX: the run's notes, and what its log says beyond the
# expected start-up and result lines (drops, "value too old", errors,
# crashes), with numbers as N and PREFIX before each log line.
unusual() {
	[ -e "$1/notes" ] && sed "s|^|${1##*/}: |" "$1/notes"
	grep -v -e 'successfully loaded' -e 'Initialization complete' \
		-e '^bench: .* values written in' -e 'Exiting normally' \
		-e 'Shutting down' -e '^collectd: Stopping' \
		-e ' plugin: [a-z0-9_]* -> [a-z]*$' \
		-e ': plugin host started, pid [0-9]*$' \
		"$1/log" | sed -e 's/[0-9][0-9.]*/N/g' -e "s|^|$2|"
	return 0
}

if [ "$mode" = run ]; then
	run_once "$ours" "$threads" "$work/run"
	rate "$work/run"
	unusual "$work/run" "" >&2
	exit 0
fi

# Other work on the machine moves the figures: say how busy it was.
load=$(load_now)

# The runs of the two daemons alternate, so that a slow spell of the
# machine hurts both alike.
for t in $threads; do
	i=1
	while [ "$i" -le "$runs" ]; do
		for d in ours peer; do
			if [ "$d" = ours ]; then daemon=$ours; else daemon=$peer; fi
			dir="$work/$d-$t-$i"
			run_once "$daemon" "$t" "$dir"
			rate "$dir" >>"$work/$d-$t.rates"
		done
		i=$((i + 1))
	done
done

printf '%s gauge values per run, median of %s runs, ratio = ours / 5.12\n' \
	"$values" "$runs"
machine_line "$load"
printf '%-8s %28s   %28s\n' "write" "values per second" \
	"values per CPU second"
printf '%-8s %10s %10s %6s   %10s %10s %6s\n' "threads" ours 5.12 ratio \
	ours 5.12 ratio
for t in $threads; do
	o=$(median 1 <"$work/ours-$t.rates")
	p=$(median 1 <"$work/peer-$t.rates")
	oc=$(median 2 <"$work/ours-$t.rates")
	pc=$(median 2 <"$work/peer-$t.rates")
	printf '%-8s %10s %10s %6s   %10s %10s %6s\n' "$t" "${o:--}" "${p:--}" \
		"$(ratio "$o" "$p")" "${oc:--}" "${pc:--}" "$(ratio "$oc" "$pc")"
done

# What the logs say, counted per daemon, most frequent first.
for d in ours peer; do
	for dir in "$work/$d"-*-*; do
		unusual "$dir" "$d: "
	done | sort | uniq -c | sort -rn | head -n 10
done >"$work/summary"
if [ -s "$work/summary" ]; then
	echo
	echo "log lines and notes (numbers as N; count, daemon: line):"
	cat "$work/summary"
fi
