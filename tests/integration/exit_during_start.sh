#!/bin/sh
# SIGTERM during the start-up, before the main loop could see it. The
# start-up stops at the next plugin and the daemon exits; a plugin that
# never returns (a constructor that blocks inside dlopen(), an init that
# sleeps for an hour) does not keep it: the daemon exits within the bound
# collectd.1 states, counted from the SIGTERM (four times UnloadTimeout
# plus Timeout intervals: 4 x 1 + 2 x 0.5 = 5 s here), with status 1, not
# by a signal, naming what the start-up was doing and where. The checks
# allow a loaded machine far more time and print the time it took.
#
# test_ctor_block's constructor waits for a file that never comes;
# test_slow_init sleeps InitSeconds in its init, after creating InitMarker.
. "$(dirname "$0")/lib.sh"
it_init exit_during_start

# setup NAME: a directory and the start of a configuration; finish adds
# csv, last in the file, so that its init is never reached when the
# start-up stops at the plugin before it.
setup() {
  D=$TMP/$1
  it_plugins "$D/plugins" logfile csv
  it_test_plugins "$D/plugins" test_ctor_block test_slow_init
  {
    it_globals "$D"
    echo "UnloadTimeout 1"
    echo "Timeout 2"
    it_logfile "$D"
  } >"$D/collectd.conf"
}
finish() { it_csv "$D" >>"$D/collectd.conf"; }
# slow_init SECONDS: test_slow_init, whose init takes SECONDS.
slow_init() {
  cat >>"$D/collectd.conf" <<EOF
LoadPlugin test_slow_init
<Plugin test_slow_init>
  InitSeconds $1
  InitMarker "$D/marker"
  ShutdownMarker "$D/shutdown"
</Plugin>
EOF
}

# term: sends SIGTERM to the daemon once $D/marker exists, and waits for
# it to exit; sets IT_RC and TOOK.
term() {
  it_wait test -e "$D/marker" || it_fail "the plugin never began"
  start=$(date +%s)
  kill -TERM "$PID"
  IT_DEADLINE=120 it_wait_exit "$PID" ||
    it_fail "still running 120 s after SIGTERM"
  TOOK=$(($(date +%s) - start))
}

# says TEXT: the log or the daemon's output has a line matching TEXT.
says() {
  it_grep "$D/log" "$1" || it_grep "$TMP/$NAME.out" "$1" ||
    it_fail "neither the log nor the output says /$1/"
}

# ---- a constructor that never returns ---------------------------------------
NAME=ctor
setup $NAME
echo "LoadPlugin test_ctor_block" >>"$D/collectd.conf"
LINE=$(wc -l <"$D/collectd.conf")
finish
it_show_on_failure "$D/log" "$TMP/$NAME.out"
it_check "SIGTERM while LoadPlugin's dlopen() never returns: exit status 1"
TEST_CTOR_BLOCK_RELEASE="$D/never" TEST_CTOR_BLOCK_MARKER="$D/marker" \
  it_start $NAME "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
term
[ "$IT_RC" = 1 ] || it_fail "exit status $IT_RC"
it_ok "after $TOOK s (the stated bound: 5 s)"
it_check "... naming the plugin, its line and the dynamic linker"
says "the start-up \\(loading test_ctor_block, [^ ]*collectd.conf:$LINE\\) still running"
says "in the dynamic linker: the open of test_ctor_block"
it_ok

# ---- an init that never returns ---------------------------------------------
NAME=init
setup $NAME
slow_init 3600
finish
it_show_on_failure "$D/log" "$TMP/$NAME.out"
it_check "SIGTERM while a plugin's init never returns: exit status 1"
it_start $NAME "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
term
[ "$IT_RC" = 1 ] || it_fail "exit status $IT_RC"
it_ok "after $TOOK s (the stated bound: 5 s)"
it_check "... naming the plugin and its line"
says "the start-up \\(initialising test_slow_init, [^ ]*collectd.conf:[0-9]+\\) still running"
it_ok

# ---- an init that returns ---------------------------------------------------
# Its plugin becomes ready and is shut down as at any exit; the start-up
# goes no further, and the exit is a normal one. UnloadTimeout 30 leaves
# the 2 s init ample time on a loaded machine.
NAME=slow
setup $NAME
sed -i 's/^UnloadTimeout 1$/UnloadTimeout 30/' "$D/collectd.conf"
slow_init 2
finish
it_show_on_failure "$D/log" "$TMP/$NAME.out"
it_check "SIGTERM while a plugin's init takes 2 s: exit status 0"
it_start $NAME "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
term
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok "after $TOOK s"
it_check "... its shutdown ran, nothing after it was loaded"
[ -e "$D/shutdown" ] || it_fail "test_slow_init's shutdown did not run"
says "Exiting normally: told to stop during the start-up"
! it_grep "$D/log" "csv plugin: configuring -> ready" ||
  it_fail "csv, after it in the file, was initialised"
it_ok
it_pass
