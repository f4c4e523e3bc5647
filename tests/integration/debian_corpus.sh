#!/bin/sh
# The corpus: every plugin binary of Debian's collectd 5.12 in
# /usr/lib/collectd whose shared libraries are on this machine is loaded
# alone, without configuration (a bare LoadPlugin), into Debian's daemon and
# into ours (debian_corpus_one.sh runs one plugin in both).
#
# - A plugin that collectd 5.12 loads and initialises ("ready": loaded, and
#   no "Initialization of plugin ... failed" in its log) must be ready in
#   ours (LISTPLUGINS).
# - With every plugin, ours must not crash and must exit with status 0
#   after SIGTERM (a plugin that fails is skipped by the default
#   OnPluginFailure, so the daemon still exits 0). A callback that keeps the
#   exit from ending is given up on by the daemon's own exit bound, which
#   makes the status 1; a daemon still there TERM_BOUND seconds after the
#   signal (120 s: far beyond that bound, so that only a hang and not a
#   loaded machine reaches it) is SIGKILLed and the plugin reported as
#   hanging it. How long each exit took is printed; exits slower than 5 s
#   are listed apart (varnish's read blocks 5 s in libvarnishapi when no
#   varnishd runs, and both daemons wait for it).
#
# Prints a table (plugin, collectd 5.12, ours, our exit, verdict) and the
# plugins not loaded, with the reason: libraries missing (ldd "not found";
# tools/install-deps.sh installs the runtime libraries of the plugins worth
# covering, see corpus_libs there) or touching hardware when loaded without
# configuration. A few plugins get a minimal <Plugin> block, the same in
# both daemons, so that nothing listens beyond loopback (nor on a fixed
# port) or creates sockets in /var/run (plugin_block in
# debian_corpus_one.sh); a daemon found listening on another address fails
# the test.
#
# The plugins run CORPUS_JOBS at a time, each in its own directory.
. "$(dirname "$0")/lib.sh"
it_init debian_corpus
it_need_debian "$DEBIAN_PLUGINDIR/logfile.so"
[ -f "$OUR_PLUGINS/unixsock.so" ] ||
  it_fail "our plugin $OUR_PLUGINS/unixsock.so is not built"
[ -x "$top_builddir/collectdctl" ] || it_fail "no $top_builddir/collectdctl"
command -v setsid >/dev/null || it_fail "no setsid (util-linux)"

CORPUS_JOBS=${CORPUS_JOBS:-6}
TERM_BOUND=${TERM_BOUND:-120}
CORPUS=$TMP/corpus
mkdir -p "$CORPUS"

# Plugins that touch hardware when loaded without configuration.
hardware() {
  case $1 in
  multimeter) echo "probes and reprograms serial ports /dev/ttyS0-9 (one may be the console)" ;;
  ted) echo "opens and reprograms the serial port /dev/ttyUSB0" ;;
  barometer) echo "writes to the registers of I2C sensors (/dev/i2c-*)" ;;
  intel_rdt) echo "programs the CPU's resource director (RDT) MSRs" ;;
  dpdkstat | dpdkevents) echo "DPDK EAL init: hugepages and PCI devices" ;;
  ipmi) echo "OpenIPMI sets the BMC's SEL clock and event receivers" ;;
  *) return 1 ;;
  esac
}

: >"$TMP/skipped"
: >"$TMP/list"
for so in "$DEBIAN_PLUGINDIR"/*.so; do
  name=$(basename "$so" .so)
  if why=$(hardware "$name"); then
    echo "$name|touches hardware: $why" >>"$TMP/skipped"
  else
    echo "$name" >>"$TMP/list"
  fi
done

# The runners and their daemons form one process group (setsid), which the
# exit trap ends if the test is interrupted.
RUNNERS=""
stop_runners() {
  [ -n "$RUNNERS" ] || return 0
  kill -TERM -"$RUNNERS" 2>/dev/null
  kill -KILL -"$RUNNERS" 2>/dev/null
  RUNNERS=""
}
trap 'rc=$?; stop_runners; (exit $rc); it__exit' EXIT

export CORPUS COLLECTD OUR_PLUGINS OUR_TYPESDB top_srcdir top_builddir \
  IT_DEADLINE TERM_BOUND
started=$(date +%s)
echo "$(wc -l <"$TMP/list") plugins, $CORPUS_JOBS at a time"
setsid xargs -P "$CORPUS_JOBS" -n 1 \
  sh "$top_srcdir/tests/integration/debian_corpus_one.sh" <"$TMP/list" &
RUNNERS=$!
wait "$RUNNERS"
RUNNERS=""
elapsed=$(($(date +%s) - started))

# A runner skips a plugin whose libraries are missing.
: >"$TMP/results"
while read -r name; do
  if [ -s "$CORPUS/$name/skipped" ]; then
    cat "$CORPUS/$name/skipped" >>"$TMP/skipped"
  elif [ -s "$CORPUS/$name/result" ]; then
    cat "$CORPUS/$name/result" >>"$TMP/results"
  else
    echo "$name|?|?|?|FAIL: no result (the runner died)||" >>"$TMP/results"
  fi
done <"$TMP/list"
sort -t"|" -k1,1 -o "$TMP/skipped" "$TMP/skipped"
[ -s "$TMP/results" ] || it_fail "no plugin of $DEBIAN_PLUGINDIR can be loaded"

echo
awk -F'|' '
  BEGIN { f = "%-20s %-16s %-16s %-22s %s\n"
          printf f, "plugin", "collectd 5.12", "ours", "our exit", "verdict" }
  { printf f, $1, $2, $3, $4, $5 }' "$TMP/results"

echo
echo "skipped:"
awk -F'|' '{ printf "  %-20s %s\n", $1, $2 }' "$TMP/skipped"

# Every failure: our LISTPLUGINS reason and the end of our daemon's output.
grep '|FAIL' "$TMP/results" |
  while IFS='|' read -r name deb ours ex verdict why ms; do
    echo "---- $name: $verdict"
    [ -z "$why" ] || echo "ours: $why"
    tail -n 8 "$CORPUS/$name/ours/out" 2>/dev/null | sed 's/^/  | /'
  done

count() { awk -F'|' "$1" "$TMP/results" | wc -l; }
tested=$(wc -l <"$TMP/results")
both=$(count '$2 ~ /^ready/ && $3 == "ready"')
neither=$(count '$5 ~ /^ok \(/')
failed=$(count '$5 ~ /^FAIL/')
slow=$(awk -F'|' '$7 > 5000 { printf " %s (%d ms)", $1, $7 }' "$TMP/results")
echo
echo "tested $tested: ready in both $both, not ready in either $neither," \
  "failed $failed; skipped $(wc -l <"$TMP/skipped"); ${elapsed}s"
echo "our exits slower than 5 s:${slow:- none}"

it_check "every plugin ready in collectd 5.12 is ready in ours;" \
  "ours exits 0 after SIGTERM"
[ "$failed" = 0 ] || it_fail "$failed plugin(s) failed (see above)"
it_ok
it_pass
