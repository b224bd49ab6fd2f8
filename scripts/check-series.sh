#!/usr/bin/env bash
# Prove the series is bisectable: build the kernel at base and after each patch, incrementally.
#   check-series.sh TREE KOBJ
# TREE must be a clean tree made by tree.sh; it is left at the full series.
. "$(dirname "$0")/lib.sh"

tree=${1:?usage: check-series.sh TREE KOBJ}
kobj=${2:?}
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] || die "$tree is not clean"
head=$(git -C "$tree" rev-parse HEAD)
mapfile -t commits < <(git -C "$tree" rev-list --reverse base.."$head")
info "${#commits[@]} patch(es) to build one by one"
i=0
for c in "${commits[@]}"; do
	i=$((i + 1))
	git -C "$tree" checkout -q "$c"
	subj=$(git -C "$tree" log -1 --format=%s)
	info "[$i/${#commits[@]}] $subj"
	t0=$(date +%s)
	if ! "$TOP/scripts/kernel.sh" "$tree" "$kobj" >"$B/check-series.log" 2>&1; then
		cat "$B/check-series.log"
		git -C "$tree" checkout -q -B work "$head"
		die "build breaks at patch $i: $subj (log: $kobj/build.log)"
	fi
	grep -E 'warning:' "$B/check-series.log" || true
	info "[$i/${#commits[@]}] built in $(( $(date +%s) - t0 ))s"
done
git -C "$tree" checkout -q -B work "$head"
info "every patch builds"
