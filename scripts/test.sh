#!/usr/bin/env bash
# 'make test': the whole chain from a clean clone, on a pristine tree with the committed series
# (never the developer's build/linux): deps, tree, checkpatch, bisectability, kernel, selftests,
# initramfs, VM run. Prints the time of each stage; the last line is the VM's summary.
. "$(dirname "$0")/lib.sh"
lock_build_test

T=$B/test
mkdir -p "$T"
: > "$B/stage-times"
t0=$(date +%s)
trap 'echo "total: $(( $(date +%s) - t0 ))s"' EXIT

stage deps "$TOP/scripts/deps.sh"
"$TOP/scripts/deps.sh" --drift
stage tree "$TOP/scripts/tree.sh" --pristine "$T/linux"
stage checkpatch "$TOP/scripts/checkpatch.sh" "$T/linux"
if [ "${CHECK_SERIES:-1}" = 1 ]; then
	stage check-series "$TOP/scripts/check-series.sh" "$T/linux" "$T/kbuild"
fi
if [ "${CHECK_ARCH:-1}" = 1 ]; then
	stage check-arch "$TOP/scripts/check-arch.sh" "$T/linux" "$B/check-arch"
fi
stage kernel "$TOP/scripts/kernel.sh" "$T/linux" "$T/kbuild"
lists=$TOP/tests/suite.list,$TOP/tests/fallback.list,$TOP/tests/bench.list
stage selftests "$TOP/scripts/selftests.sh" "$T/linux" "$T/kbuild" "$T/selftests" "$lists"
vmm_stages "$T"
stage initramfs "$TOP/scripts/initramfs.sh" "$T/selftests" "$lists" "$T/initramfs.cpio" "$T/vmm"
trap - EXIT
rc=0
rm -f "$T/summary"
stage vm "$TOP/scripts/vm-suite.sh" "$T/kbuild/arch/x86/boot/bzImage" "$T/initramfs.cpio" \
	"$T" || rc=$?
echo "stage times:"
sed 's/^==> stage /  /' "$B/stage-times"
echo "  total: $(( $(date +%s) - t0 ))s"
[ -f "$T/summary" ] || echo "0 passed, 1 failed" > "$T/summary"
cp "$T/summary" "$B/test-summary"
cat "$T/summary"
exit $rc
