#!/bin/sh
# OnPluginFailure Restart: an isolated plugin that segfaults in read, aborts
# in init, exits from a thread, spins for ever in read or leaks past its
# MemoryLimit is loaded again
# after a back-off that doubles from RestartDelay up to RestartMaxDelay,
# with a notification each time and the count in LISTPLUGINS; an
# unloadable plugin in process that fails its init is restarted too; a
# legacy one in process is not, and the log says why. An UNLOAD ends the
# restarts. The plugins beside them read on without a gap.
#
# Timing is judged only where load cannot break it: a restart never comes
# before its back-off has passed (the daemon measures and logs both).
. "$(dirname "$0")/lib.sh"
it_init isolate_restart

D=$TMP
it_plugins "$D/plugins" csv logfile unixsock uptime
it_test_plugins "$D/plugins" test_crash test_init_fail test_legacy
MODE=segv_read
LIMIT=
conf() {
  it_globals "$D"
  echo "UnloadTimeout 2"
  echo "RestartDelay 0.5"
  echo "RestartMaxDelay 8"
  it_logfile "$D"
  it_csv "$D"
  it_unixsock "$D" "  PluginControl true"
  echo "LoadPlugin uptime"
  printf '<LoadPlugin test_crash>\n  Isolate true\n'
  [ -z "$LIMIT" ] || printf '  MemoryLimit %s\n' "$LIMIT"
  printf '  OnPluginFailure Restart\n</LoadPlugin>\n'
  printf '<Plugin test_crash>\n  Mode "%s"\n  After 2\n</Plugin>\n' "$MODE"
  printf '<LoadPlugin test_init_fail>\n  OnPluginFailure Restart\n'
  printf '</LoadPlugin>\n'
  # Legacy, in process, failing in its configuration (it takes none).
  printf '<LoadPlugin test_legacy>\n  OnPluginFailure Restart\n'
  printf '</LoadPlugin>\n<Plugin test_legacy>\n  Option 1\n</Plugin>\n'
}
conf >"$D/collectd.conf"
it_show_on_failure "$D/log"
SOCK=$D/sock
CSV=$D/csv/itest

# restarts NAME: the restart count LISTPLUGINS shows for NAME.
restarts() {
  it_listed "$SOCK" "$1" | sed -n 's/.* restarts=\([0-9][0-9]*\).*/\1/p'
}
# restarted_at_least NAME N: for it_wait.
restarted_at_least() {
  n=$(restarts "$1")
  [ -n "$n" ] && [ "$n" -ge "$2" ]
}

# check_backoff NAME FIRST N: the log's first N restart lines of NAME
# (from the line FIRST of the log on) give back-offs 0.5, 1, 2, 4, 8, 8 s,
# and each restart came at least its back-off after the failure.
check_backoff() {
  awk -v n="$1" -v first="$2" -v want="$3" '
    NR < first { next }
    !/Notification:/ && index($0, n ": OnPluginFailure Restart: restart ") &&
      match($0, /restart [0-9]+, [0-9.]+ s after its failure \(back-off [0-9.]+ s\)/) {
      split(substr($0, RSTART, RLENGTH), w, /[ ,()]+/)
      # w: restart N <elapsed> s after its failure back-off <b> s (1..10)
      k++
      expect = 0.5 * 2 ^ (k - 1); if (expect > 8) expect = 8
      if (w[2] != k) { printf "restart %d numbered %s\n", k, w[2]; bad = 1 }
      if (w[9] + 0 != expect) {
        printf "restart %d: back-off %s s, not %s\n", k, w[9], expect; bad = 1
      }
      if (w[3] + 0 < w[9] + 0) {
        printf "restart %d: %s s after the failure, before its back-off\n", k, w[3]
        bad = 1
      }
      seen = seen sprintf("%s%s/%s", k > 1 ? ", " : "", w[3], w[9])
      if (k == want) exit
    }
    END {
      if (k < want) { printf "only %d restart lines\n", k; bad = 1 }
      if (!bad) printf "elapsed/back-off: %s\n", seen
      exit bad
    }' "$D/log"
}

# unload NAME: UNLOAD NAME, again while a restart of it is under way (a
# restart is a lifecycle command like the others: the reply is "busy").
unloaded_once() {
  IT_REPLY=$(it_cmd "$SOCK" "UNLOAD $1" | head -n 1)
  case $IT_REPLY in
  "0 $1: unloaded") return 0 ;;
  "-1 $1: busy: a restart of this plugin is in progress"*) return 1 ;;
  *) it_fail "UNLOAD $1 answered \"$IT_REPLY\"" ;;
  esac
}
unload() {
  it_check "UNLOAD $1 (again while a restart of it is under way)"
  it_wait unloaded_once "$1" || it_fail "the last reply was \"$IT_REPLY\""
  it_ok "$IT_REPLY"
}

# notified NAME EVENT: the logfile shows a plugin_state notification.
notified() {
  it_grep "$D/log" "Notification: .*plugin = collectd, plugin_instance = $1, type = plugin_state, type_instance = $2(,|\$)"
}

it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
it_wait_socket "$SOCK" || it_fail "the socket did not come up"

it_check "segv_read: restarted 4 times with back-off 0.5, 1, 2, 4 s, a new host each time"
it_wait restarted_at_least test_crash 4 ||
  it_fail "$(it_listed "$SOCK" test_crash)"
out=$(check_backoff test_crash 1 4) || it_fail "$out"
# The hosts, as the daemon logs their starts: the first and 4 restarts.
pids=$(sed -n 's/.*test_crash: plugin host started, pid \([0-9]*\)$/\1/p' "$D/log" |
  head -n 5 | sort -u | tr '\n' ' ')
set -- $pids
[ $# -eq 5 ] || it_fail "the hosts were $pids"
notified test_crash restarting || it_fail "no restarting notification"
it_ok "$out; hosts $pids"

it_check "test_legacy (legacy, in process) failed and is not restarted"
line=$(it_listed "$SOCK" test_legacy)
echo "$line" | grep -Eq '^test_legacy failed legacy restarts=0 ' ||
  it_fail "it shows \"$line\""
it_grep "$D/log" "test_legacy: OnPluginFailure Restart: it is not restarted: a legacy plugin in process cannot be unloaded" ||
  it_fail "the log does not say why"
it_ok "$line"

it_check "test_init_fail (unloadable, in process) is restarted after each failed init"
it_wait restarted_at_least test_init_fail 2 ||
  it_fail "$(it_listed "$SOCK" test_init_fail)"
out=$(check_backoff test_init_fail 1 2) || it_fail "$out"
it_ok "$out"

unload test_init_fail
mark=$(wc -l <"$D/log")
it_expect "$SOCK" "LOAD test_init_fail" "^-1 test_init_fail: init: "
it_check "UNLOAD ended the restarts, and after LOAD they count from 1 again"
# The first restart after the LOAD is restart 1 again, after the first
# back-off (a LISTPLUGINS here could come after it on a loaded machine).
it_wait restarted_at_least test_init_fail 1 ||
  it_fail "$(it_listed "$SOCK" test_init_fail)"
out=$(check_backoff test_init_fail $((mark + 1)) 1) || it_fail "$out"
it_ok "$out"
unload test_init_fail

# mode_restarts MODE FAILURE CHECK: the check CHECK that test_crash in
# MODE, loaded by command, is restarted at least twice with back-off, each
# of its failures being FAILURE (an extended regular expression).
mode_restarts() {
  unload test_crash
  MODE=$1
  conf >"$D/collectd.conf"
  mark=$(wc -l <"$D/log")
  it_cmd "$SOCK" "LOAD test_crash" >/dev/null
  it_check "$3"
  it_wait restarted_at_least test_crash 2 ||
    it_fail "$(it_listed "$SOCK" test_crash)"
  out=$(check_backoff test_crash $((mark + 1)) 2) || it_fail "$out"
  # Every failure since the LOAD is the mode's.
  awk -v first="$mark" 'NR > first && /\[error\] test_crash: (host|init): /' \
    "$D/log" >"$D/failures"
  [ -s "$D/failures" ] || it_fail "no failure logged"
  if grep -Ev "$2" "$D/failures" >"$D/other"; then
    it_fail "another failure: $(head -n 1 "$D/other")"
  fi
  it_ok "$out; $(wc -l <"$D/failures") failures"
}

mode_restarts abort_init "host process died: signal 6 \\(Aborted\\)" \
  "abort_init: every restart fails in init, with back-off"
mode_restarts exit_thread "host process exited with status 3" \
  "exit_thread: the host exits, and is restarted"
mode_restarts spin_read "the host did not answer READ within [0-9.]+ s; killed" \
  "spin_read: the host is killed when READ is not answered, and restarted"
# 4 MiB more with each read; the daemon looks before each read.
LIMIT=24
mode_restarts leak_read "the host's memory \\([0-9.]+ MiB resident\\) passed its MemoryLimit of 24.0 MiB; killed" \
  "leak_read: a host past its MemoryLimit (24 MiB) is killed, and restarted"

unload test_crash
it_check "uptime read on without a gap through all of it"
f=$(it_csv_file "$CSV/uptime/uptime") || it_fail "no csv for uptime"
gaps=$(it_csv_gaps "$f") || it_fail "$gaps"
it_ok "$gaps"

it_stop_no_hosts "$PID" $(sed -n \
  's/.*test_crash: plugin host started, pid \([0-9]*\)$/\1/p' "$D/log")

it_pass
