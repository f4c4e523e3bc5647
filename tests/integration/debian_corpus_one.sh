#!/bin/sh
# One plugin of the Debian corpus (see debian_corpus.sh, which runs this
# script once per plugin, several at a time): Debian's binary NAME.so is
# loaded alone, without configuration, first into Debian's collectd 5.12,
# then into our daemon, each in its own directory under $CORPUS/NAME. Each
# daemon runs until it has initialised the plugin, gets SIGTERM and must
# end. Writes one line to $CORPUS/NAME/result:
#   NAME|COLLECTD-RESULT|OUR-RESULT|OUR-EXIT|VERDICT|OUR-FAILURE-REASON|MS
# (MS: how long our daemon took to exit after SIGTERM), or, if the plugin's
# libraries are missing, "NAME|libraries missing: ..." to
# $CORPUS/NAME/skipped. The daemons' output stays in
# $CORPUS/NAME/{collectd,ours}/out.
#
# Environment (from debian_corpus.sh): CORPUS, COLLECTD, OUR_PLUGINS,
# OUR_TYPESDB, top_srcdir, top_builddir, IT_DEADLINE, TERM_BOUND (seconds
# our daemon may take to exit after SIGTERM), and CORPUS_DWELL (seconds
# each daemon runs on after initialising, before SIGTERM; 0 by default, more
# to let the plugins read and write for a while).
. "$top_srcdir/tests/integration/lib.sh"

NAME=$1
D=$CORPUS/$NAME
PID=""

# Whatever happens to this script, its daemon does not outlive it.
trap '[ -z "$PID" ] || kill -KILL "$PID" 2>/dev/null' EXIT
trap 'exit 1' INT TERM HUP

# plugin_block NAME DIR: the only configuration a corpus plugin gets, the
# same in both daemons. Without it these would create sockets in /var/run
# (unixsock, email, dpdk_telemetry's client socket) or listen on every
# address of the machine (statsd, grpc, pinba, write_prometheus,
# capabilities); these listen on 127.0.0.1 and on $PORT, a port free when
# the run began, rather than their default, which another test running at
# the same time may hold.
plugin_block() {
  case $1 in
  unixsock | email) opts="SocketFile \"$2/$1-socket\"" ;;
  dpdk_telemetry)
    opts="ClientSocketPath \"$2/dpdk-client\"
  DpdkSocketPath \"$2/dpdk-telemetry\""
    ;;
  statsd | write_prometheus | capabilities)
    opts="Host \"127.0.0.1\"
  Port \"$PORT\""
    ;;
  pinba)
    opts="Address \"127.0.0.1\"
  Port \"$PORT\""
    ;;
  grpc) opts="Listen \"127.0.0.1\" \"$PORT\"" ;;
  *) return 0 ;;
  esac
  printf '<Plugin %s>\n  %s\n</Plugin>\n' "$1" "$opts"
}

# free_port: prints a port of 127.0.0.1 that is free for both TCP and UDP.
free_port() {
  python3 -c '
import socket
while True:
    t = socket.socket()
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(port)
    break'
}

# listeners PID: prints the sockets of PID that accept connections (TCP) or
# datagrams on a fixed port (UDP: a port below the ephemeral range) on an
# address other than loopback, as "tcp 00000000:1FBD" (the kernel's hex).
# A guard, looked at once, after initialisation: it catches a plugin whose
# defaults listen beyond loopback and that plugin_block does not cover.
listeners() {
  ls -l "/proc/$1/fd" 2>/dev/null |
    sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p' >"$D/inodes"
  [ -s "$D/inodes" ] || return 0
  eph=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range)
  for proto in tcp tcp6 udp udp6; do
    [ -r "/proc/$1/net/$proto" ] || continue
    awk -v proto="$proto" -v eph="$eph" '
      NR == FNR { mine[$1] = 1; next }
      FNR == 1 { next }
      !($10 in mine) { next }
      {
        split($2, a, ":")
        addr = a[1]; port = 0
        for (i = 1; i <= length(a[2]); i++)
          port = port * 16 + index("0123456789ABCDEF", substr(a[2], i, 1)) - 1
        # 127.0.0.0/8 and ::1, also as ::ffff:127.x.y.z (little-endian words)
        if (addr ~ /7F$/ || addr == "00000000000000000000000001000000")
          next
        if (proto ~ /^tcp/ && $4 == "0A") print proto, $2
        if (proto ~ /^udp/ && $4 == "07" && port > 0 && port < eph)
          print proto, $2
      }' "$D/inodes" "/proc/$1/net/$proto"
  done
}

# how RC: "exit N" or "signal NAME" for a status as the shell's wait gives it.
how() {
  if [ "$1" -gt 128 ]; then
    echo "signal $(kill -l "$(($1 - 128))" 2>/dev/null || echo "$(($1 - 128))")"
  else
    echo "exit $1"
  fi
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# start DIR BINARY: starts a daemon on DIR/collectd.conf, its output in
# DIR/out, its home DIR (glib makes ~/.cache), away from the user's desktop
# session (notify_desktop); sets PID.
start() {
  env -u DISPLAY -u DBUS_SESSION_BUS_ADDRESS HOME="$1" \
    "$2" -f -C "$1/collectd.conf" >"$1/out" 2>&1 &
  PID=$!
}

# ---- Debian's collectd 5.12 ------------------------------------------------
# Observed through its log on stderr. Without a log plugin collectd writes
# it there itself, but a plugin under test that logs (syslog, log_logstash)
# would take it away, so Debian's logfile plugin is loaded first: it writes
# to stderr when it has no configuration (it is the plugin under test, when
# that is logfile).

debian_settled() { it_gone "$PID" || it_grep "$1" "Initialization complete"; }

run_debian() {
  dir=$D/collectd
  DEB_LISTEN=""
  it_debian_plugins "$dir/plugins" "$NAME"
  [ "$NAME" = logfile ] || it_debian_plugins "$dir/plugins" logfile
  {
    it_globals "$dir" "$DEBIAN_TYPESDB"
    [ "$NAME" = logfile ] || echo "LoadPlugin logfile"
    echo "LoadPlugin $NAME"
    plugin_block "$NAME" "$dir"
  } >"$dir/collectd.conf"
  start "$dir" "$DEBIAN_COLLECTD"
  if ! it_wait debian_settled "$dir/out"; then
    DEB="no init in ${IT_DEADLINE}s"
  elif it_gone "$PID"; then
    wait "$PID"
    DEB="died: $(how $?)"
    PID=""
    return
  elif grep -Eq "Load plugin \"$NAME\" failed|Could not find plugin \"$NAME\"" \
    "$dir/out"; then
    DEB="load failed"
  elif grep -q "Initialization of plugin .* failed" "$dir/out"; then
    DEB="init failed"
  elif grep -q "plugin \"$NAME\" successfully loaded" "$dir/out"; then
    DEB=ready
  else
    DEB="not loaded"
  fi
  DEB_LISTEN=$(listeners "$PID")
  sleep "${CORPUS_DWELL:-0}"
  kill -TERM "$PID"
  if ! it_wait it_gone "$PID"; then
    kill -KILL "$PID"
    DEB="$DEB, hung at SIGTERM"
  fi
  wait "$PID" 2>/dev/null
  PID=""
}

# ---- our daemon ------------------------------------------------------------
# Observed over our unixsock socket (LISTPLUGINS), or, when the plugin under
# test is Debian's unixsock, through its state changes in our log, which
# goes to stderr (no log plugin is loaded).

# listed SOCKET: the plugin's line of LISTPLUGINS ("<name> <state> <kind>
# [<step>: <reason>]"). Our collectdctl asks: it is polled, and a Python
# client's start-up costs too much CPU on a loaded 2-core machine.
listed() {
  "$top_builddir/collectdctl" -s "$1" listplugins 2>/dev/null |
    awk -v n="$NAME" '$1 == n'
}

our_state() {
  if [ "$NAME" = unixsock ]; then
    sed -n "s/^unixsock plugin: [a-z]* -> \([a-z]*\)\$/\1/p" "$1" | tail -n 1
  else
    listed "$2" | awk '{ print $2 }'
  fi
}

our_settled() {
  it_gone "$PID" && return 0
  case $(our_state "$@") in
  ready | failed) return 0 ;;
  esac
  return 1
}

run_ours() {
  dir=$D/ours
  it_debian_plugins "$dir/plugins" "$NAME"
  [ "$NAME" = unixsock ] || it_plugins "$dir/plugins" unixsock
  {
    it_globals "$dir"
    [ "$NAME" = unixsock ] ||
      it_unixsock "$dir" "  PluginControl true"
    echo "LoadPlugin $NAME"
    plugin_block "$NAME" "$dir"
  } >"$dir/collectd.conf"
  start "$dir" "$COLLECTD"
  OUR_LISTEN=""
  OURS=""
  WHY=""
  OUR_EXIT=""
  OUR_MS=""
  OUR_CLEAN=false
  if ! it_wait our_settled "$dir/out" "$dir/sock"; then
    st=$(our_state "$dir/out" "$dir/sock")
    OURS="still ${st:-not listed} after ${IT_DEADLINE}s"
  elif it_gone "$PID"; then
    wait "$PID"
    OUR_EXIT=$(how $?)
    OURS="died before SIGTERM"
    PID=""
    return
  else
    OURS=$(our_state "$dir/out" "$dir/sock")
    if [ "$OURS" = failed ] && [ "$NAME" != unixsock ]; then
      WHY=$(listed "$dir/sock" | cut -d' ' -f4-)
      OURS="failed (${WHY%%:*})"
    fi
  fi
  OUR_LISTEN=$(listeners "$PID")
  sleep "${CORPUS_DWELL:-0}"
  t0=$(now_ms)
  kill -TERM "$PID"
  bound=$TERM_BOUND
  if ! IT_DEADLINE=$bound it_wait it_gone "$PID"; then
    kill -KILL "$PID"
    wait "$PID" 2>/dev/null
    OUR_EXIT="hung at SIGTERM: killed after ${bound}s"
  else
    wait "$PID"
    rc=$?
    OUR_MS=$(($(now_ms) - t0))
    OUR_EXIT="$(how $rc) in $OUR_MS ms"
    [ "$rc" = 0 ] && OUR_CLEAN=true
  fi
  PID=""
}

mkdir -p "$D"
libs=$(ldd "$DEBIAN_PLUGINDIR/$NAME.so" 2>&1 |
  awk '/not found/ { printf " %s", $1 }')
if [ -n "$libs" ]; then
  echo "$NAME|libraries missing:$libs" >"$D/skipped"
  exit 0
fi
case $NAME in
statsd | write_prometheus | capabilities | pinba | grpc) PORT=$(free_port) ;;
esac
run_debian
run_ours

# The verdict: ours ends cleanly on SIGTERM, and the plugin is ready in
# ours wherever it is in collectd 5.12.
if ! $OUR_CLEAN; then
  VERDICT="FAIL: $OURS, $OUR_EXIT"
else
  case $OURS/$DEB in
  still*) VERDICT="FAIL: $OURS" ;;
  ready/*) VERDICT=ok ;;
  */ready*) VERDICT="FAIL: ready in collectd 5.12, not in ours" ;;
  *) VERDICT="ok (not ready in 5.12 either)" ;;
  esac
fi
if [ -n "$DEB_LISTEN$OUR_LISTEN" ]; then
  VERDICT="FAIL: listens beyond loopback: $(echo $DEB_LISTEN $OUR_LISTEN)"
fi
echo "$NAME|$DEB|$OURS|$OUR_EXIT|$VERDICT|$WHY|$OUR_MS" >"$D/result"
