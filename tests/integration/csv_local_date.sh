#!/bin/sh
# The csv plugin dates its files (<identifier>-YYYY-MM-DD) in local time, as
# collectd 5.12's does. The other tests run in UTC and accept any date, so
# this one runs our daemon and Debian's in a zone far from UTC, chosen so
# that the local date and the UTC date differ now (whatever the hour), and
# checks that each file's date is the local date of its values' time,
# computed here with date(1).
#
# Zones (the POSIX sign of Etc/GMT is inverted: Etc/GMT+12 is UTC-12):
#   UTC hour  0..10: Etc/GMT+12, local time 12:00..22:59 of the day before;
#   UTC hour 11..23: Etc/GMT-14, local time 01:00..13:59 of the day after.
# Either way local midnight is at least an hour away, so the date cannot
# change while the test runs.
. "$(dirname "$0")/lib.sh"
it_init csv_local_date
it_need_debian "$DEBIAN_PLUGINDIR/load.so" "$DEBIAN_PLUGINDIR/csv.so"

utc_hour=$(date -u +%H)
if [ "${utc_hour#0}" -lt 11 ]; then
  ZONE=Etc/GMT+12
else
  ZONE=Etc/GMT-14
fi

it_check "the zone $ZONE exists and its date is not the UTC date"
[ -f "/usr/share/zoneinfo/$ZONE" ] ||
  it_fail "/usr/share/zoneinfo/$ZONE is missing (package tzdata)"
now=$(date +%s)
local_now=$(TZ=$ZONE date -d "@$now" +%F)
utc_now=$(TZ=UTC date -d "@$now" +%F)
[ "$local_now" != "$utc_now" ] ||
  it_fail "local $local_now, UTC $utc_now: the test would prove nothing"
it_ok "local $local_now, UTC $utc_now"

body() {
  it_globals "$1" "$DEBIAN_TYPESDB"
  it_logfile "$1"
  it_csv "$1" false
  echo "LoadPlugin load"
}
it_plugins "$TMP/ours/plugins" load csv logfile
it_debian_plugins "$TMP/debian/plugins" load csv logfile
body "$TMP/ours" >"$TMP/ours/collectd.conf"
body "$TMP/debian" >"$TMP/debian/collectd.conf"
it_show_on_failure "$TMP/ours/log" "$TMP/debian/log"

it_start ours env TZ="$ZONE" "$COLLECTD" -f -C "$TMP/ours/collectd.conf"
OURS=$IT_PID
it_start debian env TZ="$ZONE" "$DEBIAN_COLLECTD" -f \
  -C "$TMP/debian/collectd.conf"
DEBIAN=$IT_PID

# dated NAME: the file csv/itest/load/load-DATE of daemon NAME has rows
# and DATE is the local date of the time of its first and its last row.
dated() {
  it_check "$1: csv/itest/load/load-DATE with DATE the local date of its rows"
  it_wait it_has_rows "$TMP/$1/csv/itest/load/load" 2 ||
    it_fail "no csv/itest/load/load-DATE with 2 rows after ${IT_DEADLINE}s"
  files=$(cd "$TMP/$1/csv/itest/load" && ls)
  [ "$files" = "$(basename "$(it_csv_file "$TMP/$1/csv/itest/load/load")")" ] ||
    it_fail "more than one file: $(echo $files)"
  f=$(it_csv_file "$TMP/$1/csv/itest/load/load")
  fdate=${f##*/load-}
  for t in $(sed -n '2p;$p' "$f" | cut -d, -f1 | cut -d. -f1); do
    want=$(TZ=$ZONE date -d "@$t" +%F)
    utc=$(TZ=UTC date -d "@$t" +%F)
    [ "$fdate" = "$want" ] ||
      it_fail "$(basename "$f"): a value of $t is of $want in $ZONE" \
        "($utc in UTC)"
  done
  it_ok "$(basename "$f"), $ZONE"
}
dated debian
dated ours

it_check "both daemons stop with status 0"
it_stop_ok "$OURS" ours
it_stop_ok "$DEBIAN" "Debian's"
it_ok

it_pass
