#!/bin/sh
# Our collectdctl against Debian's collectd 5.12, beside Debian's own
# collectdctl against the same daemon: for valid and invalid invocations
# both must print the same on stdout and stderr and exit with the same
# status, and the values our putval sends must read back as those Debian's
# sends.
. "$(dirname "$0")/lib.sh"
it_init collectdctl_peer
it_need_debian "$DEBIAN_PLUGINDIR/unixsock.so" /usr/bin/collectdctl

OUR_CTL=$top_builddir/collectdctl
[ -x "$OUR_CTL" ] || it_fail "no collectdctl at $OUR_CTL (run make first)"

# Both clients run as plain "collectdctl" from PATH, so that messages that
# quote argv[0] are comparable.
mkdir -p "$TMP/bin-debian" "$TMP/bin-ours"
ln -s /usr/bin/collectdctl "$TMP/bin-debian/collectdctl"
ln -s "$OUR_CTL" "$TMP/bin-ours/collectdctl"

# Debian's daemon with its unixsock plugin. A long interval: values put
# without one must not time out of the cache while the test runs.
SOCK=$TMP/debian/sock
it_debian_plugins "$TMP/debian/plugins" unixsock logfile
{
  it_globals "$TMP/debian" "$DEBIAN_TYPESDB" | sed 's/^Interval .*/Interval 60/'
  it_logfile "$TMP/debian"
  cat <<EOF
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$SOCK"
  SocketGroup "$(id -gn)"
  SocketPerms "0600"
</Plugin>
EOF
} >"$TMP/debian/collectd.conf"
it_show_on_failure "$TMP/debian/log"
it_start debian "$DEBIAN_COLLECTD" -f -C "$TMP/debian/collectd.conf"

it_check "Debian's collectd opens its socket"
it_wait test -S "$SOCK" || it_fail "no socket at $SOCK after ${IT_DEADLINE}s"
it_ok

# run WHO ARGS...: runs WHO's collectdctl (debian or ours); output in
# $TMP/WHO.out, .err, .rc.
run() {
  run_who=$1
  shift
  PATH="$TMP/bin-$run_who:$PATH" collectdctl "$@" \
    >"$TMP/$run_who.out" 2>"$TMP/$run_who.err"
  echo $? >"$TMP/$run_who.rc"
}

# same ARGS...: both clients, the same stdout, stderr and exit status.
# Sets OUT to the (common) stdout and RC to the status.
same() {
  it_check "collectdctl $(echo "$*" | sed "s|$SOCK|\$SOCK|g")"
  run debian "$@"
  run ours "$@"
  for f in out err rc; do
    if ! cmp -s "$TMP/debian.$f" "$TMP/ours.$f"; then
      echo "FAILED"
      IT_PENDING=0
      for who in debian ours; do
        echo "---- $who: exit status $(cat "$TMP/$who.rc")"
        sed 's/^/stdout| /' "$TMP/$who.out"
        sed 's/^/stderr| /' "$TMP/$who.err"
      done
      it_fail "our collectdctl differs from Debian's ($f)"
    fi
  done
  OUT=$(cat "$TMP/ours.out")
  RC=$(cat "$TMP/ours.rc")
  it_ok "exit status $RC"
}

# same_ok / same_error ARGS...: the same, and it succeeded / failed.
same_ok() {
  same "$@"
  [ "$RC" = 0 ] || it_fail "exit status $RC, expected 0"
}
same_error() {
  same "$@"
  [ "$RC" != 0 ] || it_fail "exit status 0 for an error"
}

S="-s $SOCK"

echo "--- the four commands"
same_ok $S listval
[ -z "$OUT" ] || it_fail "listval of an empty cache printed: $OUT"
same_ok $S putval itest/ctl/gauge N:42
same_ok $S putval itest/ctl-x/if_octets-y interval=30 N:1:2 N:3:4
same_ok $S putval ctl/gauge-nohost N:1.5
same_ok $S putval itest/ctl/gauge-multi N:1 N:2 N:U
same_ok $S PutVal itest/ctl/gauge-case n:7
same_ok $S putval itest/ctl/gauge-time 1700000000:5
same_ok $S getval itest/ctl/gauge
[ "$OUT" = "value=4.200000e+01" ] || it_fail "getval printed: $OUT"
same_ok $S getval itest/ctl-x/if_octets-y
same_ok $S getval ctl/gauge-nohost
same_ok $S getval itest/ctl/gauge-multi
same_ok $S getval itest/ctl/gauge-time
same_ok $S listval
for id in itest/ctl/gauge itest/ctl-x/if_octets-y itest/ctl/gauge-multi \
  "$(hostname)/ctl/gauge-nohost"; do
  echo "$OUT" | grep -qxF "$id" || it_fail "listval lacks $id"
done
same_ok $S flush
same_ok $S flush timeout=5
same_ok $S flush plugin=unixsock
same_ok $S flush plugin=a identifier=itest/ctl/gauge identifier=x/y plugin=b
same_ok listval -s "$SOCK" # options may follow the command

echo "--- the same values through either client"
# Each client puts the same value lists under its own host; getval must
# then print the same for both. Gauges only: a rate depends on timing.
for vl in N:42 N:1.5 N:0x10 N:010 N:+5 N:U N:1.5e3 N:.5 N:5. N:-1.5 \
  N:0.1 N:1.5e400 N:18446744073709551615; do
  it_check "putval $vl"
  run debian $S putval debian/vals/gauge "$vl"
  [ "$(cat "$TMP/debian.rc")" = 0 ] || it_fail "Debian's putval failed"
  run ours $S putval ours/vals/gauge "$vl"
  [ "$(cat "$TMP/ours.rc")" = 0 ] || it_fail "our putval failed"
  run debian $S getval debian/vals/gauge
  run ours $S getval ours/vals/gauge
  cmp -s "$TMP/debian.out" "$TMP/ours.out" ||
    it_fail "Debian's $(cat "$TMP/debian.out"), ours $(cat "$TMP/ours.out")"
  it_ok "$(cat "$TMP/ours.out")"
done

echo "--- errors"
same_error $S putval itest/ctl/nosuchtype N:1
same_error $S putval itest/ctl N:1
same_error $S putval itest/ctl/gauge N:1:2
same_error $S putval itest/ctl/gauge N:1 N:1:2 N:3
same_error $S putval itest/ctl/gauge
same_error $S putval itest/ctl/gauge abc
same_error $S putval itest/ctl/gauge N:1e3
same_error $S putval itest/ctl/gauge N:1.5x
same_error $S putval itest/ctl/gauge 12abc:1
same_error $S putval itest/ctl/gauge :1
same_error $S putval itest/ctl/gauge 1700000000.5:1
same_error $S putval itest/ctl/gauge interval=abc N:1
same_error $S putval itest/ctl/gauge interval=5
same_error $S putval itest/ctl/gauge foo=1 N:1
same_error $S putval bad N:1
same_error $S putval
same_ok $S putval itest/ctl/gauge interval=2.5 N:1 # a warning only
same_error $S getval itest/nosuch/gauge
same_error $S getval a/b/c/d
same_error $S getval bad
same_error $S getval
same_error $S getval itest/ctl/gauge extra
same_error $S listval extra
same_error $S flush bogus=1
same_error $S flush noeq
same_error $S flush identifier=bad
same_error $S flush timeout=abc
same_error $S nosuchcommand
same_error -s "$TMP/nosuch.sock" listval
same_error -s "$TMP/nosuch.sock" nosuchcommand
# The help is in our own words: the first line and the status match.
for args in "$S" "-x" "-s" "-h"; do
  it_check "collectdctl $args (usage)"
  run debian $args
  run ours $args
  cmp -s "$TMP/debian.rc" "$TMP/ours.rc" ||
    it_fail "exit status $(cat "$TMP/ours.rc"), Debian's $(cat "$TMP/debian.rc")"
  for f in out err; do
    [ "$(head -n 2 "$TMP/debian.$f")" = "$(head -n 2 "$TMP/ours.$f")" ] ||
      it_fail "$f begins differently: $(head -n 2 "$TMP/ours.$f")"
  done
  it_ok "exit status $(cat "$TMP/ours.rc")"
done

echo "--- where ours deliberately differs"
it_check "a bad value is named in the error"
run ours $S putval itest/ctl/gauge N:abc
[ "$(cat "$TMP/ours.rc")" = 255 ] || it_fail "exit status $(cat "$TMP/ours.rc")"
grep -qxF "ERROR: Failed to parse value as number: abc." "$TMP/ours.err" ||
  it_fail "stderr: $(cat "$TMP/ours.err")"
it_ok
it_check "a negative integer and all digits of a gauge reach the daemon"
run ours $S putval ours/exact/gauge N:-5
run ours $S getval ours/exact/gauge
[ "$(cat "$TMP/ours.out")" = "value=-5.000000e+00" ] ||
  it_fail "getval printed $(cat "$TMP/ours.out")"
run ours $S putval ours/exact/gauge N:1.123456789
run ours $S getval ours/exact/gauge
[ "$(cat "$TMP/ours.out")" = "value=1.123457e+00" ] ||
  it_fail "getval printed $(cat "$TMP/ours.out")"
it_ok

it_check "Debian's collectd still runs"
it_alive "$IT_PID" || it_fail "it exited"
it_ok
it_pass
