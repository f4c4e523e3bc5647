#!/bin/sh
# At SIGTERM no callback of a plugin runs once its shutdown has begun, and
# the plugins go down in an order that lets what each says in its shutdown
# reach the log plugins, which go last.
#
# test_log_free, a log plugin loaded first, frees its buffer in its
# shutdown and aborts the daemon ("LOG AFTER SHUTDOWN", status 134) if its
# log callback is called after that began; its shutdown logs a line of its
# own, which must not come back to it. test_shutdown_log, a reader loaded
# after it, logs five goodbye lines in its shutdown, which must reach
# test_log_free's file. Twenty runs, then one under valgrind, which must
# find no error and no leak.
. "$(dirname "$0")/lib.sh"
it_init exit_log_order

D=$TMP
it_test_plugins "$D/plugins" test_log_free test_shutdown_log
{
  it_globals "$D"
  cat <<EOF2
LoadPlugin test_log_free
<Plugin test_log_free>
  File "$D/log"
</Plugin>
LoadPlugin test_shutdown_log
EOF2
} >"$D/collectd.conf"
it_show_on_failure "$D/log"

# goodbyes: how many of test_shutdown_log's five goodbye lines (each once)
# test_log_free's file holds.
goodbyes() {
  n=0
  for i in 1 2 3 4 5; do
    [ "$(grep -c "test_shutdown_log: saying goodbye $i\$" "$D/log")" = 1 ] &&
      n=$((n + 1))
  done
  echo "$n"
}

# run NAME COMMAND...: starts the daemon with COMMAND (its output in
# $TMP/NAME.out), waits until test_shutdown_log has read once, sends
# SIGTERM and checks the exit: status 0, no callback after a shutdown, the
# goodbyes in the file.
run() {
  it_name=$1
  shift
  rm -f "$D/log"
  it_start "$it_name" "$@"
  it_pid=$IT_PID
  it_wait it_grep "$D/log" "test_shutdown_log: first read" || {
    it_alive "$it_pid" || it_fail "$it_name: the daemon died at start-up"
    it_fail "$it_name: test_shutdown_log never read"
  }
  it_stop "$it_pid" ||
    it_fail "$it_name: still running ${IT_DEADLINE}s after SIGTERM"
  ! it_grep "$TMP/$it_name.out" "LOG AFTER SHUTDOWN" ||
    it_fail "$it_name: test_log_free's log callback was called after its" \
      "shutdown began (exit status $IT_RC)"
  [ "$IT_RC" = 0 ] || it_fail "$it_name: exit status $IT_RC"
  got=$(goodbyes)
  [ "$got" = 5 ] ||
    it_fail "$it_name: test_log_free's file has $got of the 5 goodbye lines"
}

it_check "20 times: start, SIGTERM, exit 0, the goodbyes logged"
i=1
while [ "$i" -le 20 ]; do
  run run "$COLLECTD" -f -C "$D/collectd.conf"
  i=$((i + 1))
done
it_ok

it_check "under valgrind: the same, without an error or a leak"
command -v valgrind >/dev/null ||
  it_fail "valgrind is missing (see tools/install-deps.sh)"
IT_DEADLINE=$((IT_DEADLINE * 8))
run valgrind valgrind --error-exitcode=99 --leak-check=full \
  "$COLLECTD" -f -C "$D/collectd.conf"
it_ok

it_pass
