#!/bin/sh
# collectd -T: every read callback runs once and the daemon exits 0, in the
# foreground, after the values went through the write queue to csv: each
# file has its header and exactly one row.
. "$(dirname "$0")/lib.sh"
it_init read_once

D=$TMP
it_plugins "$D/plugins" load memory cpu interface csv logfile
{
  it_globals "$D"
  it_logfile "$D"
  echo "LoadPlugin load"
  echo "LoadPlugin memory"
  echo "LoadPlugin cpu"
  echo "LoadPlugin interface"
  it_csv "$D"
} >"$D/collectd.conf"
it_show_on_failure "$D/log"

# Without -f: -T implies the foreground, so the status we wait for is the
# daemon's own and its files are complete when it returns.
it_check "collectd -T exits 0"
it_run read_once "$COLLECTD" -T -C "$D/collectd.conf"
[ "$IT_RC" != 124 ] || it_fail "still running after ${IT_DEADLINE}s"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

# cpu is loaded but expected to write nothing: like 5.12's, it dispatches a
# state once two readings give it a rate.
for base in load/load memory/memory-used interface-lo/if_octets; do
  it_check "csv/itest/$base-DATE exists after the exit"
  f=$(it_csv_file "$D/csv/itest/$base") || it_fail "it does not"
  it_ok
done

it_check "every csv file has its header and exactly one row"
n=0
for f in $(find "$D/csv" -type f); do
  rows=$(($(wc -l <"$f") - 1))
  [ "$rows" = 1 ] || it_fail "${f#"$D/csv/"} has $rows rows"
  n=$((n + 1))
done
it_ok "$n files"

it_check "it entered no read loop and left no PID file"
! it_grep "$D/log" "Initialization complete" ||
  it_fail "\"Initialization complete\" in the log"
[ ! -e "$D/pid" ] || it_fail "$D/pid is there"
it_ok

it_pass
