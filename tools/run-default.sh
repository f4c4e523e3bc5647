#!/bin/sh
# README command 1: install what is missing, build and install into ./_inst
# quietly (the build's output goes to _build.log), then run the daemon in
# the foreground on the bundled default configuration (cpu, memory, load,
# interface every 10 s; CSV files under _inst/var/lib/collectd/csv; log on
# standard output) and show how to talk to it: our collectdctl, our socket.
set -e
cd "$(dirname "$0")/.."
top=$PWD
log=$top/_build.log
start=$(date +%s)
echo "Installing what is missing, building and installing into $top/_inst"
echo "(a few minutes the first time; the output goes to $log) ..."
if ! { sh tools/install-deps.sh && sh tools/build.sh; } >"$log" 2>&1; then
	tail -n 30 "$log"
	echo "run-default.sh: the build failed; the whole log is $log" >&2
	exit 1
fi
# A tree configured by hand elsewhere would install there: not here.
inst=$top/_inst
prefix=$(sed -n 's/^prefix = //p' Makefile)
if [ "$prefix" != "$inst" ]; then
	echo "run-default.sh: this tree was configured with --prefix=$prefix;" \
		"run ./configure --prefix=$inst first" >&2
	exit 1
fi
make install >>"$log" 2>&1 || {
	tail -n 30 "$log"
	echo "run-default.sh: make install failed; the whole log is $log" >&2
	exit 1
}
echo "Built and installed in $(($(date +%s) - start)) s."

ctl="$inst/bin/collectdctl -s $inst/var/run/collectd-unixsock"
"$inst/sbin/collectd" -f -C "$inst/etc/collectd.conf" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid; exit 0' INT TERM

# The first values come with the first reads, at start-up.
i=0
id=
while [ -z "$id" ] && [ $i -lt 300 ] && kill -0 $pid 2>/dev/null; do
	id=$($ctl listval 2>/dev/null | awk '$NF ~ /\/load\/load$/ { print $NF; exit }')
	[ -n "$id" ] || sleep 0.1
	i=$((i + 1))
done
# (Another daemon on the same socket would answer for one that refused.)
if [ -z "$id" ] || ! kill -0 $pid 2>/dev/null; then
	echo "run-default.sh: the daemon did not answer on its socket; see its log above" >&2
	kill -TERM $pid 2>/dev/null
	wait $pid
	exit 1
fi
host=${id%%/*}
cat <<EOT

---------------------------------------------------------------------------
The daemon runs (pid $pid); its log is above and goes on below.
CSV files:       $inst/var/lib/collectd/csv/$host/
Its plugins:     $ctl listplugins
A value:         $ctl getval $id
Reload after editing $inst/etc/collectd.conf:
                 $ctl reload
Ctrl-C stops it.

\$ $ctl listplugins
$($ctl listplugins)
\$ $ctl getval $id
$($ctl getval "$id")
---------------------------------------------------------------------------
EOT
wait $pid
