#!/usr/bin/env bash
# Move the series to another version of the base package:  rebase.sh VERSION
#
# Works in the developer tree build/linux (made from the recorded base if it does not exist):
#  1. fetches PACKAGE=VERSION from the archive (or takes the installed one), commits its tree on
#     top of the old base and tags it 'rebase-target';
#  2. applies patches/series there with 'git am -3'; on the first conflict it stops, names the
#     patch and the files, and leaves the am in progress: resolve, 'git am --continue' in
#     build/linux, then run 'make rebase VERSION=...' again;
#  3. once every patch is applied: moves the 'base' tag, records VERSION and the tarball's sha256
#     in patches/base and exports the series. Then 'sudo make deps' installs the new base.
. "$(dirname "$0")/lib.sh"
load_base

ver=${1:?usage: rebase.sh VERSION   (versions offered: apt-cache madison $PACKAGE)}
dir=$B/linux
label="$PACKAGE $ver"
n=$(series_patches | wc -l)
subject() { git -C "$dir" log -1 --format=%s "$1" 2>/dev/null || true; }

if [ "$(subject rebase-target)" != "$label" ]; then
	# Start: the developer tree must hold exactly the recorded base and series.
	[ "$ver" != "$PACKAGE_VERSION" ] || die "patches/base already records $ver"
	if [ ! -d "$dir/.git" ]; then
		BASE_TARBALL=$(tarball_of "$PACKAGE_VERSION") "$TOP/scripts/tree.sh" "$dir"
	fi
	[ "$(subject base)" = "$PACKAGE $PACKAGE_VERSION" ] ||
		die "$dir is based on '$(subject base)', not the recorded $PACKAGE_VERSION"
	[ -z "$(git -C "$dir" status --porcelain --untracked-files=no)" ] ||
		die "$dir has uncommitted changes: commit and 'make export' first"
	tree_is_series "$dir" || die "$dir differs from patches/: 'make export' first"

	tarball=$(tarball_of "$ver")
	info "committing $label on top of the old base"
	tmp=$B/rebase.tmp
	rm -rf "$tmp" && mkdir -p "$tmp"
	tar -xJf "$tarball" -C "$tmp"
	git -C "$dir" checkout -q -f -B rebase base
	git -C "$dir" rm -q -r --cached .
	find "$dir" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
	mv "$tmp"/linux-source-6.12/{.[!.]*,*} "$dir"/
	rm -rf "$tmp"
	# Same treatment of Debian's .gitignore as tree.sh.
	sed -i '/^# Debian packaging: ignore everything/,$d' "$dir/.gitignore"
	sed -i '${/^#$/d}' "$dir/.gitignore"
	git -C "$dir" add -A
	git -C "$dir" commit -q --no-verify -m "$label" \
		-m "Unpacked from $PACKAGE $ver; the Debian-only '/*' block of .gitignore is removed."
	git -C "$dir" tag -f rebase-target >/dev/null
	sha256sum "$tarball" | cut -d' ' -f1 > "$B/rebase.sha256"
	info "changes of the base in the files the series touches:"
	series_patches | xargs -r cat | sed -n 's|^+++ b/||p' | sort -u |
		xargs git -C "$dir" diff --stat base rebase-target -- | sed 's/^/  /'
	info "applying $n patch(es) with git am -3"
	if ! git -C "$dir" am -q -3 $(series_patches) >"$B/rebase.log" 2>&1; then
		:
	fi
fi

# Stopped (now or earlier) at a conflict?
if [ -d "$dir/.git/rebase-apply" ]; then
	cur=$(cat "$dir/.git/rebase-apply/next")
	name=$(sed -n "${cur}p" <(series_patches))
	echo "rebase stops at patch $cur of $n: ${name##*/}" >&2
	git -C "$dir" diff --name-only --diff-filter=U | sed 's/^/  conflict in /' >&2
	grep -E '^(error|CONFLICT)' "$B/rebase.log" 2>/dev/null | sed 's/^/  /' >&2 || true
	die "resolve in $dir, 'git add' the files, 'git am --continue' (repeat until done), then" \
		"'make rebase VERSION=$ver' again ('git am --abort' and 'git checkout -f work' give up)"
fi

got=$(git -C "$dir" rev-list --count rebase-target..HEAD)
[ "$got" -ge "$n" ] || die "$dir has $got commit(s) on rebase-target, the series has $n"

# Done: record the new base and export the series from it.
git -C "$dir" tag -f "base-${PACKAGE_VERSION//\~/_}" base >/dev/null
git -C "$dir" tag -f base rebase-target >/dev/null
git -C "$dir" tag -d rebase-target >/dev/null
git -C "$dir" checkout -q -B work
git -C "$dir" branch -q -D rebase 2>/dev/null || true
upstream=$(make -s -C "$dir" kernelversion)
sha=$(cat "$B/rebase.sha256")
sed -i -e "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=$ver/" -e "s/^UPSTREAM_VERSION=.*/UPSTREAM_VERSION=$upstream/" \
	-e "s/^SHA256=.*/SHA256=$sha/" "$TOP/patches/base"
"$TOP/scripts/export.sh" "$dir"
info "series moved to $label (upstream $upstream); patches/base updated"
info "next: 'sudo make deps' installs $ver, then 'make test'; commit patches/"
