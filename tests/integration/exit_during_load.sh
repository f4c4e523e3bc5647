#!/bin/sh
# SIGTERM while a LOAD is under way. The exit waits for the LOAD as long as
# UnloadTimeout allows: a LOAD that finishes in time leaves a ready plugin,
# which the exit then shuts down as any other (exit status 0). A LOAD that
# does not finish in time is named in the log ("<plugin>: a LOAD still has
# not finished; ...") and left alone: its plugin's shutdown is not run
# while its init still runs, nothing is closed under it, and the daemon
# exits, with status 1 but not by a signal, well within a bound.
#
# test_slow_init sleeps InitSeconds in its init (after creating
# InitMarker) and creates ShutdownMarker in its shutdown.
. "$(dirname "$0")/lib.sh"
it_init exit_during_load

# run NAME UNLOAD-TIMEOUT INIT-SECONDS: starts a daemon (logfile, unixsock
# with PluginControl) in $TMP/NAME, adds test_slow_init to its file, LOADs
# it and sends SIGTERM once its init has begun. Sets PID; the LOAD's reply
# goes to $D/load.reply.
run() {
  D=$TMP/$1
  SOCK=$D/sock
  it_plugins "$D/plugins" logfile unixsock
  it_test_plugins "$D/plugins" test_slow_init
  {
    it_globals "$D"
    echo "UnloadTimeout $2"
    it_logfile "$D"
    it_unixsock "$D" "  PluginControl true"
  } >"$D/collectd.conf"
  it_show_on_failure "$D/log"
  it_start "$1" "$COLLECTD" -f -C "$D/collectd.conf"
  PID=$IT_PID

  it_check "$1: the daemon runs"
  it_wait_socket "$SOCK" || it_fail "no socket at $SOCK"
  it_ok

  # Only now: test_slow_init at start-up would hold the start-up up.
  cat >>"$D/collectd.conf" <<EOF2
LoadPlugin test_slow_init
<Plugin test_slow_init>
  InitSeconds $3
  InitMarker "$D/init_marker"
  ShutdownMarker "$D/shutdown_marker"
</Plugin>
EOF2
  it_check "$1: LOAD test_slow_init; SIGTERM once its init has begun"
  it_cmd "$SOCK" "LOAD test_slow_init" >"$D/load.reply" 2>&1 &
  CLIENT=$!
  it_wait test -e "$D/init_marker" || it_fail "its init never began"
  kill -TERM "$PID"
  it_ok
}

# logged NAME ERE: the log or the daemon's output (the log plugins may be
# gone when it is said) has a line that matches.
logged() { it_grep "$TMP/$1/log" "$2" || it_grep "$TMP/$1.out" "$2"; }

# ---- (a) the LOAD ends within the wait ---------------------------------------
run in_time 2 1
it_check "in_time: the daemon waits for the LOAD and exits with status 0"
it_wait_exit "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
wait "$CLIENT"
it_ok "LOAD answered \"$(head -n 1 "$D/load.reply")\""
it_check "in_time: test_slow_init finished its init, then was shut down"
logged in_time "test_slow_init: init finished" ||
  it_fail "its init did not finish"
[ -e "$D/shutdown_marker" ] || it_fail "its shutdown did not run"
it_ok

# left_alone NAME BOUND: the checks of a LOAD that outlasts the exit's
# wait: the daemon exits within BOUND seconds, not by a signal, without
# running test_slow_init's shutdown, with status 1 and a log that names
# the LOAD.
left_alone() {
  it_check "$1: the daemon exits within $2 s, not by a signal"
  IT_DEADLINE=$2 it_wait_exit "$PID" ||
    it_fail "still running $2 s after SIGTERM"
  [ "$IT_RC" -lt 128 ] || it_fail "killed by signal $((IT_RC - 128))"
  wait "$CLIENT"
  it_ok "status $IT_RC"
  it_check "$1: test_slow_init's shutdown did not run"
  [ ! -e "$D/shutdown_marker" ] ||
    it_fail "its shutdown ran while its init was still running"
  it_ok
  it_check "$1: the exit is reported as failed (status 1)"
  [ "$IT_RC" = 1 ] || it_fail "exit status $IT_RC"
  it_ok
  it_check "$1: the log names the LOAD that has not finished"
  logged "$1" "test_slow_init: a LOAD still has not finished" ||
    it_fail "neither the log nor the output says so"
  it_ok
}

# ---- (b) the LOAD outlasts the wait ------------------------------------------
# UnloadTimeout 1 s: the exit waits 2 s for the LOAD; unixsock's shutdown,
# which waits for its connection thread (the one in the LOAD), then runs
# out of its step and the exit watch ends the daemon.
run too_long 1 30
left_alone too_long 60

# ---- (c) the LOAD outlasts the wait; the rest of the exit has time ----------
# UnloadTimeout 11 s: the exit waits 22 s for the LOAD, and unixsock's
# shutdown (which waits up to 10 s for its connection threads, one of them
# in the LOAD) ends within its step. The exit then reaches the plugin the
# LOAD left in its init, and must leave it alone.
run long_exit 11 50
left_alone long_exit 90

it_pass
