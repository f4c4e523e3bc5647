#!/bin/sh
# Debian's network.so, isolated, as the client of Debian's collectd 5.12:
# RELOAD points it at another server while values flow, and nothing is
# lost, doubled or sent to the wrong place.
#
# Two Debian daemons are the servers, A listening on 127.0.0.1:PORT1 and B
# on 127.0.0.1:PORT2, each writing what it receives to a csv directory of
# its own, so that the port a value went to is seen in where it lands. Our
# daemon is the client: network.so in a plugin host (Isolate true) with
# Server "127.0.0.1" PORT1, and unixsock (PluginControl true). A streamer
# PUTVALs one gauge series over unixsock, one value at a time, at most
# RATE a second, value i at time BASE + i/8 s (exact in csv's three
# decimals), and records the time of every PUTVAL answered with success.
# Once A has received values, the test rewrites the client's file so that
# Server names PORT2 and sends RELOAD network. Checked:
#   - nothing reaches B before the RELOAD; RELOAD answers 0 and LISTPLUGINS
#     then shows network ready isolated with a new host (the old one gone);
#   - every accepted value is a row in A or B exactly once, with its own
#     value, under the client's identifier only (it_each_once: UDP on
#     loopback at this rate loses nothing, and network.so sends what it
#     buffered when its host shuts down);
#   - the values answered before the RELOAD was sent are all in A (the
#     daemon delivers what was queued before an UNLOAD or RELOAD to the old
#     host), those sent after its reply all in B; those in between (the
#     reload window) may be in either, and are counted, not judged;
#   - the client, then both servers, exit with status 0 on SIGTERM.
# Network's buffer is sent when it fills (about 50 values of this series)
# and when its host shuts down; at the end, FLUSH sends the rest.
. "$(dirname "$0")/lib.sh"
it_init isolate_network
it_need_debian "$DEBIAN_PLUGINDIR/network.so" "$DEBIAN_PLUGINDIR/csv.so" \
  "$DEBIAN_PLUGINDIR/logfile.so"

RATE=40    # PUTVALs a second at most
BEFORE=100 # values A must have received before the RELOAD
AFTER=100  # values sent after the RELOAD's reply that B must receive
LONG=60    # seconds a wait for values or a daemon may take

UDP=$top_srcdir/tests/integration/udp_peer.py
CLIENT=$top_srcdir/tests/integration/lifecycle_client.py
# The interpreter itself, not a wrapper script (see network_peer.sh).
PY=$(python3 -c 'import sys; print(sys.executable)') || it_fail "no python3"

PORTS=$("$PY" "$UDP" ports 2 $$) || it_fail "no 2 free UDP ports"
set -- $PORTS
PORT1=$1 PORT2=$2

HOST=net-client
SERIES=$HOST/test/gauge-x
C=$TMP/client
A=$TMP/server-a
B=$TMP/server-b
SOCK=$C/sock
ACCEPTED=$TMP/accepted
STOP=$TMP/stop

# ---- the daemons -------------------------------------------------------------

# server DIR NAME PORT: a Debian daemon that writes what it receives on
# 127.0.0.1:PORT to DIR/csv; one write thread (see network_peer.sh).
server() {
  it_debian_plugins "$1/plugins" logfile csv network
  {
    it_globals "$1" "$DEBIAN_TYPESDB" | sed "s/^Hostname .*/Hostname \"$2\"/"
    echo "WriteThreads 1"
    it_logfile "$1"
    it_csv "$1" false
    printf 'LoadPlugin network\n<Plugin network>\n'
    printf '  Listen "127.0.0.1" "%s"\n</Plugin>\n' "$3"
  } >"$1/collectd.conf"
  it_show_on_failure "$1/log"
}
server "$A" server-a "$PORT1"
server "$B" server-b "$PORT2"

# client PORT: our daemon's configuration, network isolated and sending to
# 127.0.0.1:PORT; written to a new file and renamed, so that a RELOAD never
# reads half of it.
client() {
  {
    it_globals "$C" "$DEBIAN_TYPESDB" | sed "s/^Hostname .*/Hostname \"$HOST\"/"
    it_logfile "$C"
    it_unixsock "$C" "  PluginControl true"
    printf '<LoadPlugin network>\n  Isolate true\n</LoadPlugin>\n'
    printf '<Plugin network>\n  Server "127.0.0.1" "%s"\n</Plugin>\n' "$1"
  } >"$C/collectd.conf.new" && mv "$C/collectd.conf.new" "$C/collectd.conf" ||
    it_fail "cannot write $C/collectd.conf"
}
it_plugins "$C/plugins" logfile unixsock
it_debian_plugins "$C/plugins" network
client "$PORT1"
it_show_on_failure "$C/log"

# wait_for SECONDS COMMAND...: polls COMMAND until it succeeds, for at most
# SECONDS of wall time (the conditions below run awk or python, which a
# loaded machine may make slow); returns 1 at the end. Fails the test at
# once if the streamer has died.
wait_for() {
  wf_end=$(($(date +%s) + $1))
  shift
  until "$@"; do
    if [ -n "${STREAMER:-}" ] && ! it_alive "$STREAMER"; then
      it_fail "the streamer has ended: $(cat "$TMP/streamer.out")"
    fi
    [ "$(date +%s)" -lt "$wf_end" ] || return 1
    sleep "$IT_POLL"
  done
}
udp_bound() { "$PY" "$UDP" bound "$1"; }

# Servers first: a datagram sent before a server's socket is bound is lost.
it_start server-a "$DEBIAN_COLLECTD" -f -C "$A/collectd.conf"
SERVER_A=$IT_PID
it_start server-b "$DEBIAN_COLLECTD" -f -C "$B/collectd.conf"
SERVER_B=$IT_PID
it_check "servers A and B listen on 127.0.0.1:$PORT1 and 127.0.0.1:$PORT2"
wait_for "$LONG" udp_bound "$PORT1" || it_fail "nothing bound to $PORT1"
wait_for "$LONG" udp_bound "$PORT2" || it_fail "nothing bound to $PORT2"
it_ok

it_start client "$COLLECTD" -f -C "$C/collectd.conf"
CLIENT_PID=$IT_PID

it_check "the client's network is ready, isolated, in a host of its own"
wait_for "$LONG" it_in_state "$SOCK" network ready isolated ||
  it_fail "LISTPLUGINS: \"$(it_listed "$SOCK" network)\""
HOST1=$(it_host_pid "$SOCK" network)
[ -n "$HOST1" ] || it_fail "no host pid: \"$(it_listed "$SOCK" network)\""
ppid=$(awk '{ print $4 }' "/proc/$HOST1/stat")
[ "$ppid" = "$CLIENT_PID" ] ||
  it_fail "host $HOST1 has parent $ppid, not the client $CLIENT_PID"
it_ok "pid=$HOST1"

# ---- the stream --------------------------------------------------------------

# The streamer: one connection, one PUTVAL at a time, each answered before
# the next goes out; stops when $STOP exists. The time of each PUTVAL
# answered 0 is one line of $ACCEPTED (flushed at once), so that a test
# that reads N lines there knows value N-1 was answered and value N+1 not
# sent yet.
cat >"$TMP/streamer.py" <<'EOF'
import os
import socket
import sys
import time

path, series, base, rate, out, stop = sys.argv[1:7]
base = int(base)
pause = 1.0 / float(rate)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(60.0)
s.connect(path)
buf = b""
i = 0
with open(out, "w") as f:
    while not os.path.exists(stop) and i < 100000:
        t = "%d.%03d" % (base + i // 8, (i % 8) * 125)
        s.sendall(("PUTVAL %s interval=1 %s:%d\n" % (series, t, i)).encode())
        while b"\n" not in buf:
            data = s.recv(4096)
            if not data:
                sys.exit("PUTVAL %d: the daemon closed the connection" % i)
            buf += data
        line, buf = buf.split(b"\n", 1)
        if not line.startswith(b"0 "):
            sys.exit("PUTVAL %d answered %r" % (i, line.decode()))
        f.write(t + "\n")
        f.flush()
        i += 1
        time.sleep(pause)
print("%d PUTVALs, all answered 0" % i)
EOF

BASE=$(($(date +%s) - 3600))
: >"$ACCEPTED"
it_start streamer "$PY" "$TMP/streamer.py" "$SOCK" "$SERIES" "$BASE" "$RATE" \
  "$ACCEPTED" "$STOP"
STREAMER=$IT_PID

# rows DIR [MIN_TIME]: the rows of the series in a server's csv files
# (every date's file), with a time of MIN_TIME or later.
rows() {
  cat "$1/csv/$SERIES"-[0-9]* 2>/dev/null |
    awk -F, -v m="${2:-0}" '$1 != "epoch" && $1 + 0 >= m + 0 { n++ }
      END { print n + 0 }'
}
has_rows() { [ "$(rows "$@")" -ge "$ROWS" ]; }
accepted() { wc -l <"$ACCEPTED" | tr -d ' '; }
stamp() { awk -v b="$BASE" -v i="$1" 'BEGIN { printf "%.3f", b + i / 8 }'; }

it_check "server A receives $BEFORE values of $SERIES (via $PORT1)"
ROWS=$BEFORE
wait_for "$LONG" has_rows "$A" ||
  it_fail "A has $(rows "$A") rows after ${LONG}s ($(accepted) accepted)"
it_ok "$(rows "$A") rows, $(accepted) accepted"

it_check "server B has received nothing before the RELOAD"
got=$(find "$B/csv" -type f 2>/dev/null)
[ -z "$got" ] || it_fail "B has: $got"
it_ok

# ---- the RELOAD --------------------------------------------------------------

it_check "RELOAD network, Server now $PORT2, answers 0 while values flow"
client "$PORT2"
J=$(accepted)
REPLY=$("$PY" "$CLIENT" cmd "$SOCK" "RELOAD network" | head -n 1)
K=$(accepted)
case $REPLY in
"0 network: "*) ;;
*) it_fail "the reply was \"$REPLY\"" ;;
esac
it_ok "$REPLY; $J accepted before it was sent, $K at its reply"
# Values 0..J-1 were answered before the RELOAD went out; value K+1 and
# the later ones were sent after its reply (K lines were there once it had
# come, so value K at most was under way).
FIRST_AFTER=$((K + 1))

it_check "LISTPLUGINS: network ready isolated, a new host, the old one gone"
line=$(it_listed "$SOCK" network) || it_fail "network is not listed"
echo "$line" | grep -Eq "^network ready isolated pid=[0-9]+$" ||
  it_fail "network shows \"$line\""
HOST2=$(it_host_pid "$SOCK" network)
[ "$HOST2" != "$HOST1" ] || it_fail "the host is still $HOST1"
[ ! -e "/proc/$HOST1" ] ||
  it_fail "the old host $HOST1 is still there: $(cat "/proc/$HOST1/stat")"
ppid=$(awk '{ print $4 }' "/proc/$HOST2/stat")
[ "$ppid" = "$CLIENT_PID" ] ||
  it_fail "host $HOST2 has parent $ppid, not the client $CLIENT_PID"
it_ok "pid=$HOST1 -> pid=$HOST2"

it_check "server B receives $AFTER values sent after the reply (via $PORT2)"
ROWS=$AFTER
T_AFTER=$(stamp "$FIRST_AFTER")
wait_for "$LONG" has_rows "$B" "$T_AFTER" ||
  it_fail "B has $(rows "$B" "$T_AFTER") rows from $T_AFTER on after" \
    "${LONG}s ($(accepted) accepted)"
it_ok "$(rows "$B" "$T_AFTER") rows from $T_AFTER on"

it_check "the streamer stops, every PUTVAL answered 0"
touch "$STOP"
IT_DEADLINE=$LONG it_wait_exit "$STREAMER" ||
  it_fail "the streamer still runs ${LONG}s after it was told to stop"
STREAMER=
[ "$IT_RC" = 0 ] || it_fail "$(cat "$TMP/streamer.out")"
N=$(accepted)
it_ok "$(cat "$TMP/streamer.out")"

# ---- what the servers received -----------------------------------------------

# each_once: every accepted time is a row in A or B exactly once (the last
# of network's buffer goes out on a FLUSH, repeated until all are there:
# FLUSH does not wait for values still in the write queue).
each_once() {
  RESULT=$(it_each_once "$ACCEPTED" "$A/csv/$SERIES"-[0-9]* \
    "$B/csv/$SERIES"-[0-9]*)
  case $RESULT in "lost 0 "*) ;; *) return 1 ;; esac
}
delivered() {
  "$PY" "$CLIENT" cmd "$SOCK" "FLUSH plugin=network" >/dev/null
  each_once
}
it_check "every one of the $N accepted values reaches A or B"
wait_for "$LONG" delivered || it_fail "after ${LONG}s: $RESULT"
it_ok

# SIGTERM before the rows are compared: the servers' csv files are then
# complete and closed.
it_check "SIGTERM ends the client, then servers A and B, each with status 0"
for who in client:$CLIENT_PID A:$SERVER_A B:$SERVER_B; do
  kill -TERM "${who#*:}" 2>/dev/null
  IT_DEADLINE=$LONG it_wait_exit "${who#*:}" ||
    it_fail "${who%%:*} still runs ${LONG}s after SIGTERM"
  [ "$IT_RC" = 0 ] || it_fail "${who%%:*} exited with status $IT_RC"
done
[ ! -e "/proc/$HOST2" ] || it_fail "the client's host $HOST2 is still there"
it_ok

it_check "each accepted value is a row once, none twice, none never sent"
each_once || true
case $RESULT in
"lost 0 twice 0 extra 0 "*) ;;
*) it_fail "$RESULT" ;;
esac
it_ok "$RESULT"

it_check "the servers' csv hold the client's identifier only, the right values"
for d in "$A" "$B"; do
  ids=$(it_identifiers "$d/csv")
  [ "$ids" = "$SERIES" ] || it_fail "$d/csv holds: $ids"
  for f in "$d/csv/$SERIES"-[0-9]*; do
    [ "$(head -n 1 "$f")" = epoch,value ] ||
      it_fail "the header of $f is \"$(head -n 1 "$f")\""
  done
done
# The value of each row is its index, (time - BASE) * 8.
bad=$(cat "$A/csv/$SERIES"-[0-9]* "$B/csv/$SERIES"-[0-9]* |
  awk -F, -v b="$BASE" '$1 != "epoch" && ($1 - b) * 8 != $2 + 0 {
      print; exit }')
[ -z "$bad" ] || it_fail "a row with the wrong value: \"$bad\""
it_ok

# where: "<before in A> <before in B> <window in A> <window in B> <after in
# A> <after in B>", the values counted by where they landed: before (index
# below J), the window (J to K), after (K+1 and later).
where() {
  for f in "$A/csv/$SERIES"-[0-9]*; do sed 's/^/A,/' "$f"; done
  for f in "$B/csv/$SERIES"-[0-9]*; do sed 's/^/B,/' "$f"; done
} 2>/dev/null
WHERE=$(where | awk -F, -v b="$BASE" -v j="$J" -v k="$K" '
  $2 == "epoch" { next }
  {
    i = ($2 - b) * 8
    part = i < j ? 0 : i <= k ? 1 : 2
    n[part, $1]++
  }
  END {
    printf "%d %d %d %d %d %d\n", n[0, "A"], n[0, "B"], n[1, "A"],
      n[1, "B"], n[2, "A"], n[2, "B"]
  }')
set -- $WHERE

it_check "the $J values answered before the RELOAD was sent are all in A"
[ "$1" = "$J" ] && [ "$2" = 0 ] ||
  it_fail "$1 in A, $2 in B (of $J)"
it_ok

it_check "the $((N - FIRST_AFTER)) values sent after its reply are all in B"
[ "$5" = 0 ] && [ "$6" = $((N - FIRST_AFTER)) ] ||
  it_fail "$5 in A, $6 in B (of $((N - FIRST_AFTER)))"
it_ok "the $((K + 1 - J)) of the reload window: $3 in A, $4 in B"

it_check "the client's log has no error"
bad=$(grep -E '\[error\]' "$C/log" || true)
[ -z "$bad" ] || it_fail "errors: $bad"
it_ok

it_pass
