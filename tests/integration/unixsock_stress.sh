#!/bin/sh
# Many clients at once, and clients that misbehave beside them: 200
# connections send 1000 PUTVALs each (and a bad one every hundred), while
# others send a 1 MiB line, binary junk, leave mid-line or never read
# their replies. Every valid value must land in the cache (counted with
# LISTVAL), every bad one get an error, the daemon keep answering and stop
# cleanly. UNIXSOCK_STRESS="connections putvals" scales it.
. "$(dirname "$0")/lib.sh"
it_init unixsock_stress
CLIENT="python3 $top_srcdir/tests/integration/unixsock_client.py"
# shellcheck disable=SC2086 # two words
set -- ${UNIXSOCK_STRESS:-200 1000}
CONNS=$1
PUTS=$2

it_plugins "$TMP/plugins" unixsock logfile
{
  # A long interval: nothing may expire while the clients work.
  it_globals "$TMP" | sed 's/^Interval .*/Interval 600/'
  it_logfile "$TMP"
  printf 'LoadPlugin unixsock\n<Plugin unixsock>\n  SocketFile "%s/sock"\n</Plugin>\n' "$TMP"
} >"$TMP/collectd.conf"
it_show_on_failure "$TMP/log"
it_start ours "$COLLECTD" -f -C "$TMP/collectd.conf"
OURS=$IT_PID
it_wait test -S "$TMP/sock" || it_fail "no socket at $TMP/sock"

$CLIENT abuse "$TMP/sock" >"$TMP/abuse.out" 2>&1 &
ABUSE=$!

it_check "$CONNS connections x $PUTS PUTVALs, every reply right"
$CLIENT stress "$TMP/sock" "$CONNS" "$PUTS" >"$TMP/stress.out" 2>&1 ||
  { cat "$TMP/stress.out"; it_fail "stress clients failed"; }
it_ok "$(tail -n 1 "$TMP/stress.out")"

it_check "the misbehaving clients harmed nobody"
wait "$ABUSE" || { cat "$TMP/abuse.out"; it_fail "abuse checks failed"; }
it_ok

it_check "every valid value is in the cache"
$CLIENT send "$TMP/sock" 'LISTVAL\n' >"$TMP/listval.out"
want=$((CONNS * PUTS))
got=$(grep -c ' stress/conn-' "$TMP/listval.out")
head -n 1 "$TMP/listval.out" | grep -q '^[0-9]* Values found$' ||
  it_fail "LISTVAL answered $(head -n 1 "$TMP/listval.out")"
[ "$got" = "$want" ] || it_fail "$got values in the cache, $want sent"
$CLIENT send "$TMP/sock" "GETVAL stress/conn-$((CONNS - 1))/gauge-$((PUTS - 1))\\n" |
  grep -qx "value=$(printf '%e' "$((PUTS - 1))")" ||
  it_fail "GETVAL of the last value is wrong"
it_ok "$got"

it_check "the daemon runs on and stops cleanly"
it_alive "$OURS" || it_fail "the daemon died"
it_stop "$OURS" || it_fail "still runs ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exited with status $IT_RC"
it_ok
it_pass
