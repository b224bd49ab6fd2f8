#!/usr/bin/env bash
# Write base..HEAD of the QEMU developer tree back to qemu/patches/ and qemu/patches/series.
. "$(dirname "$0")/lib.sh"

dir=${1:-$B/qemu}
git -C "$dir" rev-parse -q --verify base >/dev/null || die "$dir has no 'base' tag: run 'make qemu-tree'"
[ -z "$(git -C "$dir" status --porcelain --untracked-files=no)" ] ||
	die "$dir has uncommitted changes: commit them first (one logical change per commit)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$dir" -c format.signature= -c format.coverLetter=false format-patch -q \
	--zero-commit --no-signature --no-numbered --no-base --no-thread --no-cover-letter \
	-o "$tmp" base..HEAD
rm -f "$TOP"/qemu/patches/*.patch
: > "$TOP/qemu/patches/series"
n=0
for p in "$tmp"/*.patch; do
	[ -e "$p" ] || continue
	cp "$p" "$TOP/qemu/patches/"
	basename "$p" >> "$TOP/qemu/patches/series"
	n=$((n + 1))
done
"$dir/scripts/checkpatch.pl" -q "$TOP"/qemu/patches/*.patch || die "QEMU's checkpatch.pl found problems (above)"
info "exported $n patch(es) to qemu/patches/, QEMU checkpatch clean"
