#!/bin/sh
# A configuration callback runs the code of the plugin that registered it,
# whatever block it is registered for: that plugin's object must stay
# mapped until the call returns. test_config_squat registers the callback
# of test_config_victim's <Plugin> block, which sleeps 8 s. While a LOAD of
# test_config_victim is in that callback, an UNLOAD of test_config_squat
# either waits for the call to end and then succeeds, or is refused with a
# reply that names the running callback; the daemon never closes the
# object under it (which kills the daemon with SIGSEGV), and runs on.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_config_squat

D=$TMP
SOCK=$D/sock
ENTERED=$D/config_entered
RETURNED=$D/config_returned
it_plugins "$D/plugins" logfile unixsock
it_test_plugins "$D/plugins" test_config_squat test_config_victim

# conf [victim]: the configuration; with "victim", test_config_victim's
# LoadPlugin line and block too (which the daemon refuses at start-up
# without test_config_victim). Replaced in one rename: the daemon reads the
# file for every LOAD.
conf() {
  {
    it_globals "$D"
    echo "UnloadTimeout 30"
    it_logfile "$D"
    it_unixsock "$D" "  PluginControl true"
    echo "LoadPlugin test_config_squat"
    [ "${1:-}" != victim ] || cat <<EOF2
LoadPlugin test_config_victim
<Plugin test_config_victim>
  EnteredFile "$ENTERED"
  ReturnedFile "$RETURNED"
  SleepSeconds 8
</Plugin>
EOF2
  } >"$D/collectd.conf.new"
  mv "$D/collectd.conf.new" "$D/collectd.conf"
}

conf
it_show_on_failure "$D/log"
it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

it_check "the daemon runs; test_config_squat is ready"
it_wait_socket "$SOCK" || it_fail "no socket at $SOCK"
it_wait it_in_state "$SOCK" test_config_squat ready ||
  it_fail "LISTPLUGINS: \"$(it_listed "$SOCK" test_config_squat)\""
it_ok

conf victim
it_check "LOAD test_config_victim enters the squatter's config callback"
it_cmd "$SOCK" "LOAD test_config_victim" >"$D/load.reply" 2>&1 &
CLIENT=$!
it_wait test -e "$ENTERED" || it_fail "the callback never started"
# The callback sleeps 8 s: far longer than it takes to get here, but a
# test that came too late would prove nothing.
[ ! -e "$RETURNED" ] ||
  it_fail "the callback returned before the UNLOAD could be sent"
it_ok

it_check "UNLOAD test_config_squat, sent meanwhile, waits or is refused"
unload=$(it_cmd "$SOCK" "UNLOAD test_config_squat" 2>&1 | head -n 1)
returned=no
[ -e "$RETURNED" ] && returned=yes
if ! it_alive "$PID"; then
  it_wait_exit "$PID"
  it_fail "the daemon died, exit status $IT_RC (reply \"$unload\"): the" \
    "object was closed under the running callback"
fi
case $unload in
"0 "*)
  [ "$returned" = yes ] ||
    it_fail "it answered \"$unload\" while the callback still ran"
  ;;
"-1 "*test_config_victim*) ;;
*) it_fail "the reply was \"$unload\"" ;;
esac
it_ok "$unload"

it_check "the LOAD answers; the daemon runs and answers LISTPLUGINS"
wait "$CLIENT"
load=$(head -n 1 "$D/load.reply")
case $load in
"0 "* | "-1 "*) ;;
*) it_fail "the LOAD's reply was \"$load\"" ;;
esac
it_alive "$PID" || it_fail "the daemon died"
it_listed "$SOCK" unixsock >/dev/null || it_fail "no answer to LISTPLUGINS"
it_ok "$load"

it_check "test_config_squat is gone, or still ready if it was refused"
case $unload in
"0 "*)
  ! it_listed "$SOCK" test_config_squat >/dev/null || it_fail "still listed"
  ;;
*)
  it_in_state "$SOCK" test_config_squat ready ||
    it_fail "LISTPLUGINS: \"$(it_listed "$SOCK" test_config_squat)\""
  ;;
esac
it_ok

it_check "SIGTERM stops the daemon with status 0"
it_stop_ok "$PID" "the daemon"
it_ok
it_pass
