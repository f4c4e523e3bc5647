#!/bin/sh
# Our daemon with our cpu, memory, load and interface plugins, csv and
# logfile: the csv files appear with the right headers and well-formed rows,
# and SIGTERM stops the daemon with status 0 and a shutdown line in the log.
. "$(dirname "$0")/lib.sh"
it_init default_config

D=$TMP
it_plugins "$D/plugins" cpu memory load interface csv logfile
{
  it_globals "$D"
  it_logfile "$D"
  echo "LoadPlugin cpu"
  echo "LoadPlugin memory"
  echo "LoadPlugin load"
  echo "LoadPlugin interface"
  it_csv "$D"
} >"$D/collectd.conf"
it_show_on_failure "$D/log"

it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

# base (under csv/<host>/), header, number of values per row. The loopback
# interface is always there, and interface's ReportInactive defaults to true
# (as in 5.12), so it is reported even without traffic.
FILES="load/load epoch,shortterm,midterm,longterm 3
memory/memory-used epoch,value 1
cpu-0/cpu-idle epoch,value 1
interface-lo/if_octets epoch,rx,tx 2"

it_check_csv "$D/csv/itest" <<EOF
$FILES
EOF

it_check "the daemon still runs"
it_alive "$PID" || it_fail "the daemon is gone"
it_ok

it_check "the log says initialization completed"
it_grep "$D/log" "Initialization complete" ||
  it_fail "no \"Initialization complete\" in $D/log"
it_ok

it_check "SIGTERM: the daemon exits with status 0"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_check "the log has the shutdown line"
it_grep "$D/log" "Exiting normally" ||
  it_fail "no \"Exiting normally\" in $D/log"
it_ok

it_check "no error in the log"
! grep -E '\[error\]' "$D/log" || it_fail "errors in $D/log"
it_ok

it_pass
