# Common helpers for the workshop scripts. Sourced, not run.
# shellcheck shell=bash
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=${B:-$TOP/build}
JOBS=${JOBS:-$(nproc)}

die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }
warn() { printf '%s: warning: %s\n' "${0##*/}" "$*" >&2; }
info() { printf '%s: %s\n' "${0##*/}" "$*"; }

# Load the recorded base (PACKAGE, PACKAGE_VERSION, UPSTREAM_VERSION, TARBALL, SHA256).
load_base() {
	[ -r "$TOP/patches/base" ] || die "patches/base is missing"
	# shellcheck disable=SC1091
	. "$TOP/patches/base"
}

# Patches of the series, in order, as absolute paths.
series_patches() {
	local p
	while read -r p; do
		case "$p" in ''|'#'*) continue ;; esac
		[ -f "$TOP/patches/$p" ] || die "patches/series names $p, which does not exist"
		printf '%s\n' "$TOP/patches/$p"
	done < "$TOP/patches/series"
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
