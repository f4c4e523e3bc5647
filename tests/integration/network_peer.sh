#!/bin/sh
# The multi-host path: Debian's network.so (the 5.12 binary) in our daemon,
# as client and as server, against Debian's collectd 5.12 in the other
# role. Four pairs on 127.0.0.1, each on its own UDP port:
#   a  ours -> Debian's   SecurityLevel Encrypt
#   b  Debian's -> ours   SecurityLevel Encrypt
#   c  ours -> ours       SecurityLevel Sign
#   d  Debian's -> Debian's, Sign (the reference: the test's own set-up)
# Each client gets the same PUTVALs (fixed values, explicit times, the
# client's host name as identifier host) over its unixsock socket and
# writes them to csv; the server writes what it receives to csv. Checked:
# the client's csv holds exactly the values sent, the server's csv holds
# the same files with the same lines (header, times to the millisecond,
# values), and every daemon, the servers with a listening network plugin,
# exits with status 0 after SIGTERM (a thread that kept the exit from
# ending would make ours give up, status 1; how long each took is
# printed, not judged: that depends on the machine).
. "$(dirname "$0")/lib.sh"
it_init network_peer
it_need_debian "$DEBIAN_PLUGINDIR/network.so" "$DEBIAN_PLUGINDIR/csv.so" \
  "$DEBIAN_PLUGINDIR/unixsock.so" "$DEBIAN_PLUGINDIR/logfile.so"

UDP=$top_srcdir/tests/integration/udp_peer.py
CLIENT=$top_srcdir/tests/integration/lifecycle_client.py
# The interpreter itself, not a wrapper script (pyenv's shim costs a second
# per call on a loaded machine, and the waits below call it in a loop).
PY=$(python3 -c 'import sys; print(sys.executable)') || it_fail "no python3"

PORTS=$("$PY" "$UDP" ports 4 $$) || it_fail "no 4 free UDP ports"
set -- $PORTS
# name client server security port
COMBOS="a ours debian Encrypt $1
b debian ours Encrypt $2
c ours ours Sign $3
d debian debian Sign $4"

# One user per pair, all in one AuthFile that every server reads.
for c in a b c d; do
  echo "user-$c: secret-$c-$$"
done >"$TMP/auth"

# ---- the daemons -------------------------------------------------------------

# plugins DIR KIND: ours runs our csv, unixsock and logfile beside Debian's
# network.so; Debian's runs its own four.
plugins() {
  if [ "$2" = ours ]; then
    it_plugins "$1/plugins" csv unixsock logfile
    it_debian_plugins "$1/plugins" network
  else
    it_debian_plugins "$1/plugins" csv unixsock logfile network
  fi
}

# conf DIR HOST ROLE SECURITY PORT PAIR KIND: the client loads unixsock
# last, so that a value can only come in once network's write callback is
# there. Debian's daemon gets one write thread: with several, collectd 5.12
# writes values of one identifier from several threads at once, and its csv
# plugin then loses rows of a file it is creating and runs two rows into one
# line ("75,18446744073709551615"; both seen). Ours keeps the default five.
conf() {
  it_globals "$1" "$DEBIAN_TYPESDB" | sed "s/^Hostname .*/Hostname \"$2\"/"
  [ "$7" = ours ] || echo "WriteThreads 1"
  it_logfile "$1"
  it_csv "$1" false
  echo "LoadPlugin network"
  echo "<Plugin network>"
  if [ "$3" = client ]; then
    cat <<EOF
  <Server "127.0.0.1" "$5">
    SecurityLevel $4
    Username "user-$6"
    Password "secret-$6-$$"
  </Server>
</Plugin>
EOF
    it_unixsock "$1"
  else
    cat <<EOF
  <Listen "127.0.0.1" "$5">
    SecurityLevel $4
    AuthFile "$TMP/auth"
  </Listen>
</Plugin>
EOF
  fi
}

binary() {
  if [ "$1" = ours ]; then echo "$COLLECTD"; else echo "$DEBIAN_COLLECTD"; fi
}

while read -r c cl sv sec port; do
  plugins "$TMP/$c-client" "$cl"
  plugins "$TMP/$c-server" "$sv"
  conf "$TMP/$c-client" "client-$c" client "$sec" "$port" "$c" "$cl" \
    >"$TMP/$c-client/collectd.conf"
  conf "$TMP/$c-server" "server-$c" server "$sec" "$port" "$c" "$sv" \
    >"$TMP/$c-server/collectd.conf"
done <<EOF
$COMBOS
EOF
for c in a b c d; do
  it_show_on_failure "$TMP/$c-client/log" "$TMP/$c-server/log"
done

cmd() { "$PY" "$CLIENT" cmd "$@"; }
# wait_clock COMMAND...: it_wait bounded by the clock (IT_DEADLINE seconds)
# rather than by a number of polls, for conditions that run a client and
# so take longer than a poll on a loaded machine.
wait_clock() {
  end=$(($(date +%s) + IT_DEADLINE))
  until "$@"; do
    [ "$(date +%s)" -lt "$end" ] || return 1
    sleep "$IT_POLL"
  done
}
udp_bound() { "$PY" "$UDP" bound "$1"; }
answers() { [ -S "$1" ] && cmd "$1" "LISTVAL" >/dev/null 2>&1; }

# Servers first: a datagram sent before the server's socket is bound is lost.
while read -r c cl sv sec port; do
  it_start "$c-server" "$(binary "$sv")" -f -C "$TMP/$c-server/collectd.conf"
  eval "SERVER_$c=\$IT_PID"
done <<EOF
$COMBOS
EOF
while read -r c cl sv sec port; do
  it_check "pair $c: $sv server listens on 127.0.0.1:$port ($sec)"
  wait_clock udp_bound "$port" || it_fail "nothing bound to $port"
  it_ok
  it_start "$c-client" "$(binary "$cl")" -f -C "$TMP/$c-client/collectd.conf"
  eval "CLIENT_$c=\$IT_PID"
done <<EOF
$COMBOS
EOF

# ---- the values --------------------------------------------------------------

# plugin-instance/type[-instance], then one value (colon-separated for
# several data sources) per row; "U" is unknown (nan).
cat >"$TMP/values" <<'EOF'
test-a/gauge-x 1.5 -0.25 U 1234567.125
test-a/derive-d -5 0 9223372036854775807 -9223372036854775808
test-a/counter-c 0 1 4294967296 18446744073709551615
test-a/absolute-a 42 0 7 18446744073709551615
test-b/if_octets 10:20 11:-21 0:0 9223372036854775807:-1
test-b/load 0.5:1:1.5 0:0:0 U:2.75:-3 100:200:300.125
EOF
# Times 2 minutes ago, a multiple of 1/8 s apart from whole seconds: exact
# in the network protocol's 2^-30 s units and in csv's three decimals.
T0=$(($(date +%s) - 120))
TIMES="$T0 $((T0 + 1)).125 $((T0 + 2)).25 $((T0 + 3)).375"

# putvals HOST: the PUTVAL lines.
putvals() {
  host=$1
  while read -r id v1 v2 v3 v4; do
    set -- $TIMES
    for v in "$v1" "$v2" "$v3" "$v4"; do
      echo "PUTVAL $host/$id interval=1 $1:$v"
      shift
    done
  done <"$TMP/values"
}

# The files are compared as sets of "<path> <line>" lines, path relative to
# the host directory and without the date, sorted: several write threads
# may write one file's rows in any order (collectd 5.12's too).

# expected: the lines the values sent must give.
expected() {
  awk -v times="$TIMES" '
    BEGIN { split(times, t, " ") }
    {
      split($1, p, "/")
      type = p[2]
      sub(/-.*/, "", type)
      header = "epoch,value"
      if (type == "if_octets") header = "epoch,rx,tx"
      if (type == "load") header = "epoch,shortterm,midterm,longterm"
      print $1 " " header
      for (i = 2; i <= 5; i++) {
        row = sprintf("%.3f", t[i - 1])
        n = split($i, v, ":")
        for (j = 1; j <= n; j++) {
          if (v[j] == "U") s = "nan"
          else if (type == "gauge" || type == "load") s = sprintf("%f", v[j])
          else s = v[j]
          row = row "," s
        }
        print $1 " " row
      }
    }' "$TMP/values" | LC_ALL=C sort
}

# dump DIR: the lines of every csv file under DIR, a host directory.
dump() {
  [ -d "$1" ] || return 0
  (cd "$1" && find . -type f | xargs -r awk '
    FNR == 1 {
      f = FILENAME
      sub(/^\.\//, "", f)
      sub(/-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/, "", f)
    }
    { print f " " $0 }') | LC_ALL=C sort
}

# ---- sending and comparing ---------------------------------------------------

while read -r c cl sv sec port; do
  SOCK=$TMP/$c-client/sock
  it_check "pair $c: the $cl client takes $(wc -l <"$TMP/values") x 4 PUTVALs"
  wait_clock answers "$SOCK" || it_fail "no answer on $SOCK"
  putvals "client-$c" >"$TMP/$c.putval"
  set --
  while read -r line; do set -- "$@" "$line"; done <"$TMP/$c.putval"
  cmd "$SOCK" "$@" >"$TMP/$c.replies" || it_fail "the client hung up"
  bad=$(grep -v '^0 Success: 1 value has been dispatched\.$' "$TMP/$c.replies")
  [ -z "$bad" ] || it_fail "replies: $bad"
  it_ok
done <<EOF
$COMBOS
EOF

expected >"$TMP/expected.dump"
while read -r c cl sv sec port; do
  it_check "pair $c: the $cl client's csv holds exactly the values sent"
  client_done() {
    dump "$TMP/$c-client/csv/client-$c" >"$TMP/$c.client.dump"
    cmp -s "$TMP/$c.client.dump" "$TMP/expected.dump"
  }
  wait_clock client_done || {
    diff "$TMP/expected.dump" "$TMP/$c.client.dump"
    it_fail "the client's csv differs from the values sent (< sent, > csv)"
  }
  it_ok "$(wc -l <"$TMP/$c.client.dump") lines"

  it_check "pair $c: the $sv server's csv equals the client's ($sec)"
  # The network plugin sends when its buffer is full or on a flush. The
  # flush is repeated until the rows arrive: the FLUSH command does not wait
  # for values still in the write queue (in 5.12 neither).
  server_done() {
    cmd "$TMP/$c-client/sock" "FLUSH plugin=network" >/dev/null
    dump "$TMP/$c-server/csv/client-$c" >"$TMP/$c.server.dump"
    cmp -s "$TMP/$c.server.dump" "$TMP/$c.client.dump"
  }
  wait_clock server_done || {
    diff "$TMP/$c.client.dump" "$TMP/$c.server.dump"
    it_fail "the server's csv differs from the client's (< client, > server)"
  }
  it_ok "$(wc -l <"$TMP/$c.server.dump") lines"
done <<EOF
$COMBOS
EOF

# ---- SIGTERM -------------------------------------------------------------------

# stop_timed PID WHO: SIGTERM; the daemon must exit with status 0 (how long
# it took is measured, to the poll's 0.1 s, and printed).
stop_timed() {
  t0=$(date +%s%N)
  kill -TERM "$1" 2>/dev/null
  IT_DEADLINE=120 it_wait_exit "$1" ||
    it_fail "$2 still runs 120 s after SIGTERM"
  ms=$((($(date +%s%N) - t0) / 1000000))
  [ "$IT_RC" = 0 ] || it_fail "$2 exited with status $IT_RC after $ms ms"
  STOPPED="$STOPPED $ms"
}

while read -r c cl sv sec port; do
  it_check "pair $c: SIGTERM ends the $cl client, then the $sv server" \
    "(listening), each with status 0"
  STOPPED=
  eval "stop_timed \$CLIENT_$c \"the $cl client\""
  eval "stop_timed \$SERVER_$c \"the $sv server\""
  it_ok "ms:$STOPPED"
done <<EOF
$COMBOS
EOF

# What network says while it shuts down reaches the log file, in both
# daemons: the log plugins shut down last.
while read -r c cl sv sec port; do
  it_check "pair $c: the $sv server's log file has network's shutdown message"
  it_grep "$TMP/$c-server/log" "network plugin: Stopping receive thread" ||
    it_fail "not in $TMP/$c-server/log"
  it_ok
done <<EOF
$COMBOS
EOF

it_pass
