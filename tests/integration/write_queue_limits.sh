#!/bin/sh
# WriteQueueLimitLow and WriteQueueLimitHigh reach the write queue each as
# itself. collectd.conf(5): with fewer than LowNum metrics queued every new
# one is queued; between LowNum and HighNum one is dropped with a
# probability that grows linearly to 100%; with HighNum queued every new
# one is dropped.
#
# The test holds the only write thread (test_slow_write waits while its
# GateFile exists) and PUTVALs 100 distinct values with Low 20 and High 60.
# The first value waits in the write thread and the others in the queue,
# which counts both, so:
#   - the first 20 are queued;
#   - more than 20 are queued: from 20 on, a value is dropped with a
#     probability of at most 40/41 until 59 are queued, and all 80 after
#     the first 20 dropped at 20 queued has no chance worth counting;
#   - at most 60 are queued: at least 40 are dropped;
#   - drops begin before 60 are queued: the values written are not just
#     the first ones (1 to n). Queueing 40 in a row from 20 on happens
#     with a probability of 40!/40^40, about 1e-16.
# With the two limits swapped on their way from the configuration, the
# queue would stop at 20 (a low mark above the high one is lowered to it).
. "$(dirname "$0")/lib.sh"
it_init write_queue_limits

LOW=20
HIGH=60
COUNT=100

D=$TMP
it_plugins "$D/plugins" logfile unixsock
it_test_plugins "$D/plugins" test_slow_write
{
  it_globals "$D"
  echo "WriteThreads 1"
  echo "WriteQueueLimitHigh $HIGH"
  echo "WriteQueueLimitLow $LOW"
  it_logfile "$D"
  it_unixsock "$D"
  cat <<EOF
LoadPlugin test_slow_write
<Plugin test_slow_write>
  File "$D/written"
  GateFile "$D/gate"
</Plugin>
EOF
} >"$D/collectd.conf"
it_show_on_failure "$D/log"

touch "$D/gate"
it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

# Every plugin is ready (the write callback is called) once the read loop
# is entered.
answers() { it_cmd "$D/sock" LISTVAL >/dev/null 2>&1; }
it_check "the daemon runs and answers on its socket"
it_wait it_grep "$D/log" "Initialization complete" ||
  it_fail "not initialised after ${IT_DEADLINE}s"
it_wait answers || it_fail "no answer to LISTVAL after ${IT_DEADLINE}s"
it_ok

it_check "$COUNT PUTVALs while the write thread waits, each answered 0"
i=1
while [ "$i" -le "$COUNT" ]; do
  echo "PUTVAL itest/wq/gauge-$i N:$i"
  i=$((i + 1))
done >"$TMP/putvals"
# One connection, the commands one after the other.
tr '\n' '\0' <"$TMP/putvals" | xargs -0 python3 \
  "$top_srcdir/tests/integration/lifecycle_client.py" cmd "$D/sock" \
  >"$TMP/replies" || it_fail "the client failed: $(tail -n 1 "$TMP/replies")"
n=$(grep -c '^0 ' "$TMP/replies")
[ "$n" = "$COUNT" ] ||
  it_fail "$n replies 0 of $COUNT; first other: $(grep -v '^0 ' "$TMP/replies" | head -n 1)"
it_ok

# A marker queued once the gate is open ends up behind every value queued
# before it (one write thread, oldest first): once it is written, so is
# everything that was queued. It is sent again until it gets through, as
# the queue may still be full when the first one is dispatched.
rm -f "$D/gate"
marker=0
marker_written() {
  marker=$((marker + 1))
  it_cmd "$D/sock" "PUTVAL itest/wq/gauge-marker N:$marker" >/dev/null
  it_grep "$D/written" '^wq/gauge-marker '
}
it_check "the gate open, the queue is written out"
it_wait marker_written || it_fail "no marker in $D/written after ${IT_DEADLINE}s"
it_ok

written=$(grep -cE '^wq/gauge-[0-9]+ ' "$D/written")

it_check "no value is dropped below WriteQueueLimitLow: values 1 to $LOW written"
i=1
while [ "$i" -le "$LOW" ]; do
  grep -q "^wq/gauge-$i " "$D/written" ||
    it_fail "value $i was dropped ($written of $COUNT written)"
  i=$((i + 1))
done
it_ok

it_check "between the limits some are queued: more than $LOW written"
[ "$written" -gt "$LOW" ] ||
  it_fail "$written of $COUNT written: the queue stopped at WriteQueueLimitLow"
it_ok "$written of $COUNT written"

it_check "every value is dropped at WriteQueueLimitHigh: at most $HIGH written"
[ "$written" -le "$HIGH" ] || it_fail "$written of $COUNT written"
it_ok

it_check "between the limits values are dropped at random, not only at $HIGH"
last=$(sed -n 's/^wq\/gauge-\([0-9]*\) .*/\1/p' "$D/written" | sort -n | tail -n 1)
[ "$last" -gt "$written" ] ||
  it_fail "values 1 to $written written, none after: no drop below $HIGH"
it_ok "the last one written is value $last"

it_check "... and the drops are logged"
it_grep "$D/log" "dropping values" || it_fail "no warning in the log"
it_ok

it_check "the daemon stops with status 0"
it_stop_ok "$PID" "the daemon"
it_ok

it_pass
