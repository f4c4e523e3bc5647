#!/bin/sh
# Plugin binaries built for collectd 5.12 run in our daemon: Debian's load.so
# and cpu.so, with our csv and logfile, and their values reach our csv files.
. "$(dirname "$0")/lib.sh"
it_init debian_plugins
it_need_debian

D=$TMP
it_debian_plugins "$D/plugins" load cpu
it_plugins "$D/plugins" csv logfile
{
  it_globals "$D"
  it_logfile "$D"
  echo "LoadPlugin load"
  echo "LoadPlugin cpu"
  it_csv "$D"
} >"$D/collectd.conf"
it_show_on_failure "$D/log"

it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

it_check_csv "$D/csv/itest" <<EOF
load/load epoch,shortterm,midterm,longterm 3
cpu-0/cpu-user epoch,value 1
EOF

it_check "the log shows both Debian plugins ready, none failed"
for p in load cpu; do
  it_grep "$D/log" "$p plugin: .*ready" || it_fail "no \"$p plugin: ... ready\""
done
! grep -E '\[error\]' "$D/log" || it_fail "errors in $D/log"
it_ok

it_check "SIGTERM: the daemon exits with status 0"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_pass
