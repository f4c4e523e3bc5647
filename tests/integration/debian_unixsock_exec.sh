#!/bin/sh
# Debian's unixsock.so, exec.so and threshold.so in our daemon answer and
# deliver as in Debian's collectd 5.12 with the same configuration (Debian's
# csv and logfile plugins in both too, so that the two sets of callbacks are
# the same):
#  - Debian's collectdctl: putval, getval, listval and flush print the same
#    and exit with the same status against either daemon;
#  - GETTHRESHOLD, spoken on the socket, gives the same replies byte for
#    byte, for thresholds at all twelve levels of host / plugin / plugin
#    instance / type instance nesting, one or two of them per type, so that
#    which one the lookup prefers is seen for every pair of levels;
#  - PUTNOTIF on the socket and PUTVAL / PUTNOTIF lines of an exec program
#    reach csv and a NotificationExec program alike.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/exec_lib.sh"
it_init debian_unixsock_exec
it_need_debian "$DEBIAN_PLUGINDIR/unixsock.so" "$DEBIAN_PLUGINDIR/exec.so" \
  "$DEBIAN_PLUGINDIR/threshold.so" /usr/bin/collectdctl
ex_user

# ---- thresholds at every level ---------------------------------------------
# Level i (0..11) of identifier HOST/seq-pi/TYPE-ti: host itest or any
# (i / 6), plugin seq with instance pi, seq, or any (i / 2 % 3), type
# instance ti or any (i % 2). Each type gets one level, or two; the
# threshold of level i has WarningMax 1000 + i, so that the reply tells which
# one was found. Six identifiers a type are looked up: the full one, and
# ones that lack or change a part.
awk -v conf="$TMP/thresholds.conf" -v queries="$TMP/queries" '
  !/^#/ && NF > 1 { types[++ntypes] = $1 }
  function level(i, type,   h, p, s) {
    h = int(i / 6); p = int(i / 2) % 3
    s = "      <Type \"" type "\">\n"
    if (i % 2 == 0)
      s = s "        Instance \"ti\"\n"
    s = s "        WarningMax " (1000 + i) "\n      </Type>\n"
    if (p < 2)
      s = "    <Plugin \"seq\">\n" (p == 0 ? "      Instance \"pi\"\n" : "") \
        s "    </Plugin>\n"
    if (h == 0)
      s = "  <Host \"itest\">\n" s "  </Host>\n"
    return s
  }
  function add(a, b,   t) {
    t = types[++used]
    printf "%s", level(a, t) > conf
    if (b >= 0)
      printf "%s", level(b, t) > conf
    print "GETTHRESHOLD itest/seq-pi/" t "-ti" > queries
    print "GETTHRESHOLD itest/seq/" t "-ti" > queries
    print "GETTHRESHOLD itest/seq-pi/" t > queries
    print "GETTHRESHOLD other/seq-pi/" t "-ti" > queries
    print "GETTHRESHOLD itest/other-pi/" t "-ti" > queries
    print "GETTHRESHOLD itest/seq-x/" t "-y" > queries
  }
  END {
    print "<Plugin threshold>" > conf
    for (a = 0; a < 12; a++)
      add(a, -1)
    for (a = 0; a < 12; a++)
      for (b = a + 1; b < 12; b++)
        add(a, b)
    # Every option the plugin takes, and none.
    print "  <Host \"itest\">\n    <Plugin \"feed\">\n      <Type \"gauge\">" > conf
    print "        Instance \"all\"\n        DataSource \"value\"" > conf
    print "        WarningMin 1\n        WarningMax 2" > conf
    print "        FailureMin 0.5\n        FailureMax 3" > conf
    print "        Invert true\n        Persist true\n        PersistOK true" > conf
    print "        Percentage true\n        Hits 3\n        Hysteresis 0.25" > conf
    print "        Interesting false\n      </Type>" > conf
    print "      <Type \"gauge\">\n        Instance \"none\"\n      </Type>" > conf
    print "    </Plugin>\n  </Host>\n</Plugin>" > conf
    print "GETTHRESHOLD itest/feed/gauge-all" > queries
    print "GETTHRESHOLD itest/feed/gauge-none" > queries
    print "GETTHRESHOLD itest/feed/gauge" > queries
    print "GETTHRESHOLD itest/feed" > queries
    print "GETTHRESHOLD" > queries
    print "GETTHRESHOLD itest/seq/no_such_type" > queries
    if (used != 78)
      exit 1
  }' "$DEBIAN_TYPESDB" || it_fail "fewer than 78 types in $DEBIAN_TYPESDB"

# ---- the exec program --------------------------------------------------------
# Values and notifications with explicit times, so that both daemons write
# the same; interval=600 keeps the values in the cache for the whole test.
# It runs once (exec restarts a program that exits, so it stays while its
# directory exists).
feed() {
  cat <<EOF
#!/bin/sh
D=$1
idle() { while [ -d "\$D" ]; do sleep 1; done; exit 0; }
[ -e "\$D/run/feed.started" ] && idle
: >"\$D/run/feed.started"
cat <<'LINES'
PUTVAL itest/feed/gauge interval=600 1700000000:1 1700000001:2
PUTVAL "itest/feed-x y/load" interval=600 1700000000:0.5:1:1.5
PUTVAL itest/feed/derive interval=600 1700000000:100 1700000010:150
PUTVAL itest/feed/if_octets-eth0 interval=600 1700000000:1:2 1700000010:5:12
PUTVAL itest/feed/load-u interval=600 1700000000:U:1:U
PUTVAL itest/feed/derive-u interval=600 1700000000:U
PUTVAL itest/feed/nosuchtype interval=600 1700000000:1
PUTNOTIF severity=warning time=1700000002 host=itest plugin=feed plugin_instance=pi type=gauge type_instance=ti s:key=value s:k2="two words" message="From exec, \\"quoted\\""
PUTNOTIF severity=okay time=1700000003.5 message=plain
PUTNOTIF severity=failure time=1700000004 host=h message=x
PUTNOTIF severity=bogus time=1700000005 message=never
PUTNOTIF time=1700000006 message=never
LINES
idle
EOF
}

# One write thread: collectd 5.12's several write threads may take two
# values of one identifier in either order ("Value too old").
conf() {
  it_globals "$1" "$DEBIAN_TYPESDB"
  echo "WriteThreads 1"
  it_logfile "$1"
  echo "LoadPlugin threshold"
  cat "$TMP/thresholds.conf"
  it_csv "$1" false
  it_unixsock "$1"
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
  it_debian_plugins "$D/plugins" unixsock exec threshold csv logfile
  it_show_on_failure "$D/log"
done

it_start ours "$COLLECTD" -f -C "$TMP/ours/collectd.conf"
OURS=$IT_PID
it_start debian "$DEBIAN_COLLECTD" -f -C "$TMP/debian/collectd.conf"
DEBIAN=$IT_PID

for who in ours debian; do
  it_check "$who: the socket is there"
  it_wait test -S "$TMP/$who/sock" || it_fail "no socket after ${IT_DEADLINE}s"
  it_ok
done

# ---- exec: values and notifications -----------------------------------------
FEED='^(Host: h|Plugin: feed)$'
fed() {
  it_has_rows "$TMP/$1/csv/itest/feed/gauge" 2 &&
    it_has_rows "$TMP/$1/csv/itest/feed-x y/load" 1 &&
    it_has_rows "$TMP/$1/csv/itest/feed/derive" 2 &&
    it_has_rows "$TMP/$1/csv/itest/feed/if_octets-eth0" 2 &&
    it_has_rows "$TMP/$1/csv/itest/feed/load-u" 1 &&
    [ "$(ex_count "$TMP/$1" "$FEED")" -ge 2 ] &&
    it_grep "$TMP/$1/log" "message = plain"
}
for who in ours debian; do
  it_check "$who: the exec program's values reached csv, its notifications NotificationExec"
  it_wait fed $who || it_fail "not after ${IT_DEADLINE}s"
  it_ok
done

# ---- collectdctl --------------------------------------------------------------
mkdir -p "$TMP/out"
# ctl WHO ARGS...: Debian's collectdctl against WHO's socket; output in
# $TMP/out/WHO.out, .err, .rc, with the socket's path as $SOCK.
ctl() {
  ctl_who=$1
  shift
  /usr/bin/collectdctl -s "$TMP/$ctl_who/sock" "$@" \
    >"$TMP/out/$ctl_who.out" 2>"$TMP/out/$ctl_who.err"
  echo $? >"$TMP/out/$ctl_who.rc"
  for f in out err; do
    sed "s|$TMP/$ctl_who/sock|\$SOCK|g" "$TMP/out/$ctl_who.$f" >"$TMP/out/x"
    mv "$TMP/out/x" "$TMP/out/$ctl_who.$f"
  done
}
# same ARGS...: both daemons, the same stdout, stderr and exit status;
# OUT is stdout, RC the status.
same() {
  it_check "collectdctl $*"
  ctl ours "$@"
  ctl debian "$@"
  for f in out err rc; do
    if ! cmp -s "$TMP/out/debian.$f" "$TMP/out/ours.$f"; then
      echo "FAILED"
      IT_PENDING=0
      for who in debian ours; do
        echo "---- $who: exit status $(cat "$TMP/out/$who.rc")"
        sed 's/^/stdout| /' "$TMP/out/$who.out"
        sed 's/^/stderr| /' "$TMP/out/$who.err"
      done
      it_fail "our daemon's reply differs from collectd 5.12's ($f)"
    fi
  done
  OUT=$(cat "$TMP/out/ours.out")
  RC=$(cat "$TMP/out/ours.rc")
  it_ok "exit status $RC"
}

same putval itest/ctl/gauge interval=600 1700000000:42
same putval itest/ctl-x/if_octets-y interval=600 1700000000:1:2 1700000010:11:32
same putval itest/ctl/derive interval=600 1700000000:0 1700000004:100
same putval itest/ctl/gauge-multi interval=600 1700000000:1 1700000001:U
same putval itest/ctl/gauge interval=600 1690000000:1 # older than the cached
same putval itest/ctl/nosuchtype N:1
same putval itest/ctl/gauge N:1:2
same putval itest/ctl/gauge interval=abc N:1
[ "$RC" != 0 ] || it_fail "a bad putval succeeded"

# Written by the write threads: wait until both caches hold them.
cached() {
  ctl "$1" listval
  for id in itest/ctl/gauge itest/ctl-x/if_octets-y itest/ctl/derive \
    itest/ctl/gauge-multi; do
    grep -qxF "$id" "$TMP/out/$1.out" || return 1
  done
}
for who in ours debian; do
  it_check "$who: the values put are cached"
  it_wait cached $who || it_fail "not after ${IT_DEADLINE}s"
  it_ok
done

same listval
echo "$OUT" | grep -qxF "itest/feed/derive" ||
  it_fail "listval lacks the exec program's derive"
for id in itest/ctl/gauge itest/ctl-x/if_octets-y itest/ctl/derive \
  itest/ctl/gauge-multi itest/feed/gauge "itest/feed-x y/load" \
  itest/feed/derive itest/feed/load-u itest/feed/if_octets-eth0; do
  same getval "$id"
done
[ "$OUT" = "$(printf 'rx=4.000000e-01\ntx=1.000000e+00')" ] ||
  it_fail "getval of the exec program's if_octets printed: $OUT"
same getval itest/nosuch/gauge
same getval itest/ctl
same flush
same flush timeout=5
same flush plugin=csv
same flush plugin=csv plugin=nosuch identifier=itest/ctl/gauge
same flush identifier=itest/ctl/gauge identifier=itest/nosuch/gauge
same flush identifier=bad

# ---- GETTHRESHOLD and PUTNOTIF on the socket ------------------------------------
# cmd WHO: each line of $TMP/lines sent over one connection, the replies
# (status line and the lines it announces) in $TMP/out/WHO.replies.
cmd() {
  # shellcheck disable=SC2046 # one argument a line
  (IFS='
'
    it_cmd "$TMP/$1/sock" $(cat "$TMP/lines")) >"$TMP/out/$1.replies" ||
    it_fail "$1 closed the connection"
}
cp "$TMP/queries" "$TMP/lines"
it_check "GETTHRESHOLD: $(wc -l <"$TMP/lines") lookups, the same replies"
cmd ours
cmd debian
if ! cmp -s "$TMP/out/debian.replies" "$TMP/out/ours.replies"; then
  echo "FAILED"
  IT_PENDING=0
  diff -u "$TMP/out/debian.replies" "$TMP/out/ours.replies" | head -n 60
  it_fail "our daemon's thresholds differ from collectd 5.12's"
fi
found=$(grep -c '^[0-9]* Threshold found$' "$TMP/out/ours.replies")
none=$(grep -c '^-1 No threshold found' "$TMP/out/ours.replies")
[ "$found" -gt 200 ] && [ "$none" -gt 100 ] ||
  it_fail "only $found found and $none not found: not the intended lookups"
it_ok "$found found, $none not found"

# What the replies say about the order: of any two levels, the lower
# number (host before any host; then plugin with its instance, plugin, any
# plugin; then with type instance before without) wins the lookup of the
# full identifier.
it_check "GETTHRESHOLD prefers the more specific of any two levels"
bad=$(awk '
  /^-?[0-9]+ / { k++; got[k] = "none"; next }
  /^Warning Max: / { got[k] = $3 - 1000 }
  END {
    u = 0
    for (a = 0; a < 12; a++) { want[u++] = a }
    for (a = 0; a < 12; a++) for (b = a + 1; b < 12; b++) { want[u++] = a }
    for (u = 0; u < 78; u++)
      if (got[u * 6 + 1] != want[u]) {
        print "type " u + 1 ": level " got[u * 6 + 1] ", not " want[u]
        exit
      }
  }' "$TMP/out/ours.replies")
[ -z "$bad" ] || it_fail "$bad"
it_ok

cat >"$TMP/lines" <<'EOF'
PUTNOTIF severity=okay time=1700000009 message="from the socket" s:m=1
PUTNOTIF severity=warning time=1700000010 host=itest plugin=sock type=gauge message=two
PUTNOTIF severity=warning message=notime
PUTNOTIF time=1700000011 message=noseverity
PUTNOTIF severity=okay time=1700000012 message=from the socket
EOF
it_check "PUTNOTIF: the same replies"
cmd ours
cmd debian
cmp -s "$TMP/out/debian.replies" "$TMP/out/ours.replies" ||
  it_fail "ours: $(cat "$TMP/out/ours.replies"); Debian's: $(cat "$TMP/out/debian.replies")"
it_ok "$(tr '\n' ';' <"$TMP/out/ours.replies")"

FEED='^(Host: h|Plugin: (feed|sock)|Time: 17000000(09|03\.5))'
notified() { [ "$(ex_count "$TMP/$1" "$FEED")" -ge 5 ]; }
for who in ours debian; do
  it_check "$who: NotificationExec got the socket's notifications"
  it_wait notified $who || it_fail "$(ex_count "$TMP/$who" "$FEED") after ${IT_DEADLINE}s"
  it_ok
done

it_check "both daemons stop with status 0"
it_stop "$OURS" || it_fail "ours still runs ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "ours exited with status $IT_RC"
it_stop "$DEBIAN" || it_fail "Debian's still runs ${IT_DEADLINE}s after SIGTERM"
[ "$IT_RC" = 0 ] || it_fail "Debian's exited with status $IT_RC"
it_ok

it_check "NotificationExec got the same notifications"
ex_notes "$TMP/ours" "$FEED" >"$TMP/ours.notes"
ex_notes "$TMP/debian" "$FEED" >"$TMP/debian.notes"
grep -qF 'key: value | k2: two words | From exec, "quoted"' "$TMP/debian.notes" ||
  it_fail "Debian's lack the exec program's notification with meta data"
if ! cmp -s "$TMP/debian.notes" "$TMP/ours.notes"; then
  echo "FAILED"
  IT_PENDING=0
  diff -u "$TMP/debian.notes" "$TMP/ours.notes"
  it_fail "our daemon's notifications differ from collectd 5.12's"
fi
it_ok "$(wc -l <"$TMP/ours.notes")"

# csv: the same files (dates aside) with the same rows.
csv_rows() {
  (cd "$TMP/$1/csv" && find . -type f | LC_ALL=C sort | while read -r f; do
    echo "== $f" | sed 's|-[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]$||'
    cat "$f"
  done)
}
it_check "csv: the same files and rows"
csv_rows ours >"$TMP/ours.csv"
csv_rows debian >"$TMP/debian.csv"
grep -qxF '== ./itest/feed-x y/load' "$TMP/debian.csv" ||
  it_fail "Debian's csv lacks the exec program's load"
if ! cmp -s "$TMP/debian.csv" "$TMP/ours.csv"; then
  echo "FAILED"
  IT_PENDING=0
  diff -u "$TMP/debian.csv" "$TMP/ours.csv"
  it_fail "our daemon's csv files differ from collectd 5.12's"
fi
it_ok "$(grep -c '^==' "$TMP/ours.csv") files"
it_pass
