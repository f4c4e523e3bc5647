#!/bin/sh
# Configuration errors stop the daemon before it runs, with a message that
# names the file and the line; -t exits 0 on a good configuration (Debian's
# example one included) and non-zero on each bad one. A missing Include
# file is an error; an absent set of files (unmatched glob, missing
# directory with a Filter) is not (see below). Long tokens (10 MB, made
# here) and values that do not fit keep the file, the line and the reason.
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

# start_writing NAME: starts the daemon on $D/NAME.conf and waits for its
# first csv row; sets PID.
start_writing() {
  rm -rf "$D/csv" "$D/log"
  it_start "$1" "$COLLECTD" -f -C "$D/$1.conf"
  PID=$IT_PID
  it_wait it_has_rows "$D/csv/itest/load/load" 1 ||
    it_fail "no csv/itest/load/load-DATE after ${IT_DEADLINE}s"
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

# ---- long tokens, values that do not fit, and what the core checks ---------
#
# Nothing limits a token or a line but the size of the file (64 MiB, said
# as such); a value that does not fit where it goes (Hostname into 127
# bytes, a path into PATH_MAX) is refused with its length and the limit.
# collectd 5.12 (Debian's) parses a 10 MB token for minutes and then keeps
# 127 bytes of such a Hostname silently. The 10 MB tokens are made here.

MB10=10485760
# long_text N UNIT: N bytes of UNIT repeated (N a multiple of its length).
long_text() {
  yes "$2" | head -n $(($1 / ${#2})) | tr -d '\n'
}

# says NAME ERE: the reason is in what the daemon said: its output or log
# when started, and the output of -t.
says() {
  it_check "$1: ... saying /$2/"
  grep -Eq -- "$2" "$TMP/$1.out" "$D/log" 2>/dev/null ||
    it_fail "not in its output or log"
  grep -Eq -- "$2" "$TMP/$1-t.out" || it_fail "not in the output of -t"
  it_ok
}

{
  cat "$D/good.conf"
  echo "Hostname \"$(long_text 4000 h)\""
} >"$D/hostname_4000.conf"
bad hostname_4000 "$L"
says hostname_4000 'Hostname: the value is 4000 characters long; at most 127 fit'

{
  cat "$D/good.conf"
  printf 'Hostname "'
  long_text $MB10 h
  echo '"'
} >"$D/hostname_10mb.conf"
bad hostname_10mb "$L"
says hostname_10mb \
  "Hostname: the value is $MB10 characters long; at most 127 fit"

# A key alone on its line: the message quotes it, cut, and still says why.
{
  cat "$D/good.conf"
  long_text $MB10 K
  echo
} >"$D/key_10mb.conf"
bad key_10mb "$L"
says key_10mb \
  "option \"K+\\.\\.\\.K+\" \\($MB10 bytes\\) needs at least one value"

# An unquoted word collectd would cut into pieces (which a scan quadratic
# in its length would not finish in hours).
{
  cat "$D/good.conf"
  printf 'Foo '
  long_text $MB10 a.
  echo
} >"$D/word_10mb.conf"
bad word_10mb "$L"
says word_10mb "\\($MB10 bytes\\) must be in double quotes"

{
  cat "$D/good.conf"
  printf 'Include "/'
  long_text $MB10 i
  echo '"'
} >"$D/include_10mb.conf"
bad include_10mb "$L"
says include_10mb \
  "Include: the path is $((MB10 + 1)) bytes long; at most [0-9]+ fit"

for opt in BaseDir PIDFile PluginDir TypesDB; do
  {
    cat "$D/good.conf"
    echo "$opt \"/$(long_text 5000 p)\""
  } >"$D/path_$opt.conf"
  bad "path_$opt" "$L"
  says "path_$opt" "$opt: the path is 5001 bytes long; at most [0-9]+ fit"
done

# A 10 MB token is no error in itself: an unknown option with a 10 MB
# value is only warned about.
{
  cat "$D/good.conf"
  printf 'NoSuchOption "'
  long_text $MB10 v
  echo '"'
} >"$D/value_10mb.conf"
it_show_on_failure "$TMP/value_10mb-t.out"
it_check "a 10 MB quoted value: -t exits 0, warning about line $L"
it_run value_10mb-t "$COLLECTD" -t -C "$D/value_10mb.conf"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_names_line "$TMP/value_10mb-t.out" "$D/value_10mb.conf" "$L" ||
  it_fail "no warning names line $L"
grep -q 'unknown global option "NoSuchOption"' "$TMP/value_10mb-t.out" ||
  it_fail "the warning does not say why"
it_ok

# The 64 MiB limit of a file, said as such, at the line where it falls.
{
  cat "$D/good.conf"
  yes '# a comment line to fill the file beyond what is read' |
    head -c $((65 * 1048576))
} >"$D/file_65mib.conf"
LIMIT_LINE=$(($(head -c 67108864 "$D/file_65mib.conf" | wc -l) + 1))
bad file_65mib "$LIMIT_LINE"
says file_65mib \
  'larger than 64 MiB \(67108864 bytes\), the most a configuration file may'
rm -f "$D/file_65mib.conf"

{
  cat "$D/good.conf"
  printf 'Foo "a\000b"\n'
} >"$D/nul_byte.conf"
bad nul_byte "$L"
says nul_byte 'NUL byte inside a quoted string'

# Global options whose value does not fit (collectd 5.12 stops on an
# assertion for Interval 1.0e+300), a Timeout that is not a positive
# integer (5.12 refuses it too) and bad values of our own options.
while IFS='|' read -r name text reason <&3; do
  {
    cat "$D/good.conf"
    echo "$text"
  } >"$D/$name.conf"
  bad "$name" "$L"
  says "$name" "$reason"
done 3<<'CASES'
interval_huge|Interval 1.0e+300|Interval: 1e\+300 seconds do not fit; at most 17179869183 do
timeout_zero|Timeout 0|Timeout: must be at least 1, not 0
policy_word|OnPluginFailure "x"|OnPluginFailure: "x" must be Skip, Shutdown or Restart
two_values|Hostname "a" "b"|Hostname needs exactly one value
CASES

# Values of collectd 5.12's global options that are not of their kind:
# 5.12 starts with the default instead (Interval "2s" or 0, ReadThreads
# "x" or 0) or reads the value as false (FQDNLookup 1, as IS_TRUE() does),
# so that file starts here too, with a warning naming its line, the reason
# and what is used instead.
while IFS='|' read -r name text reason <&3; do
  {
    cat "$D/good.conf"
    echo "$text"
  } >"$D/$name.conf"
  conf=$D/$name.conf
  it_show_on_failure "$TMP/$name-t.out"
  it_check "$name: -t exits 0, warning at line $L"
  it_run "$name-t" "$COLLECTD" -t -C "$conf"
  [ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
  grep -Eq -- "$(printf '%s' "$conf" | sed 's/[].[^$*+?(){}|\\]/\\&/g'):$L: $reason" \
    "$TMP/$name-t.out" || it_fail "no \"$name.conf:$L: $reason\""
  it_ok
done 3<<'CASES'
interval_word|Interval "2s"|Interval: "2s" is not a number of seconds; the default \(10\) is used, as in collectd 5\.12
interval_zero|Interval 0|Interval: must be more than 0 seconds, not 0; the default \(10\) is used
threads_word|ReadThreads "x"|ReadThreads: "x" is not a number; the default \(5\) is used
threads_zero|ReadThreads 0|ReadThreads: must be at least 1, not 0; the default \(5\) is used
limit_negative|WriteQueueLimitHigh -5|WriteQueueLimitHigh: must be at least 0, not -5; the default \(0: no limit\) is used
fqdn_number|FQDNLookup 1|FQDNLookup: 1 is neither true nor false; taken as false, as collectd 5\.12 takes it
fqdn_word|FQDNLookup "maybe"|FQDNLookup: "maybe" is neither true nor false; taken as false
CASES

# ... and the daemon runs with the default: five read threads.
{
  cat "$D/good.conf"
  echo 'ReadThreads 0'
} >"$D/threads_default.conf"
it_check "ReadThreads 0: the daemon runs with 5 read threads"
start_writing threads_default
n=$(cat /proc/"$PID"/task/*/comm 2>/dev/null | grep -c '^reader#')
[ "$n" = 5 ] || it_fail "$n read threads"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
it_ok

{
  cat "$D/good.conf"
  echo "LoadPlugin $(long_text 200 p)"
} >"$D/plugin_name_long.conf"
bad plugin_name_long "$L"
says plugin_name_long \
  'LoadPlugin: the plugin name is 200 bytes long; at most 127 fit'

{
  cat "$D/good.conf"
  echo "<Chain \"$(long_text 200 c)\">"
  echo '  Target "stop"'
  echo '</Chain>'
} >"$D/chain_name_long.conf"
bad chain_name_long "$L"
says chain_name_long 'the chain name is 200 bytes long; at most 127 fit'

# MemoryLimit (in MiB, more than 0) and OnPluginFailure in a <LoadPlugin>
# block: a bad value names its line.
{
  cat "$D/good.conf"
  printf '<LoadPlugin cpu>\n  Isolate true\n  MemoryLimit 0\n</LoadPlugin>\n'
} >"$D/memory_limit_zero.conf"
bad memory_limit_zero "$((L + 2))"
says memory_limit_zero 'MemoryLimit: 0 MiB is not a limit \(more than 0, in MiB\)'
{
  cat "$D/good.conf"
  printf '<LoadPlugin cpu>\n  MemoryLimit "x"\n</LoadPlugin>\n'
} >"$D/memory_limit_word.conf"
bad memory_limit_word "$((L + 1))"
says memory_limit_word 'option "MemoryLimit": needs exactly one numeric argument'
{
  cat "$D/good.conf"
  printf '<LoadPlugin cpu>\n  OnPluginFailure "Later"\n</LoadPlugin>\n'
} >"$D/plugin_policy_word.conf"
bad plugin_policy_word "$((L + 1))"
says plugin_policy_word 'OnPluginFailure must be Skip, Shutdown or Restart'

# A plugin that fails stops the start-up under OnPluginFailure Shutdown
# (line L); the failure names the line of the LoadPlugin or of the option.
{
  cat "$D/good.conf"
  echo 'OnPluginFailure Shutdown'
  echo 'LoadPlugin nosuch'
} >"$D/plugin_missing.conf"
bad plugin_missing "$((L + 1))"
says plugin_missing \
  'open: [^ ]*: cannot open "[^"]*/nosuch\.so": No such file or directory'

{
  cat "$D/good.conf"
  echo 'OnPluginFailure Shutdown'
  echo '<Plugin csv>'
  echo "  DataDir \"/$(long_text 9000 d)\""
  echo '</Plugin>'
} >"$D/datadir_long.conf"
bad datadir_long "$((L + 2))"
says datadir_long 'DataDir: the path is 9001 bytes long; at most [0-9]+ fit'
says datadir_long 'option "DataDir" was rejected'

{
  cat "$D/good.conf"
  echo 'OnPluginFailure Shutdown'
  echo '<Plugin csv>'
  echo '  <StoreRates x>'
  echo '    Foo 1'
  echo '  </StoreRates>'
  echo '</Plugin>'
} >"$D/block_in_simple.conf"
bad block_in_simple "$((L + 2))"
says block_in_simple \
  'option "StoreRates" is a block, but the plugin only takes simple options'

# types.db: a line of any length is read whole, so that the line numbers
# after it stay right; the error names the TypesDB line too.
{
  echo 'first value:GAUGE:0:U'
  printf 'wide '
  i=0
  while [ $i -lt 400 ]; do
    printf 'v%d:GAUGE:0:U,' $i
    i=$((i + 1))
  done
  echo 'last:GAUGE:0:U'
  echo 'broken'
} >"$D/wide_types.db"
{
  cat "$D/good.conf"
  echo "TypesDB \"$D/wide_types.db\""
} >"$D/types_long_line.conf"
bad types_long_line "$L" "$D/wide_types.db" 3
says types_long_line 'type "broken" has no data sources'

mkdir -p "$D/types_dir.db"
{
  cat "$D/good.conf"
  echo "TypesDB \"$D/types_dir.db\""
} >"$D/types_dir.conf"
bad types_dir "$L"
says types_dir 'TypesDB: cannot read "[^"]*types_dir\.db": Is a directory'

mkfifo "$D/fifo.conf"
{
  cat "$D/good.conf"
  echo "Include \"$D/fifo.conf\""
} >"$D/include_fifo.conf"
bad include_fifo "$L"
says include_fifo \
  'cannot include "[^"]*fifo\.conf": neither a file nor a directory'

printf '# included\nHostname "unterminated\n' >"$D/inner.conf"
{
  cat "$D/good.conf"
  echo "Include \"$D/inner.conf\""
} >"$D/include_inner.conf"
bad include_inner "$L" "$D/inner.conf" 2
says include_inner 'unterminated quoted string \(included from '

# BaseDir: a missing one is made, as collectd 5.12 makes it (its parents
# are not); one that cannot be made stops the start-up naming its line (-t
# does not enter it).
{
  cat "$D/good.conf"
  echo "BaseDir \"$D/made\""
} >"$D/basedir_made.conf"
it_check "a missing BaseDir is made"
start_writing basedir_made
[ -d "$D/made" ] || it_fail "$D/made was not made"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
it_ok

{
  cat "$D/good.conf"
  echo "BaseDir \"$D/no/such\""
} >"$D/basedir_parent.conf"
it_show_on_failure "$TMP/basedir_parent.out"
it_check "a BaseDir whose parent is missing: exits non-zero naming line $L"
rm -rf "$D/csv" "$D/log"
it_run basedir_parent "$COLLECTD" -f -C "$D/basedir_parent.conf"
[ "$IT_RC" != 0 ] && [ "$IT_RC" != 124 ] || it_fail "exit status $IT_RC"
it_names_line "$TMP/basedir_parent.out" "$D/basedir_parent.conf" "$L" ||
  it_fail "its output does not name exactly line $L"
grep -Eq "BaseDir: cannot create \"[^\"]*/no/such\": No such file or directory" \
  "$TMP/basedir_parent.out" || it_fail "it does not say why"
[ ! -e "$D/no" ] || it_fail "it made $D/no"
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
start_writing missing_include_set
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
