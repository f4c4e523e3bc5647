# Shared helpers of the integration tests, which start the real daemon in a
# temporary directory with a generated configuration and check what it
# writes. POSIX sh (the harness runs `$(SHELL) test.sh`, /bin/sh is dash).
#
# A test sources this file, calls it_init, builds a plugin directory with
# it_plugins / it_debian_plugins, writes its configuration and starts the
# daemon with it_start. It polls (it_wait and friends) instead of sleeping
# for fixed times, prints each check with it_check / it_ok and ends with
# it_pass.
# it_fail stops the test; the EXIT trap then shows the daemon's output and
# log files, kills every daemon the test started and removes the
# temporary directory (kept when IT_KEEP=1).
#
# The harness exports top_srcdir and top_builddir (absolute); run by hand:
#   top_srcdir=$PWD top_builddir=$PWD sh tests/integration/default_config.sh
# IT_COLLECTD names another daemon binary to test (make check-sanitize
# runs the lifecycle tests with collectd-asan and collectd-tsan).

# Seconds any single wait may take before the test gives up. Generous: the
# waits end as soon as their condition holds, so this only bounds failures
# (and slow machines, valgrind, sanitizers).
IT_DEADLINE=${IT_DEADLINE:-15}
IT_POLL=0.1
# The deadline counts polls, so a slow condition (a client to start on a
# loaded machine) stretches it. IT_WALL=SECONDS also ends each wait after
# that much wall time: make check-sanitize sets it, since a daemon halted by
# a sanitizer report would otherwise leave every poll to time out slowly.
IT_WALL=${IT_WALL:-}

DEBIAN_COLLECTD=/usr/sbin/collectd
DEBIAN_PLUGINDIR=/usr/lib/collectd
DEBIAN_TYPESDB=/usr/share/collectd/types.db

IT_PIDS=""      # daemons started and not yet reaped, killed at exit
IT_LOGS=""      # files shown when the test fails
IT_STATUS=1     # exit status unless it_pass runs
IT_LOG_FILTER="" # ERE: lines of the files shown on failure to leave out

# ---- set-up and tear-down --------------------------------------------------

it_init() {
  IT_NAME=$1
  if [ -z "${top_srcdir:-}" ] || [ -z "${top_builddir:-}" ]; then
    it_here=$(cd "$(dirname "$0")/../.." && pwd)
    top_srcdir=${top_srcdir:-$it_here}
    top_builddir=${top_builddir:-$it_here}
  fi
  COLLECTD=${IT_COLLECTD:-$top_builddir/collectd}
  OUR_TYPESDB=$top_srcdir/src/types.db
  OUR_PLUGINS=$top_builddir/.libs

  TMP=$(mktemp -d "${TMPDIR:-/tmp}/collectd-itest-$IT_NAME.XXXXXX") || {
    echo "FAIL: cannot create a temporary directory" >&2
    exit 1
  }
  trap it__exit EXIT
  # PIPE too: a test whose output goes to `head`, or that writes to a
  # session that ended, must still stop its daemons on the way out.
  trap 'exit 1' INT TERM HUP PIPE

  echo "=== $IT_NAME (temporary directory $TMP)"
  [ -x "$COLLECTD" ] || it_fail "no daemon at $COLLECTD (run make first)"
  # The harness needs the daemon itself: a libtool wrapper script would be
  # what we signal and wait for, not the daemon.
  it_magic=$(od -An -c -N4 "$COLLECTD" | tr -d ' ')
  [ "$it_magic" = '177ELF' ] ||
    it_fail "$COLLECTD is not an ELF binary (a libtool wrapper?)"
  [ -r "$OUR_TYPESDB" ] || it_fail "no types.db at $OUR_TYPESDB"
}

# Tests that need Debian's collectd 5.12 fail without it: the test command
# installs it (tools/install-deps.sh), so its absence is a broken setup, not
# a reason to pass quietly.
it_need_debian() {
  for it_f in "$DEBIAN_COLLECTD" "$DEBIAN_TYPESDB" "$@"; do
    [ -e "$it_f" ] ||
      it_fail "$it_f is missing (Debian's collectd-core; see tools/install-deps.sh)"
  done
}

it__exit() {
  it_rc=$?
  trap '' PIPE # what is shown may go nowhere; the clean-up must go on
  [ "$IT_STATUS" = 0 ] || [ "$IT_STATUS" = 77 ] || it_rc=1
  [ "$IT_STATUS" = 77 ] && it_rc=77
  if [ "$it_rc" != 0 ] && [ "$it_rc" != 77 ]; then
    for it_f in $IT_LOGS; do
      [ -f "$it_f" ] || continue
      echo "---- $it_f"
      if [ -n "${IT_LOG_FILTER:-}" ]; then
        grep -Ev -- "$IT_LOG_FILTER" "$it_f" | tail -n 60
      else
        tail -n 60 "$it_f"
      fi
    done
    echo "---- end of logs"
  fi
  for it_p in $IT_PIDS; do
    it_kill "$it_p"
  done
  if [ "${IT_KEEP:-0}" = 1 ]; then
    echo "(kept $TMP)"
  else
    rm -rf "$TMP"
  fi
  if [ "$it_rc" = 0 ]; then
    echo "PASS: $IT_NAME"
  elif [ "$it_rc" = 77 ]; then
    echo "SKIP: $IT_NAME"
  else
    echo "FAIL: $IT_NAME"
  fi
  exit "$it_rc"
}

# Ends a daemon this test started, if it still runs: SIGTERM, then SIGKILL
# after the deadline. Only this process id is signalled, and only while it
# is in IT_PIDS: a daemon is dropped from there once it is known to be gone,
# so that a reused process id is never signalled.
it_kill() {
  it_alive "$1" || return 0
  kill -TERM "$1" 2>/dev/null
  if ! it_wait it_gone "$1"; then
    echo "(daemon $1 ignored SIGTERM; killing it)"
    kill -KILL "$1" 2>/dev/null
  fi
  wait "$1" 2>/dev/null
  return 0
}

# it_forget PID: the daemon is gone (reaped); never signal this id again.
it_forget() {
  it_left=""
  for it_p in $IT_PIDS; do
    [ "$it_p" = "$1" ] || it_left="$it_left $it_p"
  done
  IT_PIDS=$it_left
}

# it_adopt PID: a daemon this test started indirectly (it daemonized); the
# exit trap stops it too.
it_adopt() { IT_PIDS="$IT_PIDS $1"; }

# ---- reporting -------------------------------------------------------------

IT_PENDING=0   # a "check: ..." line waits for its verdict

it_check() {
  printf 'check: %s ... ' "$*"
  IT_PENDING=1
}
it_ok() {
  echo "ok${1:+ ($*)}"
  IT_PENDING=0
}
it_fail() {
  [ "$IT_PENDING" = 1 ] && echo "FAILED"
  IT_PENDING=0
  echo "FAIL: $*"
  exit 1
}
it_pass() {
  IT_STATUS=0
  exit 0
}
# Files shown when the test fails (each once).
it_show_on_failure() {
  for it_f in "$@"; do
    case " $IT_LOGS " in
    *" $it_f "*) ;;
    *) IT_LOGS="$IT_LOGS $it_f" ;;
    esac
  done
}

# ---- plugin directories ----------------------------------------------------

# it_plugins DIR NAME...: copies (not links: collectd 5.12 refuses symlinks)
# our plugins into DIR.
it_plugins() {
  it_dir=$1
  shift
  mkdir -p "$it_dir"
  for it_p in "$@"; do
    [ -f "$OUR_PLUGINS/$it_p.so" ] ||
      it_fail "our plugin $OUR_PLUGINS/$it_p.so is not built"
    cp "$OUR_PLUGINS/$it_p.so" "$it_dir/" || it_fail "cannot copy $it_p.so"
  done
}

# it_debian_plugins DIR NAME...: the same with Debian's plugin binaries.
it_debian_plugins() {
  it_dir=$1
  shift
  mkdir -p "$it_dir"
  for it_p in "$@"; do
    it_need_debian "$DEBIAN_PLUGINDIR/$it_p.so"
    cp "$DEBIAN_PLUGINDIR/$it_p.so" "$it_dir/" ||
      it_fail "cannot copy Debian's $it_p.so"
  done
}

# it_test_plugins DIR NAME...: the same with the misbehaving plugins of
# tests/plugins (built by make check, or make test-plugins).
it_test_plugins() {
  it_dir=$1
  shift
  mkdir -p "$it_dir"
  for it_p in "$@"; do
    it_so=$top_builddir/tests/plugins/.libs/$it_p.so
    [ -f "$it_so" ] ||
      it_fail "test plugin $it_so is not built (make test-plugins)"
    cp "$it_so" "$it_dir/" || it_fail "cannot copy $it_p.so"
  done
}

# ---- configuration ---------------------------------------------------------

# it_globals DIR [TYPESDB]: the global options of a daemon that lives in DIR
# (DIR/plugins, DIR/pid, DIR/csv, DIR/log), with a fixed host name so that
# paths are known. Printed on stdout, for the test to extend.
it_globals() {
  cat <<EOF
Hostname "itest"
FQDNLookup false
BaseDir "$1"
PIDFile "$1/pid"
PluginDir "$1/plugins"
TypesDB "${2:-$OUR_TYPESDB}"
Interval 0.5
EOF
}

# it_logfile DIR: the logfile plugin, loaded first so that it sees the other
# plugins' start-up messages.
it_logfile() {
  cat <<EOF
LoadPlugin logfile
<Plugin logfile>
  File "$1/log"
  LogLevel info
  PrintSeverity true
</Plugin>
EOF
}

# it_csv DIR [STORERATES]
it_csv() {
  cat <<EOF
LoadPlugin csv
<Plugin csv>
  DataDir "$1/csv"
  StoreRates ${2:-false}
</Plugin>
EOF
}

# it_unixsock DIR [OPTION-LINES]: the unixsock plugin, its socket at
# DIR/sock.
it_unixsock() {
  printf 'LoadPlugin unixsock\n<Plugin unixsock>\n  SocketFile "%s/sock"\n' "$1"
  [ -z "${2:-}" ] || printf '%s\n' "$2"
  echo "</Plugin>"
}

# ---- running the daemon ----------------------------------------------------

# it_start NAME BINARY ARGS...: starts a daemon in the background with its
# stdout and stderr in $TMP/NAME.out; sets IT_PID.
it_start() {
  it_name=$1
  shift
  "$@" >"$TMP/$it_name.out" 2>&1 &
  IT_PID=$!
  IT_PIDS="$IT_PIDS $IT_PID"
  it_show_on_failure "$TMP/$it_name.out"
}

# it_run NAME BINARY ARGS...: runs a daemon to its end in the foreground,
# bounded by the deadline; sets IT_RC (124 if it had to be killed).
it_run() {
  it_start "$@"
  if ! it_wait it_gone "$IT_PID"; then
    kill -KILL "$IT_PID" 2>/dev/null
    wait "$IT_PID" 2>/dev/null
    IT_RC=124
  else
    wait "$IT_PID"
    IT_RC=$?
  fi
  it_forget "$IT_PID"
}

# it_stop PID: sends SIGTERM and waits (bounded) for the daemon, a child of
# this shell, to exit; sets IT_RC (124 if it did not exit in time).
it_stop() {
  kill -TERM "$1" 2>/dev/null
  it_wait_exit "$1"
}

# it_stop_ok PID WHO: it_stop, and the test fails unless the daemon exits
# with status 0; WHO names it in the message ("ours", "Debian's").
it_stop_ok() {
  it_stop "$1" || it_fail "$2 still runs ${IT_DEADLINE}s after SIGTERM"
  [ "$IT_RC" = 0 ] || it_fail "$2 exited with status $IT_RC"
}

# it_wait_exit PID: waits (bounded) for a child of this shell to exit; sets
# IT_RC, 124 if it still runs.
it_wait_exit() {
  if ! it_wait it_gone "$1"; then
    IT_RC=124
    return 1
  fi
  wait "$1"
  IT_RC=$?
  it_forget "$1"
  return 0
}

# ---- waiting for results ---------------------------------------------------

it__polls() {
  awk -v d="$IT_DEADLINE" -v p="$IT_POLL" 'BEGIN { print int(d / p) }'
}

# it_wait COMMAND...: polls until COMMAND succeeds; returns 1 at the
# deadline (or after IT_WALL seconds).
it_wait() {
  it_n=$(it__polls)
  [ -z "$IT_WALL" ] || it_end=$(($(date +%s) + IT_WALL))
  while [ "$it_n" -gt 0 ]; do
    "$@" && return 0
    [ -z "$IT_WALL" ] || [ "$(date +%s)" -lt "$it_end" ] || break
    sleep "$IT_POLL"
    it_n=$((it_n - 1))
  done
  "$@"
}

# it_csv_file DIR/BASE: prints the csv file DIR/BASE-YYYY-MM-DD (the date is
# matched, not computed, so a run across midnight still finds it); returns 1
# if there is none.
it_csv_file() {
  for it_f in "$1"-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]; do
    [ -f "$it_f" ] || continue
    echo "$it_f"
    return 0
  done
  return 1
}

# it_has_rows DIR/BASE N: the csv file has a header and at least N rows.
it_has_rows() {
  it_f=$(it_csv_file "$1") || return 1
  [ "$(wc -l <"$it_f")" -gt "$2" ]
}

# it_alive PID: the process still runs and is not a zombie.
it_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  it_state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
  [ "$it_state" != Z ]
}

# it_grep FILE ERE: FILE exists and has a line that matches.
it_gone() { ! it_alive "$1"; }
it_grep() { [ -f "$1" ] && grep -Eq -- "$2" "$1"; }

# it_check_csv DIR: reads "BASE HEADER N" lines on standard input and, for
# each, checks that DIR/BASE-DATE appears with at least 2 rows, has the
# header HEADER, and that its rows are <epoch.mmm>,<N values>.
it_check_csv() {
  while read -r it_base it_header it_nv; do
    it_check "csv $it_base-DATE gets a header and 2 rows"
    it_wait it_has_rows "$1/$it_base" 2 ||
      it_fail "no $1/$it_base-YYYY-MM-DD with 2 rows after ${IT_DEADLINE}s"
    it_f=$(it_csv_file "$1/$it_base")
    it_ok "$(basename "$it_f")"

    it_check "$it_base: header is $it_header"
    it_got=$(head -n 1 "$it_f")
    [ "$it_got" = "$it_header" ] || it_fail "header of $it_f is \"$it_got\""
    it_ok

    it_check "$it_base: rows are <epoch.mmm>,<$it_nv value(s)>"
    it_bad=$(it_rows_ok "$it_f" "$it_nv") ||
      it_fail "bad row in $it_f: \"$it_bad\""
    it_ok
  done
}

# it_rows_ok FILE NVALUES: every line after the header is "<seconds with
# three decimals>" followed by NVALUES numbers (or nan/inf as printf writes
# them); prints the first bad line.
it_rows_ok() {
  awk -F, -v n="$2" '
    NR == 1 { next }
    {
      bad = (NF != n + 1) || ($1 !~ /^[0-9]+\.[0-9][0-9][0-9]$/)
      for (i = 2; i <= NF && !bad; i++)
        if ($i !~ /^-?([0-9]+(\.[0-9]+)?|nan|inf)$/)
          bad = 1
      if (bad) { print; exit 1 }
    }' "$1"
}

# it_each_once ACCEPTED CSVFILE...: compares the times of ACCEPTED (one per
# line, in the order they were accepted) with the rows of the csv files:
# prints "lost L twice T extra E of N", and for lost values the runs of
# consecutive ones (one per reload that lost some) and the first lost
# times. A row of a time never accepted is an extra one.
it_each_once() {
  it_acc=$1
  shift
  awk -F, '
  FILENAME == ARGV[1] { want[$1] = 1; order[++n] = $1; next }
  $1 == "epoch" { next }
  { got[$1]++ }
  END {
    for (i = 1; i <= n; i++) {
      t = order[i]
      if (!(t in got)) {
        lost++
        if (!gap)
          runs++
        gap = 1
        if (lost <= 10)
          first = first " " t
        continue
      }
      gap = 0
      if (got[t] > 1)
        twice++
    }
    for (t in got)
      if (!(t in want))
        extra++
    printf "lost %d twice %d extra %d of %d", lost, twice, extra, n
    if (lost > 0)
      printf " (in %d runs); the first lost times:%s", runs, first
    print ""
  }' "$it_acc" "$@"
}

# ---- comparing two daemons ------------------------------------------------

# it_identifiers CSVDIR: the identifier of every csv file under CSVDIR, that
# is its path host/plugin[-instance]/type[-instance] without the date,
# sorted.
it_identifiers() {
  (cd "$1" && find . -type f) |
    sed -e 's|^\./||' -e 's|-[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]$||' |
    LC_ALL=C sort -u
}

# it__headers CSVDIR: "<identifier><TAB><first line>" for every csv file
# under CSVDIR (one awk for all files: a shell loop over hundreds of files
# is slow on a loaded machine).
it__headers() {
  (cd "$1" && find . -type f -exec awk 'FNR == 1 {
      f = FILENAME
      sub(/^\.\//, "", f)
      sub(/-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/, "", f)
      print f "\t" $0
    }' {} +)
}

# it_same_csv NAME_A CSVDIR_A NAME_B CSVDIR_B [FLAKY]: checks that two
# daemons, stopped, wrote csv files for the same identifiers, with the same
# header in each file. Identifiers that match the extended regular
# expression FLAKY (against the whole identifier) are left out. Every
# difference is printed before the check fails.
it_same_csv() {
  it_flaky=${5:-'^$'}
  it_identifiers "$2" | grep -Ev -- "$it_flaky" >"$TMP/$1.ids"
  it_identifiers "$2" | grep -E -- "$it_flaky" >"$TMP/$1.flaky"
  it_identifiers "$4" | grep -Ev -- "$it_flaky" >"$TMP/$3.ids"
  it_identifiers "$4" | grep -E -- "$it_flaky" >"$TMP/$3.flaky"

  it_check "both wrote identifiers"
  [ -s "$TMP/$1.ids" ] || it_fail "$1 wrote no csv file"
  [ -s "$TMP/$3.ids" ] || it_fail "$3 wrote no csv file"
  it_ok "$1 $(wc -l <"$TMP/$1.ids"), $3 $(wc -l <"$TMP/$3.ids");" \
    "flaky ones left out: $(wc -l <"$TMP/$1.flaky") and" \
    "$(wc -l <"$TMP/$3.flaky")"

  # A difference in the set is printed, and the headers are compared
  # before the test fails, so that one run shows every difference.
  it_check "the same set of identifiers (- $1 only, + $3 only)"
  LC_ALL=C comm -23 "$TMP/$1.ids" "$TMP/$3.ids" | sed 's/^/-/' \
    >"$TMP/ids.diff"
  LC_ALL=C comm -13 "$TMP/$1.ids" "$TMP/$3.ids" | sed 's/^/+/' \
    >>"$TMP/ids.diff"
  it_setdiff=""
  if [ -s "$TMP/ids.diff" ]; then
    echo "FAILED"
    IT_PENDING=0
    cat "$TMP/ids.diff"
    it_setdiff="the identifier sets differ ($(grep -c '^-' "$TMP/ids.diff")"
    it_setdiff="$it_setdiff $1 only, $(grep -c '^+' "$TMP/ids.diff") $3 only)"
  else
    it_ok
  fi

  it_check "the same csv header in every common file"
  LC_ALL=C comm -12 "$TMP/$1.ids" "$TMP/$3.ids" >"$TMP/common.ids"
  it__headers "$2" >"$TMP/$1.headers"
  it__headers "$4" >"$TMP/$3.headers"
  awk -F '\t' -v a="$1" -v b="$3" '
    FILENAME == ARGV[1] { common[$0] = 1; next }
    FILENAME == ARGV[2] { if ($1 in common) h[$1] = $2; next }
    ($1 in h) && h[$1] != $2 {
      printf "%s: %s \"%s\", %s \"%s\"\n", $1, a, h[$1], b, $2
    }' "$TMP/common.ids" "$TMP/$1.headers" "$TMP/$3.headers" \
    >"$TMP/headers.diff"
  if [ -s "$TMP/headers.diff" ]; then
    echo "FAILED"
    IT_PENDING=0
    cat "$TMP/headers.diff"
    it_fail "$(wc -l <"$TMP/headers.diff") headers differ${it_setdiff:+; $it_setdiff}"
  fi
  it_ok "$(wc -l <"$TMP/common.ids") files"
  [ -z "$it_setdiff" ] || it_fail "$it_setdiff"
}

# ---- the lifecycle commands ------------------------------------------------

# it_cmd SOCKET LINE...: sends each LINE over one connection and prints the
# replies (status line, then the lines it announces); see
# lifecycle_client.py for its other modes.
it_cmd() {
  python3 "$top_srcdir/tests/integration/lifecycle_client.py" cmd "$@"
}

# it_expect SOCKET LINE ERE: a check that the status line of the reply to
# LINE matches ERE; sets IT_REPLY to it.
it_expect() {
  it_check "$2 answers /$3/"
  IT_REPLY=$(it_cmd "$1" "$2" | head -n 1)
  printf '%s\n' "$IT_REPLY" | grep -Eq -- "$3" ||
    it_fail "the reply was \"$IT_REPLY\""
  it_ok "$IT_REPLY"
}

# it_session_start SOCKET: starts a lifecycle_client.py session on SOCKET
# (one connection for many commands: a python start-up per command takes
# seconds on a loaded machine, and a session sends each command the moment
# the test asks). it_session LINE then sends LINE and waits for its reply.
# Returns once the session answered a first LISTPLUGINS, so that the next
# command goes out at once. The session ends with the test (its input is
# closed, and it is stopped like a daemon).
it_session_start() {
  rm -f "$TMP/session.in" "$TMP/session.out"
  mkfifo "$TMP/session.in" || it_fail "cannot create $TMP/session.in"
  python3 "$top_srcdir/tests/integration/lifecycle_client.py" session "$1" \
    <"$TMP/session.in" >"$TMP/session.out" 2>&1 &
  IT_SESSION_PID=$!
  IT_PIDS="$IT_PIDS $IT_SESSION_PID"
  it_show_on_failure "$TMP/session.out"
  exec 9>"$TMP/session.in"
  IT_SESSION_SENT=0
  it_session LISTPLUGINS
}

# it__session_replies: how many replies the session printed (status lines,
# which are not indented).
it__session_replies() { grep -c '^[^ ]' "$TMP/session.out"; }
it__session_answered() {
  [ "$(it__session_replies)" -ge "$IT_SESSION_SENT" ]
}

# it_session LINE: sends LINE over the session and waits (bounded) for its
# reply; sets IT_REPLY to the status line. Stops the test if the session
# ended or did not answer in time.
it_session() {
  it_alive "$IT_SESSION_PID" ||
    it_fail "the session has ended: $(tail -n 3 "$TMP/session.out")"
  printf '%s\n' "$1" >&9
  IT_SESSION_SENT=$((IT_SESSION_SENT + 1))
  it_wait it__session_answered ||
    it_fail "no reply to \"$1\" within ${IT_DEADLINE}s"
  IT_REPLY=$(grep '^[^ ]' "$TMP/session.out" | sed -n "${IT_SESSION_SENT}p")
}

# it_listed SOCKET NAME: prints NAME's line of LISTPLUGINS
# ("<name> <state> <unloadable|legacy>[ <step>: <reason>]"); returns 1 if
# the plugin is not listed.
it_listed() {
  it_cmd "$1" LISTPLUGINS | awk -v n="$2" '
    NR == 1 { if ($1 !~ /^[0-9]+$/) exit 1; next }
    $1 == n { print; found = 1 }
    END { exit !found }'
}

# it_in_state SOCKET NAME STATE [KIND]: LISTPLUGINS lists NAME in STATE
# (and KIND, unloadable or legacy); for it_wait.
it_in_state() {
  it_line=$(it_listed "$1" "$2") || return 1
  it_st=$(echo "$it_line" | awk '{ print $2 }')
  it_kind=$(echo "$it_line" | awk '{ print $3 }')
  [ "$it_st" = "$3" ] && { [ -z "${4:-}" ] || [ "$it_kind" = "$4" ]; }
}

# it_csv_gaps FILE: prints "<n> rows, longest gap <g> s" of a csv file;
# returns 1 only for a gap of more than 10 s, which no loaded machine
# explains (a plugin that reads on must not fail on a busy machine).
it_csv_gaps() {
  awk -F, 'NR > 2 { g = $1 - prev; if (g > max) max = g }
    NR > 1 { prev = $1; n++ }
    END { printf "%d rows, longest gap %.3f s", n, max; exit max > 10 }' "$1"
}

# it_stop_no_hosts PID HOST_PID...: a check that SIGTERM ends the daemon
# PID with status 0 and that none of the plugin hosts is left.
it_stop_no_hosts() {
  it_check "SIGTERM: the daemon exits with status 0 and leaves no host behind"
  it_stop "$1" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
  [ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
  shift
  for it_hp in "$@"; do
    [ ! -e "/proc/$it_hp" ] || it_fail "host $it_hp is still there"
  done
  it_ok
}

# it_host_pid SOCKET NAME: the pid of NAME's plugin host, as LISTPLUGINS
# shows it ("<name> <state> isolated pid=<pid>"); empty if it has none.
it_host_pid() {
  it_listed "$1" "$2" |
    sed -n 's/^[^ ]* [^ ]* isolated pid=\([0-9][0-9]*\).*/\1/p'
}

# it_wait_socket SOCKET: waits until the daemon's socket exists and
# LISTPLUGINS lists unixsock ready (polling before the socket exists would
# only print the client's errors); returns 1 at the deadline.
it_wait_socket() {
  it_wait test -S "$1" && it_wait it_in_state "$1" unixsock ready
}

# it_threads PID NAME: prints how many threads of PID are named NAME (the
# first 15 characters, as the kernel keeps them).
it_threads() {
  it_comm=$(printf '%.15s' "$2")
  cat "/proc/$1/task/"*/comm 2>/dev/null | grep -cxF -- "$it_comm"
}
