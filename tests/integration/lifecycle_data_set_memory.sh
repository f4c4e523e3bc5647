#!/bin/sh
# LOAD and UNLOAD of a plugin that registers a data set leave nothing
# behind: after a warm-up of 200 cycles (UNLOAD test_dataset_a, LOAD, a
# PUTVAL of its type), 2,000 more cycles may grow the daemon's resident set
# (VmRSS) by less than 200 KiB.
#
# Why 200 KiB: a data set kept per cycle (what the daemon did before) is a
# few hundred bytes, ~380 bytes a cycle measured, so 2,000 cycles grew it by
# ~750 KiB; a leak of 100 bytes a cycle would still take it to the bound.
# What does not grow with cycles (the allocator's arenas, pages touched
# once, the cache entry of the identifier) is paid during the warm-up.
# LIFECYCLE_DS_CYCLES=n and LIFECYCLE_DS_BOUND_KB=k change the figures.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_data_set_memory
WARMUP=200
CYCLES=${LIFECYCLE_DS_CYCLES:-2000}
BOUND_KB=${LIFECYCLE_DS_BOUND_KB:-200}

D=$TMP
it_plugins "$D/plugins" csv logfile unixsock
it_test_plugins "$D/plugins" test_dataset_a
{
  it_globals "$D"
  it_logfile "$D" | sed 's/LogLevel info/LogLevel warning/'
  it_csv "$D"
  it_unixsock "$D" "  PluginControl true"
  cat <<EOF
LoadPlugin test_dataset_a
<Plugin test_dataset_a>
  Type "td_memory"
</Plugin>
EOF
} >"$D/collectd.conf"
it_show_on_failure "$D/log"
SOCK=$D/sock

it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

# up: the daemon has its socket, or is gone (no point in waiting then).
up() { [ -S "$SOCK" ] || it_gone "$PID"; }
it_check "the daemon starts with test_dataset_a ready"
it_wait up && it_alive "$PID" || it_fail "no socket after ${IT_DEADLINE}s"
it_wait it_in_state "$SOCK" test_dataset_a ready unloadable ||
  it_fail "LISTPLUGINS: \"$(it_listed "$SOCK" test_dataset_a)\""
it_ok

# rss: the daemon's VmRSS in KiB.
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$PID/status"; }

# cycles N: N rounds of UNLOAD, LOAD, PUTVAL (N: a time of its own each).
cycles() {
  python3 "$top_srcdir/tests/integration/lifecycle_client.py" repeat \
    "$SOCK" "$1" "UNLOAD test_dataset_a" "LOAD test_dataset_a" \
    "PUTVAL itest/td/td_memory interval=10 N:1" >"$D/cycles.out" 2>&1 ||
    it_fail "$(cat "$D/cycles.out")"
}

it_check "$WARMUP cycles of UNLOAD, LOAD, PUTVAL (warm-up)"
cycles "$WARMUP"
before=$(rss)
it_ok "VmRSS $before KiB"

it_check "$CYCLES more cycles grow VmRSS by less than $BOUND_KB KiB"
cycles "$CYCLES"
after=$(rss)
growth=$((after - before))
per_cycle=$((growth * 1024 / CYCLES))
[ "$growth" -lt "$BOUND_KB" ] ||
  it_fail "VmRSS $before -> $after KiB: +$growth KiB, ~$per_cycle bytes a cycle"
it_ok "VmRSS $before -> $after KiB: +$growth KiB, ~$per_cycle bytes a cycle"

it_expect "$SOCK" "UNLOAD test_dataset_a" '^0 '
it_expect "$SOCK" "PUTVAL itest/td/td_memory interval=10 N:1" \
  '^-1 .*td_memory.*(isn.t defined)'

it_check "SIGTERM stops the daemon with status 0"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_pass
