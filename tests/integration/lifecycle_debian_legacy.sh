#!/bin/sh
# A plugin binary built for collectd 5.12 (Debian's load.so) is loaded at
# run time like any other, and being legacy it is never unloaded: UNLOAD is
# refused with a reason, and the plugin keeps reporting.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_debian_legacy
it_need_debian

D=$TMP
it_debian_plugins "$D/plugins" load
it_plugins "$D/plugins" csv logfile unixsock
{
  it_globals "$D"
  it_logfile "$D"
  it_csv "$D"
  it_unixsock "$D" "  PluginControl true"
} >"$D/collectd.conf"
it_show_on_failure "$D/log"
SOCK=$D/sock
LOAD=$D/csv/itest/load/load

it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

it_check "the daemon runs without the load plugin"
it_wait it_in_state "$SOCK" unixsock ready || it_fail "no unixsock"
it_listed "$SOCK" load && it_fail "load is listed"
it_ok

echo "LoadPlugin load" >>"$D/collectd.conf"
it_expect "$SOCK" "LOAD load" "^0 "
it_check "LISTPLUGINS shows Debian's load ready and legacy"
line=$(it_listed "$SOCK" load) || it_fail "load is not listed"
[ "$line" = "load ready legacy" ] || it_fail "it shows \"$line\""
it_ok
it_check_csv "$D/csv/itest" <<EOF
load/load epoch,shortterm,midterm,longterm 3
EOF

it_expect "$SOCK" "UNLOAD load" "^-1 load: unload: refused: .*legacy"
it_check "load is still ready and keeps reporting"
it_in_state "$SOCK" load ready legacy ||
  it_fail "LISTPLUGINS: \"$(it_listed "$SOCK" load)\""
rows=$(wc -l <"$(it_csv_file "$LOAD")")
it_wait it_has_rows "$LOAD" $((rows + 1)) || it_fail "no new rows"
it_ok

it_check "SIGTERM stops the daemon with status 0"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_pass
