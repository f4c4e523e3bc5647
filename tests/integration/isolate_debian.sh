#!/bin/sh
# Debian's legacy load.so and cpu.so, isolated (Isolate true): each runs in
# a plugin host of its own, writes the same identifiers as in process, and
# can be unloaded, loaded and reloaded at run time, which in process they
# never could. The host holds nothing of the daemon's but its channel, and
# a crashing isolated plugin fails alone while the others read on.
. "$(dirname "$0")/lib.sh"
it_init isolate_debian
it_need_debian

D=$TMP
it_debian_plugins "$D/plugins" load cpu
it_plugins "$D/plugins" csv logfile unixsock
it_test_plugins "$D/plugins" test_crash
conf() {
  it_globals "$D"
  it_logfile "$D"
  it_csv "$D"
  it_unixsock "$D" "  PluginControl true"
  printf '<LoadPlugin load>\n  Isolate true\n</LoadPlugin>\n'
  printf '<LoadPlugin cpu>\n  Isolate true\n</LoadPlugin>\n'
  printf '%s\n' "${CPU_BLOCK:-}"
  printf '<LoadPlugin test_crash>\n  Isolate true\n</LoadPlugin>\n'
  printf '<Plugin test_crash>\n  Mode "segv_read"\n  After 3\n</Plugin>\n'
}
conf >"$D/collectd.conf"
it_show_on_failure "$D/log"
SOCK=$D/sock
OUR_CTL=$top_builddir/collectdctl
CSV=$D/csv/itest

it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
it_wait_socket "$SOCK" || it_fail "the socket did not come up"

it_check "LISTPLUGINS shows load and cpu ready and isolated, with their hosts"
for p in load cpu; do
  line=$(it_listed "$SOCK" $p) || it_fail "$p is not listed"
  echo "$line" | grep -Eq "^$p ready isolated pid=[0-9]+$" ||
    it_fail "$p shows \"$line\""
done
it_ok

it_check "our collectdctl lists them the same way"
"$OUR_CTL" -s "$SOCK" listplugins >"$D/ctl.out" 2>&1 ||
  it_fail "collectdctl listplugins failed: $(cat "$D/ctl.out")"
grep -Eqx "load ready isolated pid=$(it_host_pid "$SOCK" load)" "$D/ctl.out" ||
  it_fail "collectdctl printed: $(cat "$D/ctl.out")"
it_ok

it_check "each host is a child of the daemon in host mode"
for p in load cpu; do
  hp=$(it_host_pid "$SOCK" $p)
  [ -n "$hp" ] || it_fail "no pid for $p"
  ppid=$(awk '{ print $4 }' "/proc/$hp/stat")
  [ "$ppid" = "$PID" ] || it_fail "$p's host $hp has parent $ppid, not $PID"
  tr '\0' ' ' <"/proc/$hp/cmdline" | grep -q -- "--plugin-host $p " ||
    it_fail "$p's host runs \"$(tr '\0' ' ' <"/proc/$hp/cmdline")\""
done
it_ok

it_check "the host inherits no descriptor but its channel"
# What it opened itself after the exec (a pipe, a signalfd) is its own:
# nothing it holds may be open in the daemon too.
hp=$(it_host_pid "$SOCK" cpu)
for fd in 0 1 2; do
  [ "$(readlink "/proc/$hp/fd/$fd")" = /dev/null ] ||
    it_fail "descriptor $fd is $(readlink "/proc/$hp/fd/$fd")"
done
readlink "/proc/$hp/fd/3" | grep -q '^socket:' ||
  it_fail "descriptor 3 is $(readlink "/proc/$hp/fd/3")"
for f in "/proc/$PID/fd/"*; do readlink "$f"; done | sort -u >"$D/daemon.fds"
for f in "/proc/$hp/fd/"*; do
  t=$(readlink "$f") || continue
  case $t in /dev/null | anon_inode:*) continue ;; esac
  ! grep -qxF -- "$t" "$D/daemon.fds" ||
    it_fail "the host's descriptor ${f##*/} ($t) is open in the daemon too"
done
it_ok

it_check_csv "$CSV" <<EOF
load/load epoch,shortterm,midterm,longterm 3
cpu-0/cpu-user epoch,value 1
EOF

it_check "the crashing plugin fails with the signal, and a FAILURE notification"
it_wait it_in_state "$SOCK" test_crash failed ||
  it_fail "test_crash is $(it_listed "$SOCK" test_crash)"
line=$(it_listed "$SOCK" test_crash)
expected="test_crash failed isolated pid=- host: host process died: signal 11 (Segmentation fault)"
[ "$line" = "$expected" ] || it_fail "it shows \"$line\""
it_wait it_grep "$D/log" "severity = FAILURE.*plugin_instance = test_crash" ||
  it_fail "no FAILURE notification for test_crash in the log"
it_ok

it_check "the crashed plugin dispatched its reads before it died"
it_wait it_has_rows "$CSV/test_crash/gauge" 3 ||
  it_fail "test_crash/gauge has fewer than 3 rows"
it_ok

it_check "load and cpu read on after the crash"
rows=$(wc -l <"$(it_csv_file "$CSV/load/load")")
it_wait it_has_rows "$CSV/load/load" $((rows + 3)) ||
  it_fail "load stopped at $rows rows"
[ "$(it_listed "$SOCK" cpu | cut -d' ' -f2)" = ready ] || it_fail "cpu is not ready"
it_ok

it_check "UNLOAD load ends its host: no process, no zombie"
hp=$(it_host_pid "$SOCK" load)
IT_REPLY=$(it_cmd "$SOCK" "UNLOAD load" | head -n 1)
[ "$IT_REPLY" = "0 load: unloaded" ] || it_fail "the reply was \"$IT_REPLY\""
[ ! -e "/proc/$hp" ] || it_fail "host $hp is still there: $(cat /proc/$hp/stat)"
it_listed "$SOCK" load && it_fail "load is still listed"
it_ok

it_check "LOAD load starts a new host"
IT_REPLY=$(it_cmd "$SOCK" "LOAD load" | head -n 1)
[ "$IT_REPLY" = "0 load: loaded, ready" ] || it_fail "the reply was \"$IT_REPLY\""
hp2=$(it_host_pid "$SOCK" load)
[ -n "$hp2" ] && [ "$hp2" != "$hp" ] || it_fail "the new host is \"$hp2\""
rows=$(wc -l <"$(it_csv_file "$CSV/load/load")")
it_wait it_has_rows "$CSV/load/load" $((rows + 2)) ||
  it_fail "load does not read again"
it_ok

it_check "RELOAD cpu with a changed <Plugin cpu> block takes effect"
CPU_BLOCK='<Plugin cpu>
  ReportByCpu false
  ValuesPercentage true
</Plugin>'
conf >"$D/collectd.conf"
IT_REPLY=$(it_cmd "$SOCK" "RELOAD cpu" | head -n 1)
echo "$IT_REPLY" | grep -q "^0 cpu: " || it_fail "the reply was \"$IT_REPLY\""
it_wait it_has_rows "$CSV/cpu/percent-user" 2 ||
  it_fail "no cpu/percent-user after the reload: $(ls "$CSV")"
it_ok

it_stop_no_hosts "$PID" $(for p in load cpu; do it_host_pid "$SOCK" $p; done)

it_check "the log has no error but the crash's"
bad=$(grep -E '\[error\]' "$D/log" | grep -v 'test_crash' || true)
[ -z "$bad" ] || it_fail "errors: $bad"
it_ok

it_pass
