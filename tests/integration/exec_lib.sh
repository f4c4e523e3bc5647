# Helpers of the tests that run programs under Debian's exec plugin (an
# Exec program that feeds values, a NotificationExec program that records
# notifications) in our daemon and in collectd 5.12. Sourced after lib.sh.

# ex_user: sets EXEC_USER, the user the exec plugin runs programs as. The
# plugin refuses to run them as root, so a root test runs them as nobody,
# who must then reach the daemon's directory (only the test's own
# temporary directory is opened up).
ex_user() {
  if [ "$(id -u)" = 0 ]; then
    EXEC_USER=nobody
    id "$EXEC_USER" >/dev/null 2>&1 ||
      it_fail "running as root, but there is no user \"nobody\" to run exec's programs as"
    chmod 755 "$TMP" || it_fail "cannot open $TMP to $EXEC_USER"
  else
    EXEC_USER=$(id -un)
  fi
}

# ex_dir DIR: creates DIR, readable by the exec user, with DIR/notes (for
# the notifications) and DIR/run (for anything else the programs write)
# writable by it.
ex_dir() {
  mkdir -p "$1/notes" "$1/run" && chmod 755 "$1" &&
    chmod 777 "$1/notes" "$1/run" || it_fail "cannot create $1"
}

# ex_notify_script DIR: writes DIR/notify.sh, a NotificationExec program
# that stores the notification it reads (header, blank line, message) in a
# file of its own under DIR/notes. Each notification runs its own process,
# so they may finish in any order; the file appears complete (renamed from
# a hidden name) or not at all.
ex_notify_script() {
  cat >"$1/notify.sh" <<EOF
#!/bin/sh
f=\$(mktemp "$1/notes/.n.XXXXXX") || exit 1
cat >"\$f"
mv "\$f" "$1/notes/\${f##*/.}"
EOF
  chmod 755 "$1/notify.sh"
}

# ex_notes DIR ERE: prints the notifications of DIR/notes whose header has
# a line matching ERE, one a line, their header lines and message joined by
# " | ", sorted. A notification about a value that stopped coming ("... has
# not been updated for N seconds.") is dated by the clock, not by the value:
# its Time and its N are replaced by "(now)".
ex_notes() {
  for ex_f in "$1"/notes/n.*; do
    [ -f "$ex_f" ] || continue
    awk -v ere="$2" '
      { line[NR] = $0 }
      NR > 1 && $0 == "" && !body { body = NR }
      !body && $0 ~ ere { keep = 1 }
      /has not been updated for [0-9.]+ seconds/ { missing = 1 }
      END {
        if (!keep) exit
        out = ""
        for (i = 1; i <= NR; i++) {
          l = line[i]
          if (missing) {
            sub(/^Time: .*/, "Time: (now)", l)
            sub(/for [0-9.]+ seconds/, "for (now) seconds", l)
          }
          if (i == body) continue
          out = out (out == "" ? "" : " | ") l
        }
        print out
      }' "$ex_f"
  done | LC_ALL=C sort
}

# ex_count DIR ERE: how many notifications of DIR/notes match ERE (as
# ex_notes).
ex_count() { ex_notes "$1" "$2" | wc -l; }
