#!/bin/sh
# Every plugin of ours that takes the place of Debian's (cpu, memory, load,
# interface, df, disk, uptime, csv, logfile, syslog, unixsock) accepts every
# option Debian's plugin of the same name accepts on Linux, with the same
# effect. Three rounds, each a configuration that sets the options
# differently; in each, our daemon with our plugins and Debian's collectd
# 5.12 with its own run side by side on it, and must:
# - both start (no option refused) and stop with status 0;
# - write csv files for the same identifiers, with the same headers (the
#   read plugins' options choose what is read and how it is named);
# - agree on the values that do not move between two reads: the number of
#   CPUs (ReportNumCpu), the size of / (df: used + free + reserved, in
#   bytes; inodes too), and percentages that add up to 100 (cpu and memory
#   with ValuesPercentage);
# - store rates, or not, as StoreRates says (csv);
# - give the socket the group and mode SocketGroup and SocketPerms say
#   (unixsock), and write log lines of the same form (logfile: Timestamp,
#   PrintSeverity, LogLevel).
# Not covered: disk's UdevNameAttr (Debian's disk plugin names disks by a
# udev attribute; the test machine has no udev database to compare with),
# interface's UniqueName (BSD only) and disk's UseBSDName (macOS only:
# accepted and ignored by both on Linux, which the rounds check).
. "$(dirname "$0")/lib.sh"
it_init plugin_options_peer
it_need_debian

READ="cpu memory load interface df disk uptime"
OTHER="csv logfile syslog unixsock"
GROUP=$(id -gn)
FLAKY='^itest/disk-[^/]+/(pending_operations|disk_time)$'

# options ROUND DIR: the <Plugin> blocks of round ROUND for a daemon that
# lives in DIR.
options() {
  case $1 in
  1)
    cat <<EOF
<Plugin cpu>
  ReportByCpu false
  ReportByState true
  ValuesPercentage true
  ReportNumCpu true
  ReportGuestState true
  SubtractGuestState false
</Plugin>
<Plugin memory>
  ValuesAbsolute false
  ValuesPercentage true
</Plugin>
<Plugin load>
  ReportRelative false
</Plugin>
<Plugin interface>
  Interface "lo"
  IgnoreSelected true
  ReportInactive false
</Plugin>
<Plugin df>
  MountPoint "/"
  IgnoreSelected false
  ReportByDevice true
  ReportInodes true
  ValuesAbsolute true
  ValuesPercentage true
  LogOnce true
</Plugin>
<Plugin disk>
  Disk "/^loop/"
  IgnoreSelected true
  UseBSDName false
</Plugin>
<Plugin csv>
  DataDir "$2/csv"
  StoreRates true
</Plugin>
<Plugin logfile>
  LogLevel info
  File "$2/log"
  Timestamp true
  PrintSeverity true
</Plugin>
<Plugin syslog>
  LogLevel err
  NotifyLevel FAILURE
</Plugin>
<Plugin unixsock>
  SocketFile "$2/sock"
  SocketGroup "$GROUP"
  SocketPerms "0640"
  DeleteSocket true
</Plugin>
EOF
    ;;
  2)
    cat <<EOF
<Plugin cpu>
  ReportByCpu true
  ReportByState true
  ValuesPercentage true
  ReportNumCpu false
  ReportGuestState false
  SubtractGuestState true
</Plugin>
<Plugin memory>
  ValuesAbsolute true
  ValuesPercentage true
</Plugin>
<Plugin load>
  ReportRelative true
</Plugin>
<Plugin interface>
  Interface "/^(lo|eth)/"
  IgnoreSelected false
  ReportInactive true
</Plugin>
<Plugin df>
  FSType "tmpfs"
  FSType "devtmpfs"
  FSType "proc"
  FSType "sysfs"
  FSType "devpts"
  IgnoreSelected true
  ReportByDevice false
  ReportInodes false
  ValuesAbsolute true
  ValuesPercentage false
</Plugin>
<Plugin disk>
  Disk "vda"
  Disk "/^zram/"
  IgnoreSelected false
</Plugin>
<Plugin csv>
  DataDir "$2/csv"
  StoreRates false
</Plugin>
<Plugin logfile>
  LogLevel notice
  File "$2/log"
  Timestamp false
  PrintSeverity true
</Plugin>
<Plugin syslog>
  LogLevel warning
</Plugin>
<Plugin unixsock>
  SocketFile "$2/sock"
  SocketPerms "0600"
</Plugin>
EOF
    ;;
  3)
    cat <<EOF
<Plugin cpu>
  ReportByCpu true
  ReportByState false
  ValuesPercentage false
  ReportNumCpu true
</Plugin>
<Plugin memory>
  ValuesAbsolute true
  ValuesPercentage false
</Plugin>
<Plugin interface>
  Interface "lo"
  IgnoreSelected false
</Plugin>
<Plugin df>
  Device "/dev/vda"
  MountPoint "/dev/shm"
  IgnoreSelected true
  ReportInodes true
  ValuesAbsolute false
  ValuesPercentage true
</Plugin>
<Plugin csv>
  DataDir "$2/csv"
  StoreRates true
</Plugin>
<Plugin logfile>
  LogLevel info
  File "$2/log"
  Timestamp true
  PrintSeverity false
</Plugin>
<Plugin unixsock>
  SocketFile "$2/sock"
  SocketGroup "$GROUP"
  SocketPerms "0660"
</Plugin>
EOF
    ;;
  esac
}

body() { # ROUND DIR
  {
    it_globals "$2" "$DEBIAN_TYPESDB"
    for p in logfile syslog $READ csv unixsock; do
      echo "LoadPlugin $p"
    done
    options "$1" "$2"
  } >"$2/collectd.conf"
}

# last_row DIR ID: the values of the last row of DIR/ID-DATE, without the
# time, one a line.
last_row() {
  it_f=$(it_csv_file "$1/$2") || return 1
  tail -n 1 "$it_f" | cut -d, -f2- | tr , '\n'
}
# sum DIR ID...: the sum of the last rows' values of the IDs, or nothing if
# one is missing.
sum() {
  it_d=$1
  shift
  for it_i; do last_row "$it_d" "$it_i" || return 1; done |
    awk '{ s += $1 } END { printf "%.6f\n", s }'
}

run_round() {
  R=$1
  for who in ours debian; do
    mkdir -p "$TMP/$R/$who"
  done
  it_plugins "$TMP/$R/ours/plugins" $READ $OTHER
  it_debian_plugins "$TMP/$R/debian/plugins" $READ $OTHER
  body "$R" "$TMP/$R/ours"
  body "$R" "$TMP/$R/debian"
  it_show_on_failure "$TMP/$R/ours/log" "$TMP/$R/debian/log"

  it_start "ours$R" "$COLLECTD" -f -C "$TMP/$R/ours/collectd.conf"
  OURS=$IT_PID
  it_start "debian$R" "$DEBIAN_COLLECTD" -f -C "$TMP/$R/debian/collectd.conf"
  DEBIAN=$IT_PID

  # Three intervals after the first: uptime has a header and 4 rows.
  probe=itest/uptime/uptime
  for who in ours debian; do
    it_check "round $R, $who: 4 rows of $probe"
    it_wait it_has_rows "$TMP/$R/$who/csv/$probe" 4 ||
      it_fail "$who wrote no 4 rows of $probe in ${IT_DEADLINE}s"
    it_ok
  done

  it_check "round $R: the sockets have the same mode and group"
  o=$(stat -c '%a %G' "$TMP/$R/ours/sock") || it_fail "ours has no socket"
  d=$(stat -c '%a %G' "$TMP/$R/debian/sock") || it_fail "Debian's has no socket"
  [ "$o" = "$d" ] || it_fail "ours $o, Debian's $d"
  it_ok "$o"

  # Both log "Initialization complete..." at info: the line has the same
  # prefix in both (Timestamp, PrintSeverity), or is in neither (LogLevel
  # above info).
  it_check "round $R: logfile writes the same form of line"
  form() {
    grep 'Initialization complete' "$1" | head -n 1 |
      sed -e 's/Initialization complete.*//' -e 's/[0-9]/N/g'
  }
  o=$(form "$TMP/$R/ours/log") d=$(form "$TMP/$R/debian/log")
  [ "$o" = "$d" ] || it_fail "ours \"$o\", Debian's \"$d\""
  # Round 2 logs at notice and above: neither has the line.
  [ -n "$o" ] || [ "$R" = 2 ] || it_fail "neither wrote the line"
  [ -z "$o" ] || [ "$R" != 2 ] || it_fail "LogLevel notice, yet: \"$o\""
  it_ok "\"$o\""

  it_check "round $R: both daemons stop with status 0"
  it_stop_ok "$OURS" ours
  it_stop_ok "$DEBIAN" "Debian's"
  it_ok

  it_same_csv debian "$TMP/$R/debian/csv" ours "$TMP/$R/ours/csv" "$FLAKY"
}

# same_value ROUND WHAT ID...: the sum of the IDs' last values is the same
# in both daemons' files (within a millionth, for percentages).
same_value() {
  R=$1 what=$2
  shift 2
  it_check "round $R: $what"
  o=$(sum "$TMP/$R/ours/csv" "$@") || it_fail "ours has no $*"
  d=$(sum "$TMP/$R/debian/csv" "$@") || it_fail "Debian's has no $*"
  awk -v o="$o" -v d="$d" 'BEGIN { e = o - d; if (e < 0) e = -e
    exit !(e <= 1e-6 * (d < 0 ? -d : d) + 1e-6) }' ||
    it_fail "ours $o, Debian's $d"
  it_ok "$o"
}

# pct_100 ROUND WHAT ID...: in each daemon the IDs add up to 100.
pct_100() {
  R=$1 what=$2
  shift 2
  it_check "round $R: $what add up to 100 in both"
  for who in ours debian; do
    s=$(sum "$TMP/$R/$who/csv" "$@") || it_fail "$who has no $*"
    awk -v s="$s" 'BEGIN { exit !(s > 99.9 && s < 100.1) }' ||
      it_fail "$who: $s"
  done
  it_ok
}

# rates ROUND ID YES: the last value of ID is a rate (has a fraction or an
# exponent) in both daemons' files if YES is true; a counter otherwise.
rates() {
  it_check "round $1: StoreRates $3: $2"
  for who in ours debian; do
    v=$(last_row "$TMP/$1/$who/csv" "$2" | head -n 1) || it_fail "$who has no $2"
    case $3 in
    true) echo "$v" | grep -Eq '[.eE]' || it_fail "$who: $v is no rate" ;;
    false) echo "$v" | grep -Eq '^[0-9]+$' || it_fail "$who: $v is no counter" ;;
    esac
  done
  it_ok
}

run_round 1
same_value 1 "the number of CPUs" itest/cpu/count
pct_100 1 "the cpu states" $(cd "$TMP/1/ours/csv" && ls itest/cpu/percent-* |
  sed 's/-[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]$//')
pct_100 1 "the memory percentages" $(cd "$TMP/1/ours/csv" &&
  ls itest/memory/percent-* | sed 's/-[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]$//')
DF=$(cd "$TMP/1/ours/csv" && ls -d itest/df-* | head -n 1)
same_value 1 "the size of / (bytes)" "$DF/df_complex-used" \
  "$DF/df_complex-free" "$DF/df_complex-reserved"
same_value 1 "the inodes of /" "$DF/df_inodes-used" "$DF/df_inodes-free" \
  "$DF/df_inodes-reserved"
# Round 1 leaves lo out: another interface's counters.
IF=$(cd "$TMP/1/ours/csv" && ls -d itest/interface-* | head -n 1)
rates 1 "$IF/if_octets" true

run_round 2
pct_100 2 "the memory percentages" $(cd "$TMP/2/ours/csv" &&
  ls itest/memory/percent-* | sed 's/-[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]$//')
rates 2 itest/interface-lo/if_octets false

run_round 3
same_value 3 "the number of CPUs" itest/cpu/count
rates 3 itest/interface-lo/if_octets true

it_pass
