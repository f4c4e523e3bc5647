#!/bin/sh
# What a plugin change costs. Ours: LOAD (until the plugin is ready) and
# UNLOAD (until it is gone) over the unixsock socket of a running daemon,
# N cycles per plugin on one connection. collectd 5.12 has no LOAD; there a
# change costs a restart, so the same is timed for Debian's collectd 5.12
# (and for ours, for reference): from starting the daemon until its socket
# answers LISTVAL, and from SIGTERM until it has exited. Prints medians and
# p99s and the ratios 5.12 restart / LOAD and / UNLOAD.
#
# Both daemons run with Interval 1 and csv, logfile and unixsock loaded;
# for the restarts the measured plugins are loaded from the configuration
# too. bench/lifecycle_client does the timing.
#
# Run from the top build directory:  sh bench/lifecycle.sh
# Environment (defaults in brackets):
#   BENCH_CYCLES [1000]          LOAD/UNLOAD cycles per plugin
#   BENCH_RESTARTS [20]          restarts per daemon (ours and 5.12 alternate)
#   BENCH_PLUGINS ["memory cpu"] plugins to load and unload
#   BENCH_PEER [/usr/sbin/collectd], BENCH_PEER_PLUGINS [/usr/lib/collectd]
#   BENCH_TYPES_DB [/usr/share/collectd/types.db]
#   BENCH_KEEP                   if set, keep the work directory and its logs
#   BENCH_ISOLATE                if set, the LOADed plugins are isolated
#                                (IsolatePlugins true): each LOAD starts a
#                                plugin host, each UNLOAD ends one; and the
#                                memory of a host is printed beside that of
#                                collectd 5.12's whole idle daemon
set -eu
. "$(dirname "$0")/common.sh"

cycles=${BENCH_CYCLES:-1000}
restarts=${BENCH_RESTARTS:-20}
plugins=${BENCH_PLUGINS:-"memory cpu"}
peer=${BENCH_PEER:-/usr/sbin/collectd}
peer_plugins=${BENCH_PEER_PLUGINS:-/usr/lib/collectd}
types_db=${BENCH_TYPES_DB:-/usr/share/collectd/types.db}
client=bench/lifecycle_client

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-lifecycle.XXXXXX")
pid=
cleanup() { bench_cleanup $pid; }
bench_traps cleanup

base="csv logfile unixsock"
targets="collectd collectdctl $client"
for p in $base $plugins; do targets="$targets $p.la"; done
# shellcheck disable=SC2086 # word splitting wanted
if ! make $targets >"$work/build.log" 2>&1; then
	tail -n 20 "$work/build.log" >&2
	echo "lifecycle.sh: the build failed (run from the top build dir)" >&2
	exit 1
fi
for f in ./collectd "$peer"; do
	[ -x "$f" ] || { echo "lifecycle.sh: $f: no such daemon" >&2; exit 1; }
done

# Copies, not links: collectd 5.12 refuses to load a symbolic link.
mkdir "$work/ours" "$work/peer"
for p in $base $plugins; do
	cp ".libs/$p.so" "$work/ours/"
	cp "$peer_plugins/$p.so" "$work/peer/"
done

# config DIR PLUGINDIR EXTRA LOADED...: a configuration in DIR/collectd.conf
# for a daemon that lives in DIR; EXTRA goes into the unixsock block.
config() {
	dir=$1 plugindir=$2 extra=$3
	shift 3
	mkdir -p "$dir/csv"
	{
		cat <<EOF
Hostname "bench"
FQDNLookup false
BaseDir "$dir"
PIDFile "$dir/pid"
PluginDir "$plugindir"
TypesDB "$types_db"
Interval 1
$isolate
EOF
		bench_base_plugins "$dir" "$extra"
		for p; do echo "LoadPlugin $p"; done
	} >"$dir/collectd.conf"
}

# LOAD/UNLOAD: one daemon, one connection, all cycles.
dir=$work/cycles
isolate=
[ -z "${BENCH_ISOLATE:-}" ] || isolate="IsolatePlugins true"
config "$dir" "$work/ours" "PluginControl true"
isolate=
./collectd -f -C "$dir/collectd.conf" >"$dir/out" 2>&1 &
pid=$!
wait_socket "$dir/sock"
load=$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)
# shellcheck disable=SC2086
if ! "$client" cycle "$dir/sock" "$cycles" $plugins >"$work/cycles.txt" \
	2>"$work/cycles.err"; then
	cat "$work/cycles.err" >&2
	tail -n 20 "$dir/log" >&2
	echo "lifecycle.sh: LOAD/UNLOAD failed" >&2
	exit 1
fi
# rss PID: "VmRSS RssAnon" in kB of a running process.
rss() {
	awk '$1 == "VmRSS:" { r = $2 } $1 == "RssAnon:" { a = $2 }
		END { print r, a }' "/proc/$1/status"
}
# Isolated: each plugin LOADed once more, its host's memory once it has
# read a few intervals (a figure, not a test: a fixed wait is enough).
if [ -n "${BENCH_ISOLATE:-}" ]; then
	for p in $plugins; do
		./collectdctl -s "$dir/sock" load "$p" >/dev/null
	done
	sleep 3
	for p in $plugins; do
		hp=$(./collectdctl -s "$dir/sock" listplugins |
			sed -n "s/^$p [a-z]* isolated pid=\([0-9]*\).*/\1/p")
		[ -n "$hp" ] && echo "host of $p (isolated) $(rss "$hp")" >>"$work/rss"
	done
	echo "our daemon holding those hosts $(rss "$pid")" >>"$work/rss"
fi
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
[ "$status" -eq 0 ] || echo "our daemon: exit status $status after the cycles" >>"$work/notes"

# Restarts, ours and 5.12 alternating. Both with the same configuration,
# the measured plugins loaded from it; no PluginControl (5.12 has none).
# shellcheck disable=SC2086
config "$work/restart-ours" "$work/ours" "" $plugins
# shellcheck disable=SC2086
config "$work/restart-peer" "$work/peer" "" $plugins
i=1
while [ "$i" -le "$restarts" ]; do
	for d in ours peer; do
		if [ "$d" = ours ]; then daemon=$PWD/collectd; else daemon=$peer; fi
		dir=$work/restart-$d
		if ! "$client" restart "$dir/sock" 1 "$dir/out" "$daemon" -f \
			-C "$dir/collectd.conf" >>"$work/restart-$d.txt" \
			2>"$work/restart.err"; then
			cat "$work/restart.err" >&2
			tail -n 20 "$dir/out" "$dir/log" >&2
			echo "lifecycle.sh: restarting $daemon failed" >&2
			exit 1
		fi
	done
	i=$((i + 1))
done

row() { # LABEL then the samples on stdin
	cat >"$work/row"
	printf '%-32s %9s %9s\n' "$1" "$(quantile_ms 0.5 <"$work/row")" \
		"$(quantile_ms 0.99 <"$work/row")"
}
# A ratio to one decimal (these are large), in place of common.sh's.
ratio() {
	awk -v a="$1" -v b="$2" \
		'BEGIN { if (a > 0 && b > 0) printf "%.1f", a / b; else print "-" }'
}

echo "$cycles LOAD/UNLOAD cycles per plugin on one connection," \
	"$restarts restarts per daemon"
echo "$(nproc) CPUs, load average $load before, $(cut -d ' ' -f 1-3 /proc/loadavg) after"
printf '%-32s %9s %9s\n' "milliseconds" median p99
for p in $plugins; do
	awk -v p="$p" '$1 == p { print $2 }' "$work/cycles.txt" | row "LOAD $p"
	awk -v p="$p" '$1 == p { print $3 }' "$work/cycles.txt" | row "UNLOAD $p"
done
for d in ours peer; do
	name=$d
	[ "$d" = peer ] && name=5.12
	f=$work/restart-$d.txt
	awk '{ print $1 }' "$f" | row "$name restart: start to LISTVAL"
	awk '{ print $2 }' "$f" | row "$name restart: SIGTERM to exit"
	awk '{ printf "%d\n", $1 + $2 }' "$f" | row "$name restart: total"
done
echo
echo "5.12 restart (total) / ours          median        p99"
awk '{ printf "%d\n", $1 + $2 }' "$work/restart-peer.txt" >"$work/peer-total"
rm50=$(quantile_ms 0.5 <"$work/peer-total")
rp99=$(quantile_ms 0.99 <"$work/peer-total")
for p in $plugins; do
	for op in LOAD UNLOAD; do
		col=2
		[ "$op" = UNLOAD ] && col=3
		awk -v p="$p" -v c="$col" '$1 == p { print $c }' "$work/cycles.txt" \
			>"$work/op"
		printf '%-32s %9s %9s\n' "  / $op $p" \
			"$(ratio "$rm50" "$(quantile_ms 0.5 <"$work/op")")" \
			"$(ratio "$rp99" "$(quantile_ms 0.99 <"$work/op")")"
	done
done

# Isolated: what a host costs against collectd 5.12's whole daemon, idle,
# with the same plugins and csv, logfile and unixsock.
if [ -n "${BENCH_ISOLATE:-}" ]; then
	dir=$work/restart-peer
	rm -f "$dir/sock"
	"$peer" -f -C "$dir/collectd.conf" >"$dir/out" 2>&1 &
	pid=$!
	wait_socket "$dir/sock"
	sleep 3
	echo "collectd 5.12, whole daemon $(rss "$pid")" >>"$work/rss"
	kill -TERM "$pid"
	wait "$pid" || :
	pid=
	echo
	printf '%-40s %9s %9s\n' "memory, kB" VmRSS RssAnon
	awk '{ a = $NF; r = $(NF - 1); NF -= 2; printf "%-40s %9s %9s\n", $0, r, a }' \
		"$work/rss"
fi

# Warnings and errors in the logs, counted; numbers as N.
for d in cycles restart-ours restart-peer; do
	log_problems "$d" "$work/$d/log" "$work/$d/out"
done | sort | uniq -c | sort -rn | head -n 10 >"$work/summary"
[ -e "$work/notes" ] && cat "$work/notes" >>"$work/summary"
if [ -s "$work/summary" ]; then
	echo
	echo "log lines (count, run: line) and notes:"
	cat "$work/summary"
fi
