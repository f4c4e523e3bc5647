#!/bin/sh
# An isolated plugin's missing callback is called as it would be in process:
# Debian's threshold.so (legacy; a write and a missing callback) in a plugin
# host is given the values to check, and when an identifier it watches stops
# being updated and leaves the daemon's cache, its missing callback hears of
# it and dispatches the notification it dispatches in process ("... has not
# been updated for ... seconds."), which reaches the daemon's logfile. The
# same configuration with threshold in process is the reference: both runs
# report the same identifier missing, and nothing for one it does not watch.
. "$(dirname "$0")/lib.sh"
it_init isolate_missing
it_need_debian "$DEBIAN_PLUGINDIR/threshold.so"

# run NAME ISOLATE: one daemon in $TMP/NAME; threshold watches misstest's
# gauge values; PUTVAL gives it one watched and one unwatched identifier with
# an interval of 1 s (Timeout 2: they leave the cache 2 s after the last).
run() {
  D=$TMP/$1
  it_debian_plugins "$D/plugins" threshold
  it_plugins "$D/plugins" logfile unixsock
  {
    it_globals "$D"
    echo "Timeout 2"
    it_logfile "$D"
    printf '<LoadPlugin threshold>\n  Isolate %s\n</LoadPlugin>\n' "$2"
    printf '<Plugin threshold>\n  <Plugin "misstest">\n    <Type "gauge">\n'
    printf '      WarningMax 100\n    </Type>\n  </Plugin>\n</Plugin>\n'
    it_unixsock "$D" "  PluginControl true"
  } >"$D/collectd.conf"
  it_show_on_failure "$D/log"
  it_start "$1" "$COLLECTD" -f -C "$D/collectd.conf"
  PID=$IT_PID
  it_wait_socket "$D/sock" || it_fail "$1: the socket did not come up"
  it_wait it_in_state "$D/sock" threshold ready ||
    it_fail "$1: threshold is not ready"
  hpid=$(it_host_pid "$D/sock" threshold)
  if [ "$2" = true ]; then
    it_check "isolated: Debian's threshold.so runs in a host"
    [ -n "$hpid" ] || it_fail "LISTPLUGINS: $(it_listed "$D/sock" threshold)"
    it_ok "pid $hpid"
  fi
  now=$(date +%s)
  for id in itest/misstest/gauge-watched itest/other/gauge-unwatched; do
    it_expect "$D/sock" "PUTVAL $id interval=1 $((now - 1)):5" "^0 Success"
    it_expect "$D/sock" "PUTVAL $id interval=1 $now:6" "^0 Success"
  done
  it_check "$1: the watched value is reported missing once it left the cache"
  missing() {
    it_grep "$D/log" 'itest/misstest/gauge-watched has not been updated for'
  }
  it_wait missing || it_fail "no missing notification in $D/log"
  it_ok "$(grep -m1 'has not been updated' "$D/log")"
  it_stop_no_hosts "$PID" $hpid
  # Each missing notification's identifier, for the comparison.
  grep -o '[^ ]* has not been updated for' "$D/log" | sort -u >"$TMP/$1.missing"
}

run inproc false
run isolated true

it_check "isolated, the host's threshold reported what it reports in process"
cmp -s "$TMP/inproc.missing" "$TMP/isolated.missing" ||
  it_fail "in process: $(cat "$TMP/inproc.missing"); isolated: $(cat "$TMP/isolated.missing")"
grep -q unwatched "$TMP/isolated.missing" &&
  it_fail "the unwatched identifier was reported"
it_ok "$(cat "$TMP/isolated.missing")"
it_pass
