# Workshop for the KVM_SET_USER_MEMORY_REGION_LIST patch series. 'make help' lists the targets.
SHELL := /bin/bash
B     := build
TREE  := $(B)/linux
KOBJ  := $(B)/kbuild
STOBJ := $(B)/selftests
LIST  := tests/suite.list,tests/fallback.list,tests/bench.list
BZ    := $(KOBJ)/arch/x86/boot/bzImage
S     := scripts
QTREE := $(B)/qemu
QOBJ  := $(B)/qemu-obj
QEMU  := $(QOBJ)/qemu-system-x86_64.stripped
VMM   := $(B)/vmm

.PHONY: help deps tree rebase export kernel selftests initramfs shell vmtest test test-debug bench \
	check-series check-arch checkpatch run clean qemu-tree qemu qemu-export vmm soak
.DEFAULT_GOAL := help

help: ## list the targets
	@awk 'BEGIN { FS = ":.*## " } /^[a-z-]+:.*## / { printf "  make %-13s %s\n", $$1, $$2 }' \
		$(MAKEFILE_LIST)
	@echo "  variables: TESTS=a,b (subset)  VM_CPUS=4  VM_MEM=4G  VM_TIMEOUT=2400  FORCE=1 (tree)"
	@echo "             SOAK_MIN=30  SEED=n  SOAK_CONFIG=debug|kcsan (soak)"

deps: ## install build and run dependencies from Debian's packages (root)
	@$(S)/deps.sh

tree: ## unpack the base into build/linux (git, tag 'base') and apply patches/series
	@mkdir -p $(B) && $(S)/tree.sh $(TREE)

rebase: ## move the series to another base version: make rebase VERSION=6.12.x-y~deb12uz
	@mkdir -p $(B) && $(S)/rebase.sh $(VERSION)

export: ## write build/linux base..HEAD back to patches/ and patches/series
	@$(S)/export.sh $(TREE)

kernel: | $(TREE)/Makefile ## build the test kernel from build/linux (out of tree in build/kbuild, ccache)
	@$(S)/kernel.sh $(TREE) $(KOBJ)

# A fresh clone has no tree yet: make one (never replaces an existing tree).
$(TREE)/Makefile:
	@mkdir -p $(B) && $(S)/tree.sh $(TREE)

selftests: kernel ## headers_install and build the listed KVM selftests, static
	@$(S)/selftests.sh $(TREE) $(KOBJ) $(STOBJ) $(LIST)

initramfs: selftests vmm $(B)/kvm-hello ## pack busybox, the tests, the VMM bundle, the list, the runner
	@$(S)/initramfs.sh $(STOBJ) $(LIST) $(B)/initramfs.cpio $(B)/kvm-hello $(S)/guest-demo.sh \
		$(VMM)

qemu-tree: ## fetch Debian's QEMU source (apt-get source), unpack into build/qemu, apply qemu/patches
	@mkdir -p $(B) && $(S)/qemu-tree.sh $(QTREE)

qemu: | $(QTREE)/configure ## build the patched QEMU from build/qemu (static, KVM only, ccache)
	@$(S)/qemu-build.sh $(QTREE) $(QOBJ)

qemu-export: ## write build/qemu base..HEAD back to qemu/patches/ (QEMU checkpatch must pass)
	@$(S)/qemu-export.sh $(QTREE)

$(QTREE)/configure:
	@mkdir -p $(B) && $(S)/qemu-tree.sh $(QTREE)

vmm: qemu ## the real-VMM scenario: patched and Debian's QEMU, firmware, the PAM guest
	@$(S)/vmm-bundle.sh $(QEMU) $(VMM)

$(B)/kvm-hello: tools/kvm-hello.c
	@mkdir -p $(B) && gcc -O2 -Wall -Wextra -static -o $@ $<

shell: initramfs ## boot the VM from build/linux with an interactive shell (Ctrl-A X quits)
	@$(S)/vm.sh shell $(BZ) $(B)/initramfs.cpio

vmtest: initramfs ## run the test lists in the VM on build/linux (the quick developer loop)
	@$(S)/vm-suite.sh $(BZ) $(B)/initramfs.cpio $(B)/vmtest

checkpatch: ## checkpatch.pl --strict on every patch in patches/
	@$(S)/checkpatch.sh $(TREE)

check-series: ## after each patch, build what it touches: kernel, selftests (pristine tree)
	@mkdir -p $(B)/test && $(S)/tree.sh --pristine $(B)/test/linux && \
		$(S)/check-series.sh $(B)/test/linux $(B)/test/kbuild

check-arch: ## cross-build arch/{arm64,s390,powerpc}/kvm with W=1 at base and with the series
	@mkdir -p $(B)/test && $(S)/tree.sh --pristine $(B)/test/linux && \
		$(S)/check-arch.sh $(B)/test/linux $(B)/check-arch

test: ## everything from a clean clone: deps, pristine tree, checks, kernel, tests in the VM
	@mkdir -p $(B) && $(S)/test.sh

test-debug: ## the VM suite on a KASAN/UBSAN/lockdep/kmemleak kernel (pristine tree)
	@mkdir -p $(B) && $(S)/test-debug.sh

soak: ## SOAK_MIN=30 SEED=n SOAK_CONFIG=debug|kcsan: all memslot tests at once, both MMUs (not in CI)
	@mkdir -p $(B) && $(S)/soak.sh

bench: ## list vs single-slot calls vs pause-all: CSV, ratios, plots in build/bench
	@mkdir -p $(B) && $(S)/deps.sh && $(S)/bench.sh

run: deps initramfs ## boot the patched kernel and show KVM working inside the VM
	@$(S)/vm.sh run $(BZ) $(B)/initramfs.cpio $(B)/console-run.log

clean: ## remove build outputs but keep build/linux (your work)
	rm -rf $(KOBJ) $(STOBJ) $(B)/test $(B)/test-debug $(B)/initramfs.cpio $(B)/kvm-hello \
		$(B)/vmtest $(QOBJ) $(VMM) $(VMM).guest
