#!/bin/sh
# Signals and the PID file. In the foreground: SIGUSR1 (flush) leaves the
# daemon running and writing, SIGTERM stops it with status 0. Daemonized:
# the PID file names the running daemon, SIGUSR1 leaves it running, and
# SIGTERM stops it and removes the file. (collectd 5.12 writes the PID file
# only when it daemonizes; ours writes it in the foreground too, so there
# it is checked only if it is there: it must name the daemon and go away.)
. "$(dirname "$0")/lib.sh"
it_init signals

D=$TMP
it_plugins "$D/plugins" load csv logfile
{
  it_globals "$D"
  it_logfile "$D"
  echo "LoadPlugin load"
  it_csv "$D"
} >"$D/collectd.conf"
it_show_on_failure "$D/log"
LOAD=$D/csv/itest/load/load

rows() {
  f=$(it_csv_file "$LOAD") || {
    echo 0
    return
  }
  echo $(($(wc -l <"$f") - 1))
}

# ---- in the foreground -----------------------------------------------------

it_start foreground "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

it_check "foreground: the daemon writes"
it_wait it_has_rows "$LOAD" 1 || it_fail "no load row after ${IT_DEADLINE}s"
it_ok

it_check "foreground: after SIGUSR1 it still runs and writes"
before=$(rows)
kill -USR1 "$PID"
more() { [ "$(rows)" -ge $((before + 2)) ]; }
it_wait more ||
  it_fail "$(rows) rows ${IT_DEADLINE}s after SIGUSR1, $before before"
it_alive "$PID" || it_fail "the daemon is gone"
it_ok "$before rows before, $(rows) now"

it_check "foreground: a PID file, if written, names the daemon"
if [ -e "$D/pid" ]; then
  [ "$(cat "$D/pid")" = "$PID" ] ||
    it_fail "$D/pid holds \"$(cat "$D/pid")\", not $PID"
  it_ok "it does"
else
  it_ok "none written, as 5.12"
fi

it_check "foreground: SIGTERM stops it with status 0"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_grep "$D/log" "Exiting normally" ||
  it_fail "no \"Exiting normally\" in the log"
[ ! -e "$D/pid" ] || it_fail "$D/pid is still there"
it_ok

# ---- daemonized ------------------------------------------------------------

rm -rf "$D/csv" "$D/log" "$D/pid"
it_check "daemonized: the starting process exits 0"
it_run daemonize "$COLLECTD" -C "$D/collectd.conf"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_check "daemonized: the PID file names the running daemon"
pid_written() { [ -s "$D/pid" ]; }
it_wait pid_written || it_fail "no $D/pid after ${IT_DEADLINE}s"
DPID=$(cat "$D/pid")
case $DPID in
'' | *[!0-9]*) it_fail "$D/pid holds \"$DPID\"" ;;
esac
# From here on the exit trap stops it too.
it_adopt "$DPID"
it_alive "$DPID" || it_fail "no process $DPID"
exe=$(readlink "/proc/$DPID/exe")
[ "$exe" -ef "$COLLECTD" ] || it_fail "process $DPID is $exe"
it_ok "$DPID"

it_check "daemonized: it writes"
it_wait it_has_rows "$LOAD" 1 || it_fail "no load row after ${IT_DEADLINE}s"
it_ok

it_check "daemonized: after SIGUSR1 it still runs and writes"
before=$(rows)
kill -USR1 "$DPID"
it_wait more ||
  it_fail "$(rows) rows ${IT_DEADLINE}s after SIGUSR1, $before before"
it_alive "$DPID" || it_fail "the daemon is gone"
it_ok

it_check "daemonized: SIGTERM stops it and removes the PID file"
kill -TERM "$DPID"
gone() { ! it_alive "$DPID"; }
it_wait gone || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
it_forget "$DPID"
it_grep "$D/log" "Exiting normally" ||
  it_fail "no \"Exiting normally\" in the log"
[ ! -e "$D/pid" ] || it_fail "$D/pid is still there"
it_ok

it_pass
