#!/bin/sh
# Load, unload and reload in a loop while the daemon works: cycles of
# UNLOAD, LOAD and RELOAD of cpu, memory and interface over the socket, at
# least 200 and for at least 10 s (every command answers 0; now and then
# memory's Interval is edited in the configuration file right before its
# RELOAD, which must then really reconfigure it, while an unchanged RELOAD
# does nothing). Meanwhile the
# load plugin, never touched, keeps reading (its longest gap is printed).
# Afterwards the three plugins are ready and
# write, and SIGTERM stops the daemon with status 0.
# LIFECYCLE_CYCLES=n and LIFECYCLE_SECONDS=s change the minimums.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_cycles
CYCLES=${LIFECYCLE_CYCLES:-200}
DURATION=${LIFECYCLE_SECONDS:-10}

D=$TMP
it_plugins "$D/plugins" load cpu memory interface csv logfile unixsock
{
  it_globals "$D" | sed 's/^Interval .*/Interval 0.2/'
  it_logfile "$D"
  echo "LoadPlugin load"
  echo "LoadPlugin cpu"
  echo "LoadPlugin memory"
  echo "LoadPlugin interface"
  it_csv "$D"
  it_unixsock "$D" "  PluginControl true"
} >"$D/collectd.conf"
it_show_on_failure "$D/log"
SOCK=$D/sock
LOAD=$D/csv/itest/load/load

it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

it_check "the daemon starts and writes"
it_wait it_has_rows "$LOAD" 2 || it_fail "no load rows after ${IT_DEADLINE}s"
for p in cpu memory interface; do
  it_wait it_in_state "$SOCK" "$p" ready unloadable ||
    it_fail "LISTPLUGINS does not show $p ready and unloadable"
done
it_ok

it_check "$CYCLES+ cycles of UNLOAD, LOAD and RELOAD for ${DURATION}+ s, every reply 0"
python3 "$top_srcdir/tests/integration/lifecycle_client.py" cycles \
  "$SOCK" "$D/collectd.conf" "$CYCLES" "$DURATION" >"$D/cycles.out" 2>&1 ||
  it_fail "$(cat "$D/cycles.out")"
summary=$(tail -n 1 "$D/cycles.out")
it_ok "$summary"
done_cycles=$(echo "$summary" | awk '{ print $1 }')
edits=$(echo "$summary" | awk '{ print $(NF - 3) }')

# Each UNLOAD, and each RELOAD that did work, unloaded the plugin once; an
# unchanged RELOAD did not.
for p in cpu memory interface; do
  want=$done_cycles
  [ "$p" = memory ] && want=$((done_cycles + edits))
  it_check "$p was unloaded $want times (unchanged RELOADs did nothing)"
  got=$(grep -c "\] $p plugin: unloaded$" "$D/log")
  [ "$got" = "$want" ] || it_fail "\"$p plugin: unloaded\" $got times"
  it_ok
done

it_check "cpu, memory and interface are ready and write again"
for p in cpu memory interface; do
  it_in_state "$SOCK" "$p" ready unloadable ||
    it_fail "LISTPLUGINS: \"$(it_listed "$SOCK" "$p")\""
done
mem=$D/csv/itest/memory/memory-used
rows=$(wc -l <"$(it_csv_file "$mem")") || it_fail "no $mem-DATE"
it_wait it_has_rows "$mem" $((rows + 1)) || it_fail "no new rows in $mem-DATE"
it_ok

# Timestamps of the load plugin's rows: the reads of a plugin nobody touched
# went on through the cycles. How evenly is the machine's business as much
# as the daemon's (a read thread may wait half a second for a CPU on a busy
# one), so the longest gap is printed, and only one that no loaded machine
# explains is a failure: 10 s, 50 intervals, as when reads wait for a
# lifecycle command. bench/lifecycle.sh measures missed intervals.
it_check "the reads of $LOAD went on (no gap of 10 s)"
gaps=$(awk -F, 'NR > 2 { g = $1 - prev; if (g > max) max = g }
  NR > 1 { prev = $1; n++ }
  END { printf "%d rows, longest gap %.3f s\n", n, max; exit max > 10 }' \
  "$(it_csv_file "$LOAD")") ||
  it_fail "$gaps (load average $(cut -d' ' -f1 /proc/loadavg))"
it_ok "$gaps"

it_check "SIGTERM stops the daemon with status 0"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_pass
