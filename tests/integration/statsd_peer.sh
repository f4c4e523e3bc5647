#!/bin/sh
# Debian's statsd.so (the 5.12 binary) in our daemon against the same
# plugin in Debian's collectd 5.12: the same statsd configuration, the
# same UDP packets (counters with and without a sample rate, absolute and
# relative gauges, timers, sets) on 127.0.0.1, each daemon on its own port.
# Checked: both write the same csv identifiers; in the interval the packet
# arrived in and in the next one (which shows what a metric reports once
# nothing came: a counter's total stays, CounterSum's count and a timer's
# figures reset, a set is deleted), every value is the same; a few values
# that follow from the input alone are right; and SIGTERM ends our daemon
# (a listening statsd thread inside) with status 0 (a thread that kept
# the exit from ending would make it give up, status 1; how long it took
# is printed, not judged).
#
# Nothing compared depends on time: csv stores raw counter totals
# (StoreRates false) rather than rates, and the rows' times, which are the
# two daemons' own read times, are left out.
. "$(dirname "$0")/lib.sh"
it_init statsd_peer
it_need_debian "$DEBIAN_PLUGINDIR/statsd.so" "$DEBIAN_PLUGINDIR/csv.so" \
  "$DEBIAN_PLUGINDIR/logfile.so"

UDP=$top_srcdir/tests/integration/udp_peer.py
# The interpreter itself, not a wrapper script (pyenv's shim costs a second
# per call on a loaded machine).
PY=$(python3 -c 'import sys; print(sys.executable)') || it_fail "no python3"
PORTS=$("$PY" "$UDP" ports 2 $$) || it_fail "no 2 free UDP ports"
set -- $PORTS
PORT_ours=$1
PORT_debian=$2

# wait_clock COMMAND...: it_wait bounded by the clock (IT_DEADLINE seconds)
# rather than by a number of polls, for conditions that take longer than a
# poll on a loaded machine.
wait_clock() {
  end=$(($(date +%s) + IT_DEADLINE))
  until "$@"; do
    [ "$(date +%s)" -lt "$end" ] || return 1
    sleep "$IT_POLL"
  done
}

# ---- the daemons -------------------------------------------------------------

it_plugins "$TMP/ours/plugins" csv logfile
it_debian_plugins "$TMP/ours/plugins" statsd
it_debian_plugins "$TMP/debian/plugins" csv logfile statsd

# Debian's daemon gets one write thread: with several, collectd 5.12's csv
# plugin can race with itself creating a new file and lose rows.
for who in ours debian; do
  eval "port=\$PORT_$who"
  {
    it_globals "$TMP/$who" "$DEBIAN_TYPESDB"
    [ "$who" = ours ] || echo "WriteThreads 1"
    it_logfile "$TMP/$who"
    it_csv "$TMP/$who" false
    cat <<EOF
LoadPlugin statsd
<Plugin statsd>
  Host "127.0.0.1"
  Port "$port"
  DeleteCounters false
  DeleteTimers false
  DeleteGauges false
  DeleteSets true
  CounterSum true
  TimerPercentile 50
  TimerPercentile 90
  TimerLower true
  TimerUpper true
  TimerSum true
  TimerCount true
</Plugin>
EOF
  } >"$TMP/$who/collectd.conf"
  it_show_on_failure "$TMP/$who/log"
done

it_start ours "$COLLECTD" -f -C "$TMP/ours/collectd.conf"
OURS=$IT_PID
it_start debian "$DEBIAN_COLLECTD" -f -C "$TMP/debian/collectd.conf"
DEBIAN=$IT_PID

udp_bound() { "$PY" "$UDP" bound "$1"; }
for who in ours debian; do
  eval "port=\$PORT_$who"
  it_check "$who: statsd listens on 127.0.0.1:$port"
  wait_clock udp_bound "$port" || it_fail "nothing bound to $port"
  it_ok
done

# ---- the packets ---------------------------------------------------------------

# batch R: round R's metrics, "rR_" before every name, as one datagram
# (newline-separated lines). The first and the last line are counters that
# mark the batch: if a read came while the plugin was going through the
# lines, the two first show up in different rows, and the round is not
# compared; the next one is. (A read splits a round only if it falls within
# the millisecond or so the plugin takes over the datagram.)
batch() {
  p=r$1_
  printf '%s\\n' \
    "${p}begin:1|c" \
    "${p}c1:1|c" "${p}c1:2|c" "${p}c1:3|c|@0.5" "${p}c2:-4|c" \
    "${p}g1:3.5|g" "${p}g1:+2|g" "${p}g1:-0.25|g" "${p}g2:42|g" \
    "${p}t1:10|ms" "${p}t1:20|ms" "${p}t1:30|ms" "${p}t1:100|ms" \
    "${p}t1:7.5|ms" "${p}t1:250|ms|@0.5" "${p}t2:1|ms" \
    "${p}s1:a|s" "${p}s1:b|s" "${p}s1:a|s" "${p}s1:42|s"
  printf '%s' "${p}end:1|c"
}

# file WHO NAME: the csv file of NAME (type-instance) in WHO's csv.
file() { it_csv_file "$TMP/$1/csv/itest/statsd/$2"; }
# row WHO NAME N: row N (1 = the first after the header) of it.
row() {
  f=$(file "$1" "$2") || return 1
  sed -n "$(($3 + 1))p" "$f"
}
# settled WHO R: the end marker of round R has three rows: the batch's read
# and two more, after which a set with nothing new has been deleted.
settled() { it_has_rows "$TMP/$1/csv/itest/statsd/derive-r$2_end" 3; }
# whole WHO R: the batch's first and last line came before the same read:
# their first rows are less than half an interval (0.5 s) apart. (Not
# equal: the plugin gives each metric the time it dispatches it, and those
# differ by a millisecond within one read.)
whole() {
  b=$(row "$1" "derive-r$2_begin" 1 | cut -d, -f1)
  e=$(row "$1" "derive-r$2_end" 1 | cut -d, -f1)
  [ -n "$b" ] && [ -n "$e" ] &&
    awk -v b="$b" -v e="$e" 'BEGIN { d = e - b; exit !(d < 0.25 && d > -0.25) }'
}

ROUND=
for r in 1 2 3; do
  it_check "round $r: one datagram of $(batch $r | sed 's/\\n/\n/g' | grep -c '')" \
    "lines to each daemon; both write three intervals"
  data=$(batch $r)
  "$PY" "$UDP" send "$PORT_ours" "$data" || it_fail "cannot send"
  "$PY" "$UDP" send "$PORT_debian" "$data" || it_fail "cannot send"
  for who in ours debian; do
    wait_clock settled $who $r ||
      it_fail "$who: no 3 rows of derive-r${r}_end in ${IT_DEADLINE}s"
  done
  it_ok
  it_check "round $r: did it arrive within one interval in both daemons?"
  if whole ours $r && whole debian $r; then
    ROUND=$r
    it_ok "yes"
    break
  fi
  it_ok "no, a read came in the middle; next round"
done
[ -n "$ROUND" ] || it_fail "no round arrived whole in both daemons"

# ---- comparing -----------------------------------------------------------------

it_check "the same csv identifiers (- Debian's only, + ours only)"
it_identifiers "$TMP/ours/csv" >"$TMP/ours.ids"
it_identifiers "$TMP/debian/csv" >"$TMP/debian.ids"
[ -s "$TMP/debian.ids" ] || it_fail "Debian's wrote no csv file"
diff -u "$TMP/debian.ids" "$TMP/ours.ids" >"$TMP/ids.diff" || {
  echo "FAILED"
  IT_PENDING=0
  grep -E '^[-+][^-+]' "$TMP/ids.diff"
  it_fail "the identifier sets differ"
}
it_ok "$(wc -l <"$TMP/ours.ids")"

# values WHO: "<type-instance> <values of row 1> | <values of row 2>" for
# every file of the round compared (row 2 left empty if there is none).
values() {
  grep "/statsd/[a-z_]*-r${ROUND}_" "$TMP/$1.ids" | while read -r id; do
    name=${id##*/}
    v1=$(row "$1" "$name" 1 | cut -d, -f2-)
    v2=$(row "$1" "$name" 2 | cut -d, -f2-)
    echo "$name $v1 |${v2:+ $v2}"
  done
}
it_check "round $ROUND: the same values in both intervals (- Debian's, + ours)"
values ours >"$TMP/ours.values"
values debian >"$TMP/debian.values"
diff -u "$TMP/debian.values" "$TMP/ours.values" >"$TMP/values.diff" || {
  echo "FAILED"
  IT_PENDING=0
  grep -E '^[-+][^-+]' "$TMP/values.diff"
  it_fail "the values differ"
}
it_ok "$(wc -l <"$TMP/ours.values") files"

# What the input alone implies, in both daemons: counters add up (a sample
# rate of 0.5 counts double) and their totals stay; CounterSum counts the
# interval's sum, then 0; a relative gauge moves the last value; a set
# counts distinct members, then is deleted (DeleteSets); a timer with one
# sample of 1 ms has it as every figure, then none (nan).
p=r${ROUND}_
while read -r name want; do
  it_check "round $ROUND: $name is $want in both daemons"
  for who in ours debian; do
    got=$(grep "^$name " "$TMP/$who.values" | cut -d' ' -f2-)
    [ "$got" = "$want" ] || it_fail "$who: $name is \"$got\""
  done
  it_ok
done <<EOF
derive-${p}c1 9 | 9
count-${p}c1 9.000000 | 0.000000
derive-${p}c2 -4 | -4
gauge-${p}g1 5.250000 | 5.250000
gauge-${p}g2 42.000000 | 42.000000
objects-${p}s1 3.000000 |
gauge-${p}t2-count 1.000000 | 0.000000
latency-${p}t2-upper 0.001000 | nan
latency-${p}t2-sum 0.001000 | nan
EOF

# ---- SIGTERM -------------------------------------------------------------------

it_check "SIGTERM ends our daemon (statsd listening) with status 0"
t0=$(date +%s%N)
kill -TERM "$OURS"
IT_DEADLINE=120 it_wait_exit "$OURS" ||
  it_fail "still running 120 s after SIGTERM"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC after $ms ms"
it_ok "$ms ms"

it_check "SIGTERM ends Debian's daemon with status 0"
it_stop "$DEBIAN" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_pass
