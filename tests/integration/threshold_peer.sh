#!/bin/sh
# Debian's threshold.so in our daemon raises the notifications it raises in
# Debian's collectd 5.12. Both daemons get the same configuration: Debian's
# threshold plugin with thresholds at every level of <Host>/<Plugin>/<Type>
# nesting (Hysteresis, Hits, Persist, PersistOK, Invert, Percentage,
# DataSource, Interesting, two thresholds under one name), and Debian's exec
# plugin running a program that prints a fixed sequence of values, and a
# NotificationExec program that records every notification with its meta
# data. The sequence crosses the thresholds both ways, then stops until every
# interesting value has been reported missing, then resumes.
#
# The program sends the values in rounds, each with at most one value per
# identifier, and starts a round only once the previous one went through the
# write callbacks (its csv rows exist; threshold's callback runs before
# csv's): threshold judges the value it finds in the cache, and collectd's
# write threads may take two queued values of one identifier in either
# order.
#
# Compared: each value's notifications in the order the logfile plugin saw
# them (severity, identifier, message), and the set of notifications the
# NotificationExec program got (every header line, the meta data DataSource,
# CurrentValue, WarningMin/Max, FailureMin/Max included, and the message).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/exec_lib.sh"
it_init threshold_peer
it_need_debian "$DEBIAN_PLUGINDIR/threshold.so" "$DEBIAN_PLUGINDIR/exec.so"
ex_user

# The values: "PHASE IDENTIFIER VALUES", the identifier without its host
# (itest). In phase 1 each identifier's last value has an interval of 1 s, so
# that it is reported missing 2 s (Timeout 2) after it; its other values have
# 30 s, so that a slow machine does not let it expire in between. Phase 2
# comes after the missing notifications.
cat >"$TMP/values" <<'EOF'
1 seq/gauge-a 5
1 seq/gauge-hits 5
1 seq/gauge-persist 10
1 seq/gauge-inv 30
1 seq/df-root 50:50
1 seq/load 0.5:0.5:0.5
1 seqx/gauge 5
1 seq/gauge-other 5
1 seq-pi/gauge 5
1 seq/gauge-a 10.5
1 seq/gauge-a 12
1 seq/gauge-hits 15
1 seq/gauge-persist 4
1 seq/gauge-a 10.5
1 seq/gauge-hits 15
1 seq/gauge-persist 4
1 seq/gauge-inv 50
1 seq/df-root 85:15
1 seq/load 0.5:1.5:0.5
1 seq/gauge-a 25
1 seq/gauge-hits 15
1 seq/gauge-persist 1
1 seq-pi/gauge 60
1 seq/load 4.5:0.5:0.5
1 seq/gauge-a 19.5
1 seq/gauge-hits 15
1 seq/gauge-persist 1
1 seq/gauge-inv 42
1 seq/df-root 95:5
1 seq/load 0.5:2.5:0.5
1 seq/gauge-a 15
1 seq/gauge-hits 5
1 seq/gauge-persist 6
1 seq/load 5:0.5:5
1 seq/gauge-a 9.5
1 seq/gauge-hits 15
1 seq/gauge-persist 6
1 seq/gauge-inv 70
1 seq/df-root 70:30
1 seqx/gauge 2000
1 seq/gauge-other 200
1 seq/load 0.1:0.1:0.1
1 seq/gauge-a 8.5
1 seq/gauge-hits 15
1 seq/gauge-a 30
1 seq/gauge-hits 15
1 seq/gauge-persist 0.5
1 seq/gauge-a 2
1 seq/gauge-inv 50
1 seq/df-root 99:1
1 seq/load 3:3:3
1 seqx/gauge 5
1 seq/gauge-other 5
1 seq-pi/gauge 55
2 seq/gauge-a 5
2 seq/gauge-persist 1
2 seq/load 0.1:0.1:0.1
2 seq/gauge-a 15
2 seqx/gauge 5
2 seq/df-root 95:5
EOF
# Identifiers that get a missing notification: those with an interesting
# threshold (all but gauge-inv).
MISSING="seq/gauge-a seq/gauge-hits seq/gauge-persist seq/df-root seq/load
seqx/gauge seq/gauge-other seq-pi/gauge"

THRESHOLDS='
<Plugin threshold>
  <Type "gauge">
    WarningMax 1000
  </Type>
  <Plugin "seq">
    <Type "gauge">
      WarningMax 100
    </Type>
    <Type "gauge">
      Instance "hits"
      WarningMax 10
      Hits 2
    </Type>
  </Plugin>
  <Plugin "seq">
    Instance "pi"
    <Type "gauge">
      WarningMax 50
    </Type>
  </Plugin>
  <Host "itest">
    <Type "load">
      DataSource "midterm"
      WarningMax 1
      FailureMax 2
    </Type>
    <Type "load">
      DataSource "shortterm"
      WarningMax 4
    </Type>
    <Plugin "seq">
      <Type "gauge">
        Instance "a"
        WarningMax 10
        FailureMax 20
        Hysteresis 1
      </Type>
      <Type "gauge">
        Instance "persist"
        WarningMin 5
        FailureMin 2
        Persist true
        PersistOK true
      </Type>
      <Type "gauge">
        Instance "inv"
        WarningMin 40
        WarningMax 60
        FailureMin 45
        FailureMax 55
        Invert true
        Interesting false
      </Type>
      <Type "df">
        Instance "root"
        DataSource "free"
        WarningMin 20
        FailureMin 10
        Percentage true
      </Type>
    </Plugin>
  </Host>
</Plugin>'

# The value times: phase 1 from a fixed second in the past (the same for
# both daemons, so notifications carry the same Time), phase 2 from a second
# both learn when it starts.
BASE=$(($(date +%s) - 1000))

# feed DIR: the Exec program of the daemon in DIR. It runs once (exec starts
# a program again when it exits, so it never exits while DIR exists) and
# leaves DIR/run/feed.phase1, feed.done or feed.stuck behind.
feed() {
  cat <<EOF
#!/bin/sh
D=$1
idle() { while [ -d "\$D" ]; do sleep 1; done; exit 0; }
[ -e "\$D/run/feed.started" ] && idle
: >"\$D/run/feed.started"
# rows N: waits until the csv files hold N rows in all (one process a
# poll: on a loaded machine each costs).
rows() {
  n=0
  while [ \$n -lt 600 ]; do
    awk '!/^epoch/ { n++ } END { exit n < '\$1' }' "\$D"/csv/itest/*/* \\
      2>/dev/null && return 0
    sleep 0.05
    n=\$((n + 1))
  done
  echo "the csv files never held \$1 rows" >>"\$D/run/feed.stuck"
  idle
}
EOF
  awk -v base="$BASE" '
    function wait_round() {
      print "rows " sent
      split("", round)
    }
    { phase[NR] = $1; id[NR] = $2; v[NR] = $3; if ($1 == 1) last[$2] = NR }
    END {
      for (i = 1; i <= NR; i++) {
        if (id[i] in round || (phase[i] == 2 && !started))
          wait_round()
        if (phase[i] == 2 && !started) {
          print ": >\"$D/run/feed.phase1\""
          print "n=0"
          print "while [ ! -s \"$D/run/go\" ]; do"
          print "  [ $n -lt 1200 ] || idle"
          print "  sleep 0.05; n=$((n + 1))"
          print "done"
          print "T=$(cat \"$D/run/go\")"
          started = i - 1
        }
        t = (phase[i] == 1) ? base + i : "$((T + " i - started "))"
        iv = (phase[i] == 1 && last[id[i]] == i) ? 1 : 30
        print "echo \"PUTVAL itest/" id[i] " interval=" iv " " t ":" v[i] "\""
        round[id[i]] = 1
        sent++
      }
      wait_round()
      print ": >\"$D/run/feed.done\""
      print "idle"
    }' "$TMP/values"
}

# conf DIR TYPES-OF-PLUGINS: the configuration of the daemon in DIR.
conf() {
  it_globals "$1" "$DEBIAN_TYPESDB"
  it_logfile "$1"
  echo "LoadPlugin threshold"
  echo "$THRESHOLDS"
  # csv after threshold: its row tells the program that threshold has seen
  # the value.
  it_csv "$1" false
  cat <<EOF
LoadPlugin exec
<Plugin exec>
  Exec "$EXEC_USER" "$1/feed.sh"
  NotificationExec "$EXEC_USER" "$1/notify.sh"
</Plugin>
EOF
}

for who in ours debian; do
  D=$TMP/$who
  ex_dir "$D"
  ex_notify_script "$D"
  feed "$D" >"$D/feed.sh"
  chmod 755 "$D/feed.sh"
  conf "$D" >"$D/collectd.conf"
  it_show_on_failure "$D/log" "$D/run/feed.stuck"
done
it_debian_plugins "$TMP/ours/plugins" threshold exec
it_plugins "$TMP/ours/plugins" logfile csv
it_debian_plugins "$TMP/debian/plugins" threshold exec logfile csv

it_start ours "$COLLECTD" -f -C "$TMP/ours/collectd.conf"
OURS=$IT_PID
it_start debian "$DEBIAN_COLLECTD" -f -C "$TMP/debian/collectd.conf"
DEBIAN=$IT_PID

# Generous: the program waits for the write thread after every value.
IT_DEADLINE=40
feed_at() { [ -e "$TMP/$1/run/$2" ] || [ -e "$TMP/$1/run/feed.stuck" ]; }
for who in ours debian; do
  it_check "$who: the program sent phase 1 ($(grep -c '^1' "$TMP/values") values)"
  it_wait feed_at $who feed.phase1 || it_fail "it did not in ${IT_DEADLINE}s"
  [ ! -e "$TMP/$who/run/feed.stuck" ] || it_fail "$(cat "$TMP/$who/run/feed.stuck")"
  it_ok
done

IT_DEADLINE=20
all_missing() {
  for id in $MISSING; do
    it_grep "$TMP/$1/log" "message = itest/$id has not been updated" ||
      return 1
  done
}
for who in ours debian; do
  it_check "$who: missing notifications for $(echo "$MISSING" | wc -w) identifiers"
  it_wait all_missing $who || it_fail "not all after ${IT_DEADLINE}s"
  it_ok
done

T=$(($(date +%s) + 1))
for who in ours debian; do
  echo "$T" >"$TMP/$who/run/go.tmp" && mv "$TMP/$who/run/go.tmp" "$TMP/$who/run/go"
done
for who in ours debian; do
  it_check "$who: the program sent phase 2"
  it_wait feed_at $who feed.done || it_fail "it did not in ${IT_DEADLINE}s"
  [ ! -e "$TMP/$who/run/feed.stuck" ] || it_fail "$(cat "$TMP/$who/run/feed.stuck")"
  it_ok
done

# The notifications about our values, as the logfile plugin wrote them
# (dispatched before csv's row, so all are there by now).
logged() {
  grep -F '] Notification: severity = ' "$TMP/$1/log" |
    grep -F ', plugin = seq' |
    sed -e 's/^.*] Notification: //' \
      -e 's/for [0-9.]* seconds/for (now) seconds/'
}
# NotificationExec's programs run on their own: wait for all of them.
SEQ='^Plugin: seq'
recorded() { [ "$(ex_count "$TMP/$1" "$SEQ")" -ge "$(logged "$1" | wc -l)" ]; }
for who in ours debian; do
  it_check "$who: NotificationExec got the $(logged $who | wc -l) notifications"
  it_wait recorded $who ||
    it_fail "it got $(ex_count "$TMP/$who" "$SEQ") in ${IT_DEADLINE}s"
  it_ok
done

it_check "both daemons stop with status 0"
it_stop "$OURS" || it_fail "ours still runs ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "ours exited with status $IT_RC"
it_stop "$DEBIAN" || it_fail "Debian's still runs ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "Debian's exited with status $IT_RC"
it_ok

# Per identifier, in the order they came: notifications about different
# identifiers are not ordered (a missing one comes when the cache's timeout
# check finds it).
by_identifier() {
  logged "$1" | awk '{
      key = $0
      sub(/^severity = [A-Z]*, /, "", key)
      sub(/, message = .*/, "", key)
      printf "%s\t%06d\t%s\n", key, NR, $0
    }' | LC_ALL=C sort -t "$(printf '\t')" -k1,1 -k2,2n | cut -f 3
}
for who in ours debian; do
  by_identifier $who >"$TMP/$who.logged"
  ex_notes "$TMP/$who" "$SEQ" >"$TMP/$who.notes"
done

it_check "Debian's run raised what the test means to compare"
for what in 'severity = WARNING' 'severity = FAILURE' 'severity = OKAY' \
  'type_instance = hits' 'type_instance = persist' 'type_instance = inv' \
  'type = df' 'type = load' 'plugin = seqx' 'type_instance = other' \
  'plugin_instance = pi, type = gauge, message = Host itest, plugin seq (instance pi) type gauge: Data source "value" is currently 60' \
  'has not been updated'; do
  grep -qF "$what" "$TMP/debian.logged" || it_fail "no notification with $what"
done
it_ok "$(wc -l <"$TMP/debian.logged") notifications"

it_check "the same notifications, per identifier in the same order"
if ! cmp -s "$TMP/debian.logged" "$TMP/ours.logged"; then
  echo "FAILED"
  IT_PENDING=0
  diff -u "$TMP/debian.logged" "$TMP/ours.logged" | sed 's/^/  /'
  it_fail "our daemon's notifications differ from collectd 5.12's"
fi
it_ok

it_check "NotificationExec got the same notifications with the same meta data"
grep -q ' | CurrentValue: ' "$TMP/debian.notes" ||
  it_fail "Debian's notifications carry no CurrentValue"
if ! cmp -s "$TMP/debian.notes" "$TMP/ours.notes"; then
  echo "FAILED"
  IT_PENDING=0
  diff -u "$TMP/debian.notes" "$TMP/ours.notes" | sed 's/^/  /'
  it_fail "our daemon's notifications differ from collectd 5.12's"
fi
it_ok "$(wc -l <"$TMP/ours.notes")"
it_pass
