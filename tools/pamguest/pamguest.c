/*
 * pamguest.c - bare-metal guest that makes QEMU re-lay out its KVM memory
 * slots (by toggling the i440FX PAM attribute of the 0xF0000 segment) while
 * the APs keep executing code and checking data in the RAM above 1 MiB.
 *
 * BSP: toggles PAM0 (F segment) between read-write and read-only RAM.
 * APs: write/read back a buffer in .bss, count mismatches and stalls.
 * Output goes to the debug console (port 0xE9); the result is reported
 * through isa-debug-exit (port 0xF4).
 */
#include <stdint.h>

#define MAX_CPUS    16                  /* keep in sync with entry.S */
#define BUF_WORDS   (64 * 1024 / 4)     /* 64 KiB per worker */
#define NCHUNK      8
#define CHUNK_WORDS (BUF_WORDS / NCHUNK)
#define TRAMP_BASE  0x8000
#define LAPIC       0xFEE00000u
#define PIT_HZ      1193182

/* ---- port I/O, TSC ---------------------------------------------------- */
static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* 64/32 division without libgcc: two 32-bit divl steps. */
static uint64_t udiv64(uint64_t n, uint32_t d, uint32_t *rem)
{
    uint32_t hi = n >> 32, lo = (uint32_t)n, qhi = hi / d, r = hi % d, qlo;
    __asm__("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
    if (rem)
        *rem = r;
    return ((uint64_t)qhi << 32) | qlo;
}

/* ---- debug console (port 0xE9) and isa-debug-exit (port 0xF4) ---------- */
static void puts_dbg(const char *s) { while (*s) outb(0xE9, *s++); }

static void putu(uint64_t v)
{
    char b[21];
    int i = 20;
    b[i] = 0;
    do {
        uint32_t r;
        v = udiv64(v, 10, &r);
        b[--i] = '0' + r;
    } while (v);
    puts_dbg(b + i);
}

static void kv(const char *key, uint64_t v) { puts_dbg(key); putu(v); }

static void __attribute__((noreturn)) qemu_exit(uint8_t code)
{
    outb(0xF4, code);           /* QEMU exits with status (code << 1) | 1 */
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* ---- command line: "key=value" words ------------------------------------ */
static const char *find_arg(const char *cmd, const char *key)
{
    for (const char *p = cmd; *p; p++) {
        const char *k = key, *q = p;
        if (p != cmd && p[-1] != ' ')
            continue;
        while (*k && *q == *k)
            k++, q++;
        if (!*k && *q == '=')
            return q + 1;
    }
    return 0;
}

static uint32_t num_arg(const char *cmd, const char *key, uint32_t def)
{
    const char *v = find_arg(cmd, key);
    uint32_t n = 0;
    if (!v)
        return def;
    while (*v >= '0' && *v <= '9')
        n = n * 10 + (*v++ - '0');
    return n;
}

/* ---- timing ------------------------------------------------------------- */
static uint32_t tsc_khz;

/* Count TSC cycles over 10 ms of PIT channel 2 (mode 0, gate via port 0x61). */
static uint32_t calibrate_tsc_khz(void)
{
    uint32_t count = PIT_HZ / 100;
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);     /* gate ch2 on, speaker off */
    outb(0x43, 0xB0);                           /* ch2, lo/hi byte, mode 0 */
    outb(0x42, count & 0xFF);
    outb(0x42, count >> 8);
    uint64_t t0 = rdtsc();
    for (uint32_t n = 0; !(inb(0x61) & 0x20); n++)  /* OUT2 high = done */
        if (n > 100000000)
            return 0;
    return udiv64(rdtsc() - t0, 10, 0);
}

static uint64_t us_to_cycles(uint32_t us)
{
    return (uint64_t)us * (tsc_khz ? tsc_khz / 1000 : 1000);  /* guess 1 GHz */
}

static void delay_us(uint32_t us)
{
    uint64_t end = rdtsc() + us_to_cycles(us);
    while (rdtsc() < end)
        cpu_relax();
}

/* ---- shared state ----------------------------------------------------- */
struct percpu {
    volatile uint32_t started, done, iters, mismatches;
    volatile uint64_t max_stall;
} __attribute__((aligned(64)));

static struct percpu pcpu[MAX_CPUS];
static volatile uint32_t go, stop;
/*
 * Each worker also writes one word to the next page of its own 4 MiB sweep
 * area (from 16 MiB on) per iteration, so that most pages are written rarely:
 * a migration that loses the dirty bit of such a write leaves a stale page at
 * the destination, which a later write does not hide.
 */
#define SWEEP_BASE  0x1000000u
#define SWEEP_PAGES 1024u
/* Worker buffers in .bss, i.e. in the RAM slot starting at 1 MiB. */
static uint32_t bufs[MAX_CPUS][BUF_WORDS] __attribute__((aligned(4096)));

/* ---- worker code spread over 8 pages ---------------------------------- */
/* Each function sits in its own 4 KiB-aligned section, so every worker
 * iteration fetches instructions from 8 different pages above 1 MiB.
 * check=0 writes chunk k of the buffer, check=1 counts wrong words. */
#define TOUCH_FN(k)                                                         \
    __attribute__((noinline, aligned(4096), section(".text.page" #k)))     \
    static uint32_t touch##k(volatile uint32_t *p, uint32_t pat, int check) \
    {                                                                       \
        uint32_t bad = 0;                                                   \
        p += (k) * CHUNK_WORDS;                                             \
        for (uint32_t i = 0; i < CHUNK_WORDS; i++) {                        \
            uint32_t v = pat ^ (i * 0x9E3779B9u) ^ (k);                     \
            if (!check)                                                     \
                p[i] = v;                                                   \
            else if (p[i] != v)                                             \
                bad++;                                                      \
        }                                                                   \
        return bad;                                                         \
    }
TOUCH_FN(0) TOUCH_FN(1) TOUCH_FN(2) TOUCH_FN(3)
TOUCH_FN(4) TOUCH_FN(5) TOUCH_FN(6) TOUCH_FN(7)

static uint32_t (*const touch[NCHUNK])(volatile uint32_t *, uint32_t, int) = {
    touch0, touch1, touch2, touch3, touch4, touch5, touch6, touch7,
};

/* Entered from the trampoline on every AP, on its own stack. */
void __attribute__((noreturn)) ap_main(uint32_t id)
{
    volatile uint32_t *buf = bufs[id];
    volatile uint32_t *sweep = (volatile uint32_t *)(SWEEP_BASE + (id - 1) * SWEEP_PAGES * 4096);
    uint32_t iters = 0, bad = 0;
    uint64_t max_stall = 0, last;

    pcpu[id].started = 1;
    while (!go)
        cpu_relax();
    last = rdtsc();
    while (!stop) {
        uint32_t pat = (iters * 0x01000193u) ^ (id << 24);
        for (int k = 0; k < NCHUNK; k++)
            touch[k](buf, pat, 0);
        for (int k = 0; k < NCHUNK; k++)
            bad += touch[k](buf, pat, 1);
        sweep[(iters % SWEEP_PAGES) * 1024] = iters ^ (id << 24);
        iters++;
        uint64_t now = rdtsc();
        if (now - last > max_stall)
            max_stall = now - last;
        last = now;
    }
    pcpu[id].iters = iters;
    pcpu[id].mismatches = bad;
    pcpu[id].max_stall = max_stall;
    pcpu[id].done = 1;
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* ---- hardware helpers for the BSP -------------------------------------- */
static void lapic_write(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(LAPIC + reg) = v; }
static uint32_t lapic_read(uint32_t reg) { return *(volatile uint32_t *)(LAPIC + reg); }

static void send_ipi(uint32_t apic_id, uint32_t icr_low)
{
    lapic_write(0x310, apic_id << 24);          /* ICR high: destination */
    lapic_write(0x300, icr_low);                /* ICR low: sends the IPI */
    while (lapic_read(0x300) & (1 << 12))       /* delivery pending */
        cpu_relax();
}

/* INIT-SIPI-SIPI; returns 1 once the AP has set its started flag. */
static int start_ap(uint32_t id)
{
    send_ipi(id, 0x4500);                       /* INIT, level assert */
    delay_us(10000);
    for (int i = 0; i < 2 && !pcpu[id].started; i++) {
        send_ipi(id, 0x4600 | (TRAMP_BASE >> 12));  /* STARTUP, vector 0x08 */
        delay_us(200);
    }
    uint64_t end = rdtsc() + us_to_cycles(1000000);
    while (!pcpu[id].started && rdtsc() < end)
        cpu_relax();
    return pcpu[id].started;
}

/* i440FX host bridge 0:0.0, config byte 0x59 = PAM0. Bits 5:4 control the
 * BIOS segment 0xF0000-0xFFFFF: 1 = read-only RAM, 3 = read-write RAM. */
static uint8_t pam0_read(void)
{
    outl(0xCF8, 0x80000058);                    /* bus 0, dev 0, fn 0, dword 0x58 */
    return inb(0xCFC + (0x59 & 3));
}

static void pam0_write(uint8_t v)
{
    outl(0xCF8, 0x80000058);
    outb(0xCFC + (0x59 & 3), v);
}

/* fw_cfg key 0x05 (FW_CFG_NB_CPUS): number of boot CPUs (-smp). */
static uint32_t fw_cfg_cpus(void)
{
    outw(0x510, 0x05);
    return inb(0x511) | (inb(0x511) << 8);
}

static void __attribute__((noreturn)) fail(const char *msg)
{
    puts_dbg("PAMGUEST FAIL ");
    puts_dbg(msg);
    puts_dbg("\n");
    qemu_exit(1);
}

static void __attribute__((noreturn)) fail_ap(uint32_t id, const char *what)
{
    kv("PAMGUEST FAIL ap ", id);
    puts_dbg(what);
    qemu_exit(1);
}

/*
 * Mark the start and the end of the re-layouts for the host: a read of
 * unassigned MMIO exits to QEMU (KVM_EXIT_MMIO from CPU 0) and shows in its
 * trace, so the host can count the memslot ioctls between the two marks.
 */
static void host_mark(void)
{
    (void)*(volatile uint32_t *)0xE0000000;
}

/* ---- BSP -------------------------------------------------------------- */
void __attribute__((noreturn)) bsp_main(uint32_t magic, const uint32_t *mbi)
{
    extern char trampoline_start[], trampoline_end[];
    const char *cmd = "";
    if (magic == 0x2BADB002 && (mbi[0] & 4))    /* info flags: cmdline valid */
        cmd = (const char *)mbi[4];

    uint32_t n = num_arg(cmd, "relayouts", 1000);
    uint32_t seconds = num_arg(cmd, "seconds", 0);
    uint32_t cpus = fw_cfg_cpus();
    cpus = num_arg(cmd, "cpus", cpus >= 1 && cpus <= MAX_CPUS ? cpus : 2);
    const char *mode = find_arg(cmd, "mode");
    if (mode && !(mode[0] == 'p' && mode[1] == 'a' && mode[2] == 'm' &&
                  (mode[3] == ' ' || mode[3] == 0)))
        fail("unknown mode");
    if (cpus < 1 || cpus > MAX_CPUS)
        fail("bad cpus");

    tsc_khz = calibrate_tsc_khz();

    /* Copy the AP trampoline to 0x8000 (volatile: no memcpy call). */
    volatile char *dst = (volatile char *)TRAMP_BASE;
    for (char *s = trampoline_start; s < trampoline_end; s++)
        *dst++ = *s;

    lapic_write(0xF0, lapic_read(0xF0) | 0x100);    /* SVR: APIC enable */
    for (uint32_t id = 1; id < cpus; id++)
        if (!start_ap(id))
            fail_ap(id, " did not start\n");
    kv("PAMGUEST start cpus=", cpus);
    puts_dbg("\n");
    go = 1;

    /* The re-layout loop: flip the F segment between RW and RO RAM. */
    uint8_t orig = pam0_read(), attr = (orig >> 4) & 3;
    uint32_t step = n >= 10 ? n / 10 : 1, done = 0;
    uint64_t sum = 0, maxc = 0, deadline = 0;
    if (seconds && tsc_khz)
        deadline = rdtsc() + (uint64_t)seconds * tsc_khz * 1000;
    host_mark();
    while (done < n) {
        attr = attr == 3 ? 1 : 3;
        uint64_t t0 = rdtsc();
        pam0_write((orig & 0xCF) | (attr << 4));
        uint64_t dt = rdtsc() - t0;
        sum += dt;
        if (dt > maxc)
            maxc = dt;
        done++;
        if (done % step == 0) {
            kv("PAMGUEST progress ", done);
            kv("/", n);
            puts_dbg("\n");
        }
        if (deadline && rdtsc() > deadline)
            break;
    }
    host_mark();
    pam0_write(orig);

    /* Stop the workers and collect their results (bounded wait). */
    stop = 1;
    uint64_t iters = 0, stall = 0, end = rdtsc() + us_to_cycles(10000000);
    uint32_t bad = 0;
    for (uint32_t id = 1; id < cpus; id++) {
        while (!pcpu[id].done)
            if (rdtsc() > end)
                fail_ap(id, " did not report\n");
        iters += pcpu[id].iters;
        bad += pcpu[id].mismatches;
        if (pcpu[id].max_stall > stall)
            stall = pcpu[id].max_stall;
    }

    kv("PAMGUEST relayouts=", done);
    kv(" cpus=", cpus);
    kv(" worker_iters=", iters);
    kv(" mismatches=", bad);
    kv(" relayout_mean_cycles=", done ? udiv64(sum, done, 0) : 0);
    kv(" relayout_max_cycles=", maxc);
    kv(" max_stall_cycles=", stall);
    kv(" tsc_khz=", tsc_khz);
    puts_dbg(bad ? "\nPAMGUEST FAIL\n" : "\nPAMGUEST PASS\n");
    qemu_exit(bad ? 1 : 0);
}
