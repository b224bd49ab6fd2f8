#!/usr/bin/env bash
# Install every build and run dependency from Debian's packages. Idempotent and quick when
# everything is present. The base of the series is pinned: linux-source-6.12 is installed at
# exactly the version recorded in patches/base (a downgrade if need be), never "the newest".
#   deps.sh            install what is missing
#   deps.sh --drift    only print one line if the archive has a newer base (make test's info)
. "$(dirname "$0")/lib.sh"
load_base

# The newest $PACKAGE version the configured archive offers (as of the last apt-get update).
newest_in_archive() {
	apt-cache madison "$PACKAGE" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
		sort -V | tail -1
}
in_archive() {
	apt-cache madison "$PACKAGE" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
		grep -qxF "$1"
}
if [ "${1:-}" = --drift ]; then
	new=$(newest_in_archive)
	if [ -n "$new" ] && dpkg --compare-versions "$new" gt "$PACKAGE_VERSION"; then
		info "note: the archive offers $PACKAGE $new, newer than the recorded base" \
			"$PACKAGE_VERSION; move the series with 'make rebase VERSION=$new' (not needed" \
			"to pass)"
	fi
	exit 0
fi

pkgs=(
	"$PACKAGE=$PACKAGE_VERSION"                # the base of the series, pinned
	build-essential flex bison bc libelf-dev libssl-dev kmod cpio xz-utils rsync python3
	libc6-dev                                  # static glibc for the selftests (libc.a)
	busybox-static qemu-system-x86             # the test VM
	ccache git file patchutils
	python3-ply python3-git                    # checkpatch.pl SPDX license check
	liburing-dev gnuplot-nox                   # benchmark harness and plots
	gcc-aarch64-linux-gnu gcc-s390x-linux-gnu gcc-powerpc64le-linux-gnu  # make check-arch
	dpkg-dev                                   # apt-get source qemu (qemu/base)
	ninja-build meson pkg-config libglib2.0-dev libpixman-1-dev zlib1g-dev libfdt-dev  # QEMU
	seabios qemu-system-data                   # firmware of the QEMU guest in the test VM
)
# 'apt-get source qemu' needs a deb-src entry for the Debian suites apt already uses.
src_list=/etc/apt/sources.list.d/workshop-deb-src.sources
need_src=0
[ -n "$(apt-cache showsrc qemu 2>/dev/null | sed -n '/^Package: qemu$/p')" ] || need_src=1

# A package is present when it is installed (at the pinned version, where one is given).
mapfile -t missing < <(for p in "${pkgs[@]}"; do
	name=${p%%=*} want=${p#*=}
	have=$(dpkg-query -W -f '${Status} ${Version}\n' "$name" 2>/dev/null || true)
	case "$have" in
	"install ok installed "*) [ "$name" = "$p" ] || [ "${have##* }" = "$want" ] || echo "$p" ;;
	*) echo "$p" ;;
	esac
done)
if [ ${#missing[@]} -eq 0 ] && [ $need_src = 0 ]; then
	info "all ${#pkgs[@]} packages present ($PACKAGE $PACKAGE_VERSION, as patches/base records)"
	exit 0
fi
[ ${#missing[@]} -eq 0 ] || info "missing: ${missing[*]}"
[ $need_src = 0 ] || info "missing: a deb-src entry for apt-get source qemu"
command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} by hand (Debian 12 x86-64 expected)"
[ "$(id -u)" -eq 0 ] || die "not root: run 'sudo make deps' to install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if [ $need_src = 1 ]; then
	# deb-src twins of the configured Debian archives (deb822 .sources and one-line .list).
	awk 'BEGIN { RS = ""; ORS = "\n\n" }
		/(^|\n)Types:([^\n]* )?deb( |\n|$)/ && /(^|\n)URIs:[^\n]*debian\.org/ {
			sub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src"); sub(/^\n/, ""); print }' \
		$(ls /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v "$src_list") \
		> "$src_list.tmp" 2>/dev/null || true
	grep -hs '^deb [^ ]*debian\.org' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
		sed 's/^deb /deb-src /' > "${src_list%.sources}.list.tmp" || true
	[ -s "$src_list.tmp" ] || [ -s "${src_list%.sources}.list.tmp" ] ||
		die "no Debian archive found in /etc/apt to add a deb-src entry for"
	for f in "$src_list" "${src_list%.sources}.list"; do
		if [ -s "$f.tmp" ]; then mv "$f.tmp" "$f"; info "added $f"; else rm -f "$f.tmp"; fi
	done
fi
apt-get update -q || die "apt-get update failed"
if ! in_archive "$PACKAGE_VERSION"; then
	die "patches/base records $PACKAGE $PACKAGE_VERSION, which the archive no longer offers" \
		"(newest: $(newest_in_archive)). Move the series to an offered version with" \
		"'make rebase VERSION=<version>' (README: 'The base and moving it')."
fi
apt-get install -y -q --no-install-recommends --allow-downgrades "${missing[@]}" ||
	die "apt-get install failed for: ${missing[*]}"
info "installed ${#missing[@]} package(s)"
