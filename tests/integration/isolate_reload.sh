#!/bin/sh
# RELOAD of an isolated plugin brings the new host to ready beside the old
# one, and stops the old one only then; a new configuration that fails
# there is refused with the running instance untouched (same host, never
# unloading); a new host that fails because the old one holds what it
# needs (a port) is started again once the old one has stopped. The daemon
# starts in another directory than its BaseDir, with a relative TypesDB:
# its hosts, which start in BaseDir, must read the same file.
. "$(dirname "$0")/lib.sh"
it_init isolate_reload

D=$TMP
it_plugins "$D/plugins" logfile unixsock
it_test_plugins "$D/plugins" test_crash
PY=$(python3 -c 'import sys; print(sys.executable)') || it_fail "no python3"
PORT=$("$PY" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])') || it_fail "no free TCP port"

mkdir "$D/run"
printf 'isotest value:GAUGE:U:U\n' >"$D/run/extra.types.db"

# conf AFTER [MODE [LISTEN]]: written in one rename, since every RELOAD
# reads the file.
conf() {
  {
    it_globals "$D"
    echo 'TypesDB "extra.types.db"'  # relative to $D/run
    it_logfile "$D"
    it_unixsock "$D" "  PluginControl true"
    printf '<LoadPlugin test_crash>\n  Isolate true\n</LoadPlugin>\n'
    printf '<Plugin test_crash>\n  Mode "%s"\n  After %s\n' "${2:-none}" "$1"
    [ -z "${3:-}" ] || printf '  Listen %s\n' "$3"
    printf '</Plugin>\n'
  } >"$D/collectd.conf.new"
  mv "$D/collectd.conf.new" "$D/collectd.conf"
}
conf 3
it_show_on_failure "$D/log"
SOCK=$D/sock

it_start daemon sh -c 'cd "$1" && exec "$2" -f -C "$3"' sh "$D/run" \
  "$COLLECTD" "$D/collectd.conf"
PID=$IT_PID
it_wait_socket "$SOCK" || it_fail "the socket did not come up"
it_wait it_in_state "$SOCK" test_crash ready || it_fail "test_crash not ready"

# since MARK: the log from line MARK + 1 on.
since() { awk -v m="$1" 'NR > m' "$D/log"; }
# started_pid MARK: the pid of the first host started since MARK.
started_pid() {
  since "$1" | sed -n 's/.*test_crash: plugin host started, pid \([0-9]*\)$/\1/p' |
    head -n 1
}
# line_of MARK ERE: the number of the first line since MARK matching ERE.
line_of() { since "$1" | grep -nE -- "$2" | head -n 1 | cut -d: -f1; }

it_check "RELOAD starts the new host before the old one is stopped"
old=$(it_host_pid "$SOCK" test_crash)
mark=$(wc -l <"$D/log")
conf 4
reply=$(it_cmd "$SOCK" "RELOAD test_crash" | head -n 1)
[ "$reply" = "0 test_crash: reloaded, ready" ] || it_fail "the reply was \"$reply\""
new=$(it_host_pid "$SOCK" test_crash)
[ -n "$new" ] && [ "$new" != "$old" ] || it_fail "hosts: $old, then $new"
[ "$(started_pid "$mark")" = "$new" ] || it_fail "the log does not start $new"
up=$(line_of "$mark" "test_crash: plugin host started, pid $new\$")
down=$(line_of "$mark" "test_crash plugin: ready -> unloading")
[ -n "$up" ] && [ -n "$down" ] && [ "$up" -lt "$down" ] ||
  it_fail "host $new started at log line $up, the old one went at $down"
it_wait it_gone "$old" || it_fail "the old host $old is still there"
it_ok "host $old, then $new (started at line $up, the old one unloading at $down)"

it_check "a configuration the new host refuses leaves the running one untouched"
old=$new
mark=$(wc -l <"$D/log")
conf 4 bogus
reply=$(it_cmd "$SOCK" "RELOAD test_crash" | head -n 1)
case $reply in
"-1 test_crash: config: the <Plugin test_crash> block at $D/collectd.conf:"[0-9]*" was rejected by the plugin; the new configuration was refused, and the running instance was not touched") ;;
*) it_fail "the reply was \"$reply\"" ;;
esac
line=$(it_listed "$SOCK" test_crash)
[ "$line" = "test_crash ready isolated pid=$old" ] || it_fail "it shows \"$line\""
since "$mark" | grep -q "test_crash plugin: ready -> " &&
  it_fail "its state changed: $(since "$mark" | grep "test_crash plugin: ")"
since "$mark" | grep -Eq "type_instance = refused, message = test_crash: config: " ||
  it_fail "no refused notification"
it_ok "$reply"

it_check "a host that holds a port is reloaded beside its old one when the port stays"
conf 4 none "$PORT"
reply=$(it_cmd "$SOCK" "RELOAD test_crash" | head -n 1)
[ "$reply" = "0 test_crash: reloaded, ready" ] || it_fail "the reply was \"$reply\""
old=$(it_host_pid "$SOCK" test_crash)
it_ok "host $old holds 127.0.0.1:$PORT"

it_check "a new host that cannot have the old one's port is started again after it"
mark=$(wc -l <"$D/log")
conf 5 none "$PORT"
reply=$(it_cmd "$SOCK" "RELOAD test_crash" | head -n 1)
[ "$reply" = "0 test_crash: reloaded, ready" ] || it_fail "the reply was \"$reply\""
since "$mark" | grep -q "test_crash: bind 127.0.0.1:$PORT: Address already in use" ||
  it_fail "the host beside did not fail to bind"
since "$mark" | grep -q "test_crash: reload: the new instance failed beside the running one (init: .*), which may hold what it needs; stopping the running one first" ||
  it_fail "no fallback logged"
new=$(it_host_pid "$SOCK" test_crash)
[ -n "$new" ] && [ "$new" != "$old" ] || it_fail "hosts: $old, then $new"
line=$(it_listed "$SOCK" test_crash)
[ "$line" = "test_crash ready isolated pid=$new" ] || it_fail "it shows \"$line\""
it_ok "host $old, then $new"

it_stop_no_hosts "$PID" "$new"
it_pass
