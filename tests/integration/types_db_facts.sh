#!/bin/sh
# Our src/types.db defines every type of collectd 5.12's (Debian's
# /usr/share/collectd/types.db) with the same facts: the names of the data
# sources in order, their kinds, minimums and maximums. Both files are read
# here with awk, not with our daemon's parser, and every difference is
# listed by type and field. Then: every line of ours has the one form both
# parsers read ("name ds:KIND:min:max, ds:KIND:min:max"), and our daemon
# reads the file (-t) without a message.
. "$(dirname "$0")/lib.sh"
it_init types_db_facts
it_need_debian

D=$TMP

# it_facts FILE: one line per type, "type<TAB>line<TAB>n<TAB>src1<TAB>...",
# each source as name:KIND:min:max:min-as-written:max-as-written, min and
# max being the numbers the limits stand for (U kept), so that 65535 and
# 6.5535e4 are the same. The sources
# are read as collectd 5.12 reads them: separated by blanks, each with an
# optional trailing comma. A line it cannot read goes to standard error.
it_facts() {
  awk -v file="$1" '
    function limit(s) {
      if (s == "U")
        return "U"
      if (s !~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/)
        return ""
      return sprintf("%.17g", s + 0)
    }
    {
      sub(/#.*/, "")
      if (NF == 0)
        next
      out = $1 "\t" FNR
      n = 0
      srcs = ""
      for (i = 2; i <= NF; i++) {
        f = $i
        sub(/,$/, "", f)
        if (f == "")
          continue
        if (split(f, p, ":") != 4 ||
            toupper(p[2]) !~ /^(GAUGE|DERIVE|COUNTER|ABSOLUTE)$/ ||
            limit(p[3]) == "" || limit(p[4]) == "") {
          printf "%s:%d: cannot read data source \"%s\"\n", file, FNR, f \
            > "/dev/stderr"
          bad = 1
          next
        }
        n++
        srcs = srcs "\t" p[1] ":" toupper(p[2]) ":" limit(p[3]) ":" \
          limit(p[4]) ":" p[3] ":" p[4]
      }
      if (n == 0) {
        printf "%s:%d: type %s has no data sources\n", file, FNR, $1 \
          > "/dev/stderr"
        bad = 1
        next
      }
      print out "\t" n srcs
    }
    END { exit bad }' "$1"
}

it_check "Debian's types.db can be read"
it_facts "$DEBIAN_TYPESDB" >"$D/debian.facts" 2>"$D/debian.err" ||
  it_fail "$(cat "$D/debian.err")"
it_ok "$(wc -l <"$D/debian.facts") types"

it_check "our types.db can be read"
it_facts "$OUR_TYPESDB" >"$D/ours.facts" 2>"$D/ours.err" ||
  it_fail "$(cat "$D/ours.err")"
it_ok "$(wc -l <"$D/ours.facts") types"

# The comparison: prints one line per difference, type and field named.
it_check "every type of Debian's is in ours with the same facts, and no other"
awk -F '\t' -v ours_file="$D/ours.facts" -v deb="Debian's" '
  function field(s, k,    q) {
    split(s, q, ":")
    return q[k]
  }
  {
    side = (FILENAME == ours_file ? "ours" : deb)
    if (($1, side) in line) {
      printf "%s: defined twice in %s (lines %d and %d)\n", $1, side,
        line[$1, side], $2
      next
    }
    line[$1, side] = $2
    n[$1, side] = $3
    for (i = 1; i <= $3; i++)
      src[$1, side, i] = $(3 + i)
    if (side == deb)
      types[++count] = $1
    else
      only_ours[$1] = 1
  }
  END {
    split("name kind min max", label, " ")
    for (k = 1; k <= count; k++) {
      t = types[k]
      if (!((t, "ours") in line)) {
        printf "%s: missing in ours (%s line %d)\n", t, deb, line[t, deb]
        continue
      }
      delete only_ours[t]
      if (n[t, "ours"] != n[t, deb])
        printf "%s: number of data sources: ours %d, %s %d\n", t,
          n[t, "ours"], deb, n[t, deb]
      for (i = 1; i <= n[t, "ours"] && i <= n[t, deb]; i++) {
        a = src[t, "ours", i]
        b = src[t, deb, i]
        # Limits are compared as numbers, shown as written (fields 5, 6).
        for (j = 1; j <= 4; j++)
          if (field(a, j) != field(b, j))
            printf "%s: data source %d (%s) %s: ours %s, %s %s\n", t, i,
              field(b, 1), label[j], field(a, j + 2 * (j > 2)), deb,
              field(b, j + 2 * (j > 2))
      }
    }
    for (t in only_ours)
      printf "%s: not in %s (our line %d)\n", t, deb, line[t, "ours"]
  }' "$D/ours.facts" "$D/debian.facts" >"$D/differences"
if [ -s "$D/differences" ]; then
  echo "FAILED"
  IT_PENDING=0
  sort "$D/differences"
  it_fail "$(wc -l <"$D/differences") difference(s) between $OUR_TYPESDB and $DEBIAN_TYPESDB"
fi
it_ok

# collectd 5.12 separates the sources by blanks, our parser by commas: the
# one form both read is "name ds:KIND:min:max, ds:KIND:min:max". Comments
# are whole lines.
it_check "every line of ours is a comment, blank, or name and sources as both parsers read them"
awk '
  BEGIN {
    lim = "(U|-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?)"
    src = "[a-z][a-z0-9_]*:(GAUGE|DERIVE|COUNTER|ABSOLUTE):" lim ":" lim
    form = "^[a-z][a-z0-9_]* +" src "(, " src ")*$"
  }
  /^#/ || /^$/ { next }
  $0 !~ form { printf "line %d: \"%s\"\n", FNR, $0; bad = 1 }
  END { exit bad }' "$OUR_TYPESDB" >"$D/form" || it_fail "$(cat "$D/form")"
it_ok

# Our parser on our file: the daemon only reads its configuration (-t),
# loads no plugin, and says nothing unless a line is wrong.
it_typesdb_test() {
  mkdir -p "$D/$1/plugins"
  it_globals "$D/$1" "$2" >"$D/$1/collectd.conf"
  it_run "$1" "$COLLECTD" -t -C "$D/$1/collectd.conf"
}

it_check "our daemon reads our types.db (-t): status 0, no message"
it_typesdb_test ours "$OUR_TYPESDB"
[ "$IT_RC" = 0 ] || it_fail "exit status $IT_RC"
[ ! -s "$TMP/ours.out" ] || it_fail "it said: $(cat "$TMP/ours.out")"
it_ok

# The same with one line of it broken, to show that the check above would
# notice: the daemon names the line and fails.
it_check "the same with a broken line: it fails and names the line"
sed 's/^load \( *\)shortterm:GAUGE:/load\1shortterm:GAUCHE:/' "$OUR_TYPESDB" \
  >"$D/broken.db"
cmp -s "$OUR_TYPESDB" "$D/broken.db" && it_fail "no load line to break"
it_typesdb_test broken "$D/broken.db"
[ "$IT_RC" != 0 ] || it_fail "exit status 0"
it_line=$(grep -n GAUCHE "$D/broken.db" | cut -d: -f1)
grep -q "broken.db:$it_line:.*GAUCHE" "$TMP/broken.out" ||
  it_fail "it said: $(cat "$TMP/broken.out")"
it_ok "status $IT_RC"

it_pass
