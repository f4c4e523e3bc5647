#!/bin/sh
# What the unixsock plugin does with clients that do not play along:
#  - one that sends 3,000 PUTVALs and closes without reading a reply: all
#    3,000 are run (in csv);
#  - one that writes 100,000 PUTVALs before reading any reply, and starts
#    reading 20 s later: it is throttled, not cut off, and every command is
#    run and acknowledged, in order (the write threads may write a series'
#    rows out of order, so the csv rows are compared sorted);
#  - ordinary clients (uid nobody) holding every one of MaxConnections: the
#    next ordinary one is refused, and logged, while root's LISTPLUGINS
#    still gets an answer (AdminConnections);
#  - one that sends nothing for IdleTimeout: closed, and logged;
#  - one that writes and never reads: cut off once no reply has gone out
#    for StallTimeout, and logged with the number of lines not run.
. "$(dirname "$0")/lib.sh"
it_init unixsock_limits
CLIENT="python3 $top_srcdir/tests/integration/unixsock_limits.py"

D=$TMP
SOCK=$D/sock
# Ordinary clients run as nobody: they must reach the socket, the client
# (copied: the tree may be out of nobody's reach) and Debian's python3
# (tools/install-deps.sh installs it; one under root's home, as pyenv's,
# is not).
chmod 755 "$D"
mkdir -m 777 "$D/nobody"
cp "$top_srcdir/tests/integration/unixsock_limits.py" "$D/nobody/"
chmod 644 "$D/nobody/unixsock_limits.py"
AS_NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 $D/nobody/unixsock_limits.py"
it_plugins "$D/plugins" logfile unixsock csv

# conf IDLE-TIMEOUT [STALL-TIMEOUT]
conf() {
  {
    it_globals "$D"
    it_logfile "$D"
    it_unixsock "$D" "  PluginControl true
  SocketPerms \"0777\"
  MaxConnections 3
  AdminConnections 1
  IdleTimeout $1
  StallTimeout ${2:-300}"
    it_csv "$D"
  } >"$D/collectd.conf"
}

# rows NAME: the rows of itest/NAME/gauge in csv (all its days).
rows() {
  cat "$D/csv/itest/$1/gauge"-* 2>/dev/null | grep -c '^[0-9]'
}
rows_are() { [ "$(rows "$1")" -eq "$2" ]; }

# complete NAME N T0: the rows, sorted, are T0..T0+N-1 with values
# 0..N-1.
complete() {
  cat "$D/csv/itest/$1/gauge"-* | grep '^[0-9]' | sort -n |
    awk -F, -v n="$2" -v t0="$3" '
      { if ($1 + 0 != t0 + NR - 1 || $2 + 0 != NR - 1) bad++ }
      END { exit !(NR == n && bad == 0) }'
}

conf 0
it_show_on_failure "$D/log"
it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
it_wait_socket "$SOCK" || it_fail "no socket at $SOCK"
T0=$(($(date +%s) - 200000))

it_check "3,000 PUTVALs, the socket closed unread: all 3,000 are in csv"
$CLIENT forget "$SOCK" 3000 "$T0" || it_fail "the client failed"
it_wait rows_are forget 3000 ||
  it_fail "$(rows forget) rows after ${IT_DEADLINE}s"
complete forget 3000 "$T0" || it_fail "the rows are not 0..2999"
it_ok

it_check "100,000 PUTVALs read 20 s late: all acknowledged and in csv, in order"
out=$($CLIENT late "$SOCK" 100000 "$T0" 20) || it_fail "$out"
it_wait rows_are late 100000 ||
  it_fail "$(rows late) rows after ${IT_DEADLINE}s"
complete late 100000 "$T0" || it_fail "the rows are not 0..99999"
it_ok "$out"

it_check "3 ordinary clients hold every ordinary connection"
mkfifo "$D/hold"
$AS_NOBODY hold "$SOCK" 3 "$D/nobody/held" <"$D/hold" \
  >"$D/hold.out" 2>&1 &
HOLDER=$!
it_adopt "$HOLDER"
exec 3>"$D/hold"
it_wait it_grep "$D/nobody/held" "^held 3$" ||
  it_fail "the holder: $(cat "$D/hold.out")"
it_ok
it_check "a 4th ordinary client is refused, and the log says so"
reply=$($AS_NOBODY try "$SOCK")
[ "$reply" = "-1 Too many connections; try again later." ] ||
  it_fail "it got \"$reply\""
it_wait it_grep "$D/log" \
  "unixsock plugin: refusing a connection from pid [0-9]+ \\(uid 65534\\): the 3 connections" ||
  it_fail "no refusal in the log"
it_ok
it_check "root's LISTPLUGINS still gets an answer"
reply=$($CLIENT try "$SOCK")
printf '%s\n' "$reply" | grep -Eq "^[0-9]+ Plugins? loaded" ||
  it_fail "it got \"$reply\""
it_ok "$reply"
exec 3>&-
it_wait_exit "$HOLDER" || it_fail "the holder did not end"
it_check "once they leave, an ordinary client gets in again"
it_wait sh -c "$AS_NOBODY try '$SOCK' | grep -Eq '^[0-9]+ Plugins? loaded'" ||
  it_fail "it got \"$($AS_NOBODY try "$SOCK")\""
it_ok
it_stop_ok "$PID" ours

it_check "IdleTimeout 1: a client that sends nothing is closed, and logged"
conf 1 1
it_start daemon2 "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
it_wait_socket "$SOCK" || it_fail "no socket at $SOCK"
reply=$($CLIENT idle "$SOCK") || it_fail "$reply"
it_wait it_grep "$D/log" \
  "unixsock plugin: closing the connection of pid [0-9]+ \\(uid 0\\): it sent nothing for 1 s \\(IdleTimeout\\)" ||
  it_fail "not in the log"
it_ok
it_check "StallTimeout 1: a client that never reads is cut off, and logged"
reply=$($CLIENT stall "$SOCK" 1000000) || it_fail "$reply"
it_wait it_grep "$D/log" \
  "unixsock plugin: cutting off pid [0-9]+ \\(uid 0\\): it has read no reply for 1 s \\(StallTimeout\\); at least [1-9][0-9]* complete command lines it sent were not run \\([1-9][0-9]* were\\)" ||
  it_fail "not in the log"
it_ok "$(grep -o 'StallTimeout); .*' "$D/log")"
it_stop_ok "$PID" ours
it_pass
