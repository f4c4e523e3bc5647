#!/bin/sh
# The Debian package on this machine, as an operator would use it: built
# from the tree (tools/build-deb.sh, which runs lintian), installed with
# dpkg over Debian's collectd-core, checked, and purged. It must
# - make /usr/sbin/collectd ours (Debian's kept aside by dpkg-divert);
# - leave Debian's other plugins loading under our daemon with
#   /etc/collectd/collectd.conf as Debian ships it (the example of
#   collectd-core, when the machine has no collectd.conf of its own);
# - start the daemon on the package's configuration with the control
#   socket, group-restricted, listing Debian's plugins and ours;
# - install a collectd.service drop-in that systemd-analyze verify accepts;
# - on purge, give every diverted file back byte for byte and remove every
#   diversion and file of ours.
# The machine is left as the test found it whatever happens: the exit
# trap purges the package, removes what the test created, and reinstalls
# collectd-core and collectd-utils if any of their files still differs.
# It changes what the other tests use (Debian's daemon and plugins), so it
# never runs beside them: tools/test-all.sh runs it alone, after them.
set -u
cd "$(dirname "$0")/.."
top=$PWD
PKG=collectd-dynamic
TMP=$(mktemp -d "${TMPDIR:-/tmp}/collectd-package.XXXXXX")
status=1
checks=0

say() { echo "$*"; }
fail() {
	echo "FAIL: $*"
	exit 1
}
ok() {
	checks=$((checks + 1))
	echo "ok: $*"
}

# ---- what the machine is like before ----------------------------------
dpkg-divert --list | LC_ALL=C sort >"$TMP/diversions.before"
created_conf=
created_confdir=
created_group=
daemon=

restore() {
	rc=$?
	trap '' INT TERM HUP
	[ -z "$daemon" ] || { kill -TERM "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; }
	if dpkg-query -W -f '${Status}' "$PKG" 2>/dev/null | grep -q 'installed\|unpacked\|half'; then
		echo "(restore: purging $PKG)"
		dpkg --purge "$PKG" >"$TMP/purge-trap.log" 2>&1 ||
			cat "$TMP/purge-trap.log"
	fi
	[ -z "$created_conf" ] || rm -f /etc/collectd/collectd.conf
	[ -z "$created_confdir" ] || rm -rf /etc/collectd/collectd.conf.d
	[ -z "$created_group" ] || delgroup --quiet collectd 2>/dev/null || groupdel collectd 2>/dev/null
	# Last resort: Debian's files as dpkg knows them.
	if [ -s "$TMP/sums.before" ] && ! md5sum --quiet -c "$TMP/sums.before" >/dev/null 2>&1; then
		echo "(restore: Debian's files differ; reinstalling collectd-core and collectd-utils)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall \
			collectd-core collectd-utils >/dev/null 2>&1
		rc=1
	fi
	rm -rf "$TMP"
	if [ "$rc" = 0 ] && [ "$status" = 0 ]; then
		echo "PASS: tests/package_install.sh (dpkg)"
	else
		echo "FAIL: tests/package_install.sh (dpkg)"
		rc=1
	fi
	exit "$rc"
}
trap restore EXIT
trap 'exit 1' INT TERM HUP

dpkg-query -W -f '${Status}' collectd-core 2>/dev/null | grep -q ' installed$' ||
	fail "collectd-core is not installed (tools/install-deps.sh installs it)"
if dpkg-query -W -f '${Status}' "$PKG" 2>/dev/null | grep -q installed; then
	fail "$PKG is installed already: this test will not touch a machine that uses it"
fi

# ---- build -------------------------------------------------------------
say "building the package (tools/build-deb.sh; lintian must report no error)"
deb=$(sh tools/build-deb.sh 2>"$TMP/build.err") ||
	{ cat "$TMP/build.err"; fail "the package did not build, or lintian reports errors"; }
[ -f "$deb" ] || fail "build-deb.sh printed \"$deb\", which is no file"
ok "built $deb; lintian: no error"

# The files of the package that are on the machine already: Debian's,
# which the package diverts. Their sums, to compare after the purge.
dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|' | grep -v '/$' |
	sed 's| -> .*||' >"$TMP/files"
while read -r f; do
	[ -f "$f" ] && [ ! -L "$f" ] && echo "$f"
done <"$TMP/files" >"$TMP/replaced"
[ -s "$TMP/replaced" ] || fail "the package replaces none of Debian's files?"
xargs md5sum <"$TMP/replaced" >"$TMP/sums.before"
grep -qx /usr/sbin/collectd "$TMP/replaced" ||
	fail "the package does not ship /usr/sbin/collectd"

# Debian's collectd.conf, as collectd-core ships it, if the machine has
# none (collectd-core alone does not install one).
if [ ! -e /etc/collectd/collectd.conf ]; then
	mkdir -p /etc/collectd
	gzip -dc /usr/share/doc/collectd-core/examples/collectd.conf.gz \
		>/etc/collectd/collectd.conf 2>/dev/null ||
		cp /usr/share/doc/collectd-core/examples/collectd.conf /etc/collectd/collectd.conf ||
		fail "no example collectd.conf in collectd-core"
	created_conf=1
	if [ ! -d /etc/collectd/collectd.conf.d ]; then
		mkdir -p /etc/collectd/collectd.conf.d
		created_confdir=1
	fi
fi
getent group collectd >/dev/null || created_group=1

# ---- install -------------------------------------------------------------
say "installing it with dpkg -i"
dpkg -i "$deb" >"$TMP/install.log" 2>&1 || { cat "$TMP/install.log"; fail "dpkg -i failed"; }
ok "installed"

/usr/sbin/collectd -h 2>&1 | grep -q 'plugins that load and unload at run time' ||
	fail "/usr/sbin/collectd is not ours: $(/usr/sbin/collectd -h 2>&1 | tail -n 1)"
[ -f /usr/sbin/collectd.debian ] || fail "Debian's daemon was not kept as /usr/sbin/collectd.debian"
awk '$2 == "/usr/sbin/collectd" { print $1 "  /usr/sbin/collectd.debian" }' "$TMP/sums.before" |
	md5sum --quiet -c - || fail "/usr/sbin/collectd.debian is not Debian's daemon"
for f in $(cat "$TMP/replaced"); do
	dpkg-divert --list "$f" | grep -q "by $PKG" || fail "$f is not diverted"
done
ok "/usr/sbin/collectd is ours; $(wc -l <"$TMP/replaced") of Debian's files diverted, kept aside"

getent group collectd >/dev/null || fail "no collectd group"
ok "the collectd group exists"

say "Debian's plugins under our daemon, with Debian's collectd.conf"
/usr/sbin/collectd -t -C /etc/collectd/collectd.conf >"$TMP/t.log" 2>&1 ||
	{ cat "$TMP/t.log"; fail "-t on Debian's collectd.conf failed"; }
/usr/sbin/collectd -t -C /etc/collectd/collectd-dynamic.conf >"$TMP/t2.log" 2>&1 ||
	{ cat "$TMP/t2.log"; fail "-t on the package's configuration failed"; }
ok "-t accepts /etc/collectd/collectd.conf and /etc/collectd/collectd-dynamic.conf"

# The daemon as the service starts it (in the foreground here: this
# machine may have no systemd), in a BaseDir of its own: the test leaves
# no data behind.
# Only where it writes changes: BaseDir, PIDFile, rrdtool's DataDir and
# the socket are the test's.
{
	echo "BaseDir \"$TMP/base\""
	echo "PIDFile \"$TMP/pid\""
	grep -v '^[[:space:]]*\(BaseDir\|PIDFile\)' /etc/collectd/collectd.conf |
		sed "s|/var/lib/collectd/rrd|$TMP/rrd|"
} >"$TMP/collectd.conf"
sock=$TMP/sock
sed -e "s|/etc/collectd/collectd.conf|$TMP/collectd.conf|" \
	-e "s|^\([[:space:]]*\)<Plugin unixsock>|&\n\1  SocketFile \"$sock\"|" \
	/etc/collectd/collectd-dynamic.conf >"$TMP/dynamic.conf"
grep -q "SocketFile \"$sock\"" "$TMP/dynamic.conf" ||
	fail "no <Plugin unixsock> block in /etc/collectd/collectd-dynamic.conf"
/usr/sbin/collectd -f -C "$TMP/dynamic.conf" >"$TMP/daemon.log" 2>&1 &
daemon=$!
i=0
until /usr/bin/collectdctl -s "$sock" listplugins >"$TMP/plugins" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 600 ] && kill -0 "$daemon" 2>/dev/null ||
		{ cat "$TMP/daemon.log"; fail "the daemon did not answer on $sock"; }
	sleep 0.1
done
grep -q ' legacy$' "$TMP/plugins" || fail "no plugin of Debian's listed: $(cat "$TMP/plugins")"
grep -q '^cpu ready unloadable$' "$TMP/plugins" || fail "our cpu is not ready: $(cat "$TMP/plugins")"
# battery fails on a machine without a power supply, in Debian's daemon
# too; every other plugin must be ready.
grep -v ' ready ' "$TMP/plugins" | grep -v '^battery failed ' | grep . &&
	fail "plugins not ready (above)"
[ "$(stat -c '%a %G' "$sock")" = "660 collectd" ] ||
	fail "the socket is $(stat -c '%a %G' "$sock"), not 660 collectd"
ok "the daemon runs Debian's plugins and ours: $(tr '\n' ';' <"$TMP/plugins")"
# The service's ExecReload: the reload's outcome, through the socket.
out=$(COLLECTD_SOCKET=$sock /usr/libexec/collectd-dynamic/collectd-reload "$daemon" 2>&1) ||
	fail "collectd-reload failed: $out"
echo "$out" | grep -q '^Configuration reloaded: 0 loaded, 0 unloaded, 0 reloaded, 0 rolled back, 0 refused, 0 failed, [0-9]* unchanged$' ||
	fail "collectd-reload said: $out"
# A change the plugin rejects: rolled back, and the reload fails.
sed -i "s|^LoadPlugin cpu$|LoadPlugin cpu\n<Plugin cpu>\n  NoSuchOption 1\n</Plugin>|" "$TMP/collectd.conf"
out=$(COLLECTD_SOCKET=$sock /usr/libexec/collectd-dynamic/collectd-reload "$daemon" 2>&1) &&
	fail "collectd-reload succeeded on a rejected change: $out"
echo "$out" | grep -q '^cpu rolled back: ' || fail "collectd-reload said: $out"
ok "ExecReload (collectd-reload) reports a clean reload, and fails on a rolled-back one"
kill -TERM "$daemon"
wait "$daemon"
rc=$?
daemon=
[ "$rc" = 0 ] || fail "the daemon exited with status $rc"
ok "it stops with status 0"

if command -v systemd-analyze >/dev/null 2>&1; then
	systemd-analyze verify /lib/systemd/system/collectd.service >"$TMP/verify.log" 2>&1 ||
		{ cat "$TMP/verify.log"; fail "systemd-analyze verify collectd.service failed"; }
	systemctl cat collectd.service 2>/dev/null | grep -q 'collectd-dynamic.conf' ||
		grep -q 'ExecReload' /lib/systemd/system/collectd.service.d/collectd-dynamic.conf ||
		fail "no drop-in for collectd.service"
	ok "systemd-analyze verify accepts collectd.service with the drop-in"
fi

# ---- purge ---------------------------------------------------------------
say "purging it"
dpkg --purge "$PKG" >"$TMP/purge.log" 2>&1 || { cat "$TMP/purge.log"; fail "dpkg --purge failed"; }
md5sum --quiet -c "$TMP/sums.before" || fail "Debian's files did not come back as they were"
dpkg-divert --list | LC_ALL=C sort >"$TMP/diversions.after"
cmp -s "$TMP/diversions.before" "$TMP/diversions.after" ||
	fail "diversions differ: $(diff "$TMP/diversions.before" "$TMP/diversions.after")"
[ ! -e /etc/collectd/collectd-dynamic.conf ] || fail "the conffile is still there after purge"
[ ! -e /lib/systemd/system/collectd.service.d/collectd-dynamic.conf ] ||
	fail "the drop-in is still there"
/usr/sbin/collectd -h 2>&1 | grep -q 'plugins that load and unload' &&
	fail "/usr/sbin/collectd is still ours"
ok "purged: Debian's $(wc -l <"$TMP/replaced") files back byte for byte, no diversion left"
status=0
