#!/bin/sh
# An init callback may register another init callback, which then runs
# too, as in collectd 5.12 (whose init loop walks a list that grows).
# test_init_chain's init registers "test_init_chain_second", which creates
# a marker file: the marker appears and the plugin is ready, whether it is
# loaded at start-up or by LOAD.
. "$(dirname "$0")/lib.sh"
it_init lifecycle_init_chain

# conf DIR [chain]: the configuration of a daemon in DIR (logfile,
# unixsock with PluginControl); with "chain", test_init_chain and its
# marker DIR/marker too.
conf() {
  {
    it_globals "$1"
    it_logfile "$1"
    it_unixsock "$1" "  PluginControl true"
    [ "${2:-}" != chain ] || cat <<EOF2
LoadPlugin test_init_chain
<Plugin test_init_chain>
  Marker "$1/marker"
</Plugin>
EOF2
  } >"$1/collectd.conf.new"
  mv "$1/collectd.conf.new" "$1/collectd.conf"
}

# start NAME [chain]: starts a daemon in $TMP/NAME and waits for its
# socket; sets D, SOCK and PID.
start() {
  D=$TMP/$1
  SOCK=$D/sock
  it_plugins "$D/plugins" logfile unixsock
  it_test_plugins "$D/plugins" test_init_chain
  conf "$D" "${2:-}"
  it_show_on_failure "$D/log"
  it_start "$1" "$COLLECTD" -f -C "$D/collectd.conf"
  PID=$IT_PID
  it_check "$1: the daemon runs"
  it_wait_socket "$SOCK" || it_fail "no socket at $SOCK"
  it_ok
}

# stopped NAME: a check that SIGTERM stops the daemon with status 0.
stopped() {
  it_check "$1: SIGTERM stops the daemon with status 0"
  it_stop_ok "$PID" "the daemon"
  it_ok
}

# chained NAME: test_init_chain is ready and its second init callback
# created the marker.
chained() {
  it_check "$1: test_init_chain is ready"
  it_wait it_in_state "$SOCK" test_init_chain ready ||
    it_fail "LISTPLUGINS: \"$(it_listed "$SOCK" test_init_chain)\""
  it_ok
  it_check "$1: the init callback its init registered ran"
  # Init is over once the plugin is ready: no need to wait.
  [ -e "$D/marker" ] || it_fail "no marker: test_init_chain_second never ran"
  it_ok
}

# ---- at start-up ---------------------------------------------------------------
start startup chain
chained startup
stopped startup

# ---- by LOAD -------------------------------------------------------------------
start load
conf "$D" chain
it_expect "$SOCK" "LOAD test_init_chain" "^0 "
chained load
stopped load

it_pass
