#!/usr/bin/env bash
# checkpatch --strict on every patch of the series:  checkpatch.sh TREE
# Fails on any ERROR or WARNING; CHECKs are listed and counted. FILE_PATH_CHANGES ("added file,
# does MAINTAINERS need updating?") is not counted: checkpatch warns for every new file, and the
# files the series adds are covered by the existing KVM entry (F: tools/testing/selftests/kvm/).
. "$(dirname "$0")/lib.sh"

tree=${1:-$B/linux}
# spdxcheck.py needs the Debian python3 with python3-ply, not another python3 first in PATH.
export PATH=/usr/bin:$PATH
cp=$tree/scripts/checkpatch.pl
[ -x "$cp" ] || die "$cp not found: run 'make tree'"
errs=0 warns=0 checks=0 n=0
while read -r p; do
	n=$((n + 1))
	out=$(cd "$tree" && ./scripts/checkpatch.pl --strict --terse --no-summary --show-types \
		--ignore FILE_PATH_CHANGES "$p" 2>&1 || true)
	e=$(grep -c ': ERROR:' <<<"$out" || true)
	w=$(grep -c ': WARNING:' <<<"$out" || true)
	c=$(grep -c ': CHECK:' <<<"$out" || true)
	errs=$((errs + e)) warns=$((warns + w)) checks=$((checks + c))
	[ -n "$out" ] && sed "s|^|  ${p##*/}: |" <<<"$out"
done < <(series_patches)
info "$n patch(es): $errs error(s), $warns warning(s), $checks check(s)"
[ $((errs + warns)) -eq 0 ] || die "checkpatch --strict: $errs error(s), $warns warning(s)"
