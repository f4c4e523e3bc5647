#!/bin/sh
# OnPluginFailure: a plugin that cannot be opened is skipped by default (the
# daemon runs, the other plugins write, the log names the plugin, the step
# and the reason); with Shutdown, globally or in the plugin's <LoadPlugin>
# block, the daemon exits non-zero before it runs, saying why.
. "$(dirname "$0")/lib.sh"
it_init failure_policy

D=$TMP
it_plugins "$D/plugins" load csv logfile
BAD=nonexistent_plugin

# conf NAME GLOBAL-POLICY LOADPLUGIN-LINES...: writes $D/NAME.conf.
conf() {
  name=$1
  policy=$2
  shift 2
  {
    it_globals "$D"
    [ -z "$policy" ] || echo "OnPluginFailure $policy"
    it_logfile "$D"
    for l in "$@"; do
      echo "$l"
    done
    echo "LoadPlugin load"
    it_csv "$D"
  } >"$D/$name.conf"
}

# The log line of the failure: names the plugin, the step and the reason.
# Prints the first such line.
failure_logged() {
  cat "$D/log" "$1" 2>/dev/null | grep "$BAD" | grep -w open |
    grep -Ei 'No such file|not found|does not exist' | head -n 1 | grep .
}

# runs NAME: the daemon keeps running, the load plugin writes, the failure
# is logged, and SIGTERM stops it with status 0.
runs() {
  rm -rf "$D/csv" "$D/log"
  it_show_on_failure "$TMP/$1.out" "$D/log"
  it_start "$1" "$COLLECTD" -f -C "$D/$1.conf"
  pid=$IT_PID

  it_check "$1: the other plugins write csv"
  it_wait it_has_rows "$D/csv/itest/load/load" 2 ||
    it_fail "no csv/itest/load/load-DATE with 2 rows after ${IT_DEADLINE}s"
  it_ok

  it_check "$1: the daemon still runs"
  it_alive "$pid" || it_fail "the daemon is gone"
  it_ok

  it_check "$1: the log names $BAD, the step (open) and the reason"
  line=$(failure_logged "$TMP/$1.out") ||
    it_fail "no line with \"$BAD\", \"open\" and the reason"
  it_ok "$line"

  it_check "$1: SIGTERM stops it with status 0"
  it_stop "$pid" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
  [ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
  it_ok
}

# stops NAME: the daemon exits non-zero before entering its read loop and
# says that it stops because of the failed plugin.
stops() {
  rm -rf "$D/csv" "$D/log"
  it_show_on_failure "$TMP/$1.out" "$D/log"
  it_check "$1: the daemon exits non-zero"
  it_run "$1" "$COLLECTD" -f -C "$D/$1.conf"
  [ "$IT_RC" != 124 ] || it_fail "still running after ${IT_DEADLINE}s"
  [ "$IT_RC" != 0 ] || it_fail "exit status 0"
  it_ok "status $IT_RC"

  it_check "$1: ... without entering the read loop"
  ! cat "$D/log" "$TMP/$1.out" 2>/dev/null |
    grep -q "Initialization complete" || it_fail "it entered the read loop"
  it_ok

  it_check "$1: ... logging the failure and that it stops"
  failure_logged "$TMP/$1.out" >/dev/null ||
    it_fail "no line with \"$BAD\", \"open\" and the reason"
  cat "$D/log" "$TMP/$1.out" 2>/dev/null | grep "$BAD" |
    grep -Eiq 'shutdown|shutting down|stopp|exit' ||
    it_fail "no line says the daemon stops because of $BAD"
  it_ok "$(grep -h "$BAD" "$D/log" "$TMP/$1.out" |
    grep -Ei 'shutdown|shutting down|stopp|exit' | head -n 1)"
}

conf default_skip "" "LoadPlugin $BAD"
runs default_skip

conf global_shutdown Shutdown "LoadPlugin $BAD"
stops global_shutdown

conf block_shutdown "" "<LoadPlugin $BAD>" "  OnPluginFailure Shutdown" \
  "</LoadPlugin>"
stops block_shutdown

# The block overrides the global policy the other way too.
conf block_skip Shutdown "<LoadPlugin $BAD>" "  OnPluginFailure Skip" \
  "</LoadPlugin>"
runs block_skip

it_pass
