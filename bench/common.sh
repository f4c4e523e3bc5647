# Helpers the benchmark scripts share (sourced, POSIX sh).

# median COLUMN <FILE: the median of one column of space-separated lines
# (the lower one of an even count); nothing for no lines.
median() {
	cut -d ' ' -f "$1" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# quantile_ms Q <SAMPLES: the nearest-rank quantile Q (the ceil(Q * N)-th
# smallest) of samples in microseconds, one a line, in milliseconds with
# three decimals. sort -g: awk prints large sums in exponent notation
# (1.23457e+06), which sort -n takes for small numbers.
quantile_ms() {
	sort -g | awk -v q="$1" '{ v[NR] = $1 } END {
		r = q * NR; k = int(r); if (k < r) k++; if (k < 1) k = 1
		printf "%.3f", v[k] / 1000 }'
}

# ratio A B: A / B with two decimals, "-" if either is missing or zero.
ratio() {
	awk -v o="${1:-0}" -v p="${2:-0}" \
		'BEGIN { if (o > 0 && p > 0) printf "%.2f", o / p; else print "-" }'
}

# wait_socket PATH: waits up to 10 s for a daemon's socket to appear.
wait_socket() {
	i=0
	while [ ! -S "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# bench_base_plugins DIR UNIXSOCK-LINE: the logfile (DIR/log), csv
# (DIR/csv) and unixsock (DIR/sock, the caller's group; UNIXSOCK-LINE goes
# into its block) plugins the daemons of lifecycle.sh and reload.sh run.
bench_base_plugins() {
	cat <<EOF
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$1/log"
  Timestamp true
  PrintSeverity true
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "$1/csv"
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$1/sock"
  SocketGroup "$(id -gn)"
  $2
</Plugin>
EOF
}

# load_now: the load averages (1, 5, 15 minutes).
load_now() {
	cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown
}

# machine_line LOAD_BEFORE: "N CPUs (daemons on CPUs ...), load average
# X before the runs, Y after", for the head of a table: other work on the
# machine moves the figures.
machine_line() {
	printf '%s CPUs%s, load average %s before the runs, %s after\n' \
		"$(nproc 2>/dev/null || echo '?')" \
		"${BENCH_CPUS:+ (daemons on CPUs $BENCH_CPUS)}" "$1" "$(load_now)"
}

# log_problems NAME FILE...: the warnings and errors in a daemon's log
# (logfile with PrintSeverity) and standard output, time stamps dropped and
# numbers replaced by N, as "NAME: line", ready for sort | uniq -c.
log_problems() {
	name=$1
	shift
	grep -h -e '\[warning\]' -e '\[err' -e '\[crit' -e '\[alert' \
		-e '\[emerg' -e 'severity = FAILURE' -e 'severity = WARNING' \
		"$@" 2>/dev/null |
		sed -e 's/^\[[0-9: -]*\] //' -e 's/[0-9][0-9.]*/N/g' \
			-e "s|^|$name: |"
}

# callgrind_wrapper SCRIPT OUT DAEMON: writes SCRIPT, which runs DAEMON
# (with the arguments it is given) under valgrind's callgrind, profile in
# OUT; for dispatch.sh --run.
callgrind_wrapper() {
	printf '#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file=%s %s "$@"\n' \
		"$2" "$3" >"$1"
	chmod +x "$1"
}

# ir PROFILE FUNCTION: the instructions FUNCTION executed with all it
# called (inclusive), from a callgrind profile; nothing if it never ran.
ir() {
	callgrind_annotate --inclusive=yes "$1" 2>/dev/null |
		awk -v f=":$2 " 'index($0, f) { gsub(",", "", $1); print $1; exit }'
}

# bench_cleanup PID...: what a benchmark does when it ends, however it
# ends: kills the daemons it started that still run, and removes its work
# directory ($work), unless BENCH_KEEP is set.
bench_cleanup() {
	for p in "$@"; do
		kill -KILL "$p" 2>/dev/null || :
		wait "$p" 2>/dev/null || :
	done
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "logs kept in $work" >&2
	else
		rm -rf "$work"
	fi
}

# bench_traps FUNCTION: runs FUNCTION at the exit, and exits on SIGINT and
# SIGTERM so that it runs then too.
bench_traps() {
	trap "$1" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}
