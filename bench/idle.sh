#!/bin/sh
# What an idle daemon costs: our daemon and Debian's collectd 5.12 run side
# by side with the same, ordinary configuration (cpu, memory, load,
# interface, csv, logfile, unixsock; Interval 10; the default read and
# write threads) and no client. After they settle, both are measured over
# the same windows of time: CPU time (utime + stime of all threads, from
# /proc/PID/stat, and the run time the scheduler counted, from
# /proc/PID/task/*/schedstat) and context switches (voluntary and
# involuntary, summed over /proc/PID/task/*/status). The median of the
# windows is printed with the ratio ours / 5.12, then the context switches
# per kind of thread, which tell who wakes up.
#
# Run from the top build directory:  sh bench/idle.sh
# Environment (defaults in brackets):
#   BENCH_RUNS [3]          measuring windows (median shown)
#   BENCH_SECONDS [30]      length of a window
#   BENCH_SETTLE [15]       seconds between the start and the first window
#   BENCH_INTERVAL [10]     the global Interval
#   BENCH_OURS [./collectd; setting it skips the build]
#   BENCH_OUR_PLUGINS [.libs]  our daemon's PluginDir; /usr/lib/collectd
#                           runs it with 5.12's own plugin binaries
#   BENCH_PEER [/usr/sbin/collectd], BENCH_PEER_PLUGINS [/usr/lib/collectd]
#   BENCH_TYPES_DB [/usr/share/collectd/types.db]
#   BENCH_KEEP              if set, keep the work directory and its logs
set -eu
. "$(dirname "$0")/common.sh"

runs=${BENCH_RUNS:-3}
seconds=${BENCH_SECONDS:-30}
settle=${BENCH_SETTLE:-15}
interval=${BENCH_INTERVAL:-10}
ours=${BENCH_OURS:-./collectd}
our_plugins=${BENCH_OUR_PLUGINS:-$PWD/.libs}
peer=${BENCH_PEER:-/usr/sbin/collectd}
peer_plugins=${BENCH_PEER_PLUGINS:-/usr/lib/collectd}
types_db=${BENCH_TYPES_DB:-/usr/share/collectd/types.db}
plugins="cpu memory load interface csv logfile unixsock"

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-idle.XXXXXX")
pids=

# Whatever happens, no daemon of ours outlives the script.
cleanup() { bench_cleanup $pids; }
bench_traps cleanup

if [ -z "${BENCH_OURS:-}" ]; then
	targets=collectd
	for p in $plugins; do targets="$targets $p.la"; done
	# shellcheck disable=SC2086
	if ! make $targets >"$work/build.log" 2>&1; then
		tail -n 20 "$work/build.log" >&2
		echo "idle.sh: the build failed (run from the top build dir)" >&2
		exit 1
	fi
fi
for f in "$ours" "$peer"; do
	[ -x "$f" ] || { echo "idle.sh: $f: no such daemon" >&2; exit 1; }
done
for d in "$our_plugins" "$peer_plugins"; do
	for p in $plugins; do
		[ -e "$d/$p.so" ] ||
			{ echo "idle.sh: no $p.so in $d" >&2; exit 1; }
	done
done

# start NAME DAEMON PLUGINDIR: starts DAEMON in $work/NAME; sets $started.
start() {
	dir=$work/$1
	mkdir "$dir"
	cat >"$dir/collectd.conf" <<EOF
Hostname "idle"
FQDNLookup false
BaseDir "$dir"
PIDFile "$dir/collectd.pid"
PluginDir "$3"
TypesDB "$types_db"
Interval $interval
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$dir/log"
</Plugin>
LoadPlugin cpu
LoadPlugin memory
LoadPlugin load
LoadPlugin interface
LoadPlugin csv
<Plugin csv>
  DataDir "$dir/csv"
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$dir/sock"
</Plugin>
EOF
	"$2" -f -C "$dir/collectd.conf" >"$dir/out" 2>&1 &
	started=$!
	pids="$pids $started"
}

start ours "$ours" "$our_plugins"
our_pid=$started
start peer "$peer" "$peer_plugins"
peer_pid=$started

# Up when the socket is there (10 s at most), then given time to settle:
# the first reads, the csv files created, the start-up log written.
ticks=0
while { [ ! -S "$work/ours/sock" ] || [ ! -S "$work/peer/sock" ]; } &&
	[ "$ticks" -lt 100 ]; do
	sleep 0.1
	ticks=$((ticks + 1))
done
for d in ours peer; do
	[ -S "$work/$d/sock" ] || {
		echo "idle.sh: $d did not start; its output:" >&2
		cat "$work/$d/out" "$work/$d/log" >&2 2>/dev/null || :
		exit 1
	}
done
sleep "$settle"

hz=$(getconf CLK_TCK)

# sample PID: "cpu_ms run_ms voluntary involuntary" of the process now,
# CPU time over all its threads (live and ended) from /proc/PID/stat, the
# rest summed over its live threads.
sample() {
	# The command name (field 2) is in parentheses and may hold spaces.
	cpu=$(sed 's/.*) //' "/proc/$1/stat" |
		awk -v hz="$hz" '{ printf "%.0f", ($12 + $13) * 1000 / hz }')
	run=$(cat /proc/"$1"/task/*/schedstat 2>/dev/null |
		awk '{ s += $1 } END { printf "%.0f", s / 1e6 }')
	switches=$(cat /proc/"$1"/task/*/status 2>/dev/null | awk '
		/^voluntary_ctxt_switches/ { v += $2 }
		/^nonvoluntary_ctxt_switches/ { n += $2 }
		END { print v + 0, n + 0 }')
	echo "$cpu $run $switches"
}

# threads PID: "tid kind switches" per live thread, with the number of
# reader#N and writer#N left out so that threads of a kind add up, and
# the first thread (named after the binary) called "main".
threads() {
	for t in /proc/"$1"/task/*; do
		printf '%s ' "${t##*/}"
		cat "$t/comm" "$t/status" 2>/dev/null | awk -v main=$(($1 == ${t##*/})) '
			NR == 1 { sub(/#[0-9]+$/, "#*"); kind = main ? "main" : $0 }
			/^voluntary_ctxt_switches/ { v = $2 }
			/^nonvoluntary_ctxt_switches/ { n = $2 }
			END { print kind, v + n }'
	done
}

# delta BEFORE AFTER: AFTER - BEFORE, column by column.
delta() {
	printf '%s\n%s\n' "$1" "$2" | awk '
		NR == 1 { for (i = 1; i <= NF; i++) b[i] = $i }
		NR == 2 { for (i = 1; i <= NF; i++) printf "%s%d", (i > 1 ? " " : ""), $i - b[i]
			print "" }'
}

# per_kind BEFORE AFTER: "kind switches" over the window, per kind of
# thread (threads that started or ended within it are left out).
per_kind() {
	awk 'NR == FNR { b[$1] = $3; next }
		($1 in b) { s[$2] += $3 - b[$1] }
		END { for (k in s) print k, s[k] }' "$1" "$2"
}

load=$(load_now)
i=1
while [ "$i" -le "$runs" ]; do
	threads "$our_pid" >"$work/ours.threads0"
	threads "$peer_pid" >"$work/peer.threads0"
	o0=$(sample "$our_pid")
	p0=$(sample "$peer_pid")
	sleep "$seconds"
	o1=$(sample "$our_pid")
	p1=$(sample "$peer_pid")
	threads "$our_pid" >"$work/ours.threads1"
	threads "$peer_pid" >"$work/peer.threads1"
	delta "$o0" "$o1" >>"$work/ours.samples"
	delta "$p0" "$p1" >>"$work/peer.samples"
	for d in ours peer; do
		per_kind "$work/$d.threads0" "$work/$d.threads1" |
			sed "s/^/$i /" >>"$work/$d.kinds"
	done
	i=$((i + 1))
done

for p in $our_pid $peer_pid; do
	kill -0 "$p" 2>/dev/null ||
		echo "idle.sh: a daemon (pid $p) died during the measurement" >&2
done

printf 'idle daemons: cpu memory load interface csv logfile unixsock, '
printf 'Interval %s, default threads\n' "$interval"
printf 'median of %s windows of %s s each (after %s s to settle), ' \
	"$runs" "$seconds" "$settle"
printf 'ratio = ours / 5.12\n'
machine_line "$load"
printf '%-34s %10s %10s %7s\n' "per window" ours 5.12 ratio
# row LABEL COLUMN: the median of one column of both daemons' samples.
row() {
	o=$(median "$2" <"$work/ours.samples")
	p=$(median "$2" <"$work/peer.samples")
	printf '%-34s %10s %10s %7s\n' "$1" "$o" "$p" "$(ratio "$o" "$p")"
}
row "CPU time, ms (utime + stime)" 1
o=$(median 1 <"$work/ours.samples")
p=$(median 1 <"$work/peer.samples")
printf '%-34s %10s %10s\n' "  % of one CPU" \
	"$(awk -v m="$o" -v s="$seconds" 'BEGIN { printf "%.2f", m / s / 10 }')" \
	"$(awk -v m="$p" -v s="$seconds" 'BEGIN { printf "%.2f", m / s / 10 }')"
row "run time, ms (schedstat)" 2
awk '{ print $3 + $4 }' "$work/ours.samples" >"$work/ours.switches"
awk '{ print $3 + $4 }' "$work/peer.samples" >"$work/peer.switches"
o=$(median 1 <"$work/ours.switches")
p=$(median 1 <"$work/peer.switches")
printf '%-34s %10s %10s %7s\n' "context switches" "$o" "$p" "$(ratio "$o" "$p")"
row "  voluntary" 3
row "  involuntary" 4

# Per kind of thread, the median over the windows.
printf '\ncontext switches per window by thread (median):\n'
printf '%-34s %10s %10s\n' thread ours 5.12
for d in ours peer; do cut -d ' ' -f 2 "$work/$d.kinds"; done | sort -u |
	while read -r kind; do
		o=$(awk -v k="$kind" '$2 == k { print $3 }' "$work/ours.kinds" | median 1)
		p=$(awk -v k="$kind" '$2 == k { print $3 }' "$work/peer.kinds" | median 1)
		printf '%-34s %10s %10s\n' "$kind" "${o:--}" "${p:--}"
	done

# Anything the daemons logged beyond start-up, numbers as N.
for d in ours peer; do
	grep -i -e warn -e error -e fail "$work/$d/log" "$work/$d/out" 2>/dev/null |
		sed -e 's/[0-9][0-9.]*/N/g' -e "s|^|$d: |" | sort | uniq -c |
		sort -rn | head -n 10
done >"$work/summary"
if [ -s "$work/summary" ]; then
	echo
	echo "warnings and errors logged (numbers as N; count, daemon: line):"
	cat "$work/summary"
fi
