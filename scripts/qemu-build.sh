#!/usr/bin/env bash
# Build the patched QEMU out of tree:  qemu-build.sh SRC OBJ
# A minimal static qemu-system-x86_64 (KVM only: no TCG, no GUI, no tools), with ccache.
# Reconfigures when the configure options below change.
. "$(dirname "$0")/lib.sh"

src=$(realpath "${1:?usage: qemu-build.sh SRC OBJ}")
obj=${2:?usage: qemu-build.sh SRC OBJ}
[ -x "$src/configure" ] || die "$src is not a QEMU tree: run 'make qemu-tree'"
command -v ninja >/dev/null && command -v meson >/dev/null || die "ninja/meson not found: run 'make deps'"
mkdir -p "$obj"
obj=$(realpath "$obj")
export CCACHE_BASEDIR=$B CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS=time_macros

opts=(--target-list=x86_64-softmmu --without-default-features --enable-kvm --disable-tcg
	--enable-fdt=system --disable-docs --disable-werror --disable-tools --disable-guest-agent
	--disable-user --enable-system --static --cc="ccache gcc" --cxx="ccache g++")
if [ ! -f "$obj/build.ninja" ] || [ "$(cat "$obj/.workshop-opts" 2>/dev/null)" != "${opts[*]}" ]; then
	info "configuring QEMU in $obj"
	rm -rf "$obj" && mkdir -p "$obj"
	(cd "$obj" && "$src/configure" "${opts[@]}") >"$obj.configure.log" 2>&1 ||
		{ tail -20 "$obj.configure.log"; die "QEMU configure failed: see $obj.configure.log"; }
	echo "${opts[*]}" > "$obj/.workshop-opts"
fi
info "building qemu-system-x86_64 in $obj (cold: about 4 minutes on 2 cores)"
ninja -C "$obj" -j"$JOBS" qemu-system-x86_64 >"$obj.build.log" 2>&1 ||
	{ grep -E 'error|FAILED' "$obj.build.log" | head -20; die "QEMU build failed: see $obj.build.log"; }
strip -o "$obj/qemu-system-x86_64.stripped" "$obj/qemu-system-x86_64"
info "built $obj/qemu-system-x86_64 ($(git -C "$src" describe --always --tags 2>/dev/null), base + $(git -C "$src" rev-list --count base..HEAD) patch(es))"
