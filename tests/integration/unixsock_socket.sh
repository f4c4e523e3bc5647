#!/bin/sh
# The socket file of the unixsock plugin: its mode and group, a stale
# socket replaced, a live one and a file that is not a socket left alone
# (the plugin fails, the daemon runs on), removal at exit of our own
# socket only.
. "$(dirname "$0")/lib.sh"
it_init unixsock_socket
CLIENT="python3 $top_srcdir/tests/integration/unixsock_client.py"
it_plugins "$TMP/plugins" unixsock logfile

# start NAME OPTIONS: starts a daemon in $TMP/NAME whose unixsock block
# holds SocketFile $TMP/NAME/sock and OPTIONS; waits until the plugin is
# ready or failed, and sets STATE to which.
start() {
  d=$TMP/$1
  mkdir -p "$d"
  {
    it_globals "$d" | sed "s|^PluginDir .*|PluginDir \"$TMP/plugins\"|"
    it_logfile "$d"
    printf 'LoadPlugin unixsock\n<Plugin unixsock>\n  SocketFile "%s/sock"\n%s\n</Plugin>\n' \
      "$d" "$2"
  } >"$d/collectd.conf"
  it_show_on_failure "$d/log"
  it_start "$1" "$COLLECTD" -f -C "$d/collectd.conf"
  PID=$IT_PID
  it_wait it_grep "$d/log" 'unixsock plugin: [a-z]+ -> (ready|failed)' ||
    it_fail "$1: the plugin neither became ready nor failed"
  if it_grep "$d/log" 'unixsock plugin: [a-z]+ -> ready'; then
    STATE=ready
  else
    STATE=failed
  fi
}

# stop: the daemon started last must exit 0.
stop() {
  it_stop "$PID" || it_fail "the daemon still runs ${IT_DEADLINE}s after SIGTERM"
  [ "$IT_RC" = 0 ] || it_fail "the daemon exited with status $IT_RC"
}

answers() { $CLIENT send "$1" 'LISTVAL\n' | grep -Eq '^[0-9]+ Values? found$'; }

# A socket bound at $1 by a process that then exits: stale.
stale_socket() {
  python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$1"
}

# ---- mode and group -------------------------------------------------------
it_check "SocketPerms and SocketGroup are applied"
group=$(id -gn)
getent group daemon >/dev/null && [ "$(id -u)" = 0 ] && group=daemon
start perms "SocketPerms \"0660\"
SocketGroup \"$group\""
[ "$STATE" = ready ] || it_fail "the plugin failed"
mode=$(stat -c '%a %G %F' "$TMP/perms/sock")
[ "$mode" = "660 $group socket" ] || it_fail "socket is \"$mode\""
answers "$TMP/perms/sock" || it_fail "no answer on the socket"
stop
[ -e "$TMP/perms/sock" ] && it_fail "the socket was not removed at exit"
it_ok "$mode"

it_check "a number as SocketPerms means octal, as in 5.12"
start number 'SocketPerms 640'
[ "$(stat -c '%a' "$TMP/number/sock")" = 640 ] || it_fail "mode is not 640"
stop
it_ok

it_check "SocketPerms that is not octal fails the plugin, not the daemon"
start badperms 'SocketPerms "0999"'
[ "$STATE" = failed ] || it_fail "the plugin did not fail"
it_grep "$TMP/badperms/log" 'SocketPerms "0999" is not an octal mode' ||
  it_fail "no clear error"
it_alive "$PID" || it_fail "the daemon died"
stop
it_ok

# ---- what is at the path ----------------------------------------------------
it_check "a stale socket is replaced"
mkdir -p "$TMP/stale"
stale_socket "$TMP/stale/sock"
start stale ''
[ "$STATE" = ready ] || it_fail "the plugin failed"
it_grep "$TMP/stale/log" 'replacing the stale socket' || it_fail "not logged"
answers "$TMP/stale/sock" || it_fail "no answer on the socket"
stop
it_ok

# Another daemon in this one's place: at start-up the daemon does not
# start (status 1), as when another daemon holds its PID file.
it_check "a socket somebody listens on is left alone, and the daemon does not start"
mkdir -p "$TMP/live"
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
time.sleep(30)' "$TMP/live/sock" &
OTHER=$!
it_wait test -S "$TMP/live/sock" || it_fail "the other listener did not start"
start live ''
[ "$STATE" = failed ] || it_fail "the plugin took the socket over"
it_grep "$TMP/live/log" 'another process listens on' || it_fail "no clear error"
it_wait_exit "$PID" || it_fail "the daemon still runs"
[ "$IT_RC" = 1 ] || it_fail "exit status $IT_RC"
[ -S "$TMP/live/sock" ] || it_fail "the other process' socket is gone"
it_ok

it_check "DeleteSocket true takes over even a live socket, as in 5.12"
start takeover 'DeleteSocket true'
[ "$STATE" = ready ] || it_fail "the plugin failed"
stop
it_ok
kill "$OTHER" 2>/dev/null
wait "$OTHER" 2>/dev/null

it_check "a file that is not a socket is never removed"
mkdir -p "$TMP/file"
echo keep >"$TMP/file/sock"
start file 'DeleteSocket true'
[ "$STATE" = failed ] || it_fail "the plugin did not fail"
it_grep "$TMP/file/log" 'exists and is not a socket; not removing it' ||
  it_fail "no clear error"
[ "$(cat "$TMP/file/sock")" = keep ] || it_fail "the file was changed"
it_alive "$PID" || it_fail "the daemon died"
stop
[ "$(cat "$TMP/file/sock")" = keep ] || it_fail "the file was removed at exit"
it_ok

it_check "at exit, a socket file that is no longer ours stays"
start replaced ''
rm "$TMP/replaced/sock"
echo other >"$TMP/replaced/sock"
stop
[ "$(cat "$TMP/replaced/sock")" = other ] || it_fail "somebody's file removed"
it_ok

it_pass
