#!/usr/bin/env bash
# Assemble the real-VMM scenario for the initramfs:  vmm-bundle.sh PATCHED_QEMU OUTDIR
# OUTDIR/kvm/vmm/ gets the patched QEMU, Debian's own qemu-system-x86_64 (the stock QEMU 7.2,
# with the shared libraries it needs at their paths under OUTDIR), the firmware both use
# (Debian's SeaBIOS and QEMU option ROMs), the PAM guest (tools/pamguest, built into
# OUTDIR.guest) and the scenario script.
. "$(dirname "$0")/lib.sh"

qemu=${1:?usage: vmm-bundle.sh PATCHED_QEMU OUTDIR}
out=${2:?}
stock=/usr/bin/qemu-system-x86_64
[ -x "$qemu" ] || die "$qemu not found: run 'make qemu'"
make -s -C "$TOP/tools/pamguest" O="$(realpath -m "$out.guest")" || die "building tools/pamguest failed"
guest=$out.guest/pamguest.elf
[ -x "$stock" ] || die "$stock not found: run 'make deps' (qemu-system-x86)"
rm -rf "$out" && mkdir -p "$out/kvm/vmm/share"
cp "$qemu" "$out/kvm/vmm/qemu-patched"
cp "$stock" "$out/kvm/vmm/qemu-stock"
ldd "$stock" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | while read -r lib; do
	mkdir -p "$out$(dirname "$lib")"
	cp -L "$lib" "$out$lib"
done
for f in /usr/share/seabios/bios-256k.bin /usr/share/qemu/multiboot_dma.bin \
	/usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/kvmvapic.bin; do
	[ -r "$f" ] || die "$f not found: run 'make deps' (seabios, qemu-system-data)"
	cp -L "$f" "$out/kvm/vmm/share/"
done
cp "$guest" "$out/kvm/vmm/pamguest.elf"
cp "$TOP/scripts/guest-qemu-pam.sh" "$out/kvm/vmm/qemu-pam"
chmod +x "$out/kvm/vmm/qemu-pam"
info "VMM bundle: $(du -sh "$out" | cut -f1) (stock QEMU $(dpkg-query -W -f '${Version}' qemu-system-x86))"
