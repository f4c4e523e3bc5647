#!/bin/sh
# Configuration errors stop the daemon before it runs, with a message that
# names the file and the line; -t exits 0 on a good configuration (Debian's
# example one included) and non-zero on each bad one. A missing Include
# file is an error; an absent set of files (unmatched glob, missing
# directory with a Filter) is not (see below).
. "$(dirname "$0")/lib.sh"
it_init config_errors

D=$TMP
it_plugins "$D/plugins" load csv logfile
{
  it_globals "$D"
  it_logfile "$D"
  echo "LoadPlugin load"
  it_csv "$D"
} >"$D/good.conf"
GOOD_LINES=$(wc -l <"$D/good.conf")

# it_names_line OUTFILE CONF LINE: OUTFILE (or the log) names CONF with a
# line number ("CONF:N"), and LINE is the only number it gives CONF: an
# error reported one line early or late fails, and so does one that names
# the right line and a wrong one.
it_names_line() {
  nl_conf=$(printf '%s' "$2" | sed 's/[].[^$*+?(){}|\\]/\\&/g')
  nl_got=$(cat "$1" "$D/log" 2>/dev/null |
    grep -Eo -- "$nl_conf:[0-9]+" | sed 's/.*://' | sort -nu | tr '\n' ' ')
  [ "$nl_got" = "$3 " ]
}

# bad NAME LINE [FILE2 LINE2]: $D/NAME.conf (written by the caller) must
# make the daemon exit non-zero before it runs, naming line LINE of
# NAME.conf (and line LINE2 of FILE2, when given), and make -t exit
# non-zero the same way.
names() {
  it_names_line "$1" "$conf" "$line" &&
    { [ -z "$file2" ] || it_names_line "$1" "$file2" "$line2"; }
}
bad() {
  conf=$D/$1.conf
  line=$2
  file2=${3:-}
  line2=${4:-}
  where="line $line of $1.conf"
  [ -z "$file2" ] || where="$where and line $line2 of $(basename "$file2")"
  it_show_on_failure "$TMP/$1.out" "$TMP/$1-t.out"
  rm -rf "$D/csv" "$D/pid" "$D/log"

  it_check "$1: the daemon exits non-zero"
  it_run "$1" "$COLLECTD" -f -C "$conf"
  [ "$IT_RC" != 124 ] || it_fail "still running after ${IT_DEADLINE}s"
  [ "$IT_RC" != 0 ] || it_fail "exit status 0"
  it_ok "status $IT_RC"

  it_check "$1: ... without having run"
  ! it_grep "$TMP/$1.out" "Initialization complete" ||
    it_fail "it entered the read loop"
  ! it_grep "$D/log" "Initialization complete" ||
    it_fail "it entered the read loop"
  [ ! -e "$D/pid" ] || it_fail "it wrote a PID file"
  [ ! -e "$D/csv" ] || it_fail "it wrote csv files"
  it_ok

  it_check "$1: ... naming $where"
  names "$TMP/$1.out" ||
    it_fail "its output and log do not name exactly $where"
  it_ok

  it_check "$1: -t exits non-zero naming the file and line"
  it_run "$1-t" "$COLLECTD" -t -C "$conf"
  [ "$IT_RC" != 124 ] || it_fail "-t still running after ${IT_DEADLINE}s"
  [ "$IT_RC" != 0 ] || it_fail "-t exited with status 0"
  names "$TMP/$1-t.out" ||
    it_fail "the output of -t does not name exactly $where"
  it_ok "status $IT_RC"
}

# ---- a good configuration --------------------------------------------------

it_show_on_failure "$TMP/good-t.out"
it_check "-t on a good configuration exits 0"
it_run good-t "$COLLECTD" -t -C "$D/good.conf"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
[ ! -e "$D/csv" ] || it_fail "-t wrote csv files (it must not run)"
it_ok

# ---- bad ones --------------------------------------------------------------

# Each is the good configuration with a bad part appended, so line numbers
# are GOOD_LINES + n.
L=$((GOOD_LINES + 1))

{
  cat "$D/good.conf"
  echo 'Hostname "itest'
  echo 'Interval 1'
} >"$D/unterminated_string.conf"
# The string starts on line L and runs to the end of the file: the error
# names the line where it starts.
bad unterminated_string "$L"

{
  cat "$D/good.conf"
  echo '<Plugin load>'
  echo '  ReportRelative true'
} >"$D/unclosed_block.conf"
# The error is found where the file ends, on its last line (L + 1), and
# names the line that opened the block.
bad unclosed_block "$((L + 1))"
it_check "unclosed_block: ... saying the block was opened at line $L"
grep -Eq "opened at line $L([^0-9]|\$)" "$TMP/unclosed_block.out" ||
  it_fail "no \"opened at line $L\" in its output"
grep -Eq "opened at line $L([^0-9]|\$)" "$TMP/unclosed_block-t.out" ||
  it_fail "no \"opened at line $L\" in the output of -t"
it_ok

# A loop: the configuration includes loop.conf (line L), whose line 2
# includes the configuration again. The error names the Include that closes
# the loop (loop.conf:2) and the one it was included from (line L).
{
  cat "$D/good.conf"
  echo "Include \"$D/loop.conf\""
} >"$D/include_loop.conf"
{
  echo '# included by include_loop.conf, and including it'
  echo "Include \"$D/include_loop.conf\""
} >"$D/loop.conf"
bad include_loop "$L" "$D/loop.conf" 2
it_check "include_loop: ... and says it is a loop or too deep"
cat "$TMP/include_loop.out" "$D/log" 2>/dev/null |
  grep -Eiq 'loop|recurs|nest|depth|itself' ||
  it_fail "the message does not say why"
it_ok

{
  cat "$D/good.conf"
  echo '<Plugin cpu>'
  echo '  ReportByCpu true'
  echo '</Plugin>'
} >"$D/block_not_loaded.conf"
bad block_not_loaded "$L"
it_check "block_not_loaded: ... naming the plugin"
grep -q cpu "$TMP/block_not_loaded.out" || it_fail "\"cpu\" not named"
it_ok

# ---- a missing Include path ------------------------------------------------
#
# collectd 5.12 (Debian's, checked with -T since its -t reads nothing) only
# warns "configfile: stat (PATH) failed: No such file or directory" and goes
# on, for a missing file, an unmatched glob and a missing directory alike.
# We are stricter where the operator named one file: a missing
# `Include "file"` is an error. But a set of files that happens to be empty
# or absent is not: an unmatched glob, and a missing directory read through
# <Include "dir"> Filter "..." </Include>. Debian's configurations need the
# latter: the example collectd.conf of collectd-core (and the collectd.conf
# of the `collectd' package) ends with
#   <Include "/etc/collectd/collectd.conf.d"> Filter "*.conf" </Include>
# and installing collectd-core alone does not create that directory (the
# `collectd' package does). The missing directory gets a warning that names
# the file and line.
{
  cat "$D/good.conf"
  echo "Include \"$D/no-such-file.conf\""
} >"$D/missing_include_file.conf"
bad missing_include_file "$L"
it_check "missing_include_file: ... naming the missing file"
grep -q "no-such-file.conf" "$TMP/missing_include_file.out" ||
  it_fail "\"$D/no-such-file.conf\" not named"
it_ok

{
  cat "$D/good.conf"
  echo "Include \"$D/no-such-*.conf\""
  echo "<Include \"$D/no-such-dir.d\">"
  echo '  Filter "*.conf"'
  echo '</Include>'
} >"$D/missing_include_set.conf"
it_show_on_failure "$TMP/missing_include_set-t.out" \
  "$TMP/missing_include_set.out" "$D/log"

it_check "unmatched Include glob, missing <Include dir>: -t exits 0"
it_run missing_include_set-t "$COLLECTD" -t -C "$D/missing_include_set.conf"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_check "... the daemon runs and writes csv"
rm -rf "$D/csv" "$D/log"
it_start missing_include_set "$COLLECTD" -f -C "$D/missing_include_set.conf"
PID=$IT_PID
it_wait it_has_rows "$D/csv/itest/load/load" 1 ||
  it_fail "no csv/itest/load/load-DATE after ${IT_DEADLINE}s"
it_ok

it_check "... warning about the missing directory, naming file and line"
it_names_line "$TMP/missing_include_set.out" "$D/missing_include_set.conf" \
  $((L + 1)) ||
  it_fail "nothing names $D/missing_include_set.conf:$((L + 1))"
it_ok

it_check "... and stops with status 0 on SIGTERM"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

# ---- Debian's example configuration ----------------------------------------

EXAMPLE=/usr/share/doc/collectd-core/examples/collectd.conf
OURS="syslog cpu df disk interface load memory"
THEIRS="battery entropy irq processes rrdtool swap users"
[ -r "$EXAMPLE" ] ||
  it_fail "$EXAMPLE is missing (Debian's collectd-core; see tools/install-deps.sh)"
E=$TMP/example
it_plugins "$E" $OURS
it_debian_plugins "$E" $THEIRS
it_check "Debian's rrdtool.so finds its libraries"
missing=$(ldd "$E/rrdtool.so" | grep 'not found')
[ -z "$missing" ] ||
  it_fail "$missing (librrd8: run tools/install-deps.sh)"
it_ok
cat >"$E/wrapper.conf" <<EOF
PluginDir "$E"
TypesDB "$DEBIAN_TYPESDB"
BaseDir "$E"
Include "$EXAMPLE"
EOF
it_show_on_failure "$TMP/example-t.out"
it_check "-t accepts Debian's example collectd.conf"
it_run example-t "$COLLECTD" -t -C "$E/wrapper.conf"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_check "... whose <Include \"/etc/collectd/collectd.conf.d\"> is missing"
if [ -e /etc/collectd/collectd.conf.d ]; then
  it_ok "it exists here, so this was not checked"
else
  incl=$(grep -n '^<Include "/etc/collectd/collectd.conf.d">' "$EXAMPLE" |
    cut -d: -f1)
  it_names_line "$TMP/example-t.out" "$EXAMPLE" "$incl" ||
    it_fail "no warning names $EXAMPLE:$incl"
  it_ok "warned"
fi

it_pass
