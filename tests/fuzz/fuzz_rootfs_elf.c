/* Fuzz target: the ELF dynamic-section reader (src/lib/elf_dynamic.h) must
 * reject or parse any byte string without reading out of bounds. */
#include <stddef.h>
#include <stdint.h>

#include "lib/elf_dynamic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_dynamic_info info;
	if (elf_read_dynamic(data, size, &info) == 0)
		elf_dynamic_info_free(&info);
	return 0;
}
