#!/bin/sh
# Builds the Debian package collectd-dynamic from this tree and checks it
# with lintian.
#
#   sh tools/build-deb.sh        (as root if build dependencies are missing)
#
# Standard output gets one line, the absolute path of the .deb, so that
# deb=$(sh tools/build-deb.sh) works; progress goes to standard error,
# the build's own output to _deb/build.log. Exit status: 0 when the
# package built and lintian found no error, 1 otherwise.
#
# The build runs in a copy of the tree under _deb/ (the files git knows
# of, committed or not, and new files it does not ignore), so an in-place
# development build, configured for another prefix, is left alone; dh's
# clean step would otherwise run "make distclean" on it.
set -eu
cd "$(dirname "$0")/.."
top=$PWD
out=$top/_deb

say() { echo "build-deb: $*" >&2; }

# Build dependencies (debian/control's Build-Depends, the tool chain and
# lintian), installed when missing.
need="build-essential debhelper dh-autoreconf pkgconf lintian"
missing=
for p in $need; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		say "missing build dependencies:$missing (run as root to install them)"
		exit 1
	fi
	say "installing$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$missing >&2
fi

version=$(dpkg-parsechangelog -S Version)
src=$out/src/collectd-dynamic-$version
rm -rf "$out/src"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z -c -o --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf - | tar -C "$src" -xf -
else
	tar --exclude=./_deb -cf - . | tar -C "$src" -xf -
fi

say "building collectd-dynamic $version (log: $out/build.log)"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	say "dpkg-buildpackage failed; the end of $out/build.log:"
	tail -n 20 "$out/build.log" >&2
	exit 1
fi

arch=$(dpkg-architecture -q DEB_HOST_ARCH)
deb=$out/collectd-dynamic_${version}_$arch.deb
mv -f "$out/src/"*.deb "$out/src/"*.buildinfo "$out/src/"*.changes "$out/"
rm -rf "$out/src"

say "lintian $deb"
if ! lintian --fail-on error "$deb" >&2; then
	say "lintian reports errors"
	exit 1
fi
echo "$deb"
