#!/bin/sh
# A plugin object that cannot be opened is reported with the dynamic
# linker's own reason, not a generic "file not found": a symbol the daemon
# does not export, a library that is not installed, a file that is not a
# shared object. Each plugin fails at the open step with that reason (in
# the log and in LISTPLUGINS) and the daemon runs on.
. "$(dirname "$0")/lib.sh"
it_init load_errors

D=$TMP
it_plugins "$D/plugins" csv logfile unixsock
command -v cc >/dev/null || it_fail "no C compiler (build-essential)"

# needs_symbol.so imports a function no daemon exports.
printf '%s\n' 'void no_such_core_function(void);' \
  'void module_register(void) { no_such_core_function(); }' >"$D/sym.c"
cc -shared -fPIC -o "$D/plugins/needs_symbol.so" "$D/sym.c" ||
  it_fail "cannot build needs_symbol.so"

# needs_library.so links a library that is removed before the daemon runs.
printf 'void gone_function(void) {}\n' >"$D/gone.c"
cc -shared -fPIC -Wl,-soname,libcdtest_gone.so.1 -o "$D/libcdtest_gone.so.1" \
  "$D/gone.c" || it_fail "cannot build libcdtest_gone.so.1"
printf '%s\n' 'void gone_function(void);' \
  'void module_register(void) { gone_function(); }' >"$D/lib.c"
cc -shared -fPIC -o "$D/plugins/needs_library.so" "$D/lib.c" \
  "$D/libcdtest_gone.so.1" || it_fail "cannot build needs_library.so"
rm -f "$D/libcdtest_gone.so.1"

# not_an_object.so is a text file.
echo "not an ELF object" >"$D/plugins/not_an_object.so"

{
  it_globals "$D"
  it_logfile "$D"
  it_csv "$D"
  it_unixsock "$D" "  PluginControl true"
  echo "LoadPlugin needs_symbol"
  echo "LoadPlugin needs_library"
  echo "LoadPlugin not_an_object"
} >"$D/collectd.conf"
it_show_on_failure "$D/log"
it_start daemon "$COLLECTD" -f -C "$D/collectd.conf"
SOCK=$D/sock
it_wait it_in_state "$SOCK" csv ready || it_fail "the daemon did not start"

# failed_for NAME ERE: LISTPLUGINS shows NAME failed at open with a reason
# matching ERE, and the log says the same.
failed_for() {
  it_check "$1 failed at the open step: $2"
  it_line=$(it_listed "$SOCK" "$1") || it_fail "$1 is not listed"
  printf '%s\n' "$it_line" | grep -Eq "^$1 failed [a-z]+ open: .*$2" ||
    it_fail "LISTPLUGINS says \"$it_line\""
  it_grep "$D/log" "$1: open: .*$2" || it_fail "the log does not say so"
  it_ok
}
failed_for needs_symbol "undefined symbol: no_such_core_function"
failed_for needs_library \
  "libcdtest_gone\.so\.1: cannot open shared object file: No such file or directory"
failed_for not_an_object "(invalid ELF header|file too short)"

it_check "nobody says \"file not found\""
! grep -q "file not found" "$D/log" || it_fail "the log says file not found"
it_ok

it_check "the daemon answers and exits 0 on SIGTERM"
it_cmd "$SOCK" LISTVAL | head -n 1 | grep -Eq '^[0-9]+ Values? found$' ||
  it_fail "LISTVAL got no answer"
it_stop "$IT_PID"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_ok
it_pass
