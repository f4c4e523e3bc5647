#!/bin/sh
# The misbehaving plugins of tests/plugins, each LOADed at run time into a
# daemon that keeps writing the load plugin's values: the reply to every
# command (plugin, step, reason), the state LISTPLUGINS shows afterwards,
# the notifications, and that the other plugins never stop. Under the
# default policy (Skip) a failed plugin stays failed until a RELOAD with a
# corrected configuration; under OnPluginFailure Shutdown a failed LOAD at
# run time, or a failed plugin at start-up, stops the daemon non-zero.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_test_plugins

it_plugins "$TMP/plugins" load csv logfile unixsock
it_test_plugins "$TMP/plugins" test_config_fail test_init_fail \
  test_block_read test_thread test_thread_stuck test_legacy

# conf DIR [GLOBAL-LINES]: writes DIR/collectd.conf: the base (load, csv,
# logfile, unixsock with PluginControl), then every section in DIR/sections
# (each the LoadPlugin and Plugin lines of one test plugin). Replaced in one
# rename: the daemon reads the file for every LOAD and RELOAD.
conf() {
  mkdir -p "$1/sections"
  {
    it_globals "$1" | sed "s|^PluginDir .*|PluginDir \"$TMP/plugins\"|"
    [ -z "${2:-}" ] || printf '%s\n' "$2"
    it_logfile "$1"
    echo "LoadPlugin load"
    it_csv "$1"
    it_unixsock "$1" "  PluginControl true"
    cat "$1/sections/"* 2>/dev/null
  } >"$1/collectd.conf.new"
  mv "$1/collectd.conf.new" "$1/collectd.conf"
}

# section NAME TEXT: the configuration of plugin NAME becomes TEXT (in the
# daemon started last, in $D).
section() {
  printf '%s\n' "$2" >"$D/sections/$1"
  conf "$D" "$GLOBALS"
}

# notified NAME EVENT: the log holds the notification of plugin NAME's
# EVENT (a state, "unloaded", "refused" or "rolled_back").
notified() { it_grep "$D/log" "$(notification "$1" "$2")"; }
notification() {
  echo "Notification: .*plugin = collectd, plugin_instance = $1, type = plugin_state, type_instance = $2(,|\$)"
}

# rows NAME: the data rows of csv file NAME (0 if there is none).
rows() {
  f=$(it_csv_file "$D/csv/itest/$1") || {
    echo 0
    return
  }
  echo $(($(wc -l <"$f") - 1))
}

# grows NAME: csv file NAME gets two more rows.
grows() {
  it_wait it_has_rows "$D/csv/itest/$1" $(($(rows "$1") + 2))
}

# threads_are NAME N: the daemon started last has N threads named NAME.
threads_are() { [ "$(it_threads "$PID" "$1")" = "$2" ]; }

# listed_as ERE NAME: a check that NAME's line in LISTPLUGINS starts with
# ERE.
listed_as() {
  it_check "LISTPLUGINS shows \"$1\""
  line=$(it_listed "$SOCK" "$2") || it_fail "$2 is not listed"
  printf '%s\n' "$line" | grep -Eq -- "^$1" || it_fail "it shows \"$line\""
  it_ok "$line"
}

# restored_42: after a rolled back RELOAD of test_config_fail, its
# restored configuration (Value 42) is what it reads: a value dispatched
# after the rollback (LISTVAL shows a later time) is 42 in the cache
# (GETVAL), and its csv file grows by two rows, every row 42.
listval_time() {
  it_cmd "$SOCK" LISTVAL |
    awk -v id="itest/$1" '$2 == id { print $1; found = 1 } END { exit !found }'
}
later_than() {
  t=$(listval_time "$1") && awk -v a="$t" -v b="$2" 'BEGIN { exit !(a > b) }'
}
restored_42() {
  id=test_config_fail/gauge-value
  it_check "the restored configuration reads: a new value, 42 in the cache"
  # (Not listed: the cache forgot it while the plugin was away.)
  t0=$(listval_time "$id") || t0=0
  it_wait later_than "$id" "$t0" ||
    it_fail "no value of $id after $t0 in ${IT_DEADLINE}s"
  got=$(it_cmd "$SOCK" "GETVAL itest/$id" | sed -n 's/^value=//p')
  awk -v v="$got" 'BEGIN { exit !(v != "" && v + 0 == 42) }' ||
    it_fail "GETVAL answers value=$got"
  it_ok "value=$got"

  it_check "... and in its csv file: new rows, all 42"
  grows "$id" || it_fail "no new rows"
  bad=$(awk -F, 'NR > 1 && $2 + 0 != 42' \
    "$(it_csv_file "$D/csv/itest/$id")")
  [ -z "$bad" ] || it_fail "rows other than 42: $bad"
  it_ok
}

# ==== OnPluginFailure Skip (the default) =====================================

D=$TMP/skip
GLOBALS="UnloadTimeout 1"
conf "$D" "$GLOBALS"
SOCK=$D/sock
it_show_on_failure "$D/log"
it_start skip "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

it_check "the daemon starts and writes"
it_wait it_has_rows "$D/csv/itest/load/load" 2 ||
  it_fail "no load rows after ${IT_DEADLINE}s"
it_wait it_in_state "$SOCK" unixsock ready || it_fail "no unixsock"
it_ok

# ---- test_config_fail: fails, is fixed, then rolled back --------------------
echo "--- test_config_fail"
section test_config_fail "LoadPlugin test_config_fail
<Plugin test_config_fail>
  Fail true
</Plugin>"
it_expect "$SOCK" "LOAD test_config_fail" \
  "^-1 test_config_fail: config: .*collectd\.conf:[0-9]+"
listed_as "test_config_fail failed unloadable config: " test_config_fail
it_check "notification: test_config_fail failed"
notified test_config_fail failed || it_fail "none in the log"
it_ok

section test_config_fail "LoadPlugin test_config_fail
<Plugin test_config_fail>
  Value 42
  Fail false
</Plugin>"
it_expect "$SOCK" "RELOAD test_config_fail" "^0 "
listed_as "test_config_fail ready unloadable" test_config_fail
it_check "its gauge (42) reaches the csv"
it_wait it_has_rows "$D/csv/itest/test_config_fail/gauge-value" 2 ||
  it_fail "no csv/itest/test_config_fail/gauge-value-DATE with 2 rows"
it_ok

section test_config_fail "LoadPlugin test_config_fail
<Plugin test_config_fail>
  Value 7
  Fail true
</Plugin>"
it_expect "$SOCK" "RELOAD test_config_fail" \
  "^-1 test_config_fail: config: .*collectd\.conf:[0-9]+.*rolled back"
listed_as "test_config_fail ready unloadable" test_config_fail
it_check "notification: test_config_fail rolled_back"
notified test_config_fail rolled_back || it_fail "none in the log"
it_ok
restored_42

# The files still say Fail true: the same RELOAD is tried again (the plugin
# runs the restored configuration, not the one that failed) and rolled
# back again, and the plugin goes on with Value 42.
it_expect "$SOCK" "RELOAD test_config_fail" \
  "^-1 test_config_fail: config: .*collectd\.conf:[0-9]+.*rolled back"
listed_as "test_config_fail ready unloadable" test_config_fail
it_check "a second rolled_back notification"
n=$(grep -cE "$(notification test_config_fail rolled_back)" "$D/log")
[ "$n" = 2 ] || it_fail "$n in the log"
it_ok
restored_42

# With the files back at the restored configuration there is nothing to
# do: it is the one running.
section test_config_fail "LoadPlugin test_config_fail
<Plugin test_config_fail>
  Value 42
  Fail false
</Plugin>"
it_expect "$SOCK" "RELOAD test_config_fail" "^0 .*unchanged"

# ---- test_init_fail ----------------------------------------------------------
echo "--- test_init_fail"
section test_init_fail "LoadPlugin test_init_fail"
it_expect "$SOCK" "LOAD test_init_fail" "^-1 test_init_fail: init: "
listed_as "test_init_fail failed unloadable init: " test_init_fail
section test_init_fail "LoadPlugin test_init_fail
<Plugin test_init_fail>
  Fail false
</Plugin>"
it_expect "$SOCK" "RELOAD test_init_fail" "^0 "
listed_as "test_init_fail ready unloadable" test_init_fail
it_check "its gauge reaches the csv"
it_wait it_has_rows "$D/csv/itest/test_init_fail/gauge" 2 ||
  it_fail "no csv/itest/test_init_fail/gauge-DATE with 2 rows"
it_ok

# ---- test_block_read: a read in flight outlasts UnloadTimeout ----------------
# A read blocks until the test creates the release file (or an hour): the
# first UNLOAD, sent once a read started, meets it and gives up after
# UnloadTimeout (1 s); the second, sent once that read was released and
# finished, meets none (later reads return at once).
echo "--- test_block_read"
RELEASE=$TMP/release_block_read
section test_block_read "<LoadPlugin test_block_read>
  Interval 8
</LoadPlugin>
<Plugin test_block_read>
  BlockSeconds 3600
  ReleaseFile \"$RELEASE\"
</Plugin>"
it_expect "$SOCK" "LOAD test_block_read" "^0 "
it_check "its first read starts"
it_wait it_grep "$D/log" "test_block_read: read started" ||
  it_fail "no \"read started\" in the log"
it_ok
it_expect "$SOCK" "UNLOAD test_block_read" \
  "^-1 test_block_read: drain: .*still running"
listed_as "test_block_read ready unloadable" test_block_read
it_check "the read finishes once released"
touch "$RELEASE"
it_wait it_grep "$D/log" "test_block_read: read finished" ||
  it_fail "no \"read finished\" in the log"
it_ok
it_expect "$SOCK" "UNLOAD test_block_read" "^0 "
it_check "test_block_read is no longer listed; notification: unloaded"
it_listed "$SOCK" test_block_read && it_fail "still listed"
notified test_block_read unloaded || it_fail "no notification"
it_ok

# ---- test_thread: its thread is joined by the unload -------------------------
echo "--- test_thread"
section test_thread "LoadPlugin test_thread"
it_expect "$SOCK" "LOAD test_thread" "^0 "
it_check "its thread runs and dispatches"
it_wait it_has_rows "$D/csv/itest/test_thread/gauge" 2 ||
  it_fail "no csv/itest/test_thread/gauge-DATE with 2 rows"
[ "$(it_threads "$PID" test_thread)" = 1 ] ||
  it_fail "$(it_threads "$PID" test_thread) threads named test_thread"
it_ok
it_expect "$SOCK" "UNLOAD test_thread" "^0 "
it_check "its thread is gone"
[ "$(it_threads "$PID" test_thread)" = 0 ] ||
  it_fail "$(it_threads "$PID" test_thread) threads named test_thread"
it_ok
it_expect "$SOCK" "LOAD test_thread" "^0 "
it_check "it runs again: one thread"
it_wait threads_are test_thread 1 ||
  it_fail "$(it_threads "$PID" test_thread) threads named test_thread"
it_ok

# ---- test_thread_stuck: a thread outlives its shutdown -----------------------
echo "--- test_thread_stuck"
section test_thread_stuck "LoadPlugin test_thread_stuck"
it_expect "$SOCK" "LOAD test_thread_stuck" "^0 "
it_wait threads_are test_thread_stuck 1 ||
  it_fail "no thread named test_thread_stuck"
it_expect "$SOCK" "UNLOAD test_thread_stuck" \
  "^-1 test_thread_stuck: shutdown: .*still running.*stuck"
listed_as "test_thread_stuck failed unloadable shutdown: " test_thread_stuck
it_check "notification: test_thread_stuck failed"
notified test_thread_stuck failed || it_fail "none in the log"
it_ok
it_check "the daemon runs on with the thread, and load writes"
it_alive "$PID" || it_fail "the daemon died"
[ "$(it_threads "$PID" test_thread_stuck)" = 1 ] ||
  it_fail "the stuck thread is gone?"
grows load/load || it_fail "no new load rows"
it_ok

# ---- test_legacy: runs, is never unloaded ------------------------------------
echo "--- test_legacy"
section test_legacy "LoadPlugin test_legacy"
it_expect "$SOCK" "LOAD test_legacy" "^0 "
listed_as "test_legacy ready legacy" test_legacy
it_expect "$SOCK" "UNLOAD test_legacy" \
  "^-1 test_legacy: unload: refused: .*legacy"
it_expect "$SOCK" "RELOAD test_legacy" "^-1 test_legacy: reload: refused: "
listed_as "test_legacy ready legacy" test_legacy
it_check "notification: test_legacy refused"
notified test_legacy refused || it_fail "none in the log"
it_ok
it_check "its gauge keeps coming"
it_wait it_has_rows "$D/csv/itest/test_legacy/gauge" 1 ||
  it_fail "no csv/itest/test_legacy/gauge-DATE"
grows test_legacy/gauge || it_fail "no new rows"
it_ok

it_check "SIGTERM stops the daemon with status 0, test_legacy shut down"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
# (It may log to stderr: logfile, loaded first, is shut down first.)
cat "$D/log" "$TMP/skip.out" | grep -q "test_legacy: shutdown" ||
  it_fail "test_legacy's shutdown did not run"
it_ok

# ==== OnPluginFailure Shutdown ===============================================

# At run time: the global policy is Shutdown, test_config_fail's block says
# Skip (it fails at start-up and the daemon runs on); the LOAD of
# test_init_fail fails and stops the daemon.
echo "--- OnPluginFailure Shutdown, at run time"
D=$TMP/runtime
GLOBALS="OnPluginFailure Shutdown"
mkdir -p "$D/sections"
printf '%s\n' "<LoadPlugin test_config_fail>
  OnPluginFailure Skip
</LoadPlugin>
<Plugin test_config_fail>
  Fail true
</Plugin>" >"$D/sections/test_config_fail"
conf "$D" "$GLOBALS"
SOCK=$D/sock
it_show_on_failure "$D/log"
it_start runtime "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

it_check "the daemon runs; test_config_fail failed (its block says Skip)"
it_wait it_has_rows "$D/csv/itest/load/load" 2 ||
  it_fail "no load rows after ${IT_DEADLINE}s"
it_wait it_in_state "$SOCK" test_config_fail failed ||
  it_fail "LISTPLUGINS: \"$(it_listed "$SOCK" test_config_fail)\""
it_alive "$PID" || it_fail "the daemon is gone"
it_ok

section test_init_fail "LoadPlugin test_init_fail"
it_check "LOAD test_init_fail fails: the daemon exits non-zero"
reply=$(it_cmd "$SOCK" "LOAD test_init_fail" | head -n 1)
case $reply in
"-1 "* | "(connection closed"*) ;;
*) it_fail "the reply was \"$reply\"" ;;
esac
it_wait_exit "$PID" || it_fail "still running ${IT_DEADLINE}s later"
[ "$IT_RC" != 0 ] || it_fail "exit status 0"
it_ok "status $IT_RC, reply \"$reply\""
it_check "... and the log says why"
line=$(grep "test_init_fail" "$D/log" | grep "OnPluginFailure is Shutdown") ||
  it_fail "no line names test_init_fail and \"OnPluginFailure is Shutdown\""
it_ok "$line"

# At start-up: the plugin's own block says Shutdown.
echo "--- OnPluginFailure Shutdown, at start-up"
D=$TMP/startup
GLOBALS=""
mkdir -p "$D/sections"
printf '%s\n' "<LoadPlugin test_config_fail>
  OnPluginFailure Shutdown
</LoadPlugin>
<Plugin test_config_fail>
  Fail true
</Plugin>" >"$D/sections/test_config_fail"
conf "$D"
it_show_on_failure "$D/log"
it_check "test_config_fail fails at start-up: the daemon exits non-zero"
it_run startup "$COLLECTD" -f -C "$D/collectd.conf"
[ "$IT_RC" != 124 ] || it_fail "still running after ${IT_DEADLINE}s"
[ "$IT_RC" != 0 ] || it_fail "exit status 0"
it_ok "status $IT_RC"
it_check "... and the log says why"
line=$(cat "$D/log" "$TMP/startup.out" 2>/dev/null | grep test_config_fail |
  grep -Ei 'OnPluginFailure|shutdown|shutting down') ||
  it_fail "no line names test_config_fail and the shutdown"
it_ok "$(echo "$line" | head -n 1)"

it_pass
