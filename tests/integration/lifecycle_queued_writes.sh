#!/bin/sh
# UNLOAD delivers what is queued: 2000 values are PUTVAL'd as fast as the
# socket takes them to a slow writer (test_slow_write, 2 ms per value);
# right after the last reply, while values still wait in the queue, a
# second connection sends UNLOAD test_slow_write, which answers 0 once the
# queue is drained. Every value must be in the writer's file.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_queued_writes
N=2000

D=$TMP
it_plugins "$D/plugins" logfile unixsock
it_test_plugins "$D/plugins" test_slow_write
{
  it_globals "$D"
  echo "UnloadTimeout 30"
  it_logfile "$D"
  it_unixsock "$D" "  PluginControl true"
  cat <<EOF
LoadPlugin test_slow_write
<Plugin test_slow_write>
  File "$D/written"
  DelaySeconds 0.002
</Plugin>
EOF
} >"$D/collectd.conf"
it_show_on_failure "$D/log"
SOCK=$D/sock

it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

it_check "test_slow_write is ready"
it_wait it_in_state "$SOCK" test_slow_write ready unloadable ||
  it_fail "LISTPLUGINS: \"$(it_listed "$SOCK" test_slow_write)\""
it_ok

it_check "$N PUTVALs answered, then UNLOAD test_slow_write answers 0"
python3 "$top_srcdir/tests/integration/lifecycle_client.py" putvals \
  "$SOCK" "$N" "$D/written" test_slow_write >"$D/putvals.out" 2>&1 ||
  it_fail "$(cat "$D/putvals.out")"
reply=$(sed -n 2p "$D/putvals.out")
case $reply in
"0 "*) ;;
*) it_fail "UNLOAD answered \"$reply\"" ;;
esac
it_ok "$reply"

it_check "values were still queued when UNLOAD came"
before=$(awk '$1 == "lines-before-unload" { print $2 }' "$D/putvals.out")
[ "$before" -lt "$N" ] ||
  it_fail "all $N values were written before the UNLOAD; this test checks" \
    "nothing: raise DelaySeconds"
it_ok "$before of $N written"

it_check "every one of the $N values is in the file"
got=$(awk -v n="$N" '
  $1 ~ /^test\/gauge-[0-9]+$/ {
    i = substr($1, 12)
    if ($3 != i) { print "bad line: " $0; exit 1 }
    if (!seen[i]++) distinct++
  }
  END { print distinct + 0 }' "$D/written") || it_fail "$got"
[ "$got" = "$N" ] || it_fail "$got distinct values of $N"
it_ok

it_check "test_slow_write is gone from LISTPLUGINS, its unload logged"
it_listed "$SOCK" test_slow_write >/dev/null && it_fail "still listed"
it_grep "$D/log" 'test_slow_write plugin: unloaded$' ||
  it_fail "no \"test_slow_write plugin: unloaded\" in the log"
it_ok

it_check "SIGTERM stops the daemon with status 0"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_pass
