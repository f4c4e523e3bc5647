#!/bin/sh
# Match plugins follow the lifecycle: a rule whose match belongs to a plugin
# that is not ready does not match (here: its init failed, and the values
# the rule would drop are written); unloading or reloading a plugin whose
# match a chain uses is refused, the reply naming the chain and the rule,
# and nothing changes. A chain that names a match nobody provides refuses
# the configuration at start-up with file and line.
. "$(dirname "$0")/lib.sh"
it_init filter_chain_lifecycle

# conf DIR FAILINIT [CHAIN-MATCH]: load and memory, with a PostCacheChain
# whose rule "no_load" drops load's values when CHAIN-MATCH (default
# test_match) matches them.
conf() {
  it_plugins "$1/plugins" load memory csv logfile unixsock
  it_test_plugins "$1/plugins" test_match
  {
    it_globals "$1"
    it_logfile "$1"
    echo "LoadPlugin load"
    echo "LoadPlugin memory"
    it_csv "$1"
    it_unixsock "$1" "  PluginControl true"
    cat <<EOF
LoadPlugin test_match
<Plugin test_match>
  FailInit $2
</Plugin>
PostCacheChain "out"
<Chain "out">
  <Rule "no_load">
    <Match "${3:-test_match}">
      Plugin "load"
    </Match>
    Target "stop"
  </Rule>
  Target "write"
</Chain>
EOF
  } >"$1/collectd.conf"
  it_show_on_failure "$1/log"
}

# ---- a ready match plugin: its rule drops load's values ---------------------
D=$TMP/ready
conf "$D" false
it_start ready "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
SOCK=$D/sock
it_check "memory is written, load is dropped by the chain"
it_wait it_has_rows "$D/csv/itest/memory/memory-used" 2 ||
  it_fail "no memory rows"
[ ! -d "$D/csv/itest/load" ] || it_fail "load was written"
it_ok

it_expect "$SOCK" "UNLOAD test_match" \
  '^-1 test_match: unload: refused: chain "out" rule "no_load" \(.*collectd\.conf:[0-9]+\) uses its match "test_match"'
it_expect "$SOCK" "RELOAD test_match" \
  '^-1 test_match: reload: refused: chain "out" rule "no_load"'
it_check "test_match is still ready, and load is still dropped"
it_in_state "$SOCK" test_match ready || it_fail "not ready"
rows=$(wc -l <"$(it_csv_file "$D/csv/itest/memory/memory-used")")
more() {
  [ "$(wc -l <"$(it_csv_file "$D/csv/itest/memory/memory-used")")" -gt "$((rows + 1))" ]
}
it_wait more || it_fail "memory stopped being written"
[ ! -d "$D/csv/itest/load" ] || it_fail "load was written"
it_ok
it_stop "$PID"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"

# ---- a failed match plugin: its rule does not match --------------------------
D=$TMP/failed
conf "$D" true
it_start failed "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
SOCK=$D/sock
it_check "test_match failed at init; its rule does not match: load is written"
it_wait it_in_state "$SOCK" test_match failed || it_fail "not failed"
it_wait it_has_rows "$D/csv/itest/load/load" 1 || it_fail "no load rows"
it_ok
it_stop "$PID"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"

# ---- a match nobody provides: the configuration is refused -----------------
D=$TMP/unknown
conf "$D" false nosuchmatch
it_check "a chain with an unknown match: the daemon refuses to start"
it_run unknown "$COLLECTD" -f -C "$D/collectd.conf"
[ "$IT_RC" = 1 ] || it_fail "exit status $IT_RC"
it_grep "$D/log" \
  'collectd\.conf:[0-9]+: chain "out" rule "no_load": there is no match named "nosuchmatch"' ||
  it_grep "$TMP/unknown.out" 'there is no match named "nosuchmatch"' ||
  it_fail "no error naming the file, line and match"
it_ok
it_check "collectd -t refuses the same configuration"
it_run check "$COLLECTD" -t -C "$D/collectd.conf"
[ "$IT_RC" = 1 ] || it_fail "exit status $IT_RC"
it_grep "$TMP/check.out" 'there is no match named "nosuchmatch"' ||
  it_fail "no error naming the match"
it_ok
it_pass
