#!/usr/bin/env bash
# Boot the test VM under TCG:  vm.sh test|shell|run BZIMAGE INITRAMFS [CONSOLE_LOG]
#   test : run the guest test list (TESTS=a,b for a subset), enforce VM_TIMEOUT seconds
#          overall, print 'N passed, N failed[, N skipped]' last, exit non-zero on failure.
#   shell: interactive shell on the serial console (Ctrl-A X quits QEMU).
#   run  : the demo program, then power off.
# VM_CPUS (default 4) and VM_MEM (default 4G) size the guest; VM_ACCEL is passed to -accel.
# Tests default to single-threaded TCG: QEMU 7.2's multi-threaded TCG corrupts memory when the
# guest runs its own KVM guests with nested paging (docs/tcg.md); run and shell use all cores.
. "$(dirname "$0")/lib.sh"

mode=${1:?usage: vm.sh test|shell|run BZIMAGE INITRAMFS [LOG]}
kernel=${2:?}
initrd=${3:?}
log=${4:-$B/console-$mode.log}
[ -f "$kernel" ] || die "kernel $kernel not found: run 'make kernel'"
[ -f "$initrd" ] || die "initramfs $initrd not found: run 'make initramfs'"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found: run 'make deps'"

append="console=ttyS0 loglevel=4 panic=-1 ws.mode=$mode ${TESTS:+ws.tests=$TESTS} ${VM_APPEND:-}"
accel=tcg,thread=multi
[ "$mode" = test ] && accel=tcg,thread=single
qemu=(qemu-system-x86_64 -accel "${VM_ACCEL:-$accel}" -cpu max -smp "${VM_CPUS:-4}" -m "${VM_MEM:-4G}"
	-no-reboot -kernel "$kernel" -initrd "$initrd" -append "$append")

if [ "$mode" = shell ]; then
	exec "${qemu[@]}" -nographic
fi

mkdir -p "$(dirname "$log")"
limit=${VM_TIMEOUT:-2400}
info "booting $(basename "$kernel") under ${VM_ACCEL:-$accel} (${VM_CPUS:-4} CPUs, ${VM_MEM:-4G}); limit ${limit}s; console log $log"
rc=0
timeout -k 10 "$limit" "${qemu[@]}" -display none -monitor none -serial stdio </dev/null 2>&1 |
	sed -u 's/\r$//' | tee "$log" || rc=$?
[ "${PIPESTATUS[0]}" -eq 124 ] && rc=124

if [ "$mode" = run ]; then
	grep -q '^guest: powering off' "$log" ||
		die "the VM did not finish (exit $rc); last console lines above and in $log"
	exit 0
fi

# test mode: judge from the TAP on the console.
pass=$(grep -cE '^ok [0-9]+ [^ ]+ # [0-9.]+s$' "$log" || true)
skip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log" || true)
fail=$(grep -cE '^not ok [0-9]+ ' "$log" || true)
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -1)
problem=
if [ "$rc" -eq 124 ]; then
	problem="VM timed out after ${limit}s"
elif ! grep -q '^# guest-summary:' "$log"; then
	problem="the VM stopped before the runner finished (panic, crash or bail-out)"
elif [ -z "$plan" ] || [ $((pass + skip + fail)) -ne "$plan" ]; then
	problem="TAP plan ${plan:-missing} but $((pass + skip + fail)) results"
fi
if [ -n "$problem" ]; then
	echo "--- last console lines ($log):"
	tail -n 25 "$log"
	echo "vm: error: $problem"
	fail=$((fail + 1))
fi
grep -E '^not ok ' "$log" | sed 's/^/failed: /' || true
summary="$pass passed, $fail failed"
[ "$skip" -eq 0 ] || summary="$summary, $skip skipped"
echo "$pass $fail $skip" > "${log%.log}.counts"
echo "$summary"
[ "$fail" -eq 0 ]
