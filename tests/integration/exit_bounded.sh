#!/bin/sh
# SIGTERM always ends the daemon: a plugin whose shutdown callback never
# returns, or whose read callback is still blocked, is named in the log once
# its step has run UnloadTimeout, and the daemon exits with status 1
# without waiting for it. Other plugins' values written before the exit
# are kept.
. "$(dirname "$0")/lib.sh"
it_init exit_bounded

# run NAME PLUGIN-LINES ERE: starts a daemon with UnloadTimeout 1 and the
# given plugins, waits until test plugin output shows it is ready, sends
# SIGTERM, and checks that it exits with 1 and logs ERE.
run() {
  it_d=$TMP/$1
  it_plugins "$it_d/plugins" load csv logfile
  it_test_plugins "$it_d/plugins" test_shutdown_hang test_block_read
  {
    it_globals "$it_d"
    echo "UnloadTimeout 1"
    it_logfile "$it_d"
    echo "LoadPlugin load"
    it_csv "$it_d"
    printf '%s\n' "$2"
  } >"$it_d/collectd.conf"
  it_show_on_failure "$it_d/log"
  it_start "$1" "$COLLECTD" -f -C "$it_d/collectd.conf"
  it_pid=$IT_PID
  it_check "$1: the daemon runs and writes"
  it_wait it_has_rows "$it_d/csv/itest/load/load" 1 || it_fail "no load rows"
  it_wait it_grep "$it_d/log" "$4" || it_fail "never saw /$4/ in the log"
  it_ok
  it_check "$1: SIGTERM ends it with status 1, naming what still ran"
  it_stop "$it_pid"
  [ "$IT_RC" = 1 ] || it_fail "exit status $IT_RC (124: still running)"
  it_grep "$it_d/log" "$3" || it_grep "$TMP/$1.out" "$3" ||
    it_fail "neither the log nor the output says /$3/"
  it_ok
}

run shutdown_hang "LoadPlugin test_shutdown_hang" \
  'exit: shutdown callback "test_shutdown_hang" of test_shutdown_hang still running after 1 s' \
  'test_shutdown_hang plugin: .*ready'

run read_blocked "$(printf '%s\n' '<LoadPlugin test_block_read>' \
  '  Interval 0.2' '</LoadPlugin>' '<Plugin test_block_read>' \
  '  BlockSeconds 3600' '</Plugin>')" \
  'exit: stopping the read threads still running after 1 s \(callbacks under way: read callback "test_block_read" of test_block_read\)' \
  'test_block_read: read started'
it_pass
