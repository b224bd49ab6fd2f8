#!/usr/bin/env bash
# Prove the series is bisectable: after each patch, build what it touches, incrementally: the
# kernel when it changes anything outside tools/ and Documentation/, the KVM selftests of the
# test lists that exist at that patch when it changes tools/testing/selftests/kvm.
#   check-series.sh TREE KOBJ
# TREE must be a clean tree made by tree.sh; it is left at the full series.
. "$(dirname "$0")/lib.sh"

tree=${1:?usage: check-series.sh TREE KOBJ}
kobj=${2:?}
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] || die "$tree is not clean"
head=$(git -C "$tree" rev-parse HEAD)
mapfile -t commits < <(git -C "$tree" rev-list --reverse base.."$head")
info "${#commits[@]} patch(es) to build one by one"
# The binaries of the test lists whose source exists in the tree as it is checked out.
list_at_commit() {
	local l=$B/check-series.list
	awk '!/^[[:space:]]*(#|$)/' "$TOP"/tests/{suite,fallback,bench}.list |
		while read -r name limit bin rest; do
			[ -f "$tree/tools/testing/selftests/kvm/$bin.c" ] && echo "$name $limit $bin"
		done > "$l"
	echo "$l"
}
i=0
for c in "${commits[@]}"; do
	i=$((i + 1))
	git -C "$tree" checkout -q "$c"
	subj=$(git -C "$tree" log -1 --format=%s)
	files=$(git -C "$tree" diff --name-only "$c^" "$c")
	what=()
	grep -qvE '^(tools|Documentation)/' <<<"$files" && what+=(kernel)
	grep -qE '^tools/testing/selftests/kvm/' <<<"$files" && what+=(selftests)
	info "[$i/${#commits[@]}] $subj (builds: ${what[*]:-nothing})"
	t0=$(date +%s)
	for w in "${what[@]}"; do
		if [ "$w" = kernel ]; then
			cmd=("$TOP/scripts/kernel.sh" "$tree" "$kobj")
		else
			# A selftest-only patch still needs a configured kernel for the headers.
			[ -f "$kobj/.config" ] || "$TOP/scripts/kernel.sh" "$tree" "$kobj" >/dev/null
			cmd=("$TOP/scripts/selftests.sh" "$tree" "$kobj" "$(dirname "$kobj")/selftests-series" "$(list_at_commit)")
		fi
		if ! "${cmd[@]}" >"$B/check-series.log" 2>&1; then
			cat "$B/check-series.log"
			git -C "$tree" checkout -q -B work "$head"
			die "$w build breaks at patch $i: $subj"
		fi
		grep -E 'warning:' "$B/check-series.log" || true
	done
	info "[$i/${#commits[@]}] built in $(( $(date +%s) - t0 ))s"
done
git -C "$tree" checkout -q -B work "$head"
info "every patch builds"

# No new warnings with W=1 in the code the series touches (virt/kvm is built as part of
# arch/x86/kvm). Clean at base, so any warning is new.
info "W=1 build of arch/x86/kvm (includes virt/kvm)"
export CCACHE_BASEDIR=$B CCACHE_NOHASHDIR=1
make -s -C "$tree" O="$(realpath "$kobj")" ARCH=x86_64 CC="ccache gcc" W=1 -j"$JOBS" \
	arch/x86/kvm/ >"$B/check-series-w1.log" 2>&1 || { cat "$B/check-series-w1.log"; die "W=1 build failed"; }
if grep -E 'warning:' "$B/check-series-w1.log"; then
	die "W=1 warnings in arch/x86/kvm or virt/kvm (above)"
fi
info "W=1: no warnings"
