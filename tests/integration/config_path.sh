#!/bin/sh
# The configuration file and the PID file, as an operator meets them:
# - a daemon started with a relative -C (from another directory than its
#   BaseDir) reads the same file again for LOAD and RELOAD;
# - a second daemon started on the same PID file (ours, or Debian's collectd
#   5.12, which does not lock it) refuses to start, says why, and leaves the
#   first one's PID file and socket as they were;
# - a second daemon on the same socket but another PID file refuses to
#   start too, and does not take the socket: its unixsock plugin says
#   another process listens there.
. "$(dirname "$0")/lib.sh"
it_init config_path
it_need_debian

D=$TMP/d
it_plugins "$D/plugins" unixsock logfile uptime
conf() { # SOCKET PIDFILE [LOGFILE-OPTION]
  {
    it_globals "$D" | grep -v '^PIDFile'
    echo "PIDFile \"$2\""
    echo "LoadPlugin logfile"
    printf '<Plugin logfile>\n  File "%s/log"\n%s\n</Plugin>\n' "$D" "${3:-}"
    it_unixsock "$D" "  PluginControl true" | sed "s|$D/sock|$1|"
    echo "LoadPlugin uptime"
  }
}
conf "$D/sock" "$D/pid" >"$D/collectd.conf"
it_show_on_failure "$D/log"
SOCK=$D/sock

it_check "started from $TMP with -C d/collectd.conf (relative), BaseDir elsewhere"
cd "$TMP" || it_fail "cannot enter $TMP"
it_start first "$COLLECTD" -f -C d/collectd.conf
FIRST=$IT_PID
cd / || it_fail "cannot leave $TMP"
it_wait_socket "$SOCK" || it_fail "the socket did not come up"
it_ok

# The file it reads again is the one it started with: RELOAD sees the edit.
conf "$D/sock" "$D/pid" "  PrintSeverity true" >"$D/collectd.conf"
it_expect "$SOCK" "RELOAD logfile" "^0 logfile: reloaded, ready"
it_check "the reloaded logfile has the edited option"
it_wait it_grep "$D/log" '\[info\] logfile plugin: configuring -> ready' ||
  it_fail "no line with its severity after the RELOAD"
it_ok
it_expect "$SOCK" "UNLOAD uptime" "^0 uptime: unloaded"
it_expect "$SOCK" "LOAD uptime" "^0 uptime: loaded, ready"

it_wait test -s "$D/pid" || it_fail "no PID file"
pidfile_was=$(cat "$D/pid")
[ "$pidfile_was" = "$FIRST" ] || it_fail "PID file says $pidfile_was, not $FIRST"

# second NAME CONF: starts a second daemon in the foreground and, since it
# must refuse, waits for its end; its output in $TMP/NAME.out.
second() {
  it_run "$1" "$COLLECTD" -f -C "$2"
}

it_check "a second daemon on the same PID file refuses to start"
second second "$D/collectd.conf"
[ "$IT_RC" = 1 ] || it_fail "exit status $IT_RC"
it_grep "$TMP/second.out" \
  "collectd.conf:[0-9]+: PIDFile: \"$D/pid\" is held by another running daemon \\(pid $FIRST\\); not starting a second one" ||
  it_fail "it said: $(cat "$TMP/second.out")"
it_ok "$(tail -n 1 "$TMP/second.out")"

it_check "the first one's PID file and socket are as they were"
[ "$(cat "$D/pid")" = "$pidfile_was" ] || it_fail "PID file: $(cat "$D/pid")"
it_in_state "$SOCK" uptime ready || it_fail "the socket does not answer"
it_ok

it_check "a second daemon on the same socket refuses to start and leaves it to the first"
conf "$D/sock" "$D/pid2" >"$D/second.conf"
sed -i "s|$D/log|$D/log2|" "$D/second.conf"
it_show_on_failure "$D/log2" "$TMP/third.out"
second third "$D/second.conf"
[ "$IT_RC" = 1 ] || it_fail "exit status $IT_RC"
said() {
  it_grep "$1" "unixsock plugin: another process listens on $SOCK" &&
    it_grep "$1" "unixsock: another daemon listens on its socket; not starting a second daemon"
}
said "$D/log2" || said "$TMP/third.out" || it_fail "it does not say why"
it_in_state "$SOCK" uptime ready || it_fail "the first one's socket is gone"
[ "$(cat "$D/pid")" = "$pidfile_was" ] || it_fail "PID file: $(cat "$D/pid")"
[ ! -e "$D/pid2" ] || it_fail "it left its own PID file"
it_ok "exit status 1"

it_check "SIGTERM ends the first one, which removes its PID file"
it_stop_ok "$FIRST" "the first daemon"
[ ! -e "$D/pid" ] || it_fail "the PID file is still there"
it_ok

it_check "ours refuses to start on the PID file of a running collectd 5.12"
P=$TMP/peer
mkdir -p "$P"
cat >"$P/collectd.conf" <<CONF
Hostname "itest"
FQDNLookup false
BaseDir "$P"
PIDFile "$D/pid"
TypesDB "$DEBIAN_TYPESDB"
Interval 10
CONF
# Without -f collectd 5.12 forks and writes the PID file; the test ends
# the process it names.
"$DEBIAN_COLLECTD" -C "$P/collectd.conf" >"$TMP/peer.out" 2>&1 ||
  it_fail "Debian's collectd did not start: $(cat "$TMP/peer.out")"
it_wait test -s "$D/pid" || it_fail "Debian's collectd wrote no PID file"
PEER=$(cat "$D/pid")
it_adopt "$PEER"
second fourth "$D/collectd.conf"
[ "$IT_RC" = 1 ] || it_fail "exit status $IT_RC"
it_grep "$TMP/fourth.out" "PIDFile: \"$D/pid\" names pid $PEER, a collectd that is running" ||
  it_fail "it said: $(cat "$TMP/fourth.out")"
[ "$(cat "$D/pid")" = "$PEER" ] || it_fail "PID file: $(cat "$D/pid")"
kill -TERM "$PEER"
it_wait it_gone "$PEER" || it_fail "Debian's collectd did not exit"
it_forget "$PEER"
it_ok "$(tail -n 1 "$TMP/fourth.out")"
it_pass
