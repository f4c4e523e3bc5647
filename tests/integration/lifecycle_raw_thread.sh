#!/bin/sh
# A thread a plugin starts itself with pthread_create() and that names its
# plugin in plugin_set_ctx() is adopted: it is listed on the plugin's
# record until it has exited. An UNLOAD whose shutdown stops and joins it
# succeeds; one whose shutdown leaves it running reports the plugin stuck
# ("failed", step shutdown) and keeps the object mapped, and the daemon
# runs on with the thread (test_raw_thread, StopInShutdown true, then
# false). Were the object closed under the thread, the daemon would die.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_raw_thread

D=$TMP
SOCK=$D/sock
it_plugins "$D/plugins" load csv logfile unixsock
it_test_plugins "$D/plugins" test_raw_thread

# conf [STOP]: writes the configuration, with test_raw_thread and its
# StopInShutdown set to STOP if given (replaced in one rename: the daemon
# reads the file at every LOAD).
conf() {
  {
    it_globals "$D"
    echo "UnloadTimeout 2"
    it_logfile "$D"
    echo "LoadPlugin load"
    it_csv "$D"
    it_unixsock "$D" "  PluginControl true"
    [ -z "${1:-}" ] || printf '%s\n' "LoadPlugin test_raw_thread" \
      "<Plugin test_raw_thread>" "  StopInShutdown $1" "</Plugin>"
  } >"$D/collectd.conf.new"
  mv "$D/collectd.conf.new" "$D/collectd.conf"
}

# rows: the data rows of the load plugin's csv file (0 if none).
rows() {
  f=$(it_csv_file "$D/csv/itest/load/load") || {
    echo 0
    return
  }
  echo $(($(wc -l <"$f") - 1))
}
threads_are() { [ "$(it_threads "$PID" test_raw_thread)" = "$1" ]; }

# The daemon starts without test_raw_thread (it is loaded at run time).
conf
it_show_on_failure "$D/log"
it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
it_check "the daemon starts"
it_wait_socket "$SOCK" || it_fail "no socket after ${IT_DEADLINE}s"
it_ok

# ---- StopInShutdown true: the thread is joined, the unload succeeds ---------
echo "--- StopInShutdown true"
conf true
it_expect "$SOCK" "LOAD test_raw_thread" "^0 "
it_check "its thread runs"
threads_are 1 || it_fail "$(it_threads "$PID" test_raw_thread) threads"
it_ok
it_expect "$SOCK" "UNLOAD test_raw_thread" "^0 .*unloaded"
it_check "the thread is gone, the daemon alive, the plugin not listed"
it_wait threads_are 0 || it_fail "$(it_threads "$PID" test_raw_thread) threads"
it_alive "$PID" || it_fail "the daemon died"
it_listed "$SOCK" test_raw_thread && it_fail "still listed"
it_ok

# ---- StopInShutdown false: the thread outlives the shutdown -----------------
echo "--- StopInShutdown false"
conf false
it_expect "$SOCK" "LOAD test_raw_thread" "^0 "
it_check "its thread runs"
threads_are 1 || it_fail "$(it_threads "$PID" test_raw_thread) threads"
it_ok
it_expect "$SOCK" "UNLOAD test_raw_thread" \
  "^-1 test_raw_thread: shutdown: .*still running.*stuck"
it_check "LISTPLUGINS shows it failed in its shutdown, stuck"
line=$(it_listed "$SOCK" test_raw_thread) || it_fail "not listed"
printf '%s\n' "$line" |
  grep -Eq '^test_raw_thread failed unloadable shutdown: .*stuck' ||
  it_fail "it shows \"$line\""
it_ok "$line"
# The thread wakes every 10 ms: code closed under it would have killed the
# daemon long before the load plugin writes two more rows.
it_check "the daemon runs on with the thread, answers and writes"
n=$(rows)
it_wait it_has_rows "$D/csv/itest/load/load" $((n + 2)) ||
  it_fail "no new load rows (the daemon is $(it_alive "$PID" && echo alive ||
    echo gone))"
it_alive "$PID" || it_fail "the daemon died"
threads_are 1 || it_fail "$(it_threads "$PID" test_raw_thread) threads"
it_in_state "$SOCK" unixsock ready || it_fail "no answer on the socket"
it_ok

# The thread cannot be stopped; the daemon must still exit on SIGTERM
# (after UnloadTimeout at most), not die of a signal.
it_check "SIGTERM: the daemon exits, not killed by a signal"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" -lt 128 ] || it_fail "exit status $IT_RC (a signal)"
it_ok "status $IT_RC"

it_pass
