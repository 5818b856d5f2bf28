# source.sh: the unpacked Debian linux-source-6.1 tree, shared by
# gen-config.sh and build.sh (sourced, not run).
#
# The tarball from the linux-source-6.1 package is unpacked once per package
# version into $KERNEL_CACHE/src/VERSION/ (outside the clone; builds are out
# of tree with O=, so the tree stays pristine and can be shared).
KERNEL_CACHE=${LCOW_CACHE:-/var/cache/lcow-guest}/kernel
KERNEL_TARBALL=${KERNEL_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
KERNEL_PACKAGE=linux-source-6.1

kernel_log() { echo "kernel: $*" >&2; }
kernel_die() { echo "kernel: error: $*" >&2; exit 1; }

# Prints the installed source package version (part of every cache key).
kernel_source_version() {
	dpkg-query -W -f='${Version}' "$KERNEL_PACKAGE" 2>/dev/null ||
		kernel_die "$KERNEL_PACKAGE is not installed (scripts/deps.sh installs it)"
}

# Sets KERNEL_SRC to the unpacked tree, unpacking it first if needed.
kernel_source_tree() {
	local version dir
	version=$(kernel_source_version)
	[ -r "$KERNEL_TARBALL" ] || kernel_die "$KERNEL_TARBALL not found"
	dir="$KERNEL_CACHE/src/$version"
	KERNEL_SRC="$dir/linux-source-6.1"
	[ -f "$dir/.unpacked" ] && return 0
	mkdir -p "$KERNEL_CACHE/src"
	(
		flock 9
		[ -f "$dir/.unpacked" ] && exit 0
		kernel_log "unpacking $KERNEL_TARBALL ($version) into $dir"
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
		tar -xJf "$KERNEL_TARBALL" -C "$dir.tmp" || exit 1
		[ -f "$dir.tmp/linux-source-6.1/Makefile" ] || { echo "kernel: unexpected tarball layout" >&2; exit 1; }
		rm -rf "$dir" && mv "$dir.tmp" "$dir" && touch "$dir/.unpacked"
	) 9>"$KERNEL_CACHE/src/.lock" || kernel_die "unpacking the kernel source failed"
}
