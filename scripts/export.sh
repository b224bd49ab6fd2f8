#!/usr/bin/env bash
# Write base..HEAD of the developer tree back to patches/ and patches/series.
# Stable output: zero commit ids, no signature, no numbering in subjects, no base-commit line.
. "$(dirname "$0")/lib.sh"

dir=${1:-$B/linux}
git -C "$dir" rev-parse -q --verify base >/dev/null || die "$dir has no 'base' tag: run 'make tree'"
[ -z "$(git -C "$dir" status --porcelain --untracked-files=no)" ] ||
	die "$dir has uncommitted changes: commit them first (one logical change per commit)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$dir" -c format.signature= -c format.coverLetter=false format-patch -q \
	--zero-commit --no-signature --no-numbered --no-base --no-thread --no-cover-letter \
	-o "$tmp" base..HEAD
rm -f "$TOP"/patches/*.patch
n=0
: > "$TOP/patches/series.tmp"
for p in "$tmp"/*.patch; do
	[ -e "$p" ] || continue
	cp "$p" "$TOP/patches/"
	basename "$p" >> "$TOP/patches/series.tmp"
	n=$((n + 1))
done
mv "$TOP/patches/series.tmp" "$TOP/patches/series"
info "exported $n patch(es) to patches/ ($(git -C "$TOP" status --porcelain patches | wc -l) path(s) changed)"
