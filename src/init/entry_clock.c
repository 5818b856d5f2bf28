/* entry_clock.c: init's ELF entry point (see entry_clock.h). x86-64: the
 * system call clobbers only rax, rcx, r11 and the two argument registers;
 * rdx (the exit function the ABI hands _start) and rsp are untouched. */
#include "init/entry_clock.h"

#include <sys/syscall.h>
#include <unistd.h>

struct timespec init_entry_time;

void init_timeline_now(struct timespec *ts)
{
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ts);
}

#ifndef __x86_64__
#error "init_entry is written for x86-64, the architecture of the LCOW kernel (kernel/lcow.config)"
#endif

#define STR_(x) #x
#define STR(x) STR_(x)

__asm__(".text\n"
	".globl init_entry\n"
	".type init_entry, @function\n"
	"init_entry:\n"
	"	mov $" STR(SYS_clock_gettime) ", %eax\n"
	"	mov $" STR(CLOCK_MONOTONIC) ", %edi\n"
	"	lea init_entry_time(%rip), %rsi\n"
	"	syscall\n"
	"	jmp _start\n"
	".size init_entry, .-init_entry\n");
