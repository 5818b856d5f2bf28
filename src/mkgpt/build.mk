# mkgpt needs zlib for the GPT CRC-32s.
mkgpt_LDLIBS := -lz
