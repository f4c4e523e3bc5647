#!/bin/sh
# Runs the shared exports checker against the daemon: how many of Debian's
# 152 collectd 5.12 plugin binaries can resolve every core symbol they
# import from it. All of them must ("exports: 152/152 plugins
# resolvable").
set -e
: "${top_srcdir:?set by the test harness}" "${top_builddir:?set by the test harness}"
checker="$top_srcdir/../shared/abi/check-exports"
if [ ! -x "$checker" ]; then
  echo "FAIL: $checker not found (shared/ must sit beside the repository)"
  exit 1
fi
out=$("$checker" "$top_builddir/collectd" 2>&1) || { echo "$out"; exit 1; }
echo "$out"
echo "$out" | grep -Eq '^exports: ([0-9]+)/\1 plugins resolvable$'
