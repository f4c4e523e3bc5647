#!/bin/sh
# Lifecycle commands that must be refused, each with a status line naming
# the plugin, the step and the reason: a plugin that does not exist, one
# loaded already or not at all, names that are paths, a missing argument,
# the unixsock plugin unloading itself under its own client, a plugin the
# files do not load (LOAD says a restart loses it; RELOAD has nothing to
# read and is refused), two RELOADs
# of one plugin at once (one does the work, the other is told the plugin is
# busy), a RELOAD when the configuration file does not parse. Without
# "PluginControl true" the commands are off and say how to turn them on.
# The daemon answers on through all of it.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_bad_input

it_plugins "$TMP/plugins" load cpu memory csv logfile unixsock
it_test_plugins "$TMP/plugins" test_block_read

# conf DIR UNIXSOCK-OPTIONS BLOCK-SECONDS: writes DIR/collectd.conf.
conf() {
  mkdir -p "$1"
  {
    it_globals "$1" | sed "s|^PluginDir .*|PluginDir \"$TMP/plugins\"|"
    echo "UnloadTimeout 5"
    it_logfile "$1"
    echo "LoadPlugin load"
    echo "LoadPlugin cpu"
    it_csv "$1"
    it_unixsock "$1" "$2"
    cat <<EOF
<LoadPlugin test_block_read>
  Interval 0.2
</LoadPlugin>
<Plugin test_block_read>
  BlockSeconds $3
</Plugin>
EOF
  } >"$1/collectd.conf.new"
  mv "$1/collectd.conf.new" "$1/collectd.conf"
}

answers() {
  it_cmd "$1" LISTVAL | head -n 1 | grep -Eq '^[0-9]+ Values? found$'
}

D=$TMP/control
conf "$D" "  PluginControl true" 2
SOCK=$D/sock
it_show_on_failure "$D/log"
it_start control "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
it_check "the daemon starts, cpu and test_block_read ready"
it_wait it_in_state "$SOCK" cpu ready || it_fail "cpu is not ready"
it_wait it_in_state "$SOCK" test_block_read ready ||
  it_fail "test_block_read is not ready"
it_ok

it_expect "$SOCK" "LOAD nosuchplugin" \
  "^-1 nosuchplugin: open: .*$TMP/plugins/nosuchplugin\.so"
it_check "LISTPLUGINS: nosuchplugin failed at the open step"
line=$(it_listed "$SOCK" nosuchplugin) || it_fail "not listed"
printf '%s\n' "$line" | grep -Eq '^nosuchplugin failed [a-z]+ open: ' ||
  it_fail "it shows \"$line\""
it_ok "$line"
it_expect "$SOCK" "LOAD cpu" "^-1 cpu: load: .*loaded already"
it_expect "$SOCK" "UNLOAD nosuch" "^-1 nosuch: unload: .*not loaded"
it_expect "$SOCK" "RELOAD nosuch" "^-1 nosuch: reload: .*not loaded"
it_expect "$SOCK" "LOAD ../x" '^-1 "\.\./x": name: '
it_expect "$SOCK" "LOAD a/b" '^-1 "a/b": name: '
it_expect "$SOCK" 'LOAD ""' '^-1 "": name: '
it_expect "$SOCK" "UNLOAD .." '^-1 "\.\.": name: '
it_expect "$SOCK" "RELOAD /etc/passwd" '^-1 "/etc/passwd": name: '
it_check "LOAD without a plugin name answers -1 with the usage"
reply=$(it_cmd "$SOCK" LOAD | head -n 1)
printf '%s\n' "$reply" | grep -Eqi '^-1 .*usage' ||
  it_fail "the reply was \"$reply\""
it_ok "$reply"
it_expect "$SOCK" "UNLOAD unixsock" "^-1 unixsock: unload: refused: .*own socket"
it_expect "$SOCK" "LOAD memory" \
  "^0 memory: loaded, ready; the configuration files do not load it, so it will not be loaded after a restart$"
it_expect "$SOCK" "RELOAD memory" \
  '^-1 memory: config: the configuration files do not load it \(no "LoadPlugin memory"\); use UNLOAD'
it_expect "$SOCK" "UNLOAD memory" "^0 memory: unloaded$"
it_check "nothing was loaded from a path; unixsock and cpu still ready"
for p in x a/b .. ../x; do
  it_listed "$SOCK" "$p" && it_fail "\"$p\" is listed"
done
it_in_state "$SOCK" unixsock ready || it_fail "unixsock is not ready"
it_in_state "$SOCK" cpu ready || it_fail "cpu is not ready"
it_ok

# Two RELOADs at once, of a changed configuration, sent right after a read
# started: the reload waits for that 2 s read to finish, so the second
# arrives while the first is under way.
conf "$D" "  PluginControl true" 0.5
it_check "two RELOADs at once: one answers 0, the other \"busy\""
reads() { grep -c 'test_block_read: read started' "$D/log"; }
more_reads_than() { [ "$(reads)" -gt "$1" ]; }
it_wait more_reads_than "$(reads)" || it_fail "no read started"
python3 "$top_srcdir/tests/integration/lifecycle_client.py" race "$SOCK" 2 \
  "RELOAD test_block_read" >"$D/race.out" 2>&1 ||
  it_fail "$(cat "$D/race.out")"
ok=$(grep -c '^0 ' "$D/race.out")
busy=$(grep -c '^-1 test_block_read: busy: ' "$D/race.out")
[ "$ok.$busy" = 1.1 ] || it_fail "$(cat "$D/race.out")"
it_ok "$(tr '\n' '|' <"$D/race.out")"
it_check "test_block_read is ready with the new configuration"
it_in_state "$SOCK" test_block_read ready ||
  it_fail "LISTPLUGINS: \"$(it_listed "$SOCK" test_block_read)\""
it_ok
it_expect "$SOCK" "RELOAD test_block_read" "^0 "

# A configuration file that does not parse: RELOAD says where, and changes
# nothing (the plugin is not even unloaded).
unloads() { grep -c 'test_block_read plugin: unloaded$' "$D/log"; }
before=$(unloads)
cp "$D/collectd.conf" "$D/good.conf"
printf '<Plugin test_block_read>\n  BlockSeconds 0\n' >>"$D/collectd.conf"
it_expect "$SOCK" "RELOAD test_block_read" \
  "^-1 test_block_read: config: .*collectd\.conf:[0-9]+"
it_check "test_block_read is still ready, and was not unloaded"
it_in_state "$SOCK" test_block_read ready ||
  it_fail "LISTPLUGINS: \"$(it_listed "$SOCK" test_block_read)\""
[ "$(unloads)" = "$before" ] || it_fail "it was unloaded"
it_ok
mv "$D/good.conf" "$D/collectd.conf"
it_expect "$SOCK" "RELOAD test_block_read" "^0 "
it_check "... and the repaired file is the running configuration"
[ "$(unloads)" = "$before" ] || it_fail "the RELOAD unloaded it"
it_ok

it_check "the daemon still answers, and stops with status 0"
answers "$SOCK" || it_fail "LISTVAL does not answer"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

# ---- without PluginControl ---------------------------------------------------
D=$TMP/nocontrol
conf "$D" "" 0
SOCK=$D/sock
it_show_on_failure "$D/log"
it_start nocontrol "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
it_check "a daemon without PluginControl starts"
it_wait answers "$SOCK" || it_fail "LISTVAL does not answer"
it_ok
for verb in LOAD UNLOAD RELOAD; do
  it_expect "$SOCK" "$verb cpu" \
    "^-1 $verb is disabled: it needs \"PluginControl true\""
done
it_check "the daemon still answers, and stops with status 0"
answers "$SOCK" || it_fail "LISTVAL does not answer"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_pass
