#!/usr/bin/env bash
# Out-of-tree build of the test kernel:  kernel.sh SRC OBJ [FRAGMENT...]
# Config = tinyconfig + fragments (default configs/kvm-test.config), regenerated when a
# fragment is newer than OBJ/.config. Uses ccache; EXTRA_MAKEFLAGS (e.g. W=1) is passed on.
. "$(dirname "$0")/lib.sh"

src=$(realpath "${1:?usage: kernel.sh SRC OBJ [FRAGMENT...]}")
obj=${2:?usage: kernel.sh SRC OBJ [FRAGMENT...]}
shift 2
frags=("$@")
[ ${#frags[@]} -gt 0 ] || frags=("$TOP/configs/kvm-test.config")
[ -f "$src/Makefile" ] || die "$src is not a kernel tree: run 'make tree'"
mkdir -p "$obj"
obj=$(realpath "$obj")

command -v ccache >/dev/null || die "ccache not found: run 'make deps'"
# Paths relative to build/ make the dev and pristine trees share cache entries.
export CCACHE_BASEDIR=$B CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS=time_macros
export KBUILD_BUILD_TIMESTAMP='1970-01-01' KBUILD_BUILD_USER=workshop KBUILD_BUILD_HOST=workshop
kmake() { make -s -C "$src" O="$obj" ARCH=x86_64 CC="ccache gcc" HOSTCC="ccache gcc" "$@"; }

stale=0
[ -f "$obj/.config" ] || stale=1
for f in "${frags[@]}"; do
	[ -r "$f" ] || die "config fragment $f not found"
	[ "$f" -nt "$obj/.config" ] && stale=1
done
if [ $stale = 1 ]; then
	info "configuring $obj from tinyconfig + ${frags[*]##*/}"
	kmake tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${frags[@]}" >"$obj/merge.log"
	kmake olddefconfig
	# Kconfig silently drops options whose dependencies are missing: catch that here. A later
	# fragment overrides an earlier one, so only the last value of each option is checked.
	bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=n) want="# ${line%=n} is not set"; alt=absent ;;
		CONFIG_*=*) want=$line; alt= ;;
		*) continue ;;
		esac
		if ! grep -qx -- "$want" "$obj/.config"; then
			[ "$alt" = absent ] && ! grep -q "^${line%=n}=" "$obj/.config" && continue
			warn "config: wanted '$line', got '$(grep -E "(^| )${line%%=*}[= ]" "$obj/.config" || echo unset)'"
			bad=1
		fi
	done < <(cat "${frags[@]}" | grep '^CONFIG_' | tac | awk -F= '!seen[$1]++' | tac)
	[ $bad = 0 ] || { rm -f "$obj/.config"; die "config fragment not satisfied (see above)"; }
fi

info "building bzImage in $obj (${JOBS} jobs${EXTRA_MAKEFLAGS:+, $EXTRA_MAKEFLAGS})"
rc=0
# shellcheck disable=SC2086
kmake -j"$JOBS" ${EXTRA_MAKEFLAGS:-} bzImage >"$obj/build.log" 2>&1 || rc=$?
grep -E 'warning:|error:|Error ' "$obj/build.log" || true
[ $rc -eq 0 ] || die "kernel build failed (log: $obj/build.log)"
info "kernel: $obj/arch/x86/boot/bzImage ($(make -s -C "$src" kernelversion))"
