#!/bin/sh
# A LOAD whose dlopen() never returns (test_ctor_block's constructor waits
# for a file that never comes) holds the dynamic linker. Meanwhile every
# other client is served: LISTPLUGINS, PUTVAL, GETVAL and LISTVAL answer;
# a LOAD of another plugin waits for the dynamic linker at most
# UnloadTimeout and then fails, naming the plugin whose open has not
# returned; a LOAD of a FIFO named like a plugin fails at once. SIGTERM
# then ends the daemon with status 1, not by a signal, naming the LOAD,
# within the bound collectd.1 states (four times UnloadTimeout plus Timeout
# intervals: 9 s here; the check allows a loaded machine far more and
# prints the time it took).
. "$(dirname "$0")/lib.sh"
it_init stuck_dlopen

D=$TMP
SOCK=$D/sock
it_plugins "$D/plugins" logfile unixsock csv
it_test_plugins "$D/plugins" test_ctor_block
mkfifo "$D/plugins/fifo.so"
conf() {
  {
    it_globals "$D"
    echo "UnloadTimeout 2"
    it_logfile "$D"
    it_unixsock "$D" "  PluginControl true"
    echo "LoadPlugin test_ctor_block"
    echo "LoadPlugin fifo"
    it_csv "$D"
  } >"$D/collectd.conf"
}
# Started without the plugins under test: they are loaded over the socket.
{
  it_globals "$D"
  echo "UnloadTimeout 2"
  it_logfile "$D"
  it_unixsock "$D" "  PluginControl true"
} >"$D/collectd.conf"
it_show_on_failure "$D/log"
export TEST_CTOR_BLOCK_RELEASE="$D/never" TEST_CTOR_BLOCK_MARKER="$D/marker"
it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
unset TEST_CTOR_BLOCK_RELEASE TEST_CTOR_BLOCK_MARKER

it_check "LOAD test_ctor_block: its constructor begins and does not return"
it_wait_socket "$SOCK" || it_fail "no socket at $SOCK"
conf
it_cmd "$SOCK" "LOAD test_ctor_block" >"$D/load.reply" 2>&1 &
CLIENT=$!
it_adopt "$CLIENT"
it_wait test -e "$D/marker" || it_fail "its constructor never began"
it_ok

it_expect "$SOCK" "LISTPLUGINS" "^[0-9]+ Plugins? loaded"
it_expect "$SOCK" "PUTVAL itest/stuck/gauge N:42" "^0 "
it_check "GETVAL and LISTVAL answer"
it_cmd "$SOCK" "PUTVAL itest/stuck/gauge N:43" "GETVAL itest/stuck/gauge" \
  "LISTVAL" >"$D/getval" 2>&1 || it_fail "$(cat "$D/getval")"
grep -q '^value=4.300000e+01$' "$D/getval" ||
  it_fail "GETVAL: $(cat "$D/getval")"
grep -q ' itest/stuck/gauge$' "$D/getval" || it_fail "LISTVAL: $(cat "$D/getval")"
it_ok
it_expect "$SOCK" "LOAD csv" \
  "^-1 csv: open: the dynamic linker is busy: the open of test_ctor_block has not returned for [0-9]+ s"
it_expect "$SOCK" "LOAD fifo" "^-1 fifo: open: .*fifo.so.*not a regular file"
it_check "the LOAD of test_ctor_block has not answered"
[ -s "$D/load.reply" ] && it_fail "it answered \"$(cat "$D/load.reply")\""
it_ok

it_check "SIGTERM: the daemon exits with status 1, not by a signal"
start=$(date +%s)
kill -TERM "$PID"
IT_DEADLINE=120 it_wait_exit "$PID" ||
  it_fail "still running 120 s after SIGTERM"
took=$(($(date +%s) - start))
[ "$IT_RC" = 1 ] || it_fail "exit status $IT_RC"
it_ok "after $took s (the stated bound: 9 s)"
it_check "the log names the LOAD that never finished"
it_grep "$D/log" "test_ctor_block: a LOAD still has not finished" ||
  it_grep "$TMP/daemon.out" "test_ctor_block: a LOAD still has not finished" ||
  it_fail "neither the log nor the output says so"
it_ok
it_pass
