#!/bin/sh
# Installs what building and testing need on Debian 12, as root: the
# toolchain and Check, valgrind, clang for the sanitizer builds, and
# Debian's collectd 5.12 (collectd-core, collectd-utils, collectd-dev) as the
# test peer, with the libraries its read plugins in the tests link and do not
# depend on (libmnl0: netlink, processes; libudev1: disk). Does nothing that
# is already there.
set -e
pkgs="build-essential autoconf automake libtool pkg-config check
      valgrind clang-14 libclang-rt-14-dev collectd-core collectd-utils
      collectd-dev librrd8 python3 procps libmnl0 libudev1"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# collectd-core's maintainer scripts must not start a daemon of their own.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
# shellcheck disable=SC2086 # one word per package
apt-get install -y -q --no-install-recommends $missing
rm -f /usr/sbin/policy-rc.d
