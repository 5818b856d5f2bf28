# The LCOW kernel (kernel/README.md): out/vmlinuz (EFI-stub bzImage) and
# out/vmlinux, built by kernel/build.sh from kernel/lcow.config and cached
# under /var/cache/lcow-guest/kernel, so an unchanged config costs nothing.
.PHONY: kernel kernel-config
IMAGE_PARTS += kernel

kernel:
	@kernel/build.sh --out $(OUT)

# Regenerates kernel/lcow.config from kernel/lcow.fragment.
kernel-config:
	@kernel/gen-config.sh
