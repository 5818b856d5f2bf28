gcsctl_LDLIBS := -ljson-c -lpthread
