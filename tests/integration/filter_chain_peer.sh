#!/bin/sh
# Filter chains side by side with Debian's collectd 5.12: the same
# configuration body, the same match and target plugin binaries (Debian's
# match_*.so and target_*.so, and its threshold.so as a second write
# plugin), our daemon with our csv, unixsock and logfile plugins and 5.12
# with its own. Each case starts both daemons with one set of chains, puts
# the same values with explicit times over each one's socket, and then
# compares what the two wrote: the csv file names and their rows, what the
# cache holds (LISTVAL), and the notifications that threshold and
# target_notification dispatched (as logfile logs them).
#
# The cases:
#  post_rename   PostCache (the default name, no PostCacheChain option):
#                rename with match_regex + target_set / target_replace,
#                drop with stop, meta data set by one target and read back
#                by match_regex and a %{meta:...} placeholder, a default
#                write target; renames after the cache leave LISTVAL alone
#  pre_rename    PreCacheChain "in" (named by the option): renames and
#                drops before the cache, which LISTVAL shows; meta data
#                set before the cache read after it by the PostCache chain
#                (named "out", option PostCacheChain); a chain whose rules
#                have no write target and whose values fall off its end
#  jump_return   jumps two chains deep, return in a jumped-to chain (the
#                caller goes on after the jump), stop in a jumped-to chain
#                (the value is dropped), default targets of the chain
#                jumped to and of the caller, return in the entry chain
#                (its default targets do not run)
#  write_named   write to one named plugin (csv or threshold), to both, to
#                all, a write target in the pre-cache chain (the value is
#                written there and again after the cache), several default
#                targets
#  other_plugins match_value, match_timediff, match_hashed,
#                match_empty_counter, target_scale, target_notification and
#                target_v5upgrade (which dispatches new values from inside
#                the pre-cache chain and drops the original)
#  empty_chain   an empty <Chain "PostCache"> block, which 5.12 ignores
#                (every value to every write plugin), next to a PreCache
#                chain that only has a default target "write" (values
#                written in the chain and again after the cache), and a
#                jump to an empty chain (5.12: a jump to a chain that does
#                not exist, which fails and the rule goes on; ours: a jump
#                that does nothing)
#  names         chain names are not case-sensitive (the default name
#                PostCache and jumps)
#  missing       PostCacheChain names a chain that does not exist: every
#                value to every write plugin
#
# Where ours differs on purpose (a jump to a missing chain, a loop of
# jumps: refused at start-up) is not compared here, nor two <Chain> blocks
# of one name (5.12 uses the first; ours refuses them at start-up). match_regex.so, 5.12's, leaks its regex nodes when its chains are
# destroyed (ours destroys them at exit; 5.12 never does): not ours.
. "$(dirname "$0")/lib.sh"
it_init filter_chain_peer

FC_PLUGINS="match_regex match_value match_timediff match_hashed
  match_empty_counter target_set target_replace target_scale
  target_notification target_v5upgrade threshold"
for p in $FC_PLUGINS csv unixsock logfile; do
  it_need_debian "$DEBIAN_PLUGINDIR/$p.so"
done

# Value times: explicit, whole seconds, the same for both daemons. T0 is
# recent, so that match_timediff (which compares a value's time with the
# clock) tells the old values (T0 - 10000) apart from the others.
T0=$(($(date +%s) - 100))

# ---- the daemons -------------------------------------------------------------

# body DIR CHAINS-FILE: the configuration of a daemon living in DIR. A long
# Interval and Timeout: nothing expires from the cache while a case runs.
# One write thread: each csv file gets its rows in the order the values
# were put (rows are compared sorted anyway, see rows()).
body() {
  it_globals "$1" "$DEBIAN_TYPESDB" | sed 's/^Interval .*/Interval 60/'
  echo "WriteThreads 1"
  it_logfile "$1"
  it_csv "$1" false
  it_unixsock "$1"
  for p in $FC_PLUGINS; do
    echo "LoadPlugin $p"
  done
  cat <<EOF
# threshold is the second write plugin, for write targets that name one:
# it writes a notification for each value above the maximum.
<Plugin threshold>
  <Plugin "tothr">
    <Type "gauge">
      WarningMax 50
      Persist true
    </Type>
  </Plugin>
  <Plugin "toboth">
    <Type "gauge">
      WarningMax 50
      Persist true
    </Type>
  </Plugin>
</Plugin>
EOF
  cat "$2"
}

# start CASE: starts both daemons with $TMP/CASE.chains; sets OURS and
# DEBIAN (process ids) and waits until both have initialised every plugin.
# Not only for the socket: ours builds the chains once every plugin is
# initialised, and until then a value put over the socket goes past them
# (5.12 builds them while it reads the configuration, before any plugin
# starts); a defect of ours this test does not cover.
start() {
  for who in ours debian; do
    d=$TMP/$1/$who
    mkdir -p "$d"
    if [ $who = ours ]; then
      it_plugins "$d/plugins" csv unixsock logfile
    else
      it_debian_plugins "$d/plugins" csv unixsock logfile
    fi
    it_debian_plugins "$d/plugins" $FC_PLUGINS
    body "$d" "$TMP/$1.chains" >"$d/collectd.conf"
    it_show_on_failure "$d/log"
  done
  it_start "$1-ours" "$COLLECTD" -f -C "$TMP/$1/ours/collectd.conf"
  OURS=$IT_PID
  it_start "$1-debian" "$DEBIAN_COLLECTD" -f -C "$TMP/$1/debian/collectd.conf"
  DEBIAN=$IT_PID
  for who in ours debian; do
    it_check "$1: $who is initialised and opened its socket"
    it_wait it_grep "$TMP/$1/$who/log" 'Initialization complete' ||
      it_fail "no \"Initialization complete\" after ${IT_DEADLINE}s"
    it_wait test -S "$TMP/$1/$who/sock" ||
      it_fail "no socket $TMP/$1/$who/sock after ${IT_DEADLINE}s"
    it_ok
  done
}

# stop CASE: both daemons exit with status 0.
stop() {
  it_check "$1: both daemons stop with status 0"
  it_stop "$OURS" || it_fail "ours still runs ${IT_DEADLINE}s after SIGTERM"
  [ "$IT_RC" = 0 ] || it_fail "ours exited with status $IT_RC"
  it_stop "$DEBIAN" ||
    it_fail "Debian's still runs ${IT_DEADLINE}s after SIGTERM"
  [ "$IT_RC" = 0 ] || it_fail "Debian's exited with status $IT_RC"
  it_ok
}

# ---- values ------------------------------------------------------------------

# The values every case puts, "identifier value" (value: one per data
# source, ":"-separated). A value with "+" is put in three rounds, one
# second apart, the round number appended to it so that the rows of a file
# differ; the others once. Every identifier that a plugin reading the
# cache sees (threshold, match_value, target_notification's %{ds:...}) is
# put once: such a plugin reads the cached value, not the one it is given,
# and ours updates the cache before the write thread runs the post-cache
# chain (5.12: right before), so with several values of one identifier in
# the queue the two may differ in ours. That is a difference of the core,
# not of the chains (see the report of this test's commit).
IDENTIFIERS='itest/app/gauge-old_x 10+
itest/app/gauge-old_y 20+
itest/app/gauge-drop_me 30+
itest/app/gauge-keep 40+
itest/app-inst/gauge-old_z 50+
itest/other/gauge-ret_a 60+
itest/other/gauge-stop_b 70+
itest/other/gauge-plain 80+
itest/tocsv/gauge-a 60
itest/tothr/gauge-b 70
itest/toboth/gauge-c 80
itest/value/gauge-small 5
itest/value/gauge-big 500
itest/value/gauge-nan U
itest/ctr/counter-zero 0
itest/ctr/counter-nonzero 7+
hosta/hash/gauge 1+
hostb/hash/gauge 2+
hostc/hash/gauge 3+
hostd/hash/gauge 4+
itest/notify/gauge-n 42
itest/df/df-root 100:900
itest/df/df-var 200:800
itest/scale/gauge 3+
itest/scale/derive-d 1000+'

# The PUTVALs of every case: the three rounds, then the old values for
# match_timediff.
echo "$IDENTIFIERS" | awk -v t0="$T0" '
  { lines[NR] = $0 }
  END {
    for (round = 1; round <= 3; round++)
      for (i = 1; i <= NR; i++) {
        split(lines[i], f, " ")
        v = f[2]
        if (v ~ /\+/)
          sub(/\+/, round, v)
        else if (round > 1)
          continue
        printf "PUTVAL %s interval=60 %d:%s\n", f[1], t0 + round, v
      }
    for (round = 1; round <= 2; round++)
      printf "PUTVAL itest/past/gauge-old interval=60 %d:%d\n",
        t0 - 10000 + round, round
  }' >"$TMP/values"

# The end of a case: a value of its own, written by every chain of every
# case (the marker rule), after everything put before it. A target may
# dispatch new values while it runs (target_v5upgrade does), which 5.12
# queues behind the marker: so a second marker is put once the first is
# written, and the case ends when that one is (filter_chain_client.py).
MARKER_RULE='  <Rule "marker">
    <Match "regex">
      Plugin "^marker$"
    </Match>
    <Target "write">
      Plugin "csv"
    </Target>
    Target "stop"
  </Rule>'

# run CASE: starts the daemons, puts the values and both markers into
# each, waits for the markers and keeps LISTVAL's reply in DIR/listval.
run() {
  start "$1"
  it_check "$1: both take $(wc -l <"$TMP/values") PUTVALs and write the markers"
  python3 "$top_srcdir/tests/integration/filter_chain_client.py" feed \
    "$IT_DEADLINE" "$TMP/values" $((T0 + 10)) "$TMP/$1/ours" \
    "$TMP/$1/debian" 2>"$TMP/$1/feed.err" ||
    it_fail "$(cat "$TMP/$1/feed.err")"
  it_ok
}

# ---- comparing -------------------------------------------------------------------

# files CASE WHO: every csv file as host/plugin-instance/type-instance.
files() {
  (cd "$TMP/$1/$2/csv" && find . -type f) |
    sed -e 's|^\./||' -e 's|-[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]$||' | sort
}

# rows CASE WHO: "file: row" for every row, sorted (a write target in the
# pre-cache chain writes a value while the write thread may write an older
# one, in ours; the set of rows is what must match).
rows() {
  (cd "$TMP/$1/$2/csv" && find . -type f -exec awk '{
    f = FILENAME
    sub(/^\.\//, "", f)
    sub(/-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/, "", f)
    print f ": " $0
  }' {} +) | sort
}

# notifications CASE WHO: the notifications logfile logged, without the
# time and severity of the log line, leaving out our daemon's own about
# plugin states.
notifications() {
  grep 'Notification:' "$TMP/$1/$2/log" | grep -v 'type = plugin_state,' |
    sed 's/^.*Notification:/Notification:/' | sort
}

same() {
  "$@" ours >"$TMP/$2.ours.$1"
  "$@" debian >"$TMP/$2.debian.$1"
  if ! diff -u "$TMP/$2.debian.$1" "$TMP/$2.ours.$1" >"$TMP/$2.$1.diff"; then
    echo "FAILED"
    IT_PENDING=0
    sed 's/^/  /' "$TMP/$2.$1.diff"
    it_fail "$2: ours differs from 5.12 (- 5.12, + ours)"
  fi
}

listval() { sort "$TMP/$1/$2/listval"; }

# compare CASE: csv files, rows, the cache and notifications, ours against
# 5.12.
compare() {
  it_check "$1: the same csv files"
  same files "$1"
  it_ok "$(wc -l <"$TMP/$1.ours.files") files"
  it_check "$1: the same csv rows"
  same rows "$1"
  it_ok "$(wc -l <"$TMP/$1.ours.rows") lines"
  it_check "$1: the same LISTVAL"
  same listval "$1"
  it_ok "$(wc -l <"$TMP/$1.ours.listval") identifiers"
  it_check "$1: the same notifications"
  same notifications "$1"
  it_ok "$(wc -l <"$TMP/$1.ours.notifications") notifications"
}

# expect CASE KIND PATTERN [absent]: 5.12's KIND (files, listval,
# notifications) has a line that matches PATTERN (or none, with
# "absent"). Not a check of ours, which compare() does: a check that the
# case exercises what it says.
expect() {
  if [ "${4:-}" = absent ]; then
    ! grep -Eq -- "$3" "$TMP/$1.debian.$2" ||
      it_fail "$1: 5.12's $2 has $3: the case does not test what it says"
  else
    grep -Eq -- "$3" "$TMP/$1.debian.$2" ||
      it_fail "$1: 5.12's $2 lacks $3: the case does not test what it says"
  fi
}

# ---- the cases ------------------------------------------------------------------

echo "--- post_rename"
cat >"$TMP/post_rename.chains" <<EOF
<Chain "PostCache">
$MARKER_RULE
  <Rule "rename">
    <Match "regex">
      Plugin "^app\$"
      TypeInstance "^old_"
    </Match>
    <Target "set">
      PluginInstance "renamed"
      MetaData "origin" "%{type_instance}"
    </Target>
    <Target "replace">
      TypeInstance "^old_" "new_"
    </Target>
  </Rule>
  <Rule "meta">
    <Match "regex">
      MetaData "origin" "^old_y\$"
    </Match>
    <Target "set">
      TypeInstance "from_meta_%{meta:origin}"
    </Target>
  </Rule>
  <Rule "drop">
    <Match "regex">
      TypeInstance "drop"
    </Match>
    Target "stop"
  </Rule>
  <Rule "inverted">
    <Match "regex">
      Plugin "^(app|marker)\$"
      Invert true
    </Match>
    <Target "replace">
      Host "^itest\$" "other-host"
    </Target>
  </Rule>
  Target "write"
</Chain>
EOF
run post_rename
compare post_rename
expect post_rename files '^itest/app-renamed/gauge-new_x$'
expect post_rename files '^itest/app-renamed/gauge-from_meta_old_y$'
expect post_rename files 'drop_me' absent
expect post_rename listval ' itest/app/gauge-old_x$'
expect post_rename listval ' itest/app/gauge-drop_me$'
stop post_rename

echo "--- pre_rename"
cat >"$TMP/pre_rename.chains" <<EOF
PreCacheChain "in"
PostCacheChain "out"
<Chain "in">
  <Rule "rename">
    <Match "regex">
      Plugin "^app\$"
      TypeInstance "^old_"
    </Match>
    <Target "replace">
      TypeInstance "^old_" "pre_"
    </Target>
    <Target "set">
      PluginInstance "pre"
      MetaData "stage" "before"
    </Target>
  </Rule>
  <Rule "drop">
    <Match "regex">
      TypeInstance "drop"
    </Match>
    Target "stop"
  </Rule>
  <Rule "host">
    <Match "regex">
      Host "^host[ab]\$"
    </Match>
    <Target "replace">
      Host "^host" "renamed-"
    </Target>
  </Rule>
</Chain>
<Chain "out">
$MARKER_RULE
  <Rule "meta">
    <Match "regex">
      MetaData "stage" "^before\$"
    </Match>
    <Target "set">
      TypeInstance "%{type_instance}_%{meta:stage}"
    </Target>
    <Target "write">
      Plugin "csv"
    </Target>
    Target "stop"
  </Rule>
  <Rule "some">
    <Match "regex">
      Plugin "^(other|value|tothr|hash)\$"
    </Match>
    Target "write"
  </Rule>
</Chain>
EOF
run pre_rename
compare pre_rename
expect pre_rename files '^itest/app-pre/gauge-pre_x_before$'
expect pre_rename files '^renamed-a/hash/gauge$'
expect pre_rename files '^itest/other/gauge-plain$'
expect pre_rename files '^itest/app/gauge-keep$' absent
expect pre_rename listval ' itest/app-pre/gauge-pre_x$'
expect pre_rename listval ' renamed-b/hash/gauge$'
expect pre_rename listval ' itest/app/gauge-keep$'
expect pre_rename listval 'drop_me' absent
stop pre_rename

echo "--- jump_return"
cat >"$TMP/jump_return.chains" <<EOF
<Chain "PostCache">
$MARKER_RULE
  <Rule "to_sub">
    <Match "regex">
      Plugin "^other\$"
    </Match>
    <Target "jump">
      Chain "sub"
    </Target>
    <Target "set">
      PluginInstance "after_jump"
    </Target>
  </Rule>
  <Rule "entry_return">
    <Match "regex">
      Plugin "^value\$"
    </Match>
    Target "return"
  </Rule>
  <Rule "deep">
    <Match "regex">
      Plugin "^app\$"
    </Match>
    <Target "jump">
      Chain "sub"
    </Target>
  </Rule>
  Target "write"
</Chain>
<Chain "sub">
  <Rule "ret">
    <Match "regex">
      TypeInstance "^ret_"
    </Match>
    <Target "set">
      TypeInstance "returned"
    </Target>
    Target "return"
    <Target "set">
      TypeInstance "never"
    </Target>
  </Rule>
  <Rule "stop">
    <Match "regex">
      TypeInstance "^stop_"
    </Match>
    Target "stop"
  </Rule>
  <Rule "deeper">
    <Match "regex">
      TypeInstance "^old_"
    </Match>
    <Target "jump">
      Chain "sub2"
    </Target>
    <Target "set">
      Host "after-sub2"
    </Target>
  </Rule>
  <Target "set">
    PluginInstance "sub_default"
  </Target>
  <Target "write">
    Plugin "csv"
  </Target>
</Chain>
<Chain "sub2">
  <Rule>
    <Match "regex">
      TypeInstance "_y\$"
    </Match>
    Target "stop"
  </Rule>
  <Rule>
    <Target "set">
      TypeInstance "in_sub2"
    </Target>
    Target "return"
  </Rule>
  Target "write"
</Chain>
EOF
run jump_return
compare jump_return
expect jump_return files '^itest/other-sub_default/gauge-plain$'
expect jump_return files '^itest/other-after_jump/gauge-plain$'
expect jump_return files '^itest/other-after_jump/gauge-returned$'
expect jump_return files '^after-sub2/app-sub_default/gauge-in_sub2$'
expect jump_return files 'never|stop_b|old_y|^itest/value/' absent
stop jump_return

echo "--- write_named"
cat >"$TMP/write_named.chains" <<EOF
<Chain "PreCache">
  <Rule "early">
    <Match "regex">
      Plugin "^tocsv\$"
    </Match>
    <Target "write">
      Plugin "csv"
    </Target>
  </Rule>
</Chain>
<Chain "PostCache">
$MARKER_RULE
  <Rule "csv_only">
    <Match "regex">
      Plugin "^tocsv\$"
    </Match>
    <Target "write">
      Plugin "csv"
    </Target>
    Target "stop"
  </Rule>
  <Rule "threshold_only">
    <Match "regex">
      Plugin "^tothr\$"
    </Match>
    <Target "write">
      Plugin "threshold"
    </Target>
    Target "stop"
  </Rule>
  <Rule "both">
    <Match "regex">
      Plugin "^toboth\$"
    </Match>
    <Target "write">
      Plugin "csv"
      Plugin "threshold"
    </Target>
    Target "stop"
  </Rule>
  <Rule "all">
    <Match "regex">
      Plugin "^(value|other)\$"
    </Match>
    Target "write"
    Target "stop"
  </Rule>
  <Rule "nowhere">
    <Match "regex">
      Plugin "^ctr\$"
    </Match>
    <Target "write">
      Plugin "nosuch"
    </Target>
    Target "stop"
  </Rule>
  <Target "set">
    PluginInstance "dflt"
  </Target>
  <Target "write">
    Plugin "csv"
  </Target>
  <Target "set">
    TypeInstance "second"
  </Target>
  <Target "write">
    Plugin "csv"
  </Target>
  Target "stop"
  Target "write"
</Chain>
EOF
run write_named
compare write_named
expect write_named files '^itest/tocsv/gauge-a$'
expect write_named files '^itest/toboth/gauge-c$'
expect write_named files '^itest/app-dflt/gauge-keep$'
expect write_named files '^itest/app-dflt/gauge-second$'
expect write_named files 'tothr|/ctr/|^itest/app/' absent
expect write_named notifications 'plugin = tothr'
expect write_named notifications 'plugin = toboth'
stop write_named

echo "--- other_plugins"
cat >"$TMP/other_plugins.chains" <<EOF
<Chain "PreCache">
  <Rule "v5">
    <Match "regex">
      Plugin "^df\$"
    </Match>
    Target "v5upgrade"
  </Rule>
</Chain>
<Chain "PostCache">
$MARKER_RULE
  <Rule "in_range">
    <Match "regex">
      Plugin "^value\$"
    </Match>
    <Match "value">
      Min 0
      Max 100
    </Match>
    <Target "set">
      TypeInstance "%{type_instance}_in_range"
    </Target>
  </Rule>
  <Rule "out_of_range">
    <Match "regex">
      Plugin "^value\$"
    </Match>
    <Match "value">
      Min 0
      Max 100
      Invert true
      Satisfy "Any"
    </Match>
    <Target "set">
      TypeInstance "%{type_instance}_out_of_range"
    </Target>
  </Rule>
  <Rule "past">
    <Match "timediff">
      Past 3600
    </Match>
    <Target "set">
      PluginInstance "too_old"
    </Target>
  </Rule>
  <Rule "hashed">
    <Match "hashed">
      Match 0 2
    </Match>
    <Target "set">
      PluginInstance "group0"
    </Target>
  </Rule>
  <Rule "empty">
    Match "empty_counter"
    Target "stop"
  </Rule>
  <Rule "scale">
    <Match "regex">
      Plugin "^scale\$"
    </Match>
    <Target "scale">
      Factor 2.5
    </Target>
  </Rule>
  <Rule "notify">
    <Match "regex">
      Plugin "^(notify|df)\$"
    </Match>
    <Target "notification">
      Message "%{host}/%{plugin}/%{type}-%{type_instance}: %{ds:value}%{ds:used}"
      Severity "FAILURE"
    </Target>
  </Rule>
  Target "write"
</Chain>
EOF
run other_plugins
compare other_plugins
expect other_plugins files '^itest/value/gauge-small_in_range$'
expect other_plugins files '^itest/value/gauge-big_out_of_range$'
expect other_plugins files '^itest/past-too_old/gauge-old$'
expect other_plugins files 'group0'
expect other_plugins files '^itest/df-root/df_complex-used$'
expect other_plugins files 'counter-zero|/df/df-' absent
expect other_plugins files '^itest/ctr/counter-nonzero$'
expect other_plugins notifications 'message = itest/notify/gauge-n'
stop other_plugins

echo "--- empty_chain"
cat >"$TMP/empty_chain.chains" <<EOF
<Chain "PostCache">
</Chain>
<Chain "empty">
</Chain>
<Chain "PreCache">
  <Rule "jump_to_empty">
    <Match "regex">
      Plugin "^app\$"
    </Match>
    <Target "jump">
      Chain "empty"
    </Target>
    <Target "set">
      PluginInstance "after_empty"
    </Target>
  </Rule>
  Target "write"
</Chain>
EOF
run empty_chain
compare empty_chain
expect empty_chain files '^itest/app-after_empty/gauge-keep$'
expect empty_chain files '^itest/tothr/gauge-b$'
expect empty_chain notifications 'plugin = tothr'
stop empty_chain

echo "--- names"
# Chain names are not case-sensitive: "postcache" is the default post-cache
# chain, and a jump to "SUB" reaches "Sub".
cat >"$TMP/names.chains" <<EOF
<Chain "postcache">
$MARKER_RULE
  <Rule>
    <Match "regex">
      Plugin "^app\$"
    </Match>
    <Target "jump">
      Chain "SUB"
    </Target>
  </Rule>
  Target "write"
</Chain>
<Chain "Sub">
  <Rule>
    <Target "set">
      PluginInstance "in_sub"
    </Target>
  </Rule>
</Chain>
EOF
run names
compare names
expect names files '^itest/app-in_sub/gauge-keep$'
stop names

echo "--- missing"
# PostCacheChain names a chain that does not exist: no post-cache chain,
# every value to every write plugin; the chain named PostCache is not used.
cat >"$TMP/missing.chains" <<EOF
PostCacheChain "nosuch"
<Chain "PostCache">
  <Rule>
    <Match "regex">
      Plugin "^app\$"
    </Match>
    Target "stop"
  </Rule>
  Target "write"
</Chain>
EOF
run missing
compare missing
expect missing files '^itest/app/gauge-keep$'
stop missing

it_pass
