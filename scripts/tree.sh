#!/usr/bin/env bash
# Unpack the recorded base into a git tree (tag 'base') and apply patches/series with git am.
#
#   tree.sh DIR            developer tree: refuses to discard work not exported to patches/
#   tree.sh --pristine DIR throw-away tree for 'make test': always reset to base + series
#
# Set FORCE=1 to discard a developer tree's unexported work.
. "$(dirname "$0")/lib.sh"

pristine=0
[ "${1:-}" = --pristine ] && { pristine=1; shift; }
dir=${1:?usage: tree.sh [--pristine] DIR}
load_base

# The base is exactly the recorded package build: same version, same tarball (sha256). The
# rebase step passes BASE_TARBALL, a tarball of the recorded version fetched from the archive.
if [ -n "${BASE_TARBALL:-}" ]; then
	TARBALL=$BASE_TARBALL
	have=$PACKAGE_VERSION
else
	have=$(dpkg-query -W -f '${Version}' "$PACKAGE" 2>/dev/null || echo "not installed")
	[ "$have" = "$PACKAGE_VERSION" ] ||
		die "$PACKAGE is $have here, but patches/base records $PACKAGE_VERSION: run 'sudo make deps'" \
			"(it installs the recorded version, downgrading if need be); to move the series to" \
			"another version instead, 'make rebase VERSION=<version>'"
	[ -r "$TARBALL" ] || die "$TARBALL not found: run 'sudo make deps' (package $PACKAGE)"
fi
label="$PACKAGE $have"

# The tree is reusable when its base commit was made from the same package version.
tree_label() { git -C "$1" log -1 --format=%s base 2>/dev/null || true; }

unpack() {
	local sum
	info "unpacking $TARBALL into $dir (about a minute)"
	sum=$(sha256sum "$TARBALL" | cut -d' ' -f1)
	[ "$sum" = "$SHA256" ] ||
		die "$TARBALL has sha256 $sum, patches/base records $SHA256: not the recorded build of" \
			"$PACKAGE $PACKAGE_VERSION; reinstall it with 'sudo apt-get install --reinstall" \
			"$PACKAGE=$PACKAGE_VERSION'"
	rm -rf "$dir" "$dir.tmp"
	mkdir -p "$dir.tmp"
	tar -xJf "$TARBALL" -C "$dir.tmp"
	mv "$dir.tmp/linux-source-6.12" "$dir"
	rmdir "$dir.tmp"
	git -C "$dir" init -q
	git -C "$dir" config user.name "${GIT_AUTHOR_NAME:-$(git config user.name || echo workshop)}"
	git -C "$dir" config user.email "${GIT_AUTHOR_EMAIL:-$(git config user.email || echo workshop@localhost)}"
	git -C "$dir" config gc.auto 0
	# Debian's .gitignore ignores every top-level entry (it is written for their packaging
	# repo); drop that block so that files the series adds are seen by git.
	sed -i '/^# Debian packaging: ignore everything/,$d' "$dir/.gitignore"
	sed -i '${/^#$/d}' "$dir/.gitignore"
	git -C "$dir" add -A
	git -C "$dir" commit -q --no-verify -m "$label" \
		-m "Unpacked from $TARBALL; the Debian-only '/*' block of .gitignore is removed."
	git -C "$dir" tag base
	info "base commit: $(tree_label "$dir") (upstream $(make -s -C "$dir" kernelversion))"
}

# Clone a pristine tree from the developer tree when it has the same base (fast, hardlinks).
clone_from_dev() {
	local dev=$B/linux
	[ "$pristine" = 1 ] && [ "$(tree_label "$dev")" = "$label" ] || return 1
	info "cloning base from $dev"
	rm -rf "$dir"
	git clone -q --local --no-checkout "$dev" "$dir"
	git -C "$dir" config user.name "$(git -C "$dev" config user.name)"
	git -C "$dir" config user.email "$(git -C "$dev" config user.email)"
	git -C "$dir" config gc.auto 0
	git -C "$dir" tag -f base "$(git -C "$dev" rev-parse base)" >/dev/null
	git -C "$dir" checkout -q -f base
}

if [ -d "$dir/.git" ] && [ "$(tree_label "$dir")" = "$label" ]; then
	if [ "$pristine" = 0 ] && [ "${FORCE:-0}" != 1 ]; then
		# Refuse to throw away commits or edits that are not in patches/.
		if [ -n "$(git -C "$dir" status --porcelain --untracked-files=no)" ]; then
			die "$dir has uncommitted changes; commit and 'make export', or FORCE=1 to discard"
		fi
		tree_is_series "$dir" || die "$dir has commits that differ from patches/; 'make export' first, or FORCE=1 to discard"
	fi
	git -C "$dir" am --abort >/dev/null 2>&1 || true
	git -C "$dir" checkout -q -f -B work base
	git -C "$dir" clean -q -fdx
else
	clone_from_dev || unpack
	git -C "$dir" checkout -q -B work base
fi

n=0
while read -r p; do
	name=${p##*/}
	if ! git -C "$dir" am -q --no-3way "$p" >/dev/null 2>"$B/am.err"; then
		git -C "$dir" am --abort >/dev/null 2>&1 || true
		echo "patch $name does not apply to $label:" >&2
		sed 's/^/  /' "$B/am.err" >&2
		git -C "$dir" apply --check -v "$p" 2>&1 | grep -v '^Checking patch' | head -40 | sed 's/^/  /' >&2 || true
		die "patch $name does not apply"
	fi
	n=$((n + 1))
done < <(series_patches)
info "$dir: $label + $n patch(es) applied, HEAD $(git -C "$dir" rev-parse --short HEAD)"
