#!/bin/sh
# RELOAD of csv loses nothing: one client streams at least 40,000 PUTVALs
# of one series (itest/test/gauge-x, each with its own time) while another
# RELOADs csv 20 times, its DataDir written with and without a trailing
# slash in turn (the same directory, but a changed configuration, so that
# each RELOAD really reloads). Then csv is unloaded, which delivers what is
# still queued. Every PUTVAL answered with success must be a row of the csv
# file exactly once.
#
# With IT_WHOLE=1 (reload_diff_writer.sh) each is a RELOAD of the whole
# configuration, which must reload csv and nothing else.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_csv_reload${IT_WHOLE:+_whole}
COUNT=40000
RELOADS=20
RATE=10000 # PUTVALs a second at most (the machine may manage fewer)

D=$TMP
it_plugins "$D/plugins" logfile unixsock csv
{
  it_globals "$D"
  echo "UnloadTimeout 30"
  it_logfile "$D"
  it_unixsock "$D" "  PluginControl true"
  it_csv "$D"
} >"$D/collectd.conf"
it_show_on_failure "$D/log"
SOCK=$D/sock

it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

it_check "csv is ready"
it_wait it_in_state "$SOCK" csv ready unloadable ||
  it_fail "LISTPLUGINS: \"$(it_listed "$SOCK" csv)\""
it_ok

it_check "$COUNT PUTVALs or more while csv is reloaded $RELOADS times"
python3 "$top_srcdir/tests/integration/lifecycle_client.py" stream_reloads \
  "$SOCK" "$D/collectd.conf" "${IT_WHOLE:+all:}csv" "DataDir \"$D/csv\"" \
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
