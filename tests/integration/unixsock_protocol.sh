#!/bin/sh
# The unixsock protocol, byte for byte: a transcript of valid and invalid
# commands played against our daemon over one connection; the same
# commands against Debian's collectd 5.12, whose status codes must agree
# (where 5.12 misbehaves on purpose-marked commands, see the transcript);
# and Debian's collectdctl against both daemons, printing the same.
. "$(dirname "$0")/lib.sh"
it_init unixsock_protocol
CLIENT="python3 $top_srcdir/tests/integration/unixsock_client.py"
TRANSCRIPT=$top_srcdir/tests/integration/unixsock_transcript.txt

# $1: the daemon's directory, $2: its types.db. A long interval, so that
# nothing the test puts expires while it runs.
config() {
  it_globals "$1" "$2" | sed 's/^Interval .*/Interval 10/'
  it_logfile "$1"
  cat <<EOC
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$1/sock"
</Plugin>
EOC
  it_csv "$1" false
}

it_plugins "$TMP/ours/plugins" unixsock csv logfile
config "$TMP/ours" "$OUR_TYPESDB" >"$TMP/ours/collectd.conf"
it_show_on_failure "$TMP/ours/log"
it_start ours "$COLLECTD" -f -C "$TMP/ours/collectd.conf"
OURS=$IT_PID

it_check "our socket appears"
it_wait test -S "$TMP/ours/sock" || it_fail "no socket at $TMP/ours/sock"
it_ok

it_check "the transcript, byte for byte, over one connection"
$CLIENT transcript "$TMP/ours/sock" "$TRANSCRIPT" >"$TMP/ours.transcript" ||
  { cat "$TMP/ours.transcript"; it_fail "replies differ"; }
it_ok "$(tail -n 1 "$TMP/ours.transcript")"

if [ -x "$DEBIAN_COLLECTD" ] && [ -f "$DEBIAN_PLUGINDIR/unixsock.so" ]; then
  it_debian_plugins "$TMP/debian/plugins" unixsock csv logfile
  config "$TMP/debian" "$DEBIAN_TYPESDB" >"$TMP/debian/collectd.conf"
  it_show_on_failure "$TMP/debian/log"
  it_start debian "$DEBIAN_COLLECTD" -f -C "$TMP/debian/collectd.conf"
  it_check "Debian's socket appears"
  it_wait test -S "$TMP/debian/sock" || it_fail "no socket at $TMP/debian/sock"
  it_ok

  it_check "collectd 5.12 answers the transcript with the same status codes"
  $CLIENT transcript "$TMP/debian/sock" "$TRANSCRIPT" --codes \
    >"$TMP/debian.transcript" ||
    { cat "$TMP/debian.transcript"; it_fail "status codes differ"; }
  it_ok "$(tail -n 1 "$TMP/debian.transcript")"
else
  echo "(no Debian collectd: comparison with 5.12 skipped)"
fi

# Debian's collectdctl against each daemon; outputs compared when both ran.
CTL=/usr/bin/collectdctl
if [ -x "$CTL" ]; then
  for who in ours debian; do
    [ -S "$TMP/$who/sock" ] || continue
    s="$TMP/$who/sock"
    it_check "collectdctl against $who"
    {
      $CTL -s "$s" putval itest/ctl/gauge-a interval=10 1800000000:42 &&
        $CTL -s "$s" putval "itest/ctl/gauge-b c" 1800000000:1 1800000001:2 &&
        $CTL -s "$s" putval itest/ctl/load 1800000000:1:2:3 &&
        sleep 0.2 &&
        $CTL -s "$s" getval itest/ctl/gauge-a &&
        $CTL -s "$s" getval "itest/ctl/gauge-b c" &&
        $CTL -s "$s" getval itest/ctl/load &&
        $CTL -s "$s" listval | grep '/ctl/' &&
        $CTL -s "$s" flush &&
        $CTL -s "$s" flush timeout=3 plugin=csv identifier=itest/ctl/load
    } >"$TMP/$who.ctl" 2>&1 || { cat "$TMP/$who.ctl"; it_fail "collectdctl failed"; }
    $CTL -s "$s" getval itest/ctl/nosuch >>"$TMP/$who.ctl" 2>&1 &&
      it_fail "getval of an unknown value succeeded"
    $CTL -s "$s" putval itest/ctl/gauge-a N:abc >>"$TMP/$who.ctl" 2>&1 &&
      it_fail "putval of a bad value succeeded"
    it_ok
  done
  if [ -f "$TMP/debian.ctl" ]; then
    it_check "collectdctl prints the same for both daemons"
    diff "$TMP/debian.ctl" "$TMP/ours.ctl" || it_fail "outputs differ"
    it_ok
  fi
fi

it_check "our daemon stops with status 0 and removes its socket"
it_stop "$OURS" || it_fail "still runs ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exited with status $IT_RC"
[ -e "$TMP/ours/sock" ] && it_fail "the socket file is still there"
it_ok
it_pass
