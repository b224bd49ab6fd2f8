/*
 * entry.S - Multiboot v1 header, BSP entry point and the AP real-mode
 * trampoline of the PAM re-layout guest (see pamguest.c).
 */

#define MAX_CPUS    16          /* keep in sync with pamguest.c */
#define STACK_SHIFT 14          /* 16 KiB stack per CPU */
#define STACK_SIZE  (1 << STACK_SHIFT)

#define MB_MAGIC    0x1BADB002
#define MB_FLAGS    0           /* ELF kernel: no address fields needed */

/* The trampoline is copied to TRAMP_BASE (below 1 MiB, not PAM-controlled)
 * and runs there, so addresses inside it are computed relative to it. */
#define TRAMP_BASE  0x8000
#define TRAMP(x)    ((x) - trampoline_start + TRAMP_BASE)

        .section .multiboot, "a"
        .align 4
        .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

        .text
        .code32
        .globl _start
_start:                         /* eax = multiboot magic, ebx = info */
        cli
        lgdt gdt_desc           /* our own flat GDT */
        ljmp $0x08, $1f
1:      movw $0x10, %cx
        movw %cx, %ds
        movw %cx, %es
        movw %cx, %fs
        movw %cx, %gs
        movw %cx, %ss
        movl $(stacks + STACK_SIZE), %esp   /* BSP (APIC id 0) uses slot 0 */
        pushl %ebx
        pushl %eax
        call bsp_main           /* bsp_main(magic, info), does not return */
2:      cli
        hlt
        jmp 2b

/*
 * AP trampoline. A STARTUP IPI with vector TRAMP_BASE >> 12 starts the AP in
 * real mode at CS:IP = 0x0800:0000. Load the GDT, enable protection, then
 * pick the per-CPU stack from the local APIC id and call ap_main(apic_id).
 */
        .align 16
        .globl trampoline_start, trampoline_end
        .code16
trampoline_start:
        cli
        xorw %ax, %ax
        movw %ax, %ds
        lgdtl TRAMP(tramp_gdtr)
        movl %cr0, %eax
        orl $1, %eax            /* CR0.PE */
        movl %eax, %cr0
        ljmpl $0x08, $TRAMP(tramp32)

        .code32
tramp32:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %fs
        movw %ax, %gs
        movw %ax, %ss
        movl 0xFEE00020, %eax   /* xAPIC ID register, id in bits 31:24 */
        shrl $24, %eax
        cmpl $MAX_CPUS, %eax
        jae 3f
        leal 1(%eax), %ebx      /* stack top = stacks + (id + 1) * STACK_SIZE */
        shll $STACK_SHIFT, %ebx
        leal stacks(%ebx), %esp
        pushl %eax
        movl $ap_main, %ecx     /* absolute call: we run at a different address */
        call *%ecx
3:      cli
        hlt
        jmp 3b

        .align 4
tramp_gdtr:                     /* 32-bit base: the GDT lives above 1 MiB */
        .word gdt_end - gdt - 1
        .long gdt
trampoline_end:

        .section .rodata
        .align 8
gdt:
        .quad 0
        .quad 0x00CF9A000000FFFF        /* 0x08: flat 32-bit code */
        .quad 0x00CF92000000FFFF        /* 0x10: flat 32-bit data */
gdt_end:
gdt_desc:
        .word gdt_end - gdt - 1
        .long gdt

        .section .bss
        .align 16
        .globl stacks
stacks:
        .skip MAX_CPUS * STACK_SIZE

        .section .note.GNU-stack, "", @progbits
