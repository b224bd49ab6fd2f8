#!/usr/bin/env bash
# 'make test-debug': the VM suite on a debug kernel (KASAN, UBSAN, lockdep, DEBUG_LIST, kmemleak;
# configs/debug.config on top of configs/kvm-test.config), built from the same pristine tree as
# 'make test', plus a third boot with tests/debug.list (soak and longer fuzzing). Any report
# fails the test that triggered it; kmemleak is scanned after each boot's last test.
. "$(dirname "$0")/lib.sh"
lock_build_test

T=$B/test
D=$B/test-debug
mkdir -p "$T" "$D"
: > "$B/stage-times"
t0=$(date +%s)
lists=$TOP/tests/suite.list,$TOP/tests/fallback.list,$TOP/tests/bench.list,$TOP/tests/debug.list

stage deps "$TOP/scripts/deps.sh"
stage tree "$TOP/scripts/tree.sh" --pristine "$T/linux"
stage kernel-debug "$TOP/scripts/kernel.sh" "$T/linux" "$D/kbuild" \
	"$TOP/configs/kvm-test.config" "$TOP/configs/debug.config"
stage selftests "$TOP/scripts/selftests.sh" "$T/linux" "$D/kbuild" "$D/selftests" "$lists"
vmm_stages "$T"
stage initramfs "$TOP/scripts/initramfs.sh" "$D/selftests" "$lists" "$D/initramfs.cpio" "$T/vmm"
# memslot_perf_test is a timing test with fixed internal deadlines (it dies of SIGALRM on a
# KASAN+lockdep kernel under TCG); timings mean nothing on a debug kernel, so it is left out.
if [ -z "${TESTS:-}" ]; then
	TESTS=$(awk '!/^[[:space:]]*(#|$)/ && $1 != "memslot_perf_test" { print $1 }' \
		"$TOP/tests/suite.list" "$TOP/tests/fallback.list" "$TOP/tests/debug.list" | paste -sd,)
	export TESTS
fi
rc=0
rm -f "$D/summary"
export VM_TIMEOUT=${VM_TIMEOUT:-3600} VM_MEM=${VM_MEM:-6G} EXTRA_LIST=tests/debug.list
stage vm "$TOP/scripts/vm-suite.sh" "$D/kbuild/arch/x86/boot/bzImage" "$D/initramfs.cpio" "$D" ||
	rc=$?
echo "stage times:"
sed 's/^==> stage /  /' "$B/stage-times"
echo "  total: $(( $(date +%s) - t0 ))s"
[ -f "$D/summary" ] || echo "0 passed, 1 failed" > "$D/summary"
cat "$D/summary"
exit $rc
