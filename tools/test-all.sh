#!/bin/sh
# README command 2: install what is missing, build, and run the whole test
# suite (unit tests, ABI checks, integration tests against the real daemon
# and Debian's collectd 5.12; the Debian package installed and purged).
set -e
cd "$(dirname "$0")/.."
sh tools/install-deps.sh
sh tools/build.sh
status=0
make -j"$(nproc)" check || status=$?
# The unit tests once more under valgrind (with 1000 LOAD/UNLOAD cycles),
# the cycle test built with ThreadSanitizer, the lifecycle integration
# tests against the daemon built with AddressSanitizer (and UBSan) and with
# ThreadSanitizer, and each libFuzzer target of the parsers for a short
# while over its seed corpus.
vg=$(mktemp)
make -k -j"$(nproc)" check-valgrind >"$vg" 2>&1 || status=$?
make -k -j"$(nproc)" check-tsan >>"$vg" 2>&1 || status=$?
make -k -j"$(nproc)" check-sanitize >>"$vg" 2>&1 || status=$?
make -j"$(nproc)" fuzz-smoke >>"$vg" 2>&1 || status=$?
# The Debian package built, installed over collectd-core, checked and
# purged: alone and last, since it swaps the Debian daemon and plugins the
# other tests run beside ours (it puts them back, even when it fails).
sh tests/package_install.sh >>"$vg" 2>&1 || status=$?
cat "$vg"

# Show the logs of what failed, then one closing line with the counts.
results=$(find . -name '*.trs' -not -path './_*' -exec grep -h '^:test-result:' {} + || true)
passed=$(printf '%s\n' "$results" | grep -c ': PASS' || true)
failed=$(printf '%s\n' "$results" | grep -Ec ': (FAIL|ERROR|XPASS)' || true)
skipped=$(printf '%s\n' "$results" | grep -c ': SKIP' || true)
tools='valgrind|ThreadSanitizer|AddressSanitizer|libFuzzer|dpkg'
passed=$((passed + $(grep -Ec "^PASS: .*\\(($tools)\\)\$" "$vg" || true)))
failed=$((failed + $(grep -Ec "^FAIL: .*\\(($tools)\\)\$" "$vg" || true)))
rm -f "$vg"
for trs in $(find . -name '*.trs' -not -path './_*'); do
  if grep -Eq '^:test-result: (FAIL|ERROR|XPASS)' "$trs"; then
    echo "=== ${trs%.trs}.log"
    cat "${trs%.trs}.log"
  fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
