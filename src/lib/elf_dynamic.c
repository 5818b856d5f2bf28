/* elf_dynamic.c: the bounds-checked ELF reader behind elf_dynamic.h. */
#include "lib/elf_dynamic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

/* True when [off, off+size) lies inside a buffer of `len` bytes. */
static bool in_bounds(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

static void read_ehdr(const uint8_t *p, struct elf64_ehdr *h)
{
	memcpy(h->e_ident, p, 16);
	h->e_type = le16(p + 16);
	h->e_machine = le16(p + 18);
	h->e_version = le32(p + 20);
	h->e_entry = le64(p + 24);
	h->e_phoff = le64(p + 32);
	h->e_shoff = le64(p + 40);
	h->e_flags = le32(p + 48);
	h->e_ehsize = le16(p + 52);
	h->e_phentsize = le16(p + 54);
	h->e_phnum = le16(p + 56);
	h->e_shentsize = le16(p + 58);
	h->e_shnum = le16(p + 60);
	h->e_shstrndx = le16(p + 62);
}

static void read_phdr(const uint8_t *p, struct elf64_phdr *h)
{
	h->p_type = le32(p);
	h->p_flags = le32(p + 4);
	h->p_offset = le64(p + 8);
	h->p_vaddr = le64(p + 16);
	h->p_paddr = le64(p + 24);
	h->p_filesz = le64(p + 32);
	h->p_memsz = le64(p + 40);
	h->p_align = le64(p + 48);
}

/* Maps a virtual address to a file offset through the PT_LOAD segments. */
static int vaddr_to_offset(const uint8_t *buf, const struct elf64_ehdr *eh, uint64_t vaddr, uint64_t *off)
{
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		struct elf64_phdr ph;
		read_phdr(buf + eh->e_phoff + (uint64_t)i * eh->e_phentsize, &ph);
		if (ph.p_type == ELF_PT_LOAD && vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_filesz) {
			*off = ph.p_offset + (vaddr - ph.p_vaddr);
			return 0;
		}
	}
	return err_setmsg(-ENOEXEC, "ELF: address 0x%llx is in no loaded segment", (unsigned long long)vaddr);
}

/* Copies the NUL-terminated string at strtab[idx], all inside the file. */
static int string_at(const uint8_t *buf, size_t len, uint64_t strtab, uint64_t strsz, uint64_t idx, char **out)
{
	if (idx >= strsz || !in_bounds(strtab, strsz, len))
		return err_setmsg(-ENOEXEC, "ELF: string %llu outside the string table", (unsigned long long)idx);
	const char *s = (const char *)buf + strtab + idx;
	const char *nul = memchr(s, '\0', strsz - idx);
	if (!nul)
		return err_setmsg(-ENOEXEC, "ELF: unterminated string in the string table");
	*out = strndup(s, (size_t)(nul - s));
	return *out ? 0 : err_set(-ENOMEM, "ELF: copying a string");
}

static int read_interp(const uint8_t *buf, size_t len, const struct elf64_phdr *ph, struct elf_dynamic_info *out)
{
	if (ph->p_filesz == 0 || !in_bounds(ph->p_offset, ph->p_filesz, len))
		return err_setmsg(-ENOEXEC, "ELF: PT_INTERP outside the file");
	const char *s = (const char *)buf + ph->p_offset;
	size_t n = strnlen(s, (size_t)ph->p_filesz);
	if (n == ph->p_filesz)
		return err_setmsg(-ENOEXEC, "ELF: PT_INTERP is not NUL-terminated");
	free(out->interp);
	out->interp = strndup(s, n);
	return out->interp ? 0 : err_set(-ENOMEM, "ELF: copying the interpreter");
}

static int read_dynamic(const uint8_t *buf, size_t len, const struct elf64_ehdr *eh, const struct elf64_phdr *ph,
			struct elf_dynamic_info *out)
{
	if (!in_bounds(ph->p_offset, ph->p_filesz, len))
		return err_setmsg(-ENOEXEC, "ELF: PT_DYNAMIC outside the file");
	size_t count = (size_t)(ph->p_filesz / sizeof(struct elf64_dyn));
	const uint8_t *dyn = buf + ph->p_offset;
	uint64_t strtab_vaddr = 0, strsz = 0, soname = 0;
	bool have_strtab = false, have_soname = false;
	size_t n_needed = 0;
	for (size_t i = 0; i < count; i++) {
		int64_t tag = (int64_t)le64(dyn + i * 16);
		uint64_t val = le64(dyn + i * 16 + 8);
		if (tag == ELF_DT_NULL)
			break;
		if (tag == ELF_DT_STRTAB)
			strtab_vaddr = val, have_strtab = true;
		else if (tag == ELF_DT_STRSZ)
			strsz = val;
		else if (tag == ELF_DT_SONAME)
			soname = val, have_soname = true;
		else if (tag == ELF_DT_NEEDED)
			n_needed++;
	}
	if (!n_needed && !have_soname)
		return 0;
	if (!have_strtab)
		return err_setmsg(-ENOEXEC, "ELF: dynamic section without DT_STRTAB");
	uint64_t strtab = 0;
	int r = vaddr_to_offset(buf, eh, strtab_vaddr, &strtab);
	if (r < 0)
		return r;
	out->needed = calloc(n_needed ? n_needed : 1, sizeof(char *));
	if (!out->needed)
		return err_set(-ENOMEM, "ELF: %zu needed libraries", n_needed);
	for (size_t i = 0; i < count; i++) {
		int64_t tag = (int64_t)le64(dyn + i * 16);
		uint64_t val = le64(dyn + i * 16 + 8);
		if (tag == ELF_DT_NULL)
			break;
		if (tag == ELF_DT_NEEDED) {
			if ((r = string_at(buf, len, strtab, strsz, val, &out->needed[out->n_needed])) < 0)
				return r;
			out->n_needed++;
		}
	}
	if (have_soname && (r = string_at(buf, len, strtab, strsz, soname, &out->soname)) < 0)
		return r;
	return 0;
}

int elf_read_dynamic(const uint8_t *buf, size_t len, struct elf_dynamic_info *out)
{
	memset(out, 0, sizeof(*out));
	if (len < sizeof(struct elf64_ehdr) || memcmp(buf, "\x7f" "ELF", 4) != 0)
		return err_setmsg(-ENOEXEC, "not an ELF file");
	if (buf[4] != 2 || buf[5] != 1)
		return err_setmsg(-ENOEXEC, "ELF: only 64-bit little-endian files are supported");
	struct elf64_ehdr eh;
	read_ehdr(buf, &eh);
	if (eh.e_phnum && (eh.e_phentsize < sizeof(struct elf64_phdr) ||
			   !in_bounds(eh.e_phoff, (uint64_t)eh.e_phnum * eh.e_phentsize, len)))
		return err_setmsg(-ENOEXEC, "ELF: program headers outside the file");
	int r = 0;
	for (unsigned i = 0; i < eh.e_phnum && r == 0; i++) {
		struct elf64_phdr ph;
		read_phdr(buf + eh.e_phoff + (uint64_t)i * eh.e_phentsize, &ph);
		if (ph.p_type == ELF_PT_INTERP)
			r = read_interp(buf, len, &ph, out);
		else if (ph.p_type == ELF_PT_DYNAMIC && !out->dynamic) {
			out->dynamic = true;
			r = read_dynamic(buf, len, &eh, &ph, out);
		}
	}
	if (r < 0)
		elf_dynamic_info_free(out);
	return r;
}

void elf_dynamic_info_free(struct elf_dynamic_info *info)
{
	for (size_t i = 0; i < info->n_needed; i++)
		free(info->needed[i]);
	free(info->needed);
	free(info->interp);
	free(info->soname);
	memset(info, 0, sizeof(*info));
}
