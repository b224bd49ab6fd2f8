# Common helpers for the workshop scripts. Sourced, not run.
# shellcheck shell=bash
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=${B:-$TOP/build}
JOBS=${JOBS:-$(nproc)}

# The selftest binaries that test lists run (third field: the command; vmm/ and soak/ come
# from elsewhere; profile/ftrace wraps the selftest named after it), one per line.
list_bins() {
	awk '!/^[[:space:]]*(#|$)/ && $3 !~ /^(vmm|soak|profile)\// { print $3 }
		$3 ~ /^profile\// { print $4 }' "$@" | sort -u
}

die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }
warn() { printf '%s: warning: %s\n' "${0##*/}" "$*" >&2; }
info() { printf '%s: %s\n' "${0##*/}" "$*"; }

# Load the recorded base (PACKAGE, PACKAGE_VERSION, UPSTREAM_VERSION, TARBALL, SHA256).
load_base() {
	[ -r "$TOP/patches/base" ] || die "patches/base is missing"
	# shellcheck disable=SC1091
	. "$TOP/patches/base"
}

# Is DIR's base..HEAD exactly the series in PATCHDIR (default patches/; same patch ids)?
tree_is_series() {
	local mine ours
	mine=$(git -C "$1" format-patch --stdout base..HEAD | git patch-id --stable | cut -d' ' -f1 | sort)
	ours=$(series_patches "${2:-}" | xargs -r cat | git patch-id --stable | cut -d' ' -f1 | sort)
	[ "$mine" = "$ours" ]
}

# The source tarball of PACKAGE at VERSION: the installed one when dpkg has that version,
# otherwise the package is fetched from the archive with 'apt-get download' (no root needed)
# into build/pkgs/VERSION and the tarball is extracted from it. Prints its path.
tarball_of() {
	local v=$1 d=$B/pkgs/$1 deb
	if [ "$(dpkg-query -W -f '${Version}' "$PACKAGE" 2>/dev/null || true)" = "$v" ]; then
		printf '%s\n' "$TARBALL"
		return
	fi
	if [ ! -r "$d$TARBALL" ]; then
		mkdir -p "$d"
		info "fetching $PACKAGE=$v from the archive (apt-get download, about 150 MB)" >&2
		(cd "$d" && apt-get download -q "$PACKAGE=$v" >&2 2>"$d/download.err") ||
			die "$PACKAGE $v is not in the archive ($(tail -1 "$d/download.err")); 'apt-cache madison $PACKAGE' lists the versions offered"
		deb=$(ls "$d"/*.deb)
		dpkg-deb -x "$deb" "$d" && rm -f "$deb"
	fi
	printf '%s\n' "$d$TARBALL"
}

# Patches of a series (PATCHDIR/series, default patches/), in order, as absolute paths.
series_patches() {
	local p d=${1:-$TOP/patches}
	while read -r p; do
		case "$p" in ''|'#'*) continue ;; esac
		[ -f "$d/$p" ] || die "${d#"$TOP"/}/series names $p, which does not exist"
		printf '%s\n' "$d/$p"
	done < "$d/series"
}

# 'make test', 'test-debug', 'bench' and 'soak' rebuild build/test: one of them rewriting the
# tree while another compiles it gave a kernel without the ioctl. Held until the script exits.
lock_build_test() {
	mkdir -p "$B"
	exec 9>"$B/test.lock"
	flock -n 9 || die "another 'make test', 'test-debug', 'bench' or 'soak' uses build/test:" \
		"wait for it to end"
}

# Run a command and print how long it took, as "stage NAME: Ns".
stage() {
	local name=$1 t0 rc=0
	shift
	t0=$(date +%s)
	printf '==> %s\n' "$name"
	"$@" || rc=$?
	printf '==> stage %s: %ss%s\n' "$name" "$(( $(date +%s) - t0 ))" \
		"$([ $rc -eq 0 ] || echo " (FAILED, exit $rc)")" | tee -a "$B/stage-times"
	return $rc
}

# The real-VMM bundle (scripts/vmm-bundle.sh) from a pristine QEMU tree, base + qemu/patches:
# DIR/qemu, DIR/qemu-obj, DIR/vmm. Prints stage times like the other stages.
vmm_stages() {
	local d=$1
	stage qemu-tree "$TOP/scripts/qemu-tree.sh" --pristine "$d/qemu" &&
		stage qemu "$TOP/scripts/qemu-build.sh" "$d/qemu" "$d/qemu-obj" &&
		stage vmm "$TOP/scripts/vmm-bundle.sh" "$d/qemu-obj/qemu-system-x86_64.stripped" "$d/vmm"
}
