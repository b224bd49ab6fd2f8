// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-hello: prove that KVM works inside the test VM. Creates a VM with one memslot and one
 * vCPU, runs three real-mode instructions (mov $42, %al; out %al, $0x10; hlt) and reports
 * each exit. Exit status 0 only when the guest wrote 42 to port 0x10 and halted.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef KVM_CAP_USER_MEMORY_REGION_LIST
#define KVM_CAP_USER_MEMORY_REGION_LIST 239
#endif

static void die(const char *what)
{
	fprintf(stderr, "kvm-hello: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(void)
{
	static const unsigned char code[] = { 0xb0, 0x2a, 0xe6, 0x10, 0xf4 };
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 0x2 };
	struct kvm_run *run;
	int kvm, vm, vcpu, ok = 0, i;
	long run_size;
	void *mem;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("open /dev/kvm");
	printf("kvm-hello: KVM API version %d, %d memslots per address space\n",
	       ioctl(kvm, KVM_GET_API_VERSION, 0),
	       ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS));

	printf("kvm-hello: KVM_SET_USER_MEMORY_REGION_LIST: %d entries per call%s\n",
	       ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY_REGION_LIST),
	       ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY_REGION_LIST) > 0 ?
	       "" : " (not supported by this kernel)");

	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	memcpy((char *)mem + 0x1000, code, sizeof(code));
	region.memory_size = 0x10000;
	region.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION");

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) || ioctl(vcpu, KVM_SET_REGS, &regs))
		die("KVM_SET_[S]REGS");

	for (i = 0; i < 10; i++) {
		if (ioctl(vcpu, KVM_RUN, 0))
			die("KVM_RUN");
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == 0x10 &&
		    run->io.direction == KVM_EXIT_IO_OUT) {
			unsigned char v = *((unsigned char *)run + run->io.data_offset);

			printf("kvm-hello: guest wrote %u to port 0x10\n", v);
			ok = v == 42;
		} else if (run->exit_reason == KVM_EXIT_HLT) {
			printf("kvm-hello: guest halted\n");
			break;
		} else {
			fprintf(stderr, "kvm-hello: unexpected exit reason %u\n", run->exit_reason);
			return 1;
		}
	}
	printf("kvm-hello: %s\n", ok && i < 10 ? "KVM works in this VM" : "FAILED");
	return ok && i < 10 ? 0 : 1;
}
