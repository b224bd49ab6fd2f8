#!/bin/sh
# 'make run' demo, run inside the test VM as /bin/guest-demo.sh: split and merge guest memory under
# running vCPUs the old way (single-slot ioctls), the old way with every vCPU paused from
# userspace, and the new way (one KVM_SET_USER_MEMORY_REGION_LIST call), then print a short
# comparison. The measurements come from the series' selftests memslot_list_bench and
# memslot_list_dirty_test; their full output is in /tmp/demo-*.log (shown on failure).
reps=10
cd /kvm || exit 1

/bin/kvm-hello >/tmp/demo-hello.log 2>&1 || { cat /tmp/demo-hello.log; echo "demo: KVM does not work"; exit 1; }
grep -q 'REGION_LIST: [1-9][0-9]* entries' /tmp/demo-hello.log ||
	{ cat /tmp/demo-hello.log; echo "demo: this kernel has no KVM_SET_USER_MEMORY_REGION_LIST"; exit 1; }

run() {	# run LOG CMD...: one step, with a progress line
	log=$1; shift
	echo "demo: $*"
	"$@" >"$log" 2>&1 || { tail -20 "$log"; echo "demo: '$*' failed (log above)"; exit 1; }
}

run /tmp/demo-split.log ./memslot_list_bench -S split -v 2 -r "$reps"
run /tmp/demo-merge.log ./memslot_list_bench -S merge -v 2 -r "$reps"
run /tmp/demo-dirty-old.log ./memslot_list_dirty_test -M dirty-log -m legacy -r "$reps"
run /tmp/demo-dirty-new.log ./memslot_list_dirty_test -M dirty-log -r "$reps"

# BENCH,method,shape,entries,slots,vcpus,reps,lat_med_us,lat_p99_us,stall_touch_max_us,
#   stall_other_max_us,holes_per_update,gp_per_update
bench() {	# bench SHAPE FIELD -> "seq pause list" values of FIELD
	cat /tmp/demo-split.log /tmp/demo-merge.log | awk -F, -v s="$1" -v f="$2" '
		$1 == "BENCH" && $3 == s { v[$2] = $f }
		END { printf "%s %s %s", v["seq"], v["pause"], v["list"] }'
}
idle=$(awk -F, '$1 == "BENCH" && $2 == "none" { print ($10 > $11 ? $10 : $11); exit }' /tmp/demo-split.log)
# dirty-log/legacy: lost 2734, ...   and   ok 1 dirty-log/legacy: 2734 of 10281 written pages lost
lost() { sed -n 's/.*ok 1 dirty-log\/[a-z]*: \([0-9]*\) .*written pages, \([0-9]*\) lost.*/\2 of \1/p
	s/.*ok 1 dirty-log\/[a-z]*: \([0-9]*\) of \([0-9]*\) written pages lost.*/\1 of \2/p' "$1" | head -1; }

echo
echo "=== Split a 1 MiB slot in two (a 1-page hole between) and merge it back, $reps times each,"
echo "    while vCPU 0 reads and writes that slot and vCPU 1 works elsewhere (TCG: slow, noisy) ==="
printf '%-34s %14s %14s %14s\n' "" "old way" "pause vCPUs" "new way"
printf '%-34s %14s %14s %14s\n' "" "single-slot" "+ single-slot" "1 list call"
for shape in split merge; do
	set -- $(bench $shape 4); printf '%-34s %14s %14s %14s\n' "$shape: ioctls / list entries" "$1" "$2" "$3"
	set -- $(bench $shape 12); printf '%-34s %14s %14s %14s\n' "  holes seen by vCPU 0 per update" "$1" "$2" "$3"
	set -- $(bench $shape 10); printf '%-34s %14s %14s %14s\n' "  longest stall of vCPU 0 (us)" "$1" "$2" "$3"
	set -- $(bench $shape 11); printf '%-34s %14s %14s %14s\n' "  longest stall of vCPU 1 (us)" "$1" "$2" "$3"
	set -- $(bench $shape 8); printf '%-34s %14s %14s %14s\n' "  update latency, median (us)" "$1" "$2" "$3"
	set -- $(bench $shape 13); printf '%-34s %14s %14s %14s\n' "  SRCU grace periods per update" "$1" "$2" "$3"
done
printf '%-34s %14s\n' "longest stall with no update (us)" "${idle:--}"
echo
echo "=== Dirty logging across $reps splits, merges, shrinks and grows with 2 vCPUs writing ==="
printf '%-34s %s\n' "dirty pages lost, old way" "$(lost /tmp/demo-dirty-old.log) written pages"
printf '%-34s %s\n' "dirty pages lost, new way" "$(lost /tmp/demo-dirty-new.log) written pages"
echo
echo "A hole is a vCPU access that found no memslot (KVM_EXIT_MMIO): a VMM would emulate MMIO"
echo "or stop the guest. Pausing vCPUs avoids holes but stalls every vCPU for the whole update."

echo
echo "=== A real VMM: QEMU 7.2 runs our guest, whose CPU 0 toggles the PAM register of the"
echo "    F segment 300 times while 2 vCPUs run code and check data in the RAM slot next to it ==="
if [ -x /kvm/vmm/qemu-pam ]; then
	/kvm/vmm/qemu-pam -n 300 -t 2 stock single pause list || echo "demo: the real-VMM scenario failed"
	echo "stock = Debian's QEMU; single = ours, one ioctl per change; pause = ours, vCPUs held as"
	echo "QEMU 8.0 does; list = ours, one KVM_SET_USER_MEMORY_REGION_LIST per transaction."
	echo
	echo "=== The same guest live-migrated to a file during the toggles; RAM compared page by page ==="
	/kvm/vmm/qemu-pam -m 5 stock pause list || echo "demo: the migration scenario failed"
else
	echo "demo: no VMM bundle in this initramfs (make vmm)"
fi
