#!/bin/sh
# What a reload of the whole configuration costs, and what the plugins'
# read schedules see of it, against a restart of collectd 5.12 with the
# same configuration.
#
# Both daemons run 20 read plugins with Interval 1, csv (whose rows show
# every read, time stamped), logfile and unixsock. Ours runs seven of its
# own plugins in process and thirteen of Debian's isolated (each in a
# plugin host, so that it can be reloaded); 5.12 runs Debian's builds of
# all twenty in process.
#
# Ours, one daemon: BENCH_RELOADS reloads of each kind, the configuration
# edited before each so that the reload changes 0, 1 or 10 plugins'
# <Plugin> blocks (an option set to its default value, added or taken
# away: the configuration changes, what the plugin reads does not). Each
# reply must name exactly the edited plugins as reloaded, and nothing
# loaded, unloaded, rolled back, refused or failed; else the run stops.
# bench/lifecycle_client times each RELOAD from the request to the last
# line of the reply. The reloads are BENCH_PAUSE seconds apart: not a
# whole number of intervals, so that they fall at every point of the
# interval, while reads run too; and more than two, so that a plugin that
# needs two readings for a value (cpu, disk) writes one between reloads.
#
# 5.12: BENCH_RELOADS restarts of a running daemon (lifecycle_client
# restart-running): SIGTERM to exit, then start until the socket answers
# LISTVAL; between restarts the daemon runs BENCH_HOLD ms, and a little
# longer each time, so that the SIGTERMs too fall at every point of the
# interval.
#
# Then, from each plugin's csv rows from the last one before the first
# reload (or SIGTERM) to the end: missed reads (a gap of more than 1.5
# intervals counts as gap / interval - 1 reads, rounded); rows off the
# phase (more than 100 ms, modulo the interval, off the phase of the last
# rows before the first reload: re-phased reads, or reads late on a busy
# machine); and phases that moved (between two reloads, or restarts, the
# rows' phase is more than 100 ms off that of the rows before, and so is
# the next one's: the schedule moved, rather than a few reads were late).
# A phase is that of the row closest to the others of its group. A plugin
# writes several files; its longest series is taken.
# Ours' missed reads are told apart: the first reading after a reload of
# a plugin that dispatches nothing on its first reading (cpu and disk:
# one read per reload of them, as after any start), and any other, which
# is listed with the reloads it spans.
#
# Run from the top build directory:  sh bench/reload.sh
# Environment (defaults in brackets):
#   BENCH_RELOADS [10]     reloads of each kind, and 5.12 restarts
#   BENCH_PAUSE [2.3]      seconds between two reloads
#   BENCH_HOLD [2300]      ms a 5.12 daemon runs at least between two
#                          restarts (up to twice as long)
#   BENCH_PEER [/usr/sbin/collectd], BENCH_PEER_PLUGINS [/usr/lib/collectd]
#   BENCH_TYPES_DB [/usr/share/collectd/types.db]
#   BENCH_KEEP             if set, keep the work directory, logs and csv
set -eu
. "$(dirname "$0")/common.sh"

reloads=${BENCH_RELOADS:-10}
pause=${BENCH_PAUSE:-2.3}
hold=${BENCH_HOLD:-2300}
peer=${BENCH_PEER:-/usr/sbin/collectd}
peer_plugins=${BENCH_PEER_PLUGINS:-/usr/lib/collectd}
types_db=${BENCH_TYPES_DB:-/usr/share/collectd/types.db}
client=bench/lifecycle_client
interval=1

# The read plugins: ours, and Debian's (isolated in our daemon). Each
# writes csv rows every interval in a container, as root or not.
ours_read="cpu df disk interface load memory uptime"
debian_read="entropy processes swap vmem contextswitch irq tcpconns users
fhcount conntrack protocols ipc buddyinfo"
readers="$ours_read $debian_read"
base="csv logfile unixsock"
# The plugins the reloads touch: one in process, one isolated, and ten,
# half of each kind; the other ten are never touched.
touch_ours=memory
touch_isolated=swap
touch_ten="cpu df disk interface memory swap vmem fhcount irq protocols"
# Plugins whose first reading only sets the baseline of the rates they
# dispatch (see the heads of src/plugins/cpu.c and disk.c): the first read
# after each load, so after each reload, writes no row.
baseline="cpu disk"

# option PLUGIN: the option toggled in PLUGIN's block, at its default
# value (the ignore lists are empty, so IgnoreSelected changes nothing).
option() {
	case $1 in
	cpu) echo "ReportByCpu true" ;;
	memory | df | swap | fhcount) echo "ValuesAbsolute true" ;;
	disk | interface | irq | protocols) echo "IgnoreSelected false" ;;
	vmem) echo "Verbose false" ;;
	*) echo "reload.sh: no option to toggle for $1" >&2; exit 1 ;;
	esac
}

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-reload.XXXXXX")
pid=
cleanup() { bench_cleanup $pid; }
bench_traps cleanup

targets="collectd $client"
for p in $base $ours_read; do targets="$targets $p.la"; done
# shellcheck disable=SC2086 # word splitting wanted
if ! make $targets >"$work/build.log" 2>&1; then
	tail -n 20 "$work/build.log" >&2
	echo "reload.sh: the build failed (run from the top build dir)" >&2
	exit 1
fi
for f in ./collectd "$peer"; do
	[ -x "$f" ] || { echo "reload.sh: $f: no such daemon" >&2; exit 1; }
done

# Copies, not links: collectd 5.12 refuses to load a symbolic link.
mkdir -p "$work/ours/plugins" "$work/peer/plugins"
for p in $base $ours_read; do
	cp ".libs/$p.so" "$work/ours/plugins/"
done
for p in $debian_read; do
	cp "$peer_plugins/$p.so" "$work/ours/plugins/"
done
for p in $base $readers; do
	cp "$peer_plugins/$p.so" "$work/peer/plugins/"
done

# config DIR ISOLATE CONTROL ON...: DIR/collectd.conf for a daemon that
# lives in DIR with its plugins in DIR/plugins; Debian's read plugins
# isolated if ISOLATE is true; CONTROL goes into the unixsock block; the
# plugins ON get a block with their option. Replaced in one rename: our
# daemon reads the file again for every RELOAD.
config() {
	dir=$1 isolate=$2 control=$3
	shift 3
	mkdir -p "$dir/csv"
	{
		cat <<EOF
Hostname "bench"
FQDNLookup false
BaseDir "$dir"
PIDFile "$dir/pid"
PluginDir "$dir/plugins"
TypesDB "$types_db"
Interval $interval
EOF
		bench_base_plugins "$dir" "$control"
		for p in $ours_read; do echo "LoadPlugin $p"; done
		for p in $debian_read; do
			if [ "$isolate" = true ]; then
				printf '<LoadPlugin %s>\n  Isolate true\n</LoadPlugin>\n' "$p"
			else
				echo "LoadPlugin $p"
			fi
		done
		for p; do printf '<Plugin %s>\n  %s\n</Plugin>\n' "$p" "$(option "$p")"; done
	} >"$dir/collectd.conf.new"
	mv "$dir/collectd.conf.new" "$dir/collectd.conf"
}

now() { date +%s.%N; }

# rows DIR: "plugin series time" for every row the csv plugin wrote under
# DIR; a series is a file without its date, so that two days' files are
# one series.
rows() {
	find "$1" -type f | sort | xargs -r awk -F , 'FNR > 1 {
		n = split(FILENAME, part, "/")
		plugin = part[n - 1]
		sub(/-.*/, "", plugin)
		f = substr(part[n], 1, length(part[n]) - 11)
		print plugin, part[n - 1] "/" f, $1
	}'
}

# silent DIR AFTER N: the read plugins with fewer than N rows after AFTER
# (seconds since the epoch) in their longest series.
silent() {
	rows "$1" | awk -v after="$2" -v n="$3" -v want="$readers" '
		$3 > after && ++c[$2] > best[$1] { best[$1] = c[$2] }
		END {
			k = split(want, w, " ")
			for (i = 1; i <= k; i++) if (best[w[i]] + 0 < n) print w[i]
		}'
}

# wait_rows DIR AFTER N: waits up to 30 s until every read plugin has N
# rows after AFTER; fails with a message naming those that have not.
wait_rows() {
	deadline=$(($(date +%s) + 30))
	while missing=$(silent "$1" "$2" "$3") && [ -n "$missing" ]; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			echo "reload.sh: no $3 csv rows after $2 within 30 s from" \
				"$(echo "$missing" | tr '\n' ' ')(in $1)" >&2
			return 1
		fi
		sleep 0.2
	done
}

# schedules DIR TIMES EVENTS: "plugin rows missed off moved" per read
# plugin, over its longest series, from the last row before the first of
# TIMES (a file of times, sorted: the reloads or the SIGTERMs) to the end
# (see the head of this file). A phase is the medoid of a few rows' times
# modulo the interval (the one closest to all others), so that a late
# row does not count as the schedule. In EVENTS, "gap PLUGIN SERIES FROM
# TO MISSED" for each gap and "moved PLUGIN SERIES K FROM TO" for each
# phase that moved at the K-th time.
schedules() {
	rows "$1" | awk -v times="$2" -v iv="$interval" -v events="$3" '
		function dist(a, b) {
			a = a - b
			if (a < 0) a = -a
			return a > iv / 2 ? iv - a : a
		}
		# The phase of rows lo..hi; a tie goes to the one closest to near.
		function medoid(lo, hi, near,    i, j, sum, best, min) {
			for (i = lo; i <= hi; i++) {
				sum = 0
				for (j = lo; j <= hi; j++) sum += dist(ph[i], ph[j])
				if (i == lo || sum < min || (sum == min &&
					dist(ph[i], near) < dist(ph[best], near))) {
					best = i
					min = sum
				}
			}
			return ph[best]
		}
		BEGIN { while ((getline x <times) > 0) e[++ne] = x }
		{ p[$2] = $1; t[$2, ++n[$2]] = $3 }
		END {
			for (s in n)
				if (!(p[s] in best) || n[s] > n[best[p[s]]])
					best[p[s]] = s
			for (pl in best) {
				s = best[pl]
				ref = 0
				for (i = 1; i <= n[s] && t[s, i] < e[1]; i++)
					ref = i
				if (ref == 0) {
					print pl, 0, "-", "-", "-"
					continue
				}
				for (i = 1; i <= n[s]; i++)
					ph[i] = t[s, i] % iv
				phase = medoid(ref > 4 ? ref - 4 : 1, ref, ph[ref])
				rows = missed = off = 0
				for (i = ref + 1; i <= n[s]; i++) {
					rows++
					gap = t[s, i] - t[s, i - 1]
					if (gap > 1.5 * iv) {
						missed += int(gap / iv + 0.5) - 1
						print "gap", pl, s, t[s, i - 1], t[s, i],
							int(gap / iv + 0.5) - 1 >events
					}
					if (dist(ph[i], phase) > 0.1)
						off++
				}
				# The rows between one time and the next have a phase.
				# It moved at time k if it is off the schedule so far,
				# and so is the next one: a schedule that comes back was
				# late, and stays where it was.
				m = 0
				i = ref + 1
				for (k = 1; k <= ne; k++) {
					lo = i
					while (i <= n[s] && (k == ne || t[s, i] < e[k + 1]))
						i++
					if (i > lo) {
						near = m ? seg[m] : phase
						seg[++m] = medoid(lo, i - 1, near)
						at[m] = k
					}
				}
				moved = 0
				before = phase
				for (j = 1; j <= m; j++) {
					if (dist(seg[j], before) > 0.1 &&
						(j == m || dist(seg[j + 1], before) > 0.1)) {
						moved++
						print "moved", pl, s, at[j], before, seg[j] >events
						before = seg[j]
					}
				}
				print pl, rows, missed, off, moved
			}
		}' | sort
}

# fail_reload LABEL I COUNT NAMES: reload I of LABEL did not reload the
# COUNT plugins NAMES alone; the run stops, with the reply and the log.
fail_reload() {
	echo "reload.sh: $1, reload $2: expected \"0 loaded, 0 unloaded," \
		"$3 reloaded, 0 rolled back, 0 refused, 0 failed\" naming" \
		"${4:-no plugin}; the reply:" >&2
	cat "$work/reply" >&2
	echo "the end of the log:" >&2
	tail -n 20 "$work/ours/log" >&2
	exit 1
}

# The plugins whose option is in the configuration now.
on=

# toggle PLUGIN...: each PLUGIN's option in if it is out, out if it is in.
toggle() {
	for x; do
		next=
		found=
		for o in $on; do
			if [ "$o" = "$x" ]; then found=1; else next="$next $o"; fi
		done
		[ -n "$found" ] || next="$next $x"
		on=$next
	done
}

# reloads LABEL PLUGIN...: BENCH_RELOADS reloads, each after toggling the
# option of every PLUGIN; the times (us) go to $work/LABEL.us, and
# "LABEL I FROM TO PLUGIN..." (wall clock around the request) to
# $work/reloads.log.
reloads() {
	label=$1
	shift
	want=$(for p; do echo "$p"; done | sort | tr '\n' ' ')
	i=1
	while [ "$i" -le "$reloads" ]; do
		toggle "$@"
		# shellcheck disable=SC2086
		config "$work/ours" true "PluginControl true" $on
		t=$(now)
		if ! "$client" reload "$work/ours/sock" 1 >"$work/reply" 2>&1; then
			fail_reload "$label" "$i" $# "$want"
		fi
		echo "$label $i $t $(now) $*" >>"$work/reloads.log"
		got=$(sed -n 's/^  \([^ ]*\) reloaded.*/\1/p' "$work/reply" |
			sort | tr '\n' ' ')
		if [ "$got" != "$want" ] || ! head -n 1 "$work/reply" |
			grep -q ": 0 loaded, 0 unloaded, $# reloaded, 0 rolled back, 0 refused, 0 failed, "; then
			fail_reload "$label" "$i" $# "$want"
		fi
		head -n 1 "$work/reply" | cut -d ' ' -f 1 >>"$work/$label.us"
		sleep "$pause"
		i=$((i + 1))
	done
}

# Ours: start, let every plugin write a few rows, then the reloads.
config "$work/ours" true "PluginControl true"
./collectd -f -C "$work/ours/collectd.conf" >"$work/ours/out" 2>&1 &
pid=$!
wait_socket "$work/ours/sock"
if [ ! -S "$work/ours/sock" ]; then
	tail -n 20 "$work/ours/out" "$work/ours/log" >&2
	echo "reload.sh: our daemon did not start" >&2
	exit 1
fi
start=$(now)
wait_rows "$work/ours/csv" "$start" 3
load=$(load_now)
reloads touch0
reloads touch1 "$touch_ours"
reloads touch1i "$touch_isolated"
# shellcheck disable=SC2086
reloads touch10 $touch_ten
# Every plugin reads twice more after the last reload, then the end.
wait_rows "$work/ours/csv" "$(now)" 2
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
[ "$status" -eq 0 ] ||
	echo "our daemon: exit status $status at the end" >>"$work/notes"
awk '{ print $3 }' "$work/reloads.log" >"$work/reloads.times"
schedules "$work/ours/csv" "$work/reloads.times" "$work/ours.events" \
	>"$work/ours.sched"

# 5.12: the same plugins, restarted while it runs.
config "$work/peer" false ""
if ! "$client" restart-running "$work/peer/sock" "$reloads" "$hold" \
	"$work/peer/out" "$peer" -f -C "$work/peer/collectd.conf" \
	>"$work/restart.txt" 2>"$work/restart.err"; then
	cat "$work/restart.err" >&2
	tail -n 20 "$work/peer/out" "$work/peer/log" >&2
	echo "reload.sh: restarting $peer failed" >&2
	exit 1
fi
awk '{ print $3 }' "$work/restart.txt" >"$work/restart.times"
schedules "$work/peer/csv" "$work/restart.times" "$work/peer.events" \
	>"$work/peer.sched"
awk '{ printf "%d\n", $1 + $2 }' "$work/restart.txt" >"$work/restart.us"

row() { # LABEL FILE: the median and p99 of FILE's samples
	printf '%-42s %9s %9s\n' "$1" "$(quantile_ms 0.5 <"$2")" \
		"$(quantile_ms 0.99 <"$2")"
}
echo "20 read plugins, Interval $interval; ours: $reloads reloads of each" \
	"kind, $pause s apart;"
echo "5.12: $reloads restarts, each daemon running $hold to $((2 * hold)) ms"
machine_line "$load"
printf '%-42s %9s %9s\n' "milliseconds" median p99
row "ours: reload, nothing changed" "$work/touch0.us"
row "ours: reload, 1 changed ($touch_ours)" "$work/touch1.us"
row "ours: reload, 1 changed ($touch_isolated, isolated)" "$work/touch1i.us"
row "ours: reload, 10 changed (5 isolated)" "$work/touch10.us"
awk '{ print $2 }' "$work/restart.txt" >"$work/stop.us"
awk '{ print $1 }' "$work/restart.txt" >"$work/start.us"
row "5.12 restart: SIGTERM to exit" "$work/stop.us"
row "5.12 restart: start to LISTVAL" "$work/start.us"
row "5.12 restart: total" "$work/restart.us"

echo
printf '%-42s %9s %9s\n' "5.12 restart (total) / ours" median p99
r50=$(quantile_ms 0.5 <"$work/restart.us")
r99=$(quantile_ms 0.99 <"$work/restart.us")
for k in touch1:"1 changed ($touch_ours)" \
	touch1i:"1 changed ($touch_isolated, isolated)" \
	touch10:"10 changed"; do
	printf '%-42s %9s %9s\n' "  / reload, ${k#*:}" \
		"$(ratio "$r50" "$(quantile_ms 0.5 <"$work/${k%%:*}.us")")" \
		"$(ratio "$r99" "$(quantile_ms 0.99 <"$work/${k%%:*}.us")")"
done

# total LABEL SCHED EVENTS [PLUGIN...]: a row "LABEL plugins rows missed
# off moved/possible" over the plugins named (all if none), EVENTS reloads
# or restarts; a plugin without a row before the first makes the sums "-".
total() {
	label=$1 sched=$2 events=$3
	shift 3
	awk -v label="$label" -v only="$*" -v events="$events" '
		BEGIN { k = split(only, w, " "); for (i = 1; i <= k; i++) want[w[i]] = 1 }
		k && !($1 in want) { next }
		{ n++; rows += $2; if ($3 == "-") bad = 1; m += $3; o += $4; v += $5 }
		END {
			if (bad) m = o = v = "-"
			printf "%-38s %7s %6s %6s %6s %9s\n", label, n, rows, m, o,
				v "/" n * events
		}' "$sched"
}
untouched=
for p in $readers; do
	case " $touch_ten " in *" $p "*) ;; *) untouched="$untouched $p" ;; esac
done
echo
echo "what the read schedules saw, from the csv rows (off: rows > 100 ms off the"
echo "phase before; moved: phases that moved at a reload or restart, and stayed):"
printf '%-38s %7s %6s %6s %6s %9s\n' "" plugins rows missed off moved
n_reloads=$(wc -l <"$work/reloads.times")
n_restarts=$(wc -l <"$work/restart.times")
# shellcheck disable=SC2086
total "ours, the 10 touched plugins" "$work/ours.sched" "$n_reloads" $touch_ten
# shellcheck disable=SC2086
total "ours, the 10 untouched plugins" "$work/ours.sched" "$n_reloads" \
	$untouched
total "5.12, all 20 plugins (restarted)" "$work/peer.sched" "$n_restarts"

# by_plugin SCHED: "plugin N, ..." for the plugins that missed reads.
by_plugin() {
	awk '$3 != "-" && $3 > 0 { printf "%s%s %s", n++ ? ", " : "", $1, $3 }
		END { if (!n) printf "none" }' "$1"
}
# Ours' events against the reloads: a gap of one read, in a baseline
# plugin, across a reload of that plugin is its first reading after the
# reload; counted per plugin ("first PLUGIN N"). Other gaps and phases
# that moved are described ("other ...").
touch "$work/ours.events"
awk -v baseline=" $baseline " 'NR == FNR {
		n++; from[n] = $3; to[n] = $4; what[n] = $1 " #" $2
		$1 = $2 = $3 = $4 = ""
		touched[n] = " " $0 " "
		next
	}
	$1 == "gap" {
		across = ""
		for (i = 1; i <= n; i++)
			if (from[i] < $5 && to[i] > $4) {
				across = across " " what[i]
				if ($6 == 1 && index(touched[i], " " $2 " ") &&
					index(baseline, " " $2 " ")) {
					first[$2]++
					next
				}
			}
		printf "other %s: %s: no row for %.3f s (%s to %s), %d missed;" \
			" reloads in between:%s\n", $2, $3, $5 - $4, $4, $5, $6,
			across == "" ? " none" : across
		next
	}
	$1 == "moved" {
		printf "other %s: %s: the phase moved from %.3f to %.3f at %s\n",
			$2, $3, $5, $6, what[$4]
	}
	END { for (p in first) print "first", p, first[p] }' \
	"$work/reloads.log" "$work/ours.events" >"$work/ours.explained"
echo "missed reads per plugin:"
echo "  ours: $(by_plugin "$work/ours.sched")"
firsts=$(grep '^first' "$work/ours.explained" | sort |
	awk '{ printf "%s%s %s", n++ ? ", " : "", $2, $3 }')
[ -z "$firsts" ] || echo "    of which the first reading after a reload of the plugin: $firsts"
echo "  5.12: $(by_plugin "$work/peer.sched")"

# Anything else in ours' rows is unexpected: each one is listed.
if grep -q '^other' "$work/ours.explained"; then
	echo
	echo "ours, other gaps and phases that moved (seconds since the epoch):"
	sed -n 's/^other /  /p' "$work/ours.explained" | head -n 20
fi

# Warnings and errors in the logs, counted; numbers as N.
for d in ours peer; do
	log_problems "$d" "$work/$d/log" "$work/$d/out"
done | sort | uniq -c | sort -rn | head -n 10 >"$work/summary"
[ -e "$work/notes" ] && cat "$work/notes" >>"$work/summary"
if [ -s "$work/summary" ]; then
	echo
	echo "log lines (count, daemon: line) and notes:"
	cat "$work/summary"
fi
