#!/bin/sh
# PUTVAL throughput over the unixsock socket: the same client sends N
# PUTVALs through 1 and through 8 connections to our daemon and to
# Debian's collectd 5.12 (each with only its unixsock plugin loaded), and
# the median values/s of each and their ratio are printed. Every run gets a
# freshly started daemon.
#
# Run from the top build directory:  sh bench/putval.sh
# Environment: BENCH_VALUES [200000], BENCH_RUNS [3], BENCH_CONNS ["1 8"],
#   BENCH_PEER [/usr/sbin/collectd], BENCH_PEER_PLUGINS [/usr/lib/collectd]
set -eu
. "$(dirname "$0")/common.sh"

values=${BENCH_VALUES:-200000}
runs=${BENCH_RUNS:-3}
conns_list=${BENCH_CONNS:-"1 8"}
peer=${BENCH_PEER:-/usr/sbin/collectd}
peer_plugins=${BENCH_PEER_PLUGINS:-/usr/lib/collectd}
types_db=/usr/share/collectd/types.db

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-putval.XXXXXX")
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill -KILL "$pid" 2>/dev/null || :
		wait "$pid" 2>/dev/null || :
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! make collectd unixsock.la bench/putval_client >"$work/build.log" 2>&1; then
	tail -n 20 "$work/build.log" >&2
	echo "putval.sh: the build failed (run from the top build dir)" >&2
	exit 1
fi
mkdir "$work/ours"
cp .libs/unixsock.so "$work/ours/"

# run DAEMON PLUGINDIR CONNS: one run with a fresh daemon; prints values/s.
run() {
	dir=$(mktemp -d "$work/run.XXXXXX")
	cat >"$dir/collectd.conf" <<CONF
BaseDir "$dir"
PIDFile "$dir/pid"
PluginDir "$2"
TypesDB "$types_db"
Interval 10
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$dir/sock"
</Plugin>
CONF
	"$1" -f -C "$dir/collectd.conf" >"$dir/log" 2>&1 &
	pid=$!
	wait_socket "$dir/sock"
	result=$(bench/putval_client "$dir/sock" "$values" "$3") || {
		echo "putval.sh: $1 with $3 connections: $result" >&2
		cat "$dir/log" >&2
	}
	kill -TERM "$pid"
	wait "$pid" || :
	pid=
	echo "$result" | awk '{ printf "%d\n", $1 / $2 }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "$values PUTVALs per run, median of $runs runs, ratio = ours / 5.12"
echo "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-12s %12s %12s %7s\n' connections ours 5.12 ratio
for c in $conns_list; do
	o=$(for _ in $(seq "$runs"); do run ./collectd "$work/ours" "$c"; done | median)
	p=$(for _ in $(seq "$runs"); do run "$peer" "$peer_plugins" "$c"; done | median)
	printf '%-12s %12s %12s %7.2f\n' "$c" "$o" "$p" "$(echo "$o $p" | awk '{ print $1 / $2 }')"
done
