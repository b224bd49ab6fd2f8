#!/usr/bin/env bash
# 'make soak': the memslot tests at once, for a long time, on a checking kernel.
#   SOAK_MIN=30 (minutes)  SEED=n (default: the time)  SOAK_CONFIG=debug|kcsan
# debug: configs/debug.config (KASAN, UBSAN, lockdep, PROVE_RCU, kmemleak, DEBUG_VM,
# KVM_PROVE_MMU), the kernel of 'make test-debug'; kcsan: configs/kcsan.config (KCSAN, lockdep).
# Two VMs run side by side, one per MMU (kvm.tdp_mmu=1 and 0), each running
# scripts/guest-soak.sh; their progress lines are shown each minute. Pass: both soaks pass
# (0 holes, 0 lost pages, 0 model divergences, 0 kernel reports, 0 kmemleak objects) and, with
# kcsan, no data race reported in virt/kvm or arch/x86/kvm (the others are listed).
. "$(dirname "$0")/lib.sh"
lock_build_test

min=${SOAK_MIN:-30}
seed=${SEED:-$(date +%s)}
cfg=${SOAK_CONFIG:-debug}
case "$cfg" in
debug) kobj=$B/test-debug/kbuild ;;
kcsan) kobj=$B/soak/kcsan-kbuild ;;
*) die "SOAK_CONFIG=$cfg: debug or kcsan" ;;
esac
[[ $min =~ ^[1-9][0-9]*$ && $seed =~ ^[0-9]+$ ]] || die "SOAK_MIN and SEED must be numbers"
T=$B/test
D=$B/soak/$cfg
mkdir -p "$D"
secs=$((min * 60))
: > "$B/stage-times"

bins=$D/bins.list
printf 'bin 0 %s\n' memslot_list_fuzz_test memslot_list_stress_test memslot_list_dirty_test > "$bins"
root=$D/root
rm -rf "$root" && mkdir -p "$root/kvm/soak"
cp "$TOP/scripts/guest-soak.sh" "$root/kvm/soak/run"

stage deps "$TOP/scripts/deps.sh"
stage tree "$TOP/scripts/tree.sh" --pristine "$T/linux"
stage "kernel-$cfg" "$TOP/scripts/kernel.sh" "$T/linux" "$kobj" \
	"$TOP/configs/kvm-test.config" "$TOP/configs/$cfg.config"
stage selftests "$TOP/scripts/selftests.sh" "$T/linux" "$kobj" "$D/selftests" "$bins"
stage initramfs "$TOP/scripts/initramfs.sh" "$D/selftests" "$TOP/tests/soak.list,$bins" \
	"$D/initramfs.cpio" "$root"

info "$cfg kernel, $min min, seed $seed; two VMs (TDP MMU, shadow MMU); consoles in $D"
pids=()
for mmu in 1 0; do
	log=$D/console-tdp$mmu.log
	: > "$log"
	VM_TIMEOUT=$((secs + 1200)) VM_MEM=${VM_MEM:-4G} \
		VM_APPEND="kvm.tdp_mmu=$mmu ws.soak=$secs,$((seed + 1000 * (1 - mmu)))" \
		"$TOP/scripts/vm.sh" test "$kobj/arch/x86/boot/bzImage" "$D/initramfs.cpio" "$log" \
		> "$D/vm-tdp$mmu.out" 2>&1 &
	pids+=($!)
done
tail -q -n +1 -F --pid=$$ "$D"/console-tdp1.log "$D"/console-tdp0.log 2>/dev/null |
	grep --line-buffered -E '^#   soak\[.*(min:|: [0-9]+ s, seed)' | sed -u 's/^#   //' &
mon=$!
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
kill $mon 2>/dev/null || true

for mmu in 1 0; do
	echo "--- tdp_mmu=$mmu: $(tail -1 "$D/vm-tdp$mmu.out")"
	grep -E '^#   soak\[[^]]*\]( total:|: ---|: .*failed|: kernel reports|:   )' \
		"$D/console-tdp$mmu.log" | grep -v ': kcsan: ' | sed 's/^#   //' || true
done

# KCSAN: sort the reports into KVM's (explained or not) and others; unexplained KVM races fail.
if grep -q ': kcsan: BUG: KCSAN:' "$D"/console-tdp*.log; then
	"$TOP/scripts/kcsan-sort.sh" "$kobj" "$D" "$D"/console-tdp*.log || rc=1
fi
[ $rc -eq 0 ] && info "soak passed: $cfg kernel, $min min, seed $seed" ||
	echo "soak: FAILED ($cfg kernel, $min min, seed $seed: make soak SOAK_CONFIG=$cfg SOAK_MIN=$min SEED=$seed replays it)"
exit $rc
