#!/bin/sh
# Runs the shared ABI layout checker against our headers; it prints
# "layout: 90/90 match" and exits 0 only if every size, offset and
# constant matches collectd 5.12.
set -e
: "${top_srcdir:?set by the test harness}" "${top_builddir:?set by the test harness}"
checker="$top_srcdir/../shared/abi/check-layout"
if [ ! -x "$checker" ]; then
  echo "FAIL: $checker not found (shared/ must sit beside the repository)"
  exit 1
fi
out=$("$checker" -I"$top_builddir/src" -I"$top_srcdir/src" \
  -I"$top_srcdir/src/daemon" 2>&1) || { echo "$out"; exit 1; }
echo "$out"
echo "$out" | grep -Eq '^layout: ([0-9]+)/\1 match$'
