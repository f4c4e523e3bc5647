#!/bin/sh
# An isolated log and notification plugin gets what it would get in
# process: Debian's logfile.so (legacy; a log and a notification callback)
# in a plugin host writes the daemon's log messages and the notifications
# sent with PUTNOTIF to its own file; RELOAD (a new File) starts a new host
# whose file gets what comes after it, and UNLOAD works. A log plugin gets
# what it logs and notifies itself, as in process: test_log_free, isolated,
# logs and notifies from its flush callback (Echo), and its file gets both,
# once each.
. "$(dirname "$0")/lib.sh"
it_init isolate_log_notify
it_need_debian "$DEBIAN_PLUGINDIR/logfile.so"

D=$TMP
it_debian_plugins "$D/plugins" logfile
it_plugins "$D/plugins" unixsock uptime
it_test_plugins "$D/plugins" test_log_free
# The only log plugin is Debian's, isolated: its files are the log.
conf() {
  {
    it_globals "$D"
    printf '<LoadPlugin logfile>\n  Isolate true\n</LoadPlugin>\n'
    printf '<Plugin logfile>\n  LogLevel info\n  File "%s"\n' "$1"
    printf '  Timestamp true\n  PrintSeverity true\n</Plugin>\n'
    it_unixsock "$D" "  PluginControl true"
    echo "LoadPlugin uptime"
    printf '<LoadPlugin test_log_free>\n  Isolate true\n</LoadPlugin>\n'
    printf '<Plugin test_log_free>\n  File "%s/tlf"\n  Echo true\n' "$D"
    printf '</Plugin>\n' 
  } >"$D/collectd.conf.new"
  mv "$D/collectd.conf.new" "$D/collectd.conf"
}
conf "$D/dlog.1"
it_show_on_failure "$D/dlog.1" "$D/dlog.2"
SOCK=$D/sock

it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
PID=$IT_PID
it_wait_socket "$SOCK" || it_fail "the socket did not come up"
it_wait it_in_state "$SOCK" logfile ready || it_fail "logfile is not ready"

# putnotif FILE TAG: a PUTNOTIF whose message is TAG reaches FILE.
notif_in() { it_grep "$1" "Notification: .*message = $2\$"; }
putnotif() {
  it_expect "$SOCK" "PUTNOTIF severity=warning time=$(date +%s) host=itest plugin=isotest message=$2" \
    "^0 Success"
  it_check "the notification $2 reaches $1"
  it_wait notif_in "$1" "$2" || it_fail "not in $1"
  it_ok
}

it_check "Debian's logfile.so (legacy) is ready in a host"
line=$(it_listed "$SOCK" logfile)
echo "$line" | grep -Eq '^logfile ready isolated pid=[0-9]+$' ||
  it_fail "it shows \"$line\""
it_ok "$line"

it_expect "$SOCK" "LOAD test_missing_plugin" "^-1 test_missing_plugin: "
it_check "the daemon's log messages reach its file"
logged() { it_grep "$D/dlog.1" "\[(warning|error)\] test_missing_plugin: "; }
it_wait logged || it_fail "the LOAD's failure is not in dlog.1"
it_ok "$(grep -m1 'test_missing_plugin: ' "$D/dlog.1")"

putnotif "$D/dlog.1" first-notification

it_check "RELOAD with a new File: a new host; later messages go to the new file"
old=$(it_host_pid "$SOCK" logfile)
conf "$D/dlog.2"
reply=$(it_cmd "$SOCK" "RELOAD logfile" | head -n 1)
[ "$reply" = "0 logfile: reloaded, ready" ] || it_fail "the reply was \"$reply\""
new=$(it_host_pid "$SOCK" logfile)
[ -n "$new" ] && [ "$new" != "$old" ] || it_fail "hosts: $old, then $new"
it_ok "host $old, then $new"
putnotif "$D/dlog.2" second-notification
notif_in "$D/dlog.1" second-notification &&
  it_fail "the old file got the notification sent after the RELOAD"

it_check "the RELOAD's own log lines reach the new file"
it_grep "$D/dlog.2" "logfile plugin: configuring -> ready" ||
  it_fail "dlog.2 does not say the new instance became ready"
it_ok

it_check "an isolated log plugin gets what it logs and notifies itself"
it_wait it_in_state "$SOCK" test_log_free ready ||
  it_fail "test_log_free is not ready"
tlf=$(it_host_pid "$SOCK" test_log_free)
[ -n "$tlf" ] || it_fail "test_log_free has no host"
it_expect "$SOCK" "FLUSH plugin=test_log_free" "^0 "
echoed() {
  [ "$(grep -c '^6 test_log_free: flushed$' "$D/tlf")" -ge 1 ] &&
    [ "$(grep -c '^notification test_log_free: flushed$' "$D/tlf")" -ge 1 ]
}
it_wait echoed || it_fail "$D/tlf: $(grep flushed "$D/tlf")"
# The daemon's logfile got them too, through the daemon.
it_wait it_grep "$D/dlog.2" "test_log_free: flushed" ||
  it_fail "the daemon's log plugin did not get the message"
[ "$(grep -c 'flushed$' "$D/tlf")" = 2 ] ||
  it_fail "given twice: $(grep flushed "$D/tlf")"
it_ok "$(grep flushed "$D/tlf" | tr '\n' ';')"

it_expect "$SOCK" "UNLOAD test_log_free" "^0 test_log_free: unloaded"
it_expect "$SOCK" "UNLOAD logfile" "^0 logfile: unloaded"
it_stop_no_hosts "$PID" "$new" "$tlf"
it_pass
