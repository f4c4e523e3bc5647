#!/bin/sh
# The README's two commands, as a newcomer runs them in a fresh clone.
# - The first (the first indented command under "Try it") runs as written
#   in a clone of this tree: it builds quietly (its output in _build.log,
#   at most a few lines on the terminal before the daemon's), then prints
#   where the CSV files are and the collectdctl commands for this daemon;
#   each printed command works as printed, the CSV directory fills, and
#   Ctrl-C (SIGINT) stops it with status 0 and no daemon left.
# - The second is the one .ci/run runs (the suite itself: not run again
#   from inside the suite).
. "$(dirname "$0")/lib.sh"
it_init readme_commands
command -v git >/dev/null || it_fail "git is not installed"

README=$top_srcdir/README.md
cmds=$(awk '/^## Try it/ { on = 1; next } /^## / { on = 0 }
  on && /^    [^ ]/ { sub(/^    /, ""); print }' "$README")
first=$(echo "$cmds" | sed -n 1p)
second=$(echo "$cmds" | sed -n 2p)

it_check "the README's second command is what .ci/run runs"
ci=$(grep -v '^#' "$top_srcdir/.ci/run" | grep . | sed 's/^exec //')
[ "$second" = "$ci" ] || it_fail "README: \"$second\", .ci/run: \"$ci\""
it_ok "$second"

it_check "a fresh clone of this tree"
[ -d "$top_srcdir/.git" ] || { echo "not a git checkout: skipped"; IT_STATUS=77; exit 77; }
git clone -q "$top_srcdir" "$TMP/clone" || it_fail "git clone failed"
# What the commit has not got yet (a run before committing) comes along.
(cd "$top_srcdir" && git diff HEAD) | (cd "$TMP/clone" && git apply --allow-empty 2>/dev/null || true)
it_ok

it_check "the README's first command, as written: $first"
# In a process group of its own, as a terminal would run it: Ctrl-C is a
# SIGINT to the whole group.
(cd "$TMP/clone" && exec setsid sh -c "exec $first") >"$TMP/out" 2>&1 &
RUN=$!
IT_PIDS="$IT_PIDS $RUN"
it_show_on_failure "$TMP/out" "$TMP/clone/_build.log"
# The build takes minutes on a busy machine: a deadline of its own.
banner() { grep -q '^Ctrl-C stops it\.$' "$TMP/out"; }
saved=$IT_DEADLINE
IT_DEADLINE=1200
it_wait banner || it_fail "no banner after the build"
IT_DEADLINE=$saved
it_ok

it_check "the build was quiet"
before=$(sed -n '1,/^Built and installed in/p' "$TMP/out" | wc -l)
[ "$before" -le 3 ] || it_fail "$before lines before the build's summary"
[ -s "$TMP/clone/_build.log" ] || it_fail "no _build.log"
it_ok "$(grep '^Built and installed' "$TMP/out")"

it_check "each command it prints works as printed"
for what in "Its plugins:" "A value:"; do
  c=$(grep "^$what" "$TMP/out" | sed "s/^$what *//")
  [ -n "$c" ] || it_fail "no \"$what\" line"
  out=$(sh -c "$c" 2>&1) || it_fail "\"$c\" failed: $out"
  [ -n "$out" ] || it_fail "\"$c\" printed nothing"
done
grep -q '^cpu ready unloadable$' "$TMP/out" || it_fail "its listplugins output is not shown"
it_ok
it_check "the CSV directory it names fills"
dir=$(grep '^CSV files:' "$TMP/out" | sed 's/^CSV files: *//')
[ -d "$dir" ] && ls "$dir" | grep -q '^load$' || it_fail "$dir has no load/"
it_ok "$dir"

it_check "Ctrl-C stops it with status 0, no daemon left"
daemon=$(sed -n 's/^The daemon runs (pid \([0-9]*\)).*/\1/p' "$TMP/out")
kill -INT -- "-$RUN"
it_wait_exit "$RUN" || it_fail "still running after SIGINT"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
it_gone "$daemon" || it_fail "the daemon ($daemon) is still there"
it_ok
it_pass
