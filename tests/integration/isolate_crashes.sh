#!/bin/sh
# An isolated plugin that aborts in init, exits from a thread or spins for
# ever in read costs only itself: each ends failed with the reason, its
# host is gone, and the plugins beside it (one isolated, one in process)
# read on without a gap. Plugins that cannot run in a host are refused at
# configuration time. Under OnPluginFailure Shutdown, a host's death stops
# the daemon.
. "$(dirname "$0")/lib.sh"
it_init isolate_crashes
it_need_debian

D=$TMP
it_debian_plugins "$D/plugins" load
it_plugins "$D/plugins" csv logfile unixsock uptime
it_test_plugins "$D/plugins" test_crash
MODE=none
conf() {
  it_globals "$D"
  echo "UnloadTimeout 2"
  it_logfile "$D"
  it_csv "$D"
  it_unixsock "$D" "  PluginControl true"
  printf '<LoadPlugin load>\n  Isolate true\n</LoadPlugin>\n'
  echo "LoadPlugin uptime"
  printf '<LoadPlugin test_crash>\n  Isolate true\n</LoadPlugin>\n'
  printf '<Plugin test_crash>\n  Mode "%s"\n  After 2\n</Plugin>\n' "$MODE"
}
conf >"$D/collectd.conf"
it_show_on_failure "$D/log"
SOCK=$D/sock
CSV=$D/csv/itest

it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
it_wait_socket "$SOCK" || it_fail "the socket did not come up"
it_wait it_in_state "$SOCK" test_crash ready || it_fail "test_crash not ready"

# load_mode MODE: unloads test_crash and loads it again in MODE; sets
# IT_REPLY to the reply to LOAD.
load_mode() {
  IT_REPLY=$(it_cmd "$SOCK" "UNLOAD test_crash" | head -n 1)
  [ "$IT_REPLY" = "0 test_crash: unloaded" ] ||
    it_fail "UNLOAD test_crash answered \"$IT_REPLY\""
  MODE=$1
  conf >"$D/collectd.conf"
  IT_REPLY=$(it_cmd "$SOCK" "LOAD test_crash" | head -n 1)
}

it_check "Mode abort_init: LOAD fails in init, with the signal"
old=$(it_host_pid "$SOCK" test_crash)
load_mode abort_init
expected="-1 test_crash: init: host process died: signal 6 (Aborted)"
[ "$IT_REPLY" = "$expected" ] || it_fail "the reply was \"$IT_REPLY\""
line=$(it_listed "$SOCK" test_crash)
[ "$line" = "test_crash failed isolated pid=- init: host process died: signal 6 (Aborted)" ] ||
  it_fail "it shows \"$line\""
[ ! -e "/proc/$old" ] || it_fail "the first host, $old, is still there"
it_ok

it_check "Mode exit_thread: the plugin fails when its thread exits the host"
load_mode exit_thread
# The thread may end the host before or after the init is answered.
printf '%s\n' "$IT_REPLY" | grep -Eq "^(0 test_crash: loaded, ready|-1 test_crash: init: )" ||
  it_fail "the reply was \"$IT_REPLY\""
it_wait it_in_state "$SOCK" test_crash failed ||
  it_fail "test_crash is $(it_listed "$SOCK" test_crash)"
line=$(it_listed "$SOCK" test_crash)
echo "$line" | grep -Eq "^test_crash failed isolated pid=- (host|init): host process exited with status 3$" ||
  it_fail "it shows \"$line\""
it_ok "$line"

it_check "Mode spin_read: a host that does not answer READ in time is killed"
load_mode spin_read
[ "$IT_REPLY" = "0 test_crash: loaded, ready" ] ||
  it_fail "the reply was \"$IT_REPLY\""
it_wait it_in_state "$SOCK" test_crash failed ||
  it_fail "test_crash is $(it_listed "$SOCK" test_crash)"
line=$(it_listed "$SOCK" test_crash)
echo "$line" | grep -Eq '^test_crash failed isolated pid=- host: the host did not answer READ within [0-9.]+ s; killed$' ||
  it_fail "it shows \"$line\""
it_ok "$line"

it_expect "$SOCK" "UNLOAD test_crash" "^0 test_crash: unloaded"
it_check "the plugins beside it read on: load (isolated), uptime (in process)"
# Only a gap no loaded machine explains fails (the longest is printed).
seen=
for base in load/load uptime/uptime; do
  f=$(it_csv_file "$CSV/$base") || it_fail "no csv for $base"
  gaps=$(it_csv_gaps "$f") || it_fail "$base: $gaps"
  seen="$seen${seen:+; }$base: $gaps"
done
it_ok "$seen"

it_check "SIGTERM: the daemon exits with status 0"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_check "Isolate true is refused for a match, a target and unixsock"
for p in match_regex target_set unixsock; do
  {
    it_globals "$D"
    printf '<LoadPlugin %s>\n  Isolate true\n</LoadPlugin>\n' $p
  } >"$D/refuse.conf"
  "$COLLECTD" -t -C "$D/refuse.conf" >"$D/refuse.out" 2>&1 &&
    it_fail "-t accepted Isolate true for $p"
  grep -Eq "refuse.conf:[0-9]+: Isolate: plugin \"$p\" cannot run in a plugin host: " "$D/refuse.out" ||
    it_fail "for $p: $(cat "$D/refuse.out")"
done
it_ok

it_check "under OnPluginFailure Shutdown a host that dies stops the daemon, status 1"
{
  it_globals "$D"
  it_logfile "$D"
  printf '<LoadPlugin test_crash>\n  Isolate true\n'
  printf '  OnPluginFailure Shutdown\n</LoadPlugin>\n'
  printf '<Plugin test_crash>\n  Mode "segv_read"\n  After 2\n</Plugin>\n'
} >"$D/shutdown.conf"
: >"$D/log"
it_start shutdown "$COLLECTD" -f -C "$D/shutdown.conf"
it_wait_exit "$IT_PID" || it_fail "still running ${IT_DEADLINE}s after its host died"
[ "$IT_RC" = 1 ] || it_fail "exit status $IT_RC"
it_grep "$D/log" "test_crash: host failed and OnPluginFailure is Shutdown; shutting the daemon down" ||
  it_fail "the log does not say why"
it_ok

it_pass
