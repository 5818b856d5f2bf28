/* boot_stub.c: stands in for /bin/gcs in the boot bench (bench/rootfs_boot.sh).
 *
 * Built static with no C library, so its first instruction runs right
 * after the kernel finishes the exec: it reads CLOCK_MONOTONIC there (the
 * clock init's log lines use), puts "boot-stub: exec done at mono S.US"
 * into the kernel log, and hands over to a shell that waits for init's
 * timeline line and prints the log lines the bench reads. That time is "gcs exec" in the bench's timeline:
 * the point at which init's part of the boot is over. Never shipped. */
#include <linux/time.h>
#include <sys/syscall.h>

static long sys3(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return ret;
}

/* Decimal digits of v, at least `width` of them. */
static char *put_decimal(char *p, unsigned long v, int width)
{
	char digits[24];
	int n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v || n < width);
	while (n)
		*p++ = digits[--n];
	return p;
}

static char *put_text(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

/* The kernel enters with the stack 16-byte aligned, not as after a call. */
__attribute__((force_align_arg_pointer, noreturn)) void _start(void);
void _start(void)
{
	struct timespec now;
	sys3(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&now, 0);
	char line[96], *p = put_text(line, "<6>boot-stub: exec done at mono ");
	p = put_decimal(p, (unsigned long)now.tv_sec, 1);
	*p++ = '.';
	p = put_decimal(p, (unsigned long)now.tv_nsec / 1000, 6);
	*p++ = '\n';
	long kmsg = sys3(SYS_open, (long)"/dev/kmsg", 1 /* O_WRONLY */, 0);
	if (kmsg >= 0)
		sys3(SYS_write, kmsg, (long)line, p - line);
	/* init writes its timeline after the exec, at low priority: wait
	 * (bounded) until it is in the log. */
	static char *const argv[] = { "/bin/sh", "-c",
				      "for i in $(seq 500); do dmesg | grep -q 'init: .*timeline:' && break; sleep 0.01; done; "
				      "dmesg | grep -e 'init: ' -e 'Run /init' -e 'boot-stub: '",
				      0 };
	static char *const envp[] = { "PATH=/sbin:/usr/sbin:/bin:/usr/bin", 0 };
	sys3(SYS_execve, (long)argv[0], (long)argv, (long)envp);
	for (;;)
		sys3(SYS_exit, 127, 0, 0);
}
