#!/usr/bin/env bash
# Fetch Debian's QEMU source package at the version recorded in qemu/base ('apt-get source',
# sha256 checked), unpack it with Debian's patches applied into a git tree (tag 'base') and
# apply qemu/patches/series with git am.
#
#   qemu-tree.sh DIR            developer tree: refuses to discard work not exported
#   qemu-tree.sh --pristine DIR always reset to base + series
. "$(dirname "$0")/lib.sh"

pristine=0
[ "${1:-}" = --pristine ] && { pristine=1; shift; }
dir=${1:?usage: qemu-tree.sh [--pristine] DIR}
# shellcheck disable=SC1091
. "$TOP/qemu/base"
dl=$B/qemu-dl

fetch() {
	local f want sum ok=1
	mkdir -p "$dl"
	for f in DSC ORIG DEBIAN; do
		eval "want=\$QEMU_${f}_SHA256 f=\$QEMU_$f"
		[ -r "$dl/$f" ] && [ "$(sha256sum "$dl/$f" | cut -d' ' -f1)" = "$want" ] || ok=0
	done
	[ $ok = 1 ] && return
	info "fetching the source of $QEMU_PACKAGE $QEMU_VERSION with apt-get source (24 MB)"
	(cd "$dl" && apt-get source -q --download-only "$QEMU_PACKAGE=$QEMU_VERSION") \
		>"$dl/fetch.log" 2>&1 ||
		die "apt-get source $QEMU_PACKAGE=$QEMU_VERSION failed ($(grep -m1 '^E:' "$dl/fetch.log"));" \
			"'make deps' adds the deb-src entry it needs; 'apt-cache showsrc qemu' lists the" \
			"versions offered. A version that left the archive needs a new qemu/base."
	for f in DSC ORIG DEBIAN; do
		eval "want=\$QEMU_${f}_SHA256 f=\$QEMU_$f"
		sum=$(sha256sum "$dl/$f" | cut -d' ' -f1)
		[ "$sum" = "$want" ] || die "$dl/$f has sha256 $sum, qemu/base records $want"
	done
}

unpack() {
	info "unpacking $QEMU_PACKAGE $QEMU_VERSION into $dir"
	rm -rf "$dir" "$dir.tmp"
	dpkg-source -q -x "$dl/$QEMU_DSC" "$dir.tmp" >"$dl/unpack.log" 2>&1 ||
		die "dpkg-source -x failed: see $dl/unpack.log"
	mv "$dir.tmp" "$dir"
	rm -rf "$dir/.pc"
	git -C "$dir" init -q
	git -C "$dir" config user.name "${GIT_AUTHOR_NAME:-$(git config user.name || echo workshop)}"
	git -C "$dir" config user.email "${GIT_AUTHOR_EMAIL:-$(git config user.email || echo workshop@localhost)}"
	git -C "$dir" config gc.auto 0
	git -C "$dir" add -A -f
	git -C "$dir" commit -q --no-verify -m "$QEMU_PACKAGE $QEMU_VERSION" \
		-m "Unpacked with dpkg-source -x (Debian's patches applied) from $QEMU_DSC."
	git -C "$dir" tag base
}

label() { git -C "$1" log -1 --format=%s base 2>/dev/null || true; }

fetch
if [ -d "$dir/.git" ] && [ "$(label "$dir")" = "$QEMU_PACKAGE $QEMU_VERSION" ]; then
	if tree_is_series "$dir" "$TOP/qemu/patches"; then
		info "$dir is base + qemu/patches already"
		exit 0
	fi
	if [ $pristine = 0 ] && [ -z "${FORCE:-}" ]; then
		die "$dir has commits that are not qemu/patches: 'make qemu-export' them, or FORCE=1"
	fi
	git -C "$dir" am --abort >/dev/null 2>&1 || true
	git -C "$dir" reset -q --hard base
	git -C "$dir" clean -qfdx
else
	unpack
fi
n=0
while read -r p; do
	git -C "$dir" am -q --keep-cr "$p" || die "git am $p failed"
	n=$((n + 1))
done < <(series_patches "$TOP/qemu/patches")
info "$dir: $QEMU_PACKAGE $QEMU_VERSION + $n patch(es)"
