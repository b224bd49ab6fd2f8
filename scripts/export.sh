#!/usr/bin/env bash
# Write base..HEAD of a developer tree back to a series directory and its 'series' file:
#   export.sh [TREE [PATCHDIR]]    (default: build/linux into patches/)
# Stable output: zero commit ids, no signature, no numbering in subjects, no base-commit line.
. "$(dirname "$0")/lib.sh"

dir=${1:-$B/linux}
out=${2:-$TOP/patches}
git -C "$dir" rev-parse -q --verify base >/dev/null || die "$dir has no 'base' tag: run 'make tree'"
[ -z "$(git -C "$dir" status --porcelain --untracked-files=no)" ] ||
	die "$dir has uncommitted changes: commit them first (one logical change per commit)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$dir" -c format.signature= -c format.coverLetter=false format-patch -q \
	--zero-commit --no-signature --no-numbered --no-base --no-thread --no-cover-letter \
	-o "$tmp" base..HEAD
rm -f "$out"/*.patch
n=0
: > "$out/series.tmp"
for p in "$tmp"/*.patch; do
	[ -e "$p" ] || continue
	cp "$p" "$out/"
	basename "$p" >> "$out/series.tmp"
	n=$((n + 1))
done
mv "$out/series.tmp" "$out/series"
info "exported $n patch(es) to ${out#"$TOP"/}/ ($(git -C "$TOP" status --porcelain "$out" | wc -l) path(s) changed)"
