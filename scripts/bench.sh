#!/usr/bin/env bash
# 'make bench': build the committed series (pristine tree, as 'make test'), boot the VM with
# tests/bench.list, collect the BENCH CSV lines into build/bench/bench.csv, print a table of
# ratios and plot PNGs with gnuplot. TESTS=name,... selects runs of the list.
. "$(dirname "$0")/lib.sh"
lock_build_test

T=$B/test
O=$B/bench
mkdir -p "$T" "$O"
: > "$B/stage-times"
lists=$TOP/tests/suite.list,$TOP/tests/fallback.list,$TOP/tests/bench.list
command -v gnuplot >/dev/null || die "gnuplot not found: run 'make deps'"

stage tree "$TOP/scripts/tree.sh" --pristine "$T/linux"
stage kernel "$TOP/scripts/kernel.sh" "$T/linux" "$T/kbuild"
stage selftests "$TOP/scripts/selftests.sh" "$T/linux" "$T/kbuild" "$T/selftests" "$lists"
vmm_stages "$T"
stage initramfs "$TOP/scripts/initramfs.sh" "$T/selftests" "$lists" "$T/initramfs.cpio" "$T/vmm"
rc=0
# Single-threaded TCG, as the tests: the bench asserts counts, and QEMU 7.2's multi-threaded
# TCG crashes nested guests (docs/tcg.md). VM_ACCEL=tcg,thread=multi gives the older runs' mode.
VM_ACCEL=${VM_ACCEL:-tcg,thread=single} VM_APPEND="ws.list=bench.list" stage vm "$TOP/scripts/vm.sh" test \
	"$T/kbuild/arch/x86/boot/bzImage" "$T/initramfs.cpio" "$O/console.log" || rc=$?

# One header, then every data row, tagged with the run that produced it.
awk '/^#   BENCH,method,/ && !h { sub(/^#   BENCH,/, ""); print "run," $0; h = 1 }
     /^# \[[0-9]+\/[0-9]+\] / { run = $3; sub(/:$/, "", run) }
     /^#   BENCH,/ && !/BENCH,method,/ && run !~ /^profile_/ { sub(/^#   BENCH,/, ""); print run "," $0 }' \
	"$O/console.log" > "$O/bench.csv"
# Where the time of a list call goes (profile_* runs, ftrace's function profiler)
sed -n 's/^#   PROFILE //p' "$O/console.log" > "$O/profile.txt"
[ -s "$O/profile.txt" ] && info "function profiles in $O/profile.txt"
rows=$(($(wc -l < "$O/bench.csv") - 1))
if [ "$rows" -le 0 ]; then
	[ -s "$O/profile.txt" ] && exit $rc	# TESTS=profile_...: profiles only
	die "no BENCH rows in $O/console.log"
fi
info "$rows rows in $O/bench.csv"
"$TOP/scripts/bench-report.sh" "$O/bench.csv" "$O"
exit $rc
