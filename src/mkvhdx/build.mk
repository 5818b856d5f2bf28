# mkvhdx hashes the raw image (OpenSSL's libcrypto) to derive its GUIDs.
mkvhdx_LDLIBS := -lcrypto
