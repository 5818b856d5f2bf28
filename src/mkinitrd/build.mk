# mkinitrd writes the gzip-compressed initramfs with zlib.
mkinitrd_LDLIBS := -lz
