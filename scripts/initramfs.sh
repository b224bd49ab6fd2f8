#!/usr/bin/env bash
# Pack busybox, the selftest binaries of the test lists, the lists and the in-guest runner:
#   initramfs.sh SELFTEST_DIR LIST[,LIST...] OUT.cpio [EXTRA_FILE|EXTRA_DIR...]
# The first list becomes /etc/tests.list, the others keep their names in /etc.
. "$(dirname "$0")/lib.sh"

st=${1:?usage: initramfs.sh SELFTEST_DIR LIST OUT.cpio}
list=${2:?}
out=${3:?}
shift 3
bb=/bin/busybox
[ -x "$bb" ] && file -L "$bb" | grep -q 'statically linked' ||
	die "static busybox not found at $bb: run 'make deps' (busybox-static)"
command -v cpio >/dev/null || die "cpio not found: run 'make deps'"

root=$(mktemp -d "$B/initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,mnt,root,kvm}
cp "$bb" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$TOP/scripts/guest-init.sh" "$root/init"
cp "$TOP/scripts/guest-run-tests.sh" "$root/bin/run-tests"
IFS=, read -ra lists <<<"$list"
cp "${lists[0]}" "$root/etc/tests.list"
for l in "${lists[@]:1}"; do cp "$l" "$root/etc/"; done
chmod +x "$root/init" "$root/bin/run-tests"
while read -r bin; do
	[ -x "$st/$bin" ] || die "test binary $bin is missing from $st: run 'make selftests'"
	mkdir -p "$root/kvm/$(dirname "$bin")"
	cp "$st/$bin" "$root/kvm/$bin"
done < <(list_bins "${lists[@]}")
# The profiler wraps a selftest (tests/bench.list)
mkdir -p "$root/kvm/profile"
cp "$TOP/scripts/guest-profile.sh" "$root/kvm/profile/ftrace"
# Extra files go to /bin; an extra directory (the VMM bundle) is copied over the root.
for f in "$@"; do
	if [ -d "$f" ]; then cp -a "$f/." "$root/"; else cp "$f" "$root/bin/"; fi
done
if awk '!/^[[:space:]]*(#|$)/ && $3 ~ /^vmm\// { f = 1 } END { exit !f }' "${lists[@]}"; then
	[ -x "$root/kvm/vmm/qemu-pam" ] || die "a test list runs vmm/, but no VMM bundle was given"
fi
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
info "initramfs: $out ($(du -h "$out" | cut -f1))"
