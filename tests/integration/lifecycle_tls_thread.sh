#!/bin/sh
# A thread of plugin_thread_create() stays listed on its plugin's record
# until it has wholly exited, thread-local destructors included, not just
# until its start routine returned: an UNLOAD does not close the object
# while a destructor in it still runs. test_tls_thread's detached thread
# has a key whose destructor, in the plugin, takes about 300 ms and then
# creates a marker file; its shutdown only asks the thread to stop. Each
# of several LOAD/UNLOAD cycles must answer "unloaded" with the marker
# already there, and the daemon runs on.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_tls_thread

D=$TMP
SOCK=$D/sock
MARKER=$D/destructor_done
CYCLES=5
it_plugins "$D/plugins" load csv logfile unixsock
it_test_plugins "$D/plugins" test_tls_thread

# The destructor's 300 ms are well within UnloadTimeout, however loaded
# the machine.
{
  it_globals "$D"
  echo "UnloadTimeout 30"
  it_logfile "$D"
  echo "LoadPlugin load"
  it_csv "$D"
  it_unixsock "$D" "  PluginControl true"
} >"$D/collectd.conf.new"
mv "$D/collectd.conf.new" "$D/collectd.conf"
it_show_on_failure "$D/log"
it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
it_check "the daemon starts"
it_wait_socket "$SOCK" || it_fail "no socket after ${IT_DEADLINE}s"
it_ok

# Added once the daemon runs: loaded only by the LOADs below.
printf '%s\n' "LoadPlugin test_tls_thread" "<Plugin test_tls_thread>" \
  "  Marker \"$MARKER\"" "</Plugin>" >>"$D/collectd.conf"

threads_are() { [ "$(it_threads "$PID" test_tls_thread)" = "$1" ]; }

i=1
while [ "$i" -le "$CYCLES" ]; do
  echo "--- cycle $i of $CYCLES"
  rm -f "$MARKER"
  it_expect "$SOCK" "LOAD test_tls_thread" "^0 "
  it_check "its thread runs"
  it_wait threads_are 1 ||
    it_fail "$(it_threads "$PID" test_tls_thread) threads named test_tls_thread"
  it_ok
  it_expect "$SOCK" "UNLOAD test_tls_thread" "^0 .*unloaded"
  # Right after the reply: the unload waited for the destructor.
  it_check "the destructor had finished when the UNLOAD answered"
  [ -f "$MARKER" ] || it_fail "no $MARKER yet"
  it_ok
  it_check "the daemon runs on, test_tls_thread not listed"
  it_alive "$PID" || it_fail "the daemon died"
  it_listed "$SOCK" test_tls_thread && it_fail "still listed"
  threads_are 0 ||
    it_fail "$(it_threads "$PID" test_tls_thread) threads named test_tls_thread"
  it_ok
  i=$((i + 1))
done

it_check "SIGTERM stops the daemon with status 0"
it_stop_ok "$PID" "the daemon"
it_ok

it_pass
