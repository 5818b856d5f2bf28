# gcs uses json-c and pthreads only (keeps its resident set small).
gcs_LDLIBS := -ljson-c -lpthread
