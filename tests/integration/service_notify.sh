#!/bin/sh
# Readiness for systemd (Type=notify): a test that plays systemd binds a
# datagram socket and starts the daemon, without -f, with NOTIFY_SOCKET
# naming it. The daemon stays in the foreground (the process started is the
# daemon, as collectd 5.12 does under NOTIFY_SOCKET); READY=1 comes only
# once every plugin is ready (test_slow_init takes 2 s in its init: the
# listener asks LISTPLUGINS the moment READY=1 arrives); SIGHUP brings
# RELOADING=1 (with MONOTONIC_USEC) and READY=1 around the reload, after
# which the plugin it adds is ready; SIGTERM brings STOPPING=1.
. "$(dirname "$0")/lib.sh"
it_init service_notify

D=$TMP
it_plugins "$D/plugins" logfile unixsock cpu
it_test_plugins "$D/plugins" test_slow_init
conf() {
  {
    it_globals "$D"
    it_logfile "$D"
    it_unixsock "$D" "  PluginControl true"
    printf 'LoadPlugin test_slow_init\n<Plugin test_slow_init>\n'
    printf '  InitSeconds 2\n</Plugin>\n'
    printf '%s\n' "$@"
  } >"$D/collectd.conf.new"
  mv "$D/collectd.conf.new" "$D/collectd.conf"
}
conf
it_show_on_failure "$D/log" "$D/notes" "$D/listener.out"

# The listener: one line per datagram in $D/notes (its lines joined by
# ";"); on READY=1 it first writes LISTPLUGINS' reply to $D/ready.N.
cat >"$D/listen.py" <<EOF
import os, socket, sys
sys.path.insert(0, "$top_srcdir/tests/integration")
import lifecycle_client as lc
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("$D/notify")
n = 0
while True:
    data = s.recv(4096).decode()
    if "READY=1" in data.split("\n"):
        n += 1
        c = lc.Conn("$D/sock")
        with open("$D/ready.%d" % n, "w") as f:
            f.write("\n".join(c.command("LISTPLUGINS")) + "\n")
        c.close()
    with open("$D/notes", "a") as f:
        f.write(data.replace("\n", ";") + "\n")
    if "STOPPING=1" in data.split("\n"):
        break
EOF
python3 "$D/listen.py" >"$D/listener.out" 2>&1 &
LISTENER=$!
IT_PIDS="$IT_PIDS $LISTENER"
it_wait test -S "$D/notify" || it_fail "the listener did not bind"

it_check "started without -f under NOTIFY_SOCKET, the daemon stays in the foreground"
NOTIFY_SOCKET=$D/notify
export NOTIFY_SOCKET
it_start daemon "$COLLECTD" -C "$D/collectd.conf"
PID=$IT_PID
unset NOTIFY_SOCKET
it_wait test -s "$D/pid" || it_fail "no PID file"
[ "$(cat "$D/pid")" = "$PID" ] || it_fail "the PID file says $(cat "$D/pid"), not $PID"
it_alive "$PID" || it_fail "the process started has exited (it forked?)"
it_ok

it_check "READY=1 comes once every plugin is ready"
it_wait test -s "$D/ready.1" || it_fail "no READY=1"
not_ready=$(sed 1d "$D/ready.1" | grep -v ' ready ' || true)
[ -z "$not_ready" ] || it_fail "at READY=1: $not_ready"
grep -q '^test_slow_init ready ' "$D/ready.1" ||
  it_fail "test_slow_init is not listed: $(cat "$D/ready.1")"
grep -q '^READY=1;STATUS=' "$D/notes" || it_fail "notes: $(cat "$D/notes")"
it_ok "$(head -n 1 "$D/notes")"

it_check "SIGHUP: RELOADING=1, the reload, READY=1"
conf "LoadPlugin cpu"
kill -HUP "$PID"
it_wait test -s "$D/ready.2" || it_fail "no second READY=1"
sed -n 2,3p "$D/notes" | tr '\n' '|' | grep -Eq '^RELOADING=1;MONOTONIC_USEC=[0-9]+\|READY=1\|$' ||
  it_fail "notes: $(cat "$D/notes")"
grep -q '^cpu ready ' "$D/ready.2" ||
  it_fail "cpu is not ready at READY=1: $(cat "$D/ready.2")"
it_ok

it_check "SIGTERM: STOPPING=1, then the exit"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_wait it_gone "$LISTENER" || it_fail "the listener got no STOPPING=1"
tail -n 1 "$D/notes" | grep -qx 'STOPPING=1' || it_fail "notes: $(cat "$D/notes")"
it_ok
it_pass
