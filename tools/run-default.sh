#!/bin/sh
# README command 1: build, install into ./_inst and run the daemon in the
# foreground on the bundled default configuration (cpu, memory, load,
# interface; CSV files under _inst/var/lib/collectd/csv; log on stdout).
set -e
cd "$(dirname "$0")/.."
sh tools/install-deps.sh
sh tools/build.sh
make install >/dev/null
echo "CSV files go to $PWD/_inst/var/lib/collectd/csv; Ctrl-C stops the daemon."
exec ./_inst/sbin/collectd -f -C ./_inst/etc/collectd.conf
