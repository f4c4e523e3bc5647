#!/bin/sh
# Cache-event callbacks of plugins loaded, unloaded and reloaded at run time
# (issue 9, item 5), with tests/plugins/test_cache_event, which writes each
# event it hears to a file ("new <name> wanted|ignored", "update <name>")
# and asks for the values its Interested regex matches:
#
#  1. A asks for S and is unloaded; B, loaded next, gets A's slot and asks
#     for nothing it has heard of: a new value of S must not reach B.
#  2. A plugin loaded, or reloaded, while S is cached hears CE_VALUE_NEW of
#     S and, as it asks for it, the updates that follow.
#
# The cache is updated by the thread that handles PUTVAL, before it
# answers, so an event a PUTVAL causes is in the file by the reply; the
# checks still wait, for a marker when they expect silence.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_cache_event

it_plugins "$TMP/plugins" logfile unixsock
it_test_plugins "$TMP/plugins" test_cache_event
# The same object under a second name: a second, independent plugin.
cp "$TMP/plugins/test_cache_event.so" "$TMP/plugins/test_cache_event_b.so" ||
  it_fail "cannot copy test_cache_event.so"

D=$TMP/d
SOCK=$D/sock
mkdir -p "$D/sections"

# conf: D/collectd.conf from the base (logfile, unixsock with
# PluginControl) and every section in D/sections, replaced in one rename:
# the daemon reads the file for every LOAD and RELOAD.
conf() {
  {
    it_globals "$D" | sed "s|^PluginDir .*|PluginDir \"$TMP/plugins\"|"
    it_logfile "$D"
    it_unixsock "$D" "  PluginControl true"
    cat "$D/sections/"* 2>/dev/null
  } >"$D/collectd.conf.new"
  mv "$D/collectd.conf.new" "$D/collectd.conf"
}

# section PLUGIN EVENTS-FILE [REGEX]: PLUGIN writes to EVENTS-FILE and
# asks for the values REGEX matches (none without it).
section() {
  {
    echo "LoadPlugin $1"
    echo "<Plugin $1>"
    echo "  File \"$2\""
    [ -z "${3:-}" ] || echo "  Interested \"$3\""
    echo "</Plugin>"
  } >"$D/sections/$1"
  conf
}

# Values of an hour's interval, so that nothing expires while the test
# runs, at times that only grow.
T=$(date +%s)
putval() {
  T=$((T + 1))
  it_expect "$SOCK" "PUTVAL $1 interval=3600 $T:$2" "^0 "
}

# heard FILE LINE: FILE has the line LINE.
heard() { [ -f "$1" ] && grep -qxF -- "$2" "$1"; }

# expect_heard FILE LINE: a check that FILE gets the line LINE.
expect_heard() {
  it_check "$(basename "$1") gets \"$2\""
  it_wait heard "$1" "$2" ||
    it_fail "it has: $(tr '\n' '|' <"$1" 2>/dev/null)"
  it_ok
}

S=itest/s/gauge-x
M=itest/t/gauge-marker

conf
it_show_on_failure "$D/log"
it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
it_check "the daemon starts with its socket"
it_wait it_in_state "$SOCK" unixsock ready || it_fail "no unixsock"
it_ok

# ---- 1. a slot that changes hands carries no interest ----------------------
echo "--- a reused slot"
section test_cache_event "$D/a.events" "^$S\$"
it_expect "$SOCK" "LOAD test_cache_event" "^0 "
putval "$S" 1
expect_heard "$D/a.events" "new $S wanted"
it_expect "$SOCK" "UNLOAD test_cache_event" "^0 "

section test_cache_event_b "$D/b.events" "^$M\$"
it_expect "$SOCK" "LOAD test_cache_event_b" "^0 "
putval "$M" 1
expect_heard "$D/b.events" "new $M wanted"
putval "$S" 2
putval "$M" 2
expect_heard "$D/b.events" "update $M"
it_check "test_cache_event_b, in test_cache_event's old slot, hears no update of $S"
! heard "$D/b.events" "update $S" ||
  it_fail "it heard one: $(tr '\n' '|' <"$D/b.events")"
it_ok

# ---- 2. a plugin that arrives while values are cached ----------------------
echo "--- catching up"
section test_cache_event "$D/a2.events" "^$S\$"
it_expect "$SOCK" "LOAD test_cache_event" "^0 "
expect_heard "$D/a2.events" "new $S wanted"
expect_heard "$D/a2.events" "new $M ignored"
putval "$S" 3
expect_heard "$D/a2.events" "update $S"
expect_heard "$D/b.events" "new $S ignored"

# A reload (a new configuration) is a new instance: it hears of S again.
section test_cache_event "$D/a3.events" "^itest/s/"
it_expect "$SOCK" "RELOAD test_cache_event" "^0 "
expect_heard "$D/a3.events" "new $S wanted"
putval "$S" 4
expect_heard "$D/a3.events" "update $S"

it_check "the instance before the reload heard no update after it"
[ "$(grep -cxF "update $S" "$D/a2.events")" = 1 ] ||
  it_fail "it has: $(tr '\n' '|' <"$D/a2.events")"
it_ok

it_check "SIGTERM stops the daemon with status 0"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_pass
