#!/bin/sh
# 1000 UNLOAD/LOAD cycles of an isolated legacy plugin (Debian's load.so;
# about 12 ms a cycle on an idle 2-core machine, 50 ms and more on a busy
# one): every reply is 0, each host is reaped (the daemon's only child is the
# current host, no zombie), and the daemon's descriptors and threads end
# where they started; its RSS may only fail to come back if it grows in
# every quarter of the cycles (a leak), not once (an allocator step).
# ISOLATE_CYCLES=n changes the number.
. "$(dirname "$0")/lib.sh"
it_init isolate_cycles
it_need_debian
CYCLES=${ISOLATE_CYCLES:-1000}
QUARTER=$((CYCLES / 4))
BOUND_KB=${ISOLATE_BOUND_KB:-40}

D=$TMP
it_debian_plugins "$D/plugins" load
it_plugins "$D/plugins" csv logfile unixsock
{
  it_globals "$D"
  it_logfile "$D"
  it_csv "$D"
  it_unixsock "$D" "  PluginControl true"
  printf '<LoadPlugin load>\n  Isolate true\n</LoadPlugin>\n'
} >"$D/collectd.conf"
it_show_on_failure "$D/log"
SOCK=$D/sock

it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
it_wait_socket "$SOCK" || it_fail "the socket did not come up"
it_wait it_in_state "$SOCK" load ready || it_fail "load is not ready"

# cycles N: N times UNLOAD load, LOAD load over one connection; every
# reply must be 0.
cycles() {
  i=0
  while [ $i -lt "$1" ]; do
    printf 'UNLOAD load\nLOAD load\n'
    i=$((i + 1))
  done | python3 "$top_srcdir/tests/integration/lifecycle_client.py" \
    session "$SOCK" >"$D/cycles.out" 2>&1 ||
    it_fail "the session failed: $(tail -n 3 "$D/cycles.out")"
  bad=$(grep -v '^0 load: \(unloaded\|loaded, ready\)$' "$D/cycles.out" | head -n 3)
  [ -z "$bad" ] || it_fail "replies: $bad"
  n=$(grep -c '^0 ' "$D/cycles.out")
  [ "$n" = $(($1 * 2)) ] || it_fail "$n replies for $1 cycles"
}
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status"; }
fds() { ls "/proc/$PID/fd" | wc -l; }
threads() { ls "/proc/$PID/task" | wc -l; }
# children: "<pid> <state>" of every child of the daemon.
children() {
  for s in /proc/[0-9]*/stat; do
    awk -v p="$PID" '$4 == p { print $1, $3 }' "$s" 2>/dev/null
  done
}

it_check "a warm-up of 20 cycles"
cycles 20
it_ok
fds0=$(fds)
threads0=$(threads)
rss0=$(rss)

it_check "$CYCLES cycles, every reply 0"
grown=0
prev=$rss0
steps=
for q in 1 2 3 4; do
  cycles "$QUARTER"
  now=$(rss)
  steps="$steps $((now - prev))"
  [ $((now - prev)) -ge "$BOUND_KB" ] && grown=$((grown + 1))
  prev=$now
done
it_ok "RSS ${rss0} KiB, then per quarter +${steps# } KiB"

it_check "the daemon's only child is the current host, not a zombie"
hp=$(it_host_pid "$SOCK" load)
kids=$(children)
[ "$kids" = "$hp S" ] || [ "$kids" = "$hp R" ] ||
  it_fail "children: $kids (the host is $hp)"
it_ok

it_check "descriptors and threads end where they started"
[ "$(fds)" = "$fds0" ] || it_fail "$(fds) descriptors, $fds0 before"
[ "$(threads)" = "$threads0" ] || it_fail "$(threads) threads, $threads0 before"
it_ok "$fds0 descriptors, $threads0 threads"

it_check "RSS does not grow in every quarter (+${BOUND_KB} KiB or more)"
if [ -n "${IT_COLLECTD:-}" ]; then
  # A sanitizer's quarantine holds freed memory; its leak check at exit
  # stands in for this one.
  it_ok "not measured under $IT_COLLECTD"
else
  [ "$grown" -lt 4 ] || it_fail "it grew in every quarter:$steps KiB"
  it_ok
fi

it_check "SIGTERM: the daemon exits with status 0"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_pass
