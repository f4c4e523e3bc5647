#!/bin/sh
# Data sets go with the plugins that registered them. test_dataset_a and
# test_dataset_b (one source, built twice) each register a type from their
# init callback: both register td_shared (a with source "a", b with source
# "b"), and a also overrides types.db's "gauge" (source "a"). PUTVAL of
# td_shared works while either plugin is loaded and is refused once both are
# unloaded; the definition in force is the one registered last by a plugin
# still loaded (GETVAL names its source); unloading a brings types.db's
# "gauge" back. Loading again registers the type again.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_data_sets

D=$TMP
it_plugins "$D/plugins" csv logfile unixsock
it_test_plugins "$D/plugins" test_dataset_a test_dataset_b

# conf A-TYPE: the configuration, test_dataset_a registering A-TYPE.
# Replaced in one rename: the daemon reads the file for every LOAD.
conf() {
  {
    it_globals "$D"
    it_logfile "$D"
    it_csv "$D"
    it_unixsock "$D" "  PluginControl true"
    cat <<EOF
LoadPlugin test_dataset_a
<Plugin test_dataset_a>
  Type "$1"
  Source "a"
</Plugin>
LoadPlugin test_dataset_b
<Plugin test_dataset_b>
  Type "td_shared"
  Source "b"
</Plugin>
EOF
  } >"$D/collectd.conf.new"
  mv "$D/collectd.conf.new" "$D/collectd.conf"
}
conf td_shared
it_show_on_failure "$D/log"
SOCK=$D/sock

it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

it_check "the daemon starts with both plugins ready"
for p in test_dataset_a test_dataset_b; do
  it_wait it_in_state "$SOCK" "$p" ready unloadable ||
    it_fail "LISTPLUGINS does not show $p ready and unloadable"
done
it_ok

# putval TYPE ERE: a check that PUTVAL of TYPE answers ERE. Every PUTVAL
# has a time of its own (the cache refuses a value that is not newer).
T=1000000000
putval() {
  T=$((T + 1))
  it_expect "$SOCK" "PUTVAL itest/td/$1 interval=10 $T:$T" "$2"
}

# source_is TYPE NAME: a check that GETVAL of TYPE names the source NAME,
# so that the definition in force is the one expected.
source_is() {
  it_check "GETVAL itest/td/$1 shows source \"$2\""
  got=$(it_cmd "$SOCK" "GETVAL itest/td/$1" | sed -n 2p)
  case $got in
  "$2="*) it_ok "$got" ;;
  *) it_fail "the second line of the reply was \"$got\"" ;;
  esac
}

putval td_shared '^0 '
source_is td_shared b

it_expect "$SOCK" "UNLOAD test_dataset_a" '^0 '
putval td_shared '^0 '
source_is td_shared b

it_expect "$SOCK" "UNLOAD test_dataset_b" '^0 '
putval td_shared '^-1 .*td_shared.*(isn.t defined)'

it_expect "$SOCK" "LOAD test_dataset_a" '^0 '
putval td_shared '^0 '
source_is td_shared a

# b on top of a, then b goes: a's definition is back.
it_expect "$SOCK" "LOAD test_dataset_b" '^0 '
putval td_shared '^0 '
source_is td_shared b
it_expect "$SOCK" "UNLOAD test_dataset_b" '^0 '
putval td_shared '^0 '
source_is td_shared a
it_expect "$SOCK" "UNLOAD test_dataset_a" '^0 '
putval td_shared '^-1 .*td_shared.*(isn.t defined)'

# A plugin's definition of a types.db type hides types.db's until the
# plugin goes.
putval gauge '^0 '
source_is gauge value
conf gauge
it_expect "$SOCK" "LOAD test_dataset_a" '^0 '
putval gauge '^0 '
source_is gauge a
it_expect "$SOCK" "UNLOAD test_dataset_a" '^0 '
putval gauge '^0 '
source_is gauge value

it_check "SIGTERM stops the daemon with status 0"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_pass
