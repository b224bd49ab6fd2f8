#!/bin/sh
# In-guest soak ('make soak'), packed as /kvm/soak/run and run by the test runner. Kernel
# command line: ws.soak=SECONDS,SEED. For SECONDS it runs at once, each its own KVM VM:
#   fuzz    memslot_list_fuzz_test -t: the model-based fuzzer, zap-all quirk on, then off
#   stress  memslot_list_stress_test -F -p: fresh backing per layout (the old one unmapped
#           when the call returns), KVM_PRE_FAULT_MEMORY racing the updates; quirk off, then on
#   dirty   memslot_list_dirty_test -t -c 7: the 4 log modes of x86 in turn, with a GET/CLEAR_DIRTY_LOG
#           thread and MADV_DONTNEED, mprotect() and MADV_COLLAPSE churn on the backing
#   mm      compaction every 10 s; khugepaged scanning every 100 ms, THP always, shmem THP advise
# and prints a progress line every minute. The kernel log is drained here (the runner sees
# none of it): any report fails the soak, except KCSAN's, which are listed for the host to
# sort (scripts/soak.sh). Exit status 0 only if every worker passed and nothing was reported.
secs=1800 seed=1
for arg in $(cat /proc/cmdline); do
	case "$arg" in ws.soak=*) v=${arg#ws.soak=}; secs=${v%,*}; seed=${v#*,} ;; esac
done
mmu=$(cat /sys/module/kvm/parameters/tdp_mmu)
tag="soak[tdp_mmu=$mmu]"
bad=${KREPORT_RE:-'WARNING:|BUG:|Oops|KASAN|UBSAN|lockdep|unreferenced object'}
L=/tmp/soak
mkdir -p $L
half=$((secs / 2))
end=$(($(cut -d. -f1 /proc/uptime) + secs))

thp=/sys/kernel/mm/transparent_hugepage
echo always > $thp/enabled
echo always > $thp/defrag
echo advise > $thp/shmem_enabled	# memfd mappings 2 MiB aligned: MADV_COLLAPSE can work
echo 100 > $thp/khugepaged/scan_sleep_millisecs
echo 10 > $thp/khugepaged/alloc_sleep_millisecs
echo 4096 > $thp/khugepaged/pages_to_scan

echo "$tag: $secs s, seed $seed (the fuzzer takes seed and seed + 1)"

# worker NAME CMD...: the commands run one after the other; the first failure stops it.
worker() {
	name=$1
	shift
	(
		rc=0
		for cmd in "$@"; do
			echo "== $cmd" >> "$L/$name.log"
			# shellcheck disable=SC2086
			(cd /kvm && ./$cmd) </dev/null >> "$L/$name.log" 2>&1 || { rc=$?; break; }
		done
		echo $rc > "$L/$name.rc"
	) &
}
worker fuzz "memslot_list_fuzz_test -t $half -V 32 -s $seed" \
	"memslot_list_fuzz_test -t $half -V 32 -q -s $((seed + 1))"
worker stress "memslot_list_stress_test -v 2 -d $half -i 2000 -F -p -q -w 300" \
	"memslot_list_stress_test -v 2 -d $half -i 2000 -F -p -w 300"
worker dirty "memslot_list_dirty_test -t $((secs / 4)) -c 7 -s $seed"
(
	while [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do
		echo 1 > /proc/sys/vm/compact_memory
		echo x >> $L/compactions
		sleep 10
	done
) &

# Totals so far, from the workers' logs: each run restarts its counters.
fuzz_batches() { awk '/fuzz: seed .*(batches \(replay|s, full verify every)/ { t += c; c = 0 }
	match($0, /fuzz: [0-9]+ batches,/) { c = substr($0, RSTART + 6, RLENGTH - 15) }
	match($0, /: [0-9]+ batches in /) { c = substr($0, RSTART + 2, RLENGTH - 14) }
	END { print t + c }' $L/fuzz.log 2>/dev/null; }
stress_counts() { awk '/^# method / { tu += u; th += h; u = 0; h = 0 }
	/progress: .* updates/ { u = $5; h = $7 }
	/^# list: [0-9]+ updates/ { u = $3 } /^# holes: / { h = $3 }
	END { print tu + u, th + h }' $L/stress.log 2>/dev/null; }
dirty_counts() { awk 'match($0, /: [0-9]+ s: [0-9]+ rounds, [0-9]+ batches, [0-9]+ pages checked, [0-9]+ lost/) {
	split(substr($0, RSTART), f, " "); m = $2; r[m] = f[4]; l[m] = f[11] }
	END { for (m in r) { tr += r[m]; tl += l[m] } print tr + 0, tl + 0 }' $L/dirty.log 2>/dev/null; }
drain() { dmesg -c >> $L/dmesg.log; }
# The log without KCSAN reports, whose stack frames may match $bad (rcu_lockdep_...).
nokcsan() { awk '/BUG: KCSAN:/ { k = 1 } !k { print } k && /=====/ { k = 0 }' $L/dmesg.log; }
reports() { nokcsan | grep -cE "$bad"; }
races() { grep -c 'BUG: KCSAN:' $L/dmesg.log 2>/dev/null; }
status() {
	label=$1
	drain
	# shellcheck disable=SC2046
	set -- $(stress_counts) $(dirty_counts)
	echo "$tag $label: fuzz $(fuzz_batches) batches; stress $1 updates, $2 holes;" \
		"dirty $3 rounds, $4 lost; $(wc -l < $L/compactions 2>/dev/null || echo 0) compactions;" \
		"reports $(reports), KCSAN $(races)"
}
: > $L/dmesg.log
t=0
while [ ! -e $L/fuzz.rc ] || [ ! -e $L/stress.rc ] || [ ! -e $L/dirty.rc ]; do
	sleep 5
	t=$((t + 5))
	[ $((t % 60)) -eq 0 ] && status "$((t / 60))/$((secs / 60)) min"
done
wait
status "total"

rc=0
for w in fuzz stress dirty; do
	r=$(cat $L/$w.rc)
	echo "$tag: --- $w (exit $r), summary:"
	grep -E '^not ok |^ok [0-9]+ (fuzz|list|guest data|KVM.s writes|[a-z-]+/list)|^# (fuzz: seed .*batches in|holes: |fresh backing|pre-fault)|churn:' \
		$L/$w.log | grep -v ' s: ' | sed "s/^/$tag:   /"
	if [ "$r" != 0 ]; then
		echo "$tag: $w failed; the last lines of its log:"
		tail -40 $L/$w.log | sed "s/^/$tag:   /"
		rc=1
	fi
done
if [ "$(reports)" != 0 ]; then
	echo "$tag: kernel reports:"
	nokcsan | grep -E -A20 "$bad" | head -60 | sed "s/^/$tag:   /"
	rc=1
fi
# KCSAN: every report, whole, for the host to sort by source file.
grep -q 'BUG: KCSAN:' $L/dmesg.log && awk -v t="$tag" '
	{ sub(/^\[[ 0-9.]*\] ?/, "") }
	/^BUG: KCSAN:/ { on = 1 } on { print t ": kcsan: " $0 } on && /=====/ { on = 0 }' \
	$L/dmesg.log
exit $rc
