# gcs uses json-c and pthreads only and is linked statically: no loader,
# no relocations, a smaller resident set (docs/gcs.md "Memory").
gcs_LDLIBS := -ljson-c -lpthread
gcs_STATIC := 1
