#!/bin/sh
# The real-VMM scenario, run in the test VM as /kvm/vmm/qemu-pam. QEMU runs our guest
# (tools/pamguest): CPU 0 toggles the i440FX PAM attribute of the F segment (0xF0000-0xFFFFF)
# between read-write and read-only RAM, and QEMU merges or splits the RAM slot that starts at
# 1 MiB at each toggle, while the other vCPUs run code and check data in that slot.
#
#   qemu-pam [-n RELAYOUTS] [-t TRIALS] [-c CPUS] [-a] VARIANT...
#   VARIANT: stock   Debian's qemu-system-x86_64 7.2, unchanged
#            single  patched QEMU, -accel kvm,memslot-update=single (one ioctl per change)
#            pause   patched QEMU, memslot-update=pause (vCPUs held, as QEMU 8.0+ does)
#            list    patched QEMU, memslot-update=list (KVM_SET_USER_MEMORY_REGION_LIST)
#   -a: exit 1 if a 'list' or 'pause' run shows any failure (make test asserts this)
#
# Per run: guest-visible failures (KVM internal error / emulation failure, MMIO exits to
# RAM, wrong data read by a worker), memslot ioctls per re-layout, the mean time of one
# re-layout and the longest stall a worker vCPU saw (guest TSC). The guest marks the start
# and the end of its re-layouts with a read of unassigned MMIO at 0xE0000000 from CPU 0;
# ioctls are counted between the marks in QEMU's trace (-trace kvm_set_user_memory*).
n=200 trials=1 cpus=3 assert=0
while getopts n:t:c:a o; do
	case $o in
	n) n=$OPTARG ;; t) trials=$OPTARG ;; c) cpus=$OPTARG ;; a) assert=1 ;;
	*) echo "usage: qemu-pam [-n RELAYOUTS] [-t TRIALS] [-c CPUS] [-a] VARIANT..."; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- stock single pause list
cd "$(dirname "$0")" || exit 1
limit=$((60 + n / 2))
bad=0

run() {	# run VARIANT TRIAL: one QEMU run, prints one result line
	v=$1 trial=$2 d=/tmp/qemu-pam/$1.$2
	rm -rf "$d" && mkdir -p "$d"
	case $v in
	stock) bin=./qemu-stock accel=kvm ;;
	*) bin=./qemu-patched accel=kvm,memslot-update=$v ;;
	esac
	t0=$(cut -d' ' -f1 /proc/uptime)
	"$bin" -L share -M pc -accel "$accel" -smp "$cpus" -m 128 -nodefaults -no-reboot \
		-display none -serial none -monitor none -kernel pamguest.elf \
		-append "relayouts=$n cpus=$cpus" -debugcon "file:$d/debugcon" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-trace 'kvm_set_user_memory*' -trace kvm_run_exit -D "$d/trace" >"$d/stderr" 2>&1 &
	pid=$!
	s=0 how=exit
	while kill -0 $pid 2>/dev/null; do
		# QEMU 7.2 stops the VM on a KVM internal error and keeps running: end it.
		if grep -q 'KVM internal error' "$d/stderr"; then how=internal-error; break; fi
		if [ $s -ge $limit ]; then how=timeout; break; fi
		sleep 1
		s=$((s + 1))
	done
	kill $pid 2>/dev/null
	wait $pid
	t1=$(cut -d' ' -f1 /proc/uptime)
	res=$(grep '^PAMGUEST relayouts=' "$d/debugcon")
	done_n=$(echo "$res" | sed -n 's/.*relayouts=\([0-9]*\).*/\1/p')
	[ -n "$done_n" ] || done_n=$(sed -n 's/^PAMGUEST progress \([0-9]*\)\/.*/\1/p' "$d/debugcon" | tail -1)
	mism=$(echo "$res" | sed -n 's/.* mismatches=\([0-9]*\).*/\1/p')
	mean=$(echo "$res" | sed -n 's/.* relayout_mean_cycles=\([0-9]*\).*/\1/p')
	stall=$(echo "$res" | sed -n 's/.* max_stall_cycles=\([0-9]*\).*/\1/p')
	khz=$(echo "$res" | sed -n 's/.* tsc_khz=\([0-9]*\).*/\1/p')
	# Between the two marks (MMIO exits of CPU 0): memslot ioctls, and MMIO exits elsewhere.
	set -- $(awk '
		/kvm_run_exit/ && /reason 6$/ {
			if (/cpu_index 0,/ && marks < 2) { marks++; next }
			mmio++; next
		}
		marks == 1 && /(^|:)kvm_set_user_memory / { single++ }
		marks == 1 && /(^|:)kvm_set_user_memory_list / { list++ }
		END { printf "%d %d %d %d", marks, mmio, single, list }' "$d/trace")
	marks=$1 mmio=$2 single=$3 list=$4
	fail=0
	[ "$how" = exit ] || fail=$((fail + 1))
	[ "$mmio" -eq 0 ] || fail=$((fail + 1))
	[ "${mism:-0}" -eq 0 ] || fail=$((fail + 1))
	grep -q '^PAMGUEST PASS' "$d/debugcon" || [ "$how" != exit ] || fail=$((fail + 1))
	us() { [ -n "$1" ] && [ -n "$khz" ] && [ "$khz" -gt 0 ] && echo $(($1 * 1000 / khz)) || echo "-"; }
	ioctls=$((single + list))
	per=$(awk -v i=$ioctls -v n="${done_n:-0}" 'BEGIN { if (n > 0) printf "%.1f", i / n; else print "-" }')
	printf '%-7s %5s %9s/%-5s %-15s %5s %5s %8s %6s %12s %12s %6ss\n' "$v" "$trial" "${done_n:-0}" "$n" \
		"$how" "$mmio" "${mism:--}" "$single+$list" "$per" "$(us "$mean")" "$(us "$stall")" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')"
	[ "$how" = exit ] || { echo "#   $v: $(grep -m1 -A1 'KVM internal error' "$d/stderr" | tr '\n' ' ')"; }
	[ "$marks" -eq 2 ] || [ "$how" != exit ] || echo "#   $v: expected 2 marks in the trace, found $marks"
	if [ $fail -gt 0 ]; then
		tail -n 3 "$d/stderr" | sed "s/^/#   $v stderr: /"
		tail -n 2 "$d/debugcon" | sed "s/^/#   $v guest: /"
		case $v in list|pause) [ $assert = 1 ] && bad=$((bad + 1)) ;; esac
	fi
	return 0
}

echo "qemu-pam: $n PAM re-layouts per run, $cpus vCPUs (1 re-layouter, $((cpus - 1)) workers), $trials trial(s)"
printf '%-7s %5s %15s %-15s %5s %5s %8s %6s %12s %12s %7s\n' variant trial re-layouts end mmio wrong \
	"ioctls" "/relay" "relayout_us" "max_stall_us" time
for v in "$@"; do
	t=1
	while [ $t -le "$trials" ]; do
		run "$v" $t
		t=$((t + 1))
	done
done
echo "qemu-pam: end=exit means the guest finished; mmio = MMIO exits to RAM; wrong = mismatches"
[ $bad -eq 0 ] || { echo "qemu-pam: FAIL: $bad run(s) of the patched QEMU (list/pause) failed"; exit 1; }
exit 0
