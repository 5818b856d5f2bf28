# gcstools is also reachable through links named after its sub-commands.
gcstools_LINKS := tar2vhd vhd2tar exportSandbox remotefs netnscfg

# libarchive is linked statically and its unused code dropped
# (--gc-sections): Debian's libarchive.so needs libxml2, and with it ICU's
# 30 MB data library, for formats (xar) gcstools never reads or writes; that
# alone tripled the initrd. The compression libraries stay shared, named by
# soname because their -dev packages are not needed otherwise.
gcstools_LDLIBS := -Wl,--gc-sections -Wl,-Bstatic -larchive -Wl,-Bdynamic -lext2fs -lcom_err -ljson-c \
	-lz -lbz2 -llzma -l:libzstd.so.1 -l:libnettle.so.8 -l:libacl.so.1 -lpthread
