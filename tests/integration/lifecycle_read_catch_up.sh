#!/bin/sh
# A read that falls due while a reload switches instances is made late, not
# lost. test_phase_read (Interval 2) writes down the time of every read; it
# is reloaded 3 times, each time 1 s after a read, with a new instance
# whose init takes 1.5 s: the read due 2 s after the last one falls inside
# the reload. It must be made once the new instance is ready (late, about
# 0.5 s), and the next one be on the phase again: no interval missed, and
# every read but those late ones on the phase.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_read_catch_up
INTERVAL=2
AIM=1.0
TOLERANCE=0.4
RELOADS=3

D=$TMP
it_plugins "$D/plugins" logfile unixsock
it_test_plugins "$D/plugins" test_phase_read

# conf TAG: test_phase_read's Tag TAG, its init 1.5 s; in one rename.
conf() {
  {
    it_globals "$D"
    it_logfile "$D"
    it_unixsock "$D" "  PluginControl true"
    printf '<LoadPlugin test_phase_read>\n  Interval %s\n</LoadPlugin>\n' \
      "$INTERVAL"
    printf '<Plugin test_phase_read>\n  File "%s/reads"\n' "$D"
    printf '  Tag "%s"\n  InitSeconds 1.5\n</Plugin>\n' "$1"
  } >"$D/collectd.conf.new"
  mv "$D/collectd.conf.new" "$D/collectd.conf"
}
now() { date +%s.%N; }
past() { awk -v t="$1" -v now="$(now)" 'BEGIN { exit !(now >= t) }'; }
reads_after() {
  [ -f "$D/reads" ] &&
    awk -v t="$1" -v n="$2" '$1 > t { c++ } END { exit !(c >= n) }' "$D/reads"
}

conf a0
it_show_on_failure "$D/log" "$D/reads"
SOCK=$D/sock
it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
it_wait it_in_state "$SOCK" test_phase_read ready ||
  it_fail "test_phase_read is not ready"
it_wait reads_after 0 3 || it_fail "not 3 reads"
PHASE=$(sed -n 2p "$D/reads")

it_session_start "$SOCK"
k=1
: >"$D/late"
while [ "$k" -le "$RELOADS" ]; do
  it_check "RELOAD $k, ${AIM}s after a read, its init spanning the next one"
  conf "a$k"
  at=$(awk -v p="$PHASE" -v now="$(now)" -v i="$INTERVAL" -v a="$AIM" '
    BEGIN { n = int((now - p - a) / i) + 1; printf "%.6f\n", p + a + n * i }')
  it_wait past "$at" || it_fail "the clock did not reach $at"
  it_session "RELOAD test_phase_read"
  case $IT_REPLY in
  "0 "*) ;;
  *) it_fail "the reply was \"$IT_REPLY\"" ;;
  esac
  # The slot the reload spanned: a read at it, or after it (late).
  slot=$(awk -v a="$at" -v x="$AIM" -v i="$INTERVAL" 'BEGIN { printf "%.6f", a - x + i }')
  echo "$slot" >>"$D/late"
  it_ok "slot $slot"
  k=$((k + 1))
done
it_wait reads_after "$slot" 3 || it_fail "not 3 reads after the last reload"

# Each read from the second on belongs to the last slot (a whole number of
# intervals after the phase) at or before it, give or take TOLERANCE: it
# is on that slot within TOLERANCE, or late by at most 1.5 s if a reload
# spanned the slot. Every slot is read once, none missed.
it_check "no interval missed; reads off the phase only for the spanned slots"
bad=$(awk -v p="$PHASE" -v i="$INTERVAL" -v tol="$TOLERANCE" '
  FILENAME == ARGV[1] { spanned[int(($1 - p) / i + 0.5)] = 1; next }
  FNR < 2 { next }
  {
    n = int(($1 - p + tol) / i)
    d = ($1 - p) - n * i
    if (n in seen) printf "slot %d read twice (%s) ", n, $1
    seen[n] = 1
    if (n < first || first == "") first = n
    if (n > last) last = n
    if (d > tol && !(n in spanned && d <= 1.5))
      printf "off phase: %s (%+.3f after slot %d) ", $1, d, n
  }
  END { for (m = first; m <= last; m++) if (!(m in seen)) printf "slot %d missed ", m }
  ' "$D/late" "$D/reads")
[ -z "$bad" ] || it_fail "$bad"
it_ok "$(wc -l <"$D/reads") reads, $(awk -v p="$PHASE" -v i="$INTERVAL" \
  -v tol="$TOLERANCE" 'NR >= 2 { d = ($1 - p) - int(($1 - p + tol) / i) * i
    if (d > tol) n++ } END { print n + 0 }' "$D/reads") of them late"

it_stop_ok "$PID" "the daemon"
it_pass
