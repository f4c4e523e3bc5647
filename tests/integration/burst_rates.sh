#!/bin/sh
# Several values of one identifier dispatched back to back (one PUTVAL with
# twelve values): a write callback that reads the cache for the value it is
# handed (uc_get_rate(), as Debian's threshold plugin and csv with
# StoreRates do) must get that value's rate, as in collectd 5.12, where the
# write thread updates the cache right before it calls the write callbacks.
# One write thread in both daemons, so that collectd 5.12's order is fixed.
# (Ours updates the cache when the value is dispatched; the write queue
# keeps each value's rates for its write callbacks.)
. "$(dirname "$0")/lib.sh"
it_init burst_rates
it_need_debian "$DEBIAN_PLUGINDIR/threshold.so" "$DEBIAN_PLUGINDIR/unixsock.so" \
  "$DEBIAN_PLUGINDIR/csv.so" /usr/bin/collectdctl

# time:value pairs; the gauges cross WarningMax 10 and FailureMax 20 both
# ways, the derives rise by 10, 20, 30... a second.
GAUGES=$(echo 5 15 25 5 12 22 3 30 9 18 1 11 |
  awk '{ for (i = 1; i <= NF; i++) printf "%d:%s ", 1700000000 + i, $i }')
DERIVES=$(awk 'BEGIN { for (i = 1; i <= 12; i++) {
  d += 10 * (i - 1); printf "%d:%d ", 1700000000 + i, d } }')

conf() {
  it_globals "$1" "$DEBIAN_TYPESDB"
  echo "WriteThreads 1"
  it_logfile "$1"
  cat <<'EOF'
LoadPlugin threshold
<Plugin threshold>
  <Type "gauge">
    WarningMax 10
    FailureMax 20
  </Type>
</Plugin>
EOF
  it_csv "$1" true
  it_unixsock "$1"
}
for who in ours debian; do
  conf "$TMP/$who" >"$TMP/$who.conf"
  it_debian_plugins "$TMP/$who/plugins" threshold unixsock csv logfile
  it_show_on_failure "$TMP/$who/log"
done
it_start ours "$COLLECTD" -f -C "$TMP/ours.conf"
OURS=$IT_PID
it_start debian "$DEBIAN_COLLECTD" -f -C "$TMP/debian.conf"
DEBIAN=$IT_PID

for who in ours debian; do
  it_check "$who: twelve gauges and twelve derives in one PUTVAL each"
  it_wait test -S "$TMP/$who/sock" || it_fail "no socket after ${IT_DEADLINE}s"
  # shellcheck disable=SC2086 # one argument a value
  /usr/bin/collectdctl -s "$TMP/$who/sock" putval itest/burst/gauge \
    interval=600 $GAUGES >/dev/null || it_fail "putval failed"
  # shellcheck disable=SC2086
  /usr/bin/collectdctl -s "$TMP/$who/sock" putval itest/burst/derive \
    interval=600 $DERIVES >/dev/null || it_fail "putval failed"
  it_wait it_has_rows "$TMP/$who/csv/itest/burst/gauge" 12 ||
    it_fail "no 12 gauge rows after ${IT_DEADLINE}s"
  it_wait it_has_rows "$TMP/$who/csv/itest/burst/derive" 12 ||
    it_fail "no 12 derive rows after ${IT_DEADLINE}s"
  it_ok
done
it_stop "$OURS" || it_fail "ours still runs ${IT_DEADLINE}s after SIGTERM"
it_stop "$DEBIAN" || it_fail "Debian's still runs ${IT_DEADLINE}s after SIGTERM"

notifications() {
  grep -F '] Notification: ' "$TMP/$1/log" | grep -F 'plugin = burst' |
    sed 's/^.*] Notification: //'
}
# Both comparisons are shown before the verdict.
FAILED=""
it_check "the threshold judged each value: the same notifications"
notifications debian >"$TMP/debian.n"
notifications ours >"$TMP/ours.n"
[ "$(wc -l <"$TMP/debian.n")" -ge 10 ] ||
  it_fail "Debian's raised $(wc -l <"$TMP/debian.n") notifications, not the intended 10"
if cmp -s "$TMP/debian.n" "$TMP/ours.n"; then
  it_ok
else
  echo "FAILED"
  IT_PENDING=0
  diff -u "$TMP/debian.n" "$TMP/ours.n"
  FAILED="$FAILED notifications"
fi

# csv writes a gauge as handed over, a derive as the rate the cache gives.
it_check "csv with StoreRates wrote each derive value's rate"
DEB_CSV=$(it_csv_file "$TMP/debian/csv/itest/burst/derive")
OUR_CSV=$(it_csv_file "$TMP/ours/csv/itest/burst/derive")
if cmp -s "$DEB_CSV" "$OUR_CSV"; then
  it_ok
else
  echo "FAILED"
  IT_PENDING=0
  diff -u "$DEB_CSV" "$OUR_CSV"
  FAILED="$FAILED derive-rates"
fi
[ -z "$FAILED" ] || it_fail "ours differs from collectd 5.12:$FAILED"
it_pass
