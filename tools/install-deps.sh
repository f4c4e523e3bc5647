#!/bin/sh
# Installs what building and testing need on Debian 12, as root: the
# toolchain and Check, valgrind, clang for the sanitizer builds and the
# fuzz targets (libclang-rt-14-dev has libFuzzer; llvm's symbolizer gives
# file:line in their reports), and
# Debian's collectd 5.12 (collectd-core, collectd-utils, collectd-dev) as the
# test peer, with the libraries its read plugins in the tests link and do not
# depend on (libmnl0: netlink, processes; libudev1: disk) and the runtime
# libraries that let more of its plugins load (corpus_libs); and what
# building the Debian package takes (tools/build-deb.sh,
# tests/package_install.sh). Does nothing that is already there.
set -e
# Libraries of collectd-core's plugins, for tests/integration/debian_corpus.sh
# (a plugin whose libraries are missing is skipped there). These cover 34
# plugins for 2.6 MB of downloads, 7 MB installed (25 packages); libyajl2
# alone covers 11, and 3 more with another library. Left out: libsnmp40
# (9 MB, snmp and snmp_agent), libvirt0 (6.6 MB), libmongoc-1.0-0 (4 MB,
# write_mongodb), the JVM, DPDK and Xen, and the libraries of plugins the
# test skips because they touch hardware (libopenipmi0, libi2c0, libpqos4).
corpus_libs="libyajl2 librabbitmq4 libqpid-proton11 libmicrohttpd12
      libprotobuf-c1 libpcap0.8 libgps28 libip6tc2 liblua5.3-0 libmemcached11
      libmodbus5 libmosquitto1 libmariadb3 libesmtp6 libnotify4 libupsclient6
      liboping0 libhiredis0.14 libvarnishapi3 libriemann-client0 librdkafka1
      libatasmart4"
pkgs="build-essential autoconf automake libtool pkg-config check
      valgrind clang-14 libclang-rt-14-dev llvm-14 collectd-core collectd-utils
      collectd-dev librrd8 python3 procps libmnl0 libudev1 util-linux
      debhelper dh-autoreconf lintian pkgconf
      $corpus_libs"
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
