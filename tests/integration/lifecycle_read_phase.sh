#!/bin/sh
# A reloaded read plugin keeps the phase of its read schedule:
# test_phase_read (Interval 3) writes down the time of every read; it is
# reloaded 3 times (its Tag changed in the file before each RELOAD, so that
# each really reloads), each time AIM seconds after a read. Every read
# from the second one on, before and after the reloads, must come a whole
# number of intervals after the second one, give or take TOLERANCE (a read
# thread may start late on a loaded machine). A schedule that restarts
# with the reload reads about AIM seconds off the phase, or a little more
# (the RELOAD is sent late, the reload takes time): AIM leaves room for
# that on both sides. The first read is left out: the start-up one comes
# when the plugin is ready, a little after the time its schedule counts
# from. How many reads there are is not checked.
#
# With IT_ISOLATE=1 (isolate_read_phase.sh) the plugin is isolated: each
# RELOAD brings its new host to ready beside the old one, and the new one
# must read on the old one's schedule.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_read_phase${IT_ISOLATE:+_isolated}
INTERVAL=3
AIM=1.0
TOLERANCE=0.4
RELOADS=3
ISOLATE=false KIND=unloadable
[ -z "${IT_ISOLATE:-}" ] || ISOLATE=true KIND=isolated

D=$TMP
it_plugins "$D/plugins" logfile unixsock
it_test_plugins "$D/plugins" test_phase_read

# conf TAG: the configuration with test_phase_read's Tag TAG; replaced in
# one rename, since the daemon reads the file for every RELOAD.
conf() {
  {
    it_globals "$D"
    it_logfile "$D"
    it_unixsock "$D" "  PluginControl true"
    cat <<EOF
<LoadPlugin test_phase_read>
  Interval $INTERVAL
  Isolate $ISOLATE
</LoadPlugin>
<Plugin test_phase_read>
  File "$D/reads"
  Tag "$1"
</Plugin>
EOF
  } >"$D/collectd.conf.new"
  mv "$D/collectd.conf.new" "$D/collectd.conf"
}

now() { date +%s.%N; }

# reads_after T N: at least N reads happened after time T.
reads_after() {
  [ -f "$D/reads" ] &&
    awk -v t="$1" -v n="$2" '$1 > t { c++ } END { exit !(c >= n) }' "$D/reads"
}

# past T: the clock is at T or later.
past() { awk -v t="$1" -v now="$(now)" 'BEGIN { exit !(now >= t) }'; }

# off_phase [T]: prints "<time> <offset>" for each read after time T (all
# of them but the first without T) that is more than TOLERANCE off the
# phase of the second read, the offset being from -INTERVAL/2 to
# INTERVAL/2.
off_phase() {
  awk -v after="${1:-0}" -v i="$INTERVAL" -v tol="$TOLERANCE" '
    NR == 2 { first = $1 }
    NR >= 2 && $1 > after {
      d = ($1 - first) - i * int(($1 - first) / i)
      if (d > i / 2)
        d -= i
      if (d > tol || d < -tol)
        printf "%s %+.3f\n", $1, d
    }' "$D/reads"
}

conf a0
it_show_on_failure "$D/log" "$D/reads"
SOCK=$D/sock
it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

it_check "test_phase_read is read every ${INTERVAL}s, on one phase"
it_wait it_in_state "$SOCK" test_phase_read ready $KIND ||
  it_fail "LISTPLUGINS: \"$(it_listed "$SOCK" test_phase_read)\""
it_wait reads_after 0 3 || it_fail "not 3 reads after ${IT_DEADLINE}s"
bad=$(off_phase)
[ -z "$bad" ] || it_fail "reads off the phase (time, offset): $bad"
it_ok "$(wc -l <"$D/reads") reads"

it_session_start "$SOCK"
PHASE=$(sed -n 2p "$D/reads")
k=1
while [ "$k" -le "$RELOADS" ]; do
  it_check "RELOAD $k, ${AIM}s after a read, answers 0"
  conf "a$k"
  # The next time AIM seconds after a read on the phase.
  at=$(awk -v p="$PHASE" -v now="$(now)" -v i="$INTERVAL" -v a="$AIM" '
    BEGIN {
      n = int((now - p - a) / i) + 1
      printf "%.6f\n", p + a + n * i
    }')
  it_wait past "$at" || it_fail "the clock did not reach $at"
  sent=$(now)
  it_session "RELOAD test_phase_read"
  case $IT_REPLY in
  "0 "*) ;;
  *) it_fail "the reply was \"$IT_REPLY\"" ;;
  esac
  it_ok "sent $(awk -v s="$sent" -v a="$at" 'BEGIN {
    printf "%.3f", s - a }')s late"

  it_check "the first read after RELOAD $k is on the phase"
  it_wait reads_after "$sent" 1 ||
    it_fail "no read ${IT_DEADLINE}s after the RELOAD"
  bad=$(off_phase "$sent")
  [ -z "$bad" ] ||
    it_fail "reads after the RELOAD off the phase (time, offset): $bad"
  it_ok "$(awk -v s="$sent" '$1 > s { print; exit }' "$D/reads")"
  k=$((k + 1))
done

it_check "the next read too, and every one since the first RELOAD"
it_wait reads_after "$sent" 2 ||
  it_fail "not 2 reads ${IT_DEADLINE}s after the last RELOAD"
bad=$(off_phase)
[ -z "$bad" ] || it_fail "reads off the phase (time, offset): $bad"
it_ok "$(wc -l <"$D/reads") reads"

# Every read is on the phase (above), so two reads more than one interval
# apart mean that a read was missed, not that one came late.
it_check "no interval was missed, reloads included"
missed=$(awk -v i="$INTERVAL" 'NR > 2 {
    n = int(($1 - prev) / i + 0.5); if (n != 1) printf "%s (%d intervals) ", $1, n }
  NR > 1 { prev = $1 }' "$D/reads")
[ -z "$missed" ] || it_fail "reads after a gap: $missed"
it_ok

it_check "SIGTERM stops the daemon with status 0"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_pass
