#!/bin/sh
# A plugin may break its own thread out of a blocking call with
# pthread_kill(thread, SIGTERM), as collectd 5.12's statsd and network
# plugins do in their shutdown. The call is interrupted, the plugin
# unloads, and the daemon keeps running; a SIGTERM from outside still stops
# it, at once, with the plugin's thread blocked again.
. "$(dirname "$0")/lib.sh"
it_init thread_signal

D=$TMP
it_plugins "$D/plugins" load csv logfile unixsock
it_test_plugins "$D/plugins" test_thread_kill
{
  it_globals "$D"
  it_logfile "$D"
  echo "LoadPlugin load"
  it_csv "$D"
  it_unixsock "$D" "  PluginControl true"
  echo "LoadPlugin test_thread_kill"
} >"$D/collectd.conf"
it_show_on_failure "$D/log"
SOCK=$D/sock
it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

blocked() { it_has_rows "$D/csv/itest/test_thread_kill/gauge" 0; }
it_check "test_thread_kill is ready and its thread blocks in poll()"
it_wait it_in_state "$SOCK" test_thread_kill ready || it_fail "not ready"
it_wait blocked || it_fail "its thread never dispatched"
it_ok

it_expect "$SOCK" "UNLOAD test_thread_kill" "^0 "
it_check "the thread was interrupted, and the daemon runs on"
it_grep "$D/log" "test_thread_kill: poll\(\) interrupted" ||
  it_fail "the log does not show the interrupted poll()"
it_alive "$PID" || it_fail "the daemon is gone"
[ "$(it_threads "$PID" test_thread_kill)" = 0 ] || it_fail "thread left"
! it_grep "$D/log" "Exiting" || it_fail "the daemon began to exit"
it_ok

it_check "load keeps writing after the UNLOAD"
rows_now() { wc -l <"$(it_csv_file "$D/csv/itest/load/load")"; }
it_wait it_has_rows "$D/csv/itest/load/load" 1 || it_fail "no load rows"
n=$(rows_now)
grows() { [ "$(rows_now)" -gt "$n" ]; }
it_wait grows || it_fail "load stopped writing"
it_ok

rm -f "$(it_csv_file "$D/csv/itest/test_thread_kill/gauge")"
it_expect "$SOCK" "LOAD test_thread_kill" "^0 "
it_check "loaded again, its thread blocks"
it_wait blocked || it_fail "its thread never dispatched"
it_ok

it_check "SIGTERM stops the daemon with status 0"
it_stop "$PID"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok
it_pass
