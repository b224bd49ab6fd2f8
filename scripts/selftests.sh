#!/usr/bin/env bash
# Build the KVM selftests named in a test list, statically, from a (patched) tree:
#   selftests.sh SRC KOBJ OUT LIST[,LIST...]
# Headers come from 'make headers_install' of that tree into KOBJ/usr/include.
. "$(dirname "$0")/lib.sh"

src=$(realpath "${1:?usage: selftests.sh SRC KOBJ OUT LIST}")
kobj=$(realpath "${2:?}")
out=${3:?}
list=${4:?}
mkdir -p "$out"
out=$(realpath "$out")
[ -f "$kobj/.config" ] || die "$kobj has no kernel config: run 'make kernel' first"
IFS=, read -ra lists <<<"$list"
for l in "${lists[@]}"; do [ -r "$l" ] || die "test list $l not found"; done
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || die "static glibc (libc6-dev) missing: run 'make deps'"

export CCACHE_BASEDIR=$B CCACHE_NOHASHDIR=1
make -s -C "$src" O="$kobj" ARCH=x86_64 headers_install >/dev/null ||
	die "headers_install failed"

# Unique binaries of the list (third column onward is the command; its first word the binary).
mapfile -t bins < <(list_bins "${lists[@]}")
[ ${#bins[@]} -gt 0 ] || die "no tests in $list"
info "building ${#bins[@]} KVM selftest(s) into $out"
targets=()
for b in "${bins[@]}"; do targets+=("$out/$b"); done
make -s -C "$src/tools/testing/selftests/kvm" -j"$JOBS" OUTPUT="$out" \
	CC="ccache gcc" EXTRA_CFLAGS=-static KHDR_INCLUDES="-isystem $kobj/usr/include" \
	"${targets[@]}" >"$out/build.log" 2>&1 || {
	grep -E 'error|Error' "$out/build.log" | head -20 >&2
	die "selftest build failed (log: $out/build.log)"
}
for t in "${targets[@]}"; do
	[ -x "$t" ] || die "selftest $t was not built"
	file "$t" 2>/dev/null | grep -q 'statically linked' || die "$t is not statically linked"
done
info "selftests: ${bins[*]}"
