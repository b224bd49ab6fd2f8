#!/usr/bin/env bash
# Install every build and run dependency from Debian's packages. Idempotent and quick when
# everything is present.
. "$(dirname "$0")/lib.sh"

pkgs=(
	linux-source-6.12                          # the base of the series
	build-essential flex bison bc libelf-dev libssl-dev kmod cpio xz-utils rsync python3
	libc6-dev                                  # static glibc for the selftests (libc.a)
	busybox-static qemu-system-x86             # the test VM
	ccache git file patchutils
	python3-ply python3-git                    # checkpatch.pl SPDX license check
	liburing-dev gnuplot-nox                   # benchmark harness and plots
)
mapfile -t missing < <(for p in "${pkgs[@]}"; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
done)
if [ ${#missing[@]} -eq 0 ]; then
	info "all ${#pkgs[@]} packages present"
	exit 0
fi
info "missing: ${missing[*]}"
command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} by hand (Debian 12 x86-64 expected)"
[ "$(id -u)" -eq 0 ] || die "not root: run 'sudo make deps' to install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q || die "apt-get update failed"
apt-get install -y -q --no-install-recommends "${missing[@]}" || die "apt-get install failed for: ${missing[*]}"
info "installed ${#missing[@]} package(s)"
