#!/bin/sh
# RELOAD of a write plugin loses nothing: test_seq_source dispatches
# numbered values (about 2000 a second, every tenth also as a
# notification) while test_seq_writer, which writes down each one it gets,
# is reloaded 20 times (its Tag changed in the file before each RELOAD, so
# that each really reloads), then 5 times with a configuration that fails
# (rolled back to the working one), then while the new instance takes its
# first values more slowly than the source dispatches them (it becomes
# ready after 2 s of catching up, and gets the rest beside newer values).
# Then the source is unloaded (its last
# number lands in a file) and the writer is unloaded (which delivers what
# is queued). From the first number the writer saw to the last, every value
# and every notification must be in its file exactly once: what was
# dispatched while the writer was between two instances waits for the new
# one (or the restored one) instead of being skipped.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_writer_reload
RELOADS=20
ROLLBACKS=5
EVERY=10 # NotifyEvery of the source

D=$TMP
it_plugins "$D/plugins" logfile unixsock
it_test_plugins "$D/plugins" test_seq_source test_seq_writer

# conf TAG [FAIL [SLOW [SLOW_INIT]]]: the configuration, the writer's Tag
# being TAG (its config failing if FAIL is true, its first SLOW values
# taking 50 ms each, its init SLOW_INIT ms). Replaced in one rename: the
# daemon reads the file for every RELOAD.
conf() {
  {
    it_globals "$D"
    echo "UnloadTimeout 30"
    it_logfile "$D"
    it_unixsock "$D" "  PluginControl true"
    cat <<EOF
LoadPlugin test_seq_writer
<Plugin test_seq_writer>
  File "$D/seen"
  Tag "$1"
  Fail ${2:-false}
  SlowFirst ${3:-0}
  SlowInit ${4:-0}
</Plugin>
LoadPlugin test_seq_source
<Plugin test_seq_source>
  Rate 2000
  LastFile "$D/last"
  NotifyEvery $EVERY
</Plugin>
EOF
  } >"$D/collectd.conf.new"
  mv "$D/collectd.conf.new" "$D/collectd.conf"
}

# wrote_tag TAG: the writer's file has a value written with Tag TAG.
wrote_tag() { it_grep "$D/seen" "^v [0-9]+ $1\$"; }

# lines_above N: the writer's file has more than N lines.
lines_above() { [ -f "$D/seen" ] && [ "$(wc -l <"$D/seen")" -gt "$1" ]; }

# reload ERE: a RELOAD of test_seq_writer whose reply must match ERE
# (quiet unless it does not).
reload() {
  it_session "RELOAD test_seq_writer"
  printf '%s\n' "$IT_REPLY" | grep -Eq -- "$1" ||
    it_fail "RELOAD test_seq_writer answered \"$IT_REPLY\""
}

conf r0
it_show_on_failure "$D/log"
# logfile writes every notification of the source down too.
IT_LOG_FILTER="Notification: .*plugin = test_seq_source,"
SOCK=$D/sock
it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID

it_check "test_seq_writer writes what test_seq_source dispatches"
it_wait it_in_state "$SOCK" test_seq_source ready unloadable ||
  it_fail "LISTPLUGINS: \"$(it_listed "$SOCK" test_seq_source)\""
it_wait wrote_tag r0 || it_fail "nothing in $D/seen after ${IT_DEADLINE}s"
it_wait it_grep "$D/seen" "^n [0-9]+ r0\$" ||
  it_fail "no notification in $D/seen after ${IT_DEADLINE}s"
it_session_start "$SOCK"
it_ok

it_check "$RELOADS RELOADs with a new Tag each answer 0, the new one writes"
i=1
while [ "$i" -le "$RELOADS" ]; do
  conf "r$i"
  reload "^0 "
  it_wait wrote_tag "r$i" ||
    it_fail "no value written with Tag r$i ${IT_DEADLINE}s after RELOAD $i"
  i=$((i + 1))
done
it_ok

it_check "$ROLLBACKS RELOADs that fail are rolled back, the old one writes"
i=1
while [ "$i" -le "$ROLLBACKS" ]; do
  conf "bad$i" true
  n=$(wc -l <"$D/seen")
  reload "^-1 test_seq_writer: config: .*rolled back"
  it_wait lines_above $((n + 200)) ||
    it_fail "the restored writer wrote nothing ${IT_DEADLINE}s after" \
      "rollback $i"
  i=$((i + 1))
done
wrote_tag "bad[0-9]+" && it_fail "a failed configuration wrote values"
it_ok

# The catch-up ends by time only if values keep coming while the slow
# instance takes the carried ones (50 ms each against about 2000 a
# second). Its init takes 100 ms, so that the carry holds values when the
# catch-up starts: a reload alone can be over between two values. A stall
# of the source's thread on a loaded machine could still empty the carry
# first, so up to three RELOADs are tried.
it_check "a RELOAD to an instance slower than the source ends, and says so"
late="test_seq_writer: reload: .* reached it after it was ready"
i=1
while :; do
  conf "slow$i" false 100 100
  reload "^0 "
  it_grep "$D/log" "$late" && break
  [ "$i" -lt 3 ] || it_fail "no \"$late\" in the log after $i RELOADs"
  i=$((i + 1))
done
conf "r$RELOADS"
it_ok "$(grep -E "$late" "$D/log" | head -n 1 | sed 's/.*reload: //')"

it_expect "$SOCK" "UNLOAD test_seq_source" "^0 "
it_check "test_seq_source wrote its last number"
[ -s "$D/last" ] || it_fail "no $D/last"
LAST=$(cat "$D/last")
case $LAST in
'' | *[!0-9]*) it_fail "$D/last holds \"$LAST\"" ;;
esac
it_ok "$LAST"

it_check "the writer gets value $LAST"
it_wait it_grep "$D/seen" "^v $LAST " ||
  it_fail "no value $LAST in $D/seen after ${IT_DEADLINE}s"
it_ok
it_expect "$SOCK" "UNLOAD test_seq_writer" "^0 "

# tally KIND STEP: for lines "KIND <number> <tag>" of the writer's file,
# from the first number to the last one the source dispatched (the
# multiples of STEP only), prints "first <f> expected <n> lost <l> twice
# <t> beyond <b>" and then up to 10 runs of lost numbers with the Tags
# written just before and after them (which reload lost them).
tally() {
  awk -v kind="$1" -v step="$2" -v last="$LAST" '
    $1 != kind { next }
    {
      k = $2 + 0
      seen[k]++
      tag[k] = $3
      if (first == "" || k < first)
        first = k
      if (k > last)
        beyond++
    }
    END {
      if (first == "") {
        print "first none expected 0 lost 0 twice 0 beyond 0"
        exit
      }
      lost = twice = expected = runs = 0
      from = ""
      for (k = first; k <= last; k += step) {
        expected++
        if (!(k in seen)) {
          lost++
          if (from == "")
            from = k
          continue
        }
        if (seen[k] > 1)
          twice++
        if (from != "") {
          if (runs++ < 10)
            out = out sprintf("  lost %d..%d (%d), between Tags %s and %s\n",
                              from, k - step, (k - from) / step,
                              tag[from - step], tag[k])
          from = ""
        }
      }
      if (from != "")
        out = out sprintf("  lost %d..%d at the end\n", from, last)
      printf "first %d expected %d lost %d twice %d beyond %d\n",
             first, expected, lost, twice, beyond + 0
      printf "%s", out
    }' "$D/seen"
}

# verdict WHAT SUMMARY: a check that SUMMARY (from tally) shows nothing
# lost, twice or beyond the last number; prints the lost runs either way.
# Returns 1 (after printing) instead of stopping the test, so that values
# and notifications are both reported.
verdict() {
  it_check "every $1 reached the writer exactly once"
  line=$(printf '%s\n' "$2" | head -n 1)
  set -- $line
  if [ "$4" -lt 2 ] || [ "$6" != 0 ] || [ "$8" != 0 ] || [ "${10}" != 0 ]; then
    echo "FAILED"
    IT_PENDING=0
    echo "  $line"
    return 1
  fi
  it_ok "$line"
}

values=$(tally v 1)
notifications=$(tally n "$EVERY")
bad=""
verdict "value (1..$LAST)" "$values" || bad="values"
printf '%s\n' "$values" | sed -n '2,$p'
verdict "notification (every ${EVERY}th value)" "$notifications" ||
  bad="${bad:+$bad and }notifications"
printf '%s\n' "$notifications" | sed -n '2,$p'
[ -z "$bad" ] ||
  it_fail "$bad were lost or written twice across the reloads of the writer"

it_check "SIGTERM stops the daemon with status 0"
it_stop "$PID" || it_fail "still running ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok

it_pass
