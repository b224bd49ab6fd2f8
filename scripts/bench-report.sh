#!/usr/bin/env bash
# Summarise build/bench/bench.csv:  bench-report.sh CSV OUTDIR
# Prints per-shape latency ratios (seq/list, pause/list) from the same run, the issue's targets
# with their measured values, and draws latency plots with gnuplot into OUTDIR.
. "$(dirname "$0")/lib.sh"

csv=${1:?usage: bench-report.sh CSV OUTDIR}
out=${2:?}
# Columns: run,method,shape,entries,slots,vcpus,reps,lat_med_us,lat_p99_us,stall_touch_max_us,
#          stall_other_max_us,holes_per_update,gp_per_update,dropped_per_update,
#          flushes_per_update,faults_per_update,retried_per_update,quirk
echo
echo "Median update latency (us) per run and shape, and ratios measured in the same run:"
awk -F, 'NR > 1 && $2 != "none" { k = $1 " " $3; lat[k, $2] = $8; p99[k, $2] = $9;
		holes[k, $2] = $12; gp[k, $2] = $13; if (!(k in seen)) { seen[k] = 1; order[n++] = k } }
	END {
		printf "%-28s %9s %9s %9s %8s %8s  %s\n", "run shape", "list", "seq", "pause",
		       "seq/list", "pse/list", "holes seq/pause/list  gp seq/pause/list"
		for (i = 0; i < n; i++) { k = order[i]; l = lat[k, "list"]
			printf "%-28s %9s %9s %9s %8s %8s  %s/%s/%s  %s/%s/%s\n", k, l, lat[k, "seq"],
			       lat[k, "pause"], (l > 0 ? sprintf("%.1f", lat[k, "seq"] / l) : "-"),
			       (l > 0 ? sprintf("%.1f", lat[k, "pause"] / l) : "-"),
			       holes[k, "seq"], holes[k, "pause"], holes[k, "list"],
			       gp[k, "seq"], gp[k, "pause"], gp[k, "list"] } }' "$csv" | tee "$out/ratios.txt"

# What each update did to the vCPUs' mappings, counted by KVM (no timing in it).
echo
echo "Per update: mappings dropped / TLB flushes / faults taken / faults retried (KVM's stats):"
awk -F, 'NR > 1 && $2 != "none" && $3 ~ /^(split|merge|move|swap)$/ {
		printf "%-28s %-6s quirk %-3s  %8s / %5s / %8s / %8s\n", $1 " " $3, $2, $18,
		       $14, $15, $16, $17 }' "$csv" | tee "$out/counts.txt"

# Targets of the benchmark issue, computed from this run's rows.
get() { awk -F, -v r="$1" -v m="$2" -v s="$3" '$1 == r && $2 == m && $3 == s { print $8; exit }' "$csv"; }
col() { awk -F, -v r="$1" -v m="$2" -v s="$3" -v c="$4" \
	'$1 == r && $2 == m && $3 == s { print $c; exit }' "$csv"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
l64=$(get bench_entries_64 list createN); s1=$(get bench_entries_1 seq createN)
s64=$(get bench_entries_64 seq createN); p64v4=$(get bench_shapes_v4 pause createN)
l64v4=$(get bench_shapes_v4 list createN); l64s32k=$(get bench_slots_32000 list createN)
{
	echo
	echo "Targets (one run; TCG timings, ratios only):"
	echo "  64-entry list / one single-slot CREATE:        $(ratio "$l64" "$s1")  (target <= 1.5)"
	echo "  64 sequential CREATEs / 64-entry list:          $(ratio "$s64" "$l64")  (target >= 10)"
	echo "  pause-all (4 vCPUs) / list, 64 CREATEs:         $(ratio "$p64v4" "$l64v4")  (target >= 3)"
	echo "  64-entry list with 32000 slots / with 10 slots: $(ratio "$l64s32k" "$l64")  (target <= 2)"
	for s in split merge; do
		r=bench_shapes_v4_noq
		echo "  $s, 4 vCPUs, quirk off: list / pause-all latency $(ratio "$(get $r list $s)" \
			"$(get $r pause $s)") (target <= 1), longest stall of vCPU 0 list / pause-all" \
			"$(ratio "$(col $r list $s 10)" "$(col $r pause $s 10)") (target <= 0.1)," \
			"list drops $(col $r list $s 14) mappings and takes $(col $r list $s 16) faults (target 0)"
	done
} | tee -a "$out/ratios.txt"

# Plots: latency against entries (createN runs) and against existing slots.
awk -F, 'NR > 1 && $1 ~ /^bench_entries_/ && $3 == "createN" { print $2, $4, $8 }' "$csv" |
	sort -k1,1 -k2n > "$out/entries.dat"
awk -F, 'NR > 1 && $3 == "createN" && ($1 ~ /^bench_slots_/ || $1 == "bench_entries_64") &&
	$2 == "list" { print $5, $8 }' "$csv" | sort -n > "$out/slots.dat"
gnuplot <<GP || warn "gnuplot failed; the CSV is still in $csv"
set terminal png size 900,560
set logscale xy
set grid
set key top left
set output "$out/latency-vs-entries.png"
set title "Update latency against entries changed (CREATE N slots, median)"
set xlabel "entries (slots created)"
set ylabel "latency (us)"
plot for [m in "list seq pause"] "< grep '^".m." ' $out/entries.dat" using 2:3 with linespoints title m
set output "$out/latency-vs-slots.png"
set title "64-entry list latency against existing slots (median)"
set xlabel "existing slots"
plot "$out/slots.dat" using 1:2 with linespoints title "list"
GP
info "table: $out/ratios.txt; plots: $out/latency-vs-entries.png, $out/latency-vs-slots.png"
