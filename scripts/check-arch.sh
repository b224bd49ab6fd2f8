#!/usr/bin/env bash
# Cross-build the KVM code of arm64, s390 and powerpc (each includes virt/kvm) with W=1, at the
# base and after the last patch, and fail on any warning the series adds or a build that breaks.
#   check-arch.sh TREE OBJDIR      (TREE: a clean tree made by tree.sh, left at its HEAD)
# Warnings are compared without line numbers (file, message and flag), so that code moved by
# the series does not count as new. Debian's cross compilers come from 'make deps'.
. "$(dirname "$0")/lib.sh"

tree=$(realpath "${1:?usage: check-arch.sh TREE OBJDIR}")
objdir=${2:?}
mkdir -p "$objdir"
objdir=$(realpath "$objdir")
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] || die "$tree is not clean"
head=$(git -C "$tree" rev-parse HEAD)
export CCACHE_BASEDIR=$B CCACHE_NOHASHDIR=1 KBUILD_BUILD_TIMESTAMP='1970-01-01'

# ARCH  cross prefix  defconfig  config options set on top
arches=(
	"arm64   aarch64-linux-gnu-     defconfig          KVM"
	"s390    s390x-linux-gnu-       defconfig          KVM"
	"powerpc powerpc64le-linux-gnu- ppc64le_defconfig  KVM_BOOK3S_64 KVM_BOOK3S_64_HV KVM_BOOK3S_64_PR"
)

# Build arch/ARCH/kvm/ of the tree as checked out into OBJ; warnings, normalised, to OUT.
build() {
	local arch=$1 cross=$2 defconfig=$3 obj=$4 out=$5 opts=$6 o rel
	mkdir -p "$obj"
	local mk=(make -s -C "$tree" O="$obj" ARCH="$arch" CROSS_COMPILE="$cross"
		CC="ccache ${cross}gcc" HOSTCC="ccache gcc" -j"$JOBS")
	if [ ! -f "$obj/.config" ]; then
		"${mk[@]}" "$defconfig" >/dev/null
		for o in $opts; do "$tree/scripts/config" --file "$obj/.config" -e "$o"; done
		"${mk[@]}" olddefconfig >/dev/null
	fi
	# Recompile every object of the directories (ccache replays the warnings of cache hits), so
	# that an incremental build does not hide the warnings of unchanged files.
	find "$obj/arch/$arch/kvm" "$obj/virt/kvm" -name '*.o' -delete 2>/dev/null || true
	"${mk[@]}" W=1 "arch/$arch/kvm/" >"$out.log" 2>&1 || {
		tail -30 "$out.log" >&2
		return 1
	}
	# Paths are relative to OBJ (../../test/linux/arch/...): make them relative to the tree.
	rel=$(realpath --relative-to="$obj" "$tree")
	{ grep -E ': warning: ' "$out.log" || true; } |
		sed -E "s|^$tree/||; s|^$rel/||; s|:[0-9]+:[0-9]+:|:|" |
		grep -E '^(arch|virt|include)/' | sort -u > "$out" || true
}

fail=0
for a in "${arches[@]}"; do
	read -r arch cross defconfig opts <<<"$a"
	command -v "${cross}gcc" >/dev/null || die "${cross}gcc not found: run 'sudo make deps'"
	t0=$(date +%s)
	git -C "$tree" checkout -q base
	build "$arch" "$cross" "$defconfig" "$objdir/$arch-base" "$objdir/$arch-base.warn" "$opts" ||
		{ git -C "$tree" checkout -q -B work "$head"; die "$arch: the base does not build"; }
	git -C "$tree" checkout -q -B work "$head"
	if ! build "$arch" "$cross" "$defconfig" "$objdir/$arch" "$objdir/$arch.warn" "$opts"; then
		info "$arch: FAILED to build with the series (log: $objdir/$arch.warn.log)"
		fail=1
		continue
	fi
	new=$(comm -13 "$objdir/$arch-base.warn" "$objdir/$arch.warn")
	info "$arch: arch/$arch/kvm + virt/kvm, W=1: $(wc -l <"$objdir/$arch-base.warn") warning(s)" \
		"at base, $(grep -c . <<<"$new" || true) new, $(( $(date +%s) - t0 ))s"
	[ -z "$new" ] || { sed 's/^/  new: /' <<<"$new"; fail=1; }
done
[ $fail = 0 ] || die "a cross build failed or the series adds warnings (above)"
info "arm64, s390, powerpc: no new warnings"
