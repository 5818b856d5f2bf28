/* elf_dynamic.h: reads what a program needs from the dynamic loader out of
 * an ELF image in memory: its interpreter (PT_INTERP) and the libraries in
 * its dynamic section (DT_NEEDED), plus DT_SONAME.
 *
 * Pure byte code for 64-bit little-endian ELF (x86-64, arm64): every offset
 * taken from the file is bounds-checked, so a hostile or truncated file
 * gives -ENOEXEC with a reason, never a crash. The layouts are declared
 * once below with explicit little-endian reads (System V gABI, "ELF
 * Header", "Program Header", "Dynamic Section"). */
#ifndef LCOW_ELF_DYNAMIC_H
#define LCOW_ELF_DYNAMIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf64_ehdr {
	uint8_t e_ident[16];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr is 64 bytes");

struct elf64_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr is 56 bytes");

struct elf64_dyn {
	int64_t d_tag;
	uint64_t d_val;
};
_Static_assert(sizeof(struct elf64_dyn) == 16, "Elf64_Dyn is 16 bytes");

enum {
	ELF_PT_LOAD = 1,
	ELF_PT_DYNAMIC = 2,
	ELF_PT_INTERP = 3,
	ELF_DT_NULL = 0,
	ELF_DT_NEEDED = 1,
	ELF_DT_STRTAB = 5,
	ELF_DT_SONAME = 14,
	ELF_DT_STRSZ = 10,
};

struct elf_dynamic_info {
	bool dynamic;  /* has a PT_DYNAMIC segment */
	char *interp;  /* PT_INTERP path, or NULL (static program, library) */
	char *soname;  /* DT_SONAME, or NULL */
	char **needed; /* DT_NEEDED names in file order */
	size_t n_needed;
};

/* Parses `buf`. Returns 0 and fills `out` (release with
 * elf_dynamic_info_free), -ENOEXEC for anything that is not a well-formed
 * 64-bit little-endian ELF file, -ENOMEM. */
int elf_read_dynamic(const uint8_t *buf, size_t len, struct elf_dynamic_info *out);
void elf_dynamic_info_free(struct elf_dynamic_info *info);

#endif
