#!/bin/sh
# LOAD and UNLOAD of a plugin that registers a data set leave nothing
# behind: after a warm-up of 200 cycles (UNLOAD test_dataset_a, LOAD, a
# PUTVAL of its type), 2,000 more cycles, in four quarters of 500, must not
# grow the daemon's resident set (VmRSS) in every quarter by 40 KiB or more.
#
# Why so: what a cycle keeps grows VmRSS in every quarter alike. A data set
# kept per cycle (what the daemon did before) is ~380 bytes a cycle, ~185
# KiB a quarter; a leak of 82 bytes a cycle reaches the bound in each. What
# does not grow with cycles comes once: pages touched once, the cache entry
# of the identifier (both paid in the warm-up), and the allocator's steps,
# whose place depends on the scheduler: on a loaded machine one quarter
# grew by 260 KiB in a single step while the others grew by less than 20.
# A bound on the total failed 1 run in 6 there; the smallest quarter does
# not move with such a step. The daemon also runs with MALLOC_ARENA_MAX=1,
# so that which threads allocate first makes no difference.
# LIFECYCLE_DS_QUARTER=n and LIFECYCLE_DS_BOUND_KB=k change the figures.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_data_set_memory
WARMUP=200
QUARTER=${LIFECYCLE_DS_QUARTER:-500}
BOUND_KB=${LIFECYCLE_DS_BOUND_KB:-40}

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

MALLOC_ARENA_MAX=1 it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
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

it_check "4 x $QUARTER more cycles: the smallest quarter grows VmRSS by less than $BOUND_KB KiB"
grown=""
least=""
last=$before
for q in 1 2 3 4; do
  cycles "$QUARTER"
  now=$(rss)
  g=$((now - last))
  grown="$grown ${g}"
  [ -n "$least" ] && [ "$least" -le "$g" ] || least=$g
  last=$now
done
what="VmRSS $before -> $last KiB, per quarter (KiB):$grown"
[ "$least" -lt "$BOUND_KB" ] ||
  it_fail "$what: every quarter grew, ~$((least * 1024 / QUARTER)) bytes a cycle or more"
it_ok "$what"

it_expect "$SOCK" "UNLOAD test_dataset_a" '^0 '
it_expect "$SOCK" "PUTVAL itest/td/td_memory interval=10 N:1" \
  '^-1 .*td_memory.*(isn.t defined)'

it_check "SIGTERM stops the daemon with status 0"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_pass
