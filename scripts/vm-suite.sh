#!/usr/bin/env bash
# Run the whole VM suite:  vm-suite.sh BZIMAGE INITRAMFS OUTDIR
# Boot 1 runs tests/suite.list with KVM's defaults (TDP MMU); boot 2 runs tests/fallback.list
# with kvm.tdp_mmu=0 (shadow MMU: the INVALID-window fallback of memslot updates); with
# EXTRA_LIST set, boot 3 runs that list. TESTS=a,b selects tests by name in any list.
# Last line: the combined 'N passed, N failed[, N skipped]'.
. "$(dirname "$0")/lib.sh"

kernel=${1:?usage: vm-suite.sh BZIMAGE INITRAMFS OUTDIR}
initrd=${2:?}
out=${3:?}
mkdir -p "$out"
rm -f "$out"/*.counts "$out/summary"

in_list() { [ -z "${TESTS:-}" ] && return 0
	for t in ${TESTS:+${TESTS//,/ }}; do awk -v w="$t" '$1 == w { f = 1 } END { exit !f }' "$1" && return 0; done
	return 1; }
# Only the names that belong to a list are passed to its boot.
names_in() { local t r=; for t in ${TESTS:+${TESTS//,/ }}; do
	awk -v w="$t" '$1 == w { f = 1 } END { exit !f }' "$1" && r="$r${r:+,}$t"; done; echo "$r"; }

rc=0
if in_list "$TOP/tests/suite.list"; then
	TESTS=$(names_in "$TOP/tests/suite.list") "$TOP/scripts/vm.sh" test "$kernel" "$initrd" \
		"$out/console.log" || rc=1
fi
if in_list "$TOP/tests/fallback.list"; then
	TESTS=$(names_in "$TOP/tests/fallback.list") VM_APPEND="kvm.tdp_mmu=0 ws.list=fallback.list" \
		"$TOP/scripts/vm.sh" test "$kernel" "$initrd" "$out/console-fallback.log" || rc=1
fi
# EXTRA_LIST=tests/x.list (make test-debug): a third boot, KVM defaults, with that list.
if [ -n "${EXTRA_LIST:-}" ] && in_list "$TOP/$EXTRA_LIST"; then
	TESTS=$(names_in "$TOP/$EXTRA_LIST") VM_APPEND="ws.list=$(basename "$EXTRA_LIST")" \
		"$TOP/scripts/vm.sh" test "$kernel" "$initrd" "$out/console-extra.log" || rc=1
fi
[ -n "$(ls "$out"/*.counts 2>/dev/null)" ] || die "no test matched TESTS=${TESTS:-}"
read -r p f s < <(cat "$out"/*.counts | awk '{ p += $1; f += $2; s += $3 } END { print p, f, s }')
summary="$p passed, $f failed"
[ "$s" -eq 0 ] || summary="$summary, $s skipped"
echo "$summary" > "$out/summary"
echo "$summary"
[ $rc -eq 0 ] && [ "$f" -eq 0 ]
