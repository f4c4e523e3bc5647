#!/bin/sh
# The daemon under valgrind (memcheck) through the life of isolated
# plugins: ISOLATE_VG_CYCLES (100) UNLOAD/LOAD cycles of Debian's legacy
# load.so isolated, RELOADs that start a new host beside the old one, and
# a host that crashes and is restarted (OnPluginFailure Restart). After
# SIGTERM valgrind must report no error and nothing definitely or
# indirectly lost in the daemon. (The hosts run the daemon's binary
# natively: valgrind does not follow them.)
. "$(dirname "$0")/lib.sh"
it_init isolate_valgrind
it_need_debian "$DEBIAN_PLUGINDIR/load.so"
command -v valgrind >/dev/null || it_fail "valgrind is not installed"
CYCLES=${ISOLATE_VG_CYCLES:-100}

D=$TMP
it_debian_plugins "$D/plugins" load
it_plugins "$D/plugins" logfile unixsock
it_test_plugins "$D/plugins" test_crash
# conf AFTER: test_crash segfaults in its read number AFTER + 1.
conf() {
  {
    it_globals "$D"
    echo "RestartDelay 0.2"
    it_logfile "$D"
    it_unixsock "$D" "  PluginControl true"
    printf '<LoadPlugin load>\n  Isolate true\n</LoadPlugin>\n'
    printf '<LoadPlugin test_crash>\n  Isolate true\n'
    printf '  OnPluginFailure Restart\n</LoadPlugin>\n'
    printf '<Plugin test_crash>\n  Mode "segv_read"\n  After %s\n' "$1"
    printf '</Plugin>\n'
  } >"$D/collectd.conf.new"
  mv "$D/collectd.conf.new" "$D/collectd.conf"
}
conf 100000
it_show_on_failure "$D/log" "$D/valgrind.log"
SOCK=$D/sock

it_start daemon valgrind --leak-check=full \
  --show-leak-kinds=definite,indirect \
  --errors-for-leak-kinds=definite,indirect --error-exitcode=97 \
  --log-file="$D/valgrind.log" "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
it_wait_socket "$SOCK" || it_fail "the socket did not come up"
it_wait it_in_state "$SOCK" load ready || it_fail "load is not ready"

it_session_start "$SOCK"
it_check "$CYCLES UNLOAD/LOAD cycles of load (isolated), each answered 0"
i=0
while [ "$i" -lt "$CYCLES" ]; do
  for verb in UNLOAD LOAD; do
    it_session "$verb load"
    case $IT_REPLY in
    "0 "*) ;;
    *) it_fail "cycle $i: $verb answered \"$IT_REPLY\"" ;;
    esac
  done
  i=$((i + 1))
done
it_ok

it_check "3 RELOADs of test_crash, each with a new host beside the old (the last one to crash in its second read)"
for after in 100001 100002 1; do
  conf "$after"
  it_session "RELOAD test_crash"
  case $IT_REPLY in
  "0 test_crash: reloaded, ready") ;;
  *) it_fail "RELOAD answered \"$IT_REPLY\"" ;;
  esac
done
it_ok

it_check "test_crash's host dies in a read and is restarted"
restarted() { it_grep "$D/log" "test_crash: restarted \\(restart 1\\), ready"; }
it_wait restarted || it_fail "no restart: $(it_listed "$SOCK" test_crash)"
it_ok

it_check "SIGTERM: the daemon exits, and valgrind reports nothing"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC (97: valgrind found errors)"
grep -q "ERROR SUMMARY: 0 errors" "$D/valgrind.log" ||
  it_fail "$(grep 'ERROR SUMMARY' "$D/valgrind.log")"
it_ok "$(grep -E 'definitely lost|ERROR SUMMARY' "$D/valgrind.log" | sed 's/^==[0-9]*== *//' | tr '\n' ';')"

it_pass
