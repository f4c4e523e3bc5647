#!/bin/sh
# Debian's legacy csv.so, isolated, as the writer: one client streams at
# least 20,000 PUTVALs of one series (each with its own time) while another
# RELOADs csv 10 times (its DataDir with and without a trailing slash in
# turn, so that each RELOAD really ends one host and starts another). Then
# csv is unloaded, which delivers what is still queued to its host. Every
# PUTVAL answered with success must be a row of the csv file exactly once:
# values meant for csv between its hosts are kept for the new one.
. "$(dirname "$0")/lib.sh"
it_init isolate_writer
it_need_debian
COUNT=20000
RELOADS=10
RATE=2000 # PUTVALs a second at most: at most 10 x COUNT go out, and a
          # reload of a host (with what was kept for it) may take seconds

D=$TMP
it_plugins "$D/plugins" logfile unixsock
it_debian_plugins "$D/plugins" csv
{
  it_globals "$D"
  echo "UnloadTimeout 30"
  it_logfile "$D"
  it_unixsock "$D" "  PluginControl true"
  printf '<LoadPlugin csv>\n  Isolate true\n</LoadPlugin>\n'
  printf '<Plugin csv>\n  DataDir "%s/csv"\n</Plugin>\n' "$D"
} >"$D/collectd.conf"
it_show_on_failure "$D/log"
SOCK=$D/sock

it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

it_check "csv is ready, isolated"
it_wait it_in_state "$SOCK" csv ready isolated ||
  it_fail "LISTPLUGINS: \"$(it_listed "$SOCK" csv)\""
it_ok

it_check "$COUNT PUTVALs or more while csv is reloaded $RELOADS times"
python3 "$top_srcdir/tests/integration/lifecycle_client.py" stream_reloads \
  "$SOCK" "$D/collectd.conf" csv "DataDir \"$D/csv\"" \
  "DataDir \"$D/csv/\"" "$COUNT" "$RELOADS" "$RATE" "$D/accepted" \
  >"$D/stream.out" 2>&1 ||
  it_fail "$(cat "$D/stream.out")"
set -- $(head -n 1 "$D/stream.out")
SENT=$2 ACCEPTED=$4
[ "$6" = "$RELOADS" ] || it_fail "$(cat "$D/stream.out")"
[ "$ACCEPTED" -ge "$COUNT" ] ||
  it_fail "only $ACCEPTED of $SENT PUTVALs were answered with success:" \
    "$(sed -n 2p "$D/stream.out")"
it_ok "$ACCEPTED of $SENT accepted, $RELOADS RELOADs answered 0"

it_expect "$SOCK" "UNLOAD csv" "^0 "

# Each accepted time must be one row (see it_each_once).
it_check "each of the $ACCEPTED accepted values is in the csv file once"
ls "$D/csv/itest/test/"gauge-x-* >/dev/null 2>&1 ||
  it_fail "no csv file $D/csv/itest/test/gauge-x-DATE"
result=$(it_each_once "$D/accepted" "$D/csv/itest/test/"gauge-x-*)
case $result in
"lost 0 twice 0 extra 0 "*) ;;
*) it_fail "$result" ;;
esac
it_ok "$result"

it_check "SIGTERM stops the daemon with status 0"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_pass
