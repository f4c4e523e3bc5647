#!/bin/sh
# A callback belongs to the plugin that registered it, not to its name.
# test_squat registers a write callback named "csv": loading it must not
# replace csv's own write callback, and unloading it must not take csv's
# away. (The core may keep both, or refuse test_squat's; either way csv
# writes every value.) Values come by PUTVAL, each with an identifier of
# its own, so that each shows up as a csv file of its own.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_callback_squat

D=$TMP
SOCK=$D/sock
it_plugins "$D/plugins" logfile csv unixsock
it_test_plugins "$D/plugins" test_squat

# conf [squat]: the configuration; with "squat", test_squat's LoadPlugin
# line too (replaced in one rename: LOAD reads the file).
conf() {
  {
    it_globals "$D"
    it_logfile "$D"
    it_csv "$D"
    it_unixsock "$D" "  PluginControl true"
    [ "${1:-}" != squat ] || echo "LoadPlugin test_squat"
  } >"$D/collectd.conf.new"
  mv "$D/collectd.conf.new" "$D/collectd.conf"
}

# put NAME VALUE: PUTVALs itest/squat_probe/gauge-NAME and checks that csv
# writes it.
put() {
  it_check "PUTVAL gauge-$1 = $2 reaches csv's file"
  reply=$(it_cmd "$SOCK" "PUTVAL itest/squat_probe/gauge-$1 interval=10 N:$2" |
    head -n 1)
  case $reply in
  "0 "*) ;;
  *) it_fail "PUTVAL answered \"$reply\"" ;;
  esac
  it_wait it_has_rows "$D/csv/itest/squat_probe/gauge-$1" 1 ||
    it_fail "no csv/itest/squat_probe/gauge-$1-DATE with a row"
  f=$(it_csv_file "$D/csv/itest/squat_probe/gauge-$1")
  tail -n 1 "$f" | grep -Eq ",$2(\.0+)?\$" ||
    it_fail "its row is \"$(tail -n 1 "$f")\""
  it_ok
}

conf
it_show_on_failure "$D/log"
it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
it_check "the daemon runs; csv is ready"
it_wait_socket "$SOCK" || it_fail "no socket at $SOCK"
it_wait it_in_state "$SOCK" csv ready || it_fail "csv is not ready"
it_ok
put first 1

conf squat
it_check "LOAD test_squat answers"
reply=$(it_cmd "$SOCK" "LOAD test_squat" | head -n 1)
case $reply in
"0 "* | "-1 test_squat: "*) ;;
*) it_fail "the reply was \"$reply\"" ;;
esac
it_ok "$reply"
put loaded 2

it_expect "$SOCK" "UNLOAD test_squat" "^0 "
put unloaded 3
it_check "LISTPLUGINS shows csv ready"
it_in_state "$SOCK" csv ready ||
  it_fail "LISTPLUGINS: \"$(it_listed "$SOCK" csv)\""
it_ok

it_check "SIGTERM stops the daemon with status 0"
it_stop_ok "$PID" "the daemon"
it_ok
it_pass
