#!/bin/sh
# A global Hostname with '/' in it: collectd 5.12 fills the host of a value
# list that has none with it and then rewrites the '/' as in every other
# name ("/sbs/h" is written as "sbs_h"), while its plugins still see the
# name as configured. Our daemon and Debian's, side by side with Debian's
# load plugin, must write the same csv files.
. "$(dirname "$0")/lib.sh"
it_init hostname_slashes
it_need_debian

body() {
  it_globals "$1" "$DEBIAN_TYPESDB" | sed 's|^Hostname .*|Hostname "/sbs/h"|'
  it_logfile "$1"
  it_csv "$1" false
  echo "LoadPlugin load"
}

it_debian_plugins "$TMP/ours/plugins" load
it_plugins "$TMP/ours/plugins" csv logfile
it_debian_plugins "$TMP/debian/plugins" load csv logfile
body "$TMP/ours" >"$TMP/ours/collectd.conf"
body "$TMP/debian" >"$TMP/debian/collectd.conf"
it_show_on_failure "$TMP/ours/log" "$TMP/debian/log"

it_start ours "$COLLECTD" -f -C "$TMP/ours/collectd.conf"
OURS=$IT_PID
it_start debian "$DEBIAN_COLLECTD" -f -C "$TMP/debian/collectd.conf"
DEBIAN=$IT_PID

# Debian's file is where collectd 5.12 puts it; ours is waited for there
# too, but its absence is left to the comparison, which shows where it went.
it_check "debian: 2 rows of csv/sbs_h/load/load-DATE"
it_wait it_has_rows "$TMP/debian/csv/sbs_h/load/load" 2 ||
  it_fail "Debian's wrote no 2 rows of sbs_h/load/load in ${IT_DEADLINE}s"
it_ok
it_wait it_has_rows "$TMP/ours/csv/sbs_h/load/load" 2

it_check "both daemons stop with status 0"
it_stop "$OURS" || it_fail "ours still runs ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "ours exited with status $IT_RC"
it_stop "$DEBIAN" ||
  it_fail "Debian's still runs ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "Debian's exited with status $IT_RC"
it_ok

it_same_csv debian "$TMP/debian/csv" ours "$TMP/ours/csv"

it_pass
