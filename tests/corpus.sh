# Corpora for the layer-conversion tests and benchmarks (bash; source it).
#
# Each function prints the path of a cached tar, building it on first use.
# They live outside the clone, under $CACHE_DIR/corpus (default
# /var/cache/lcow-guest/corpus), named after what they were made from, so a
# change of input (suite, kernel source package version) makes a new file.
# Building is serialised with flock and published with rename, so concurrent
# callers never see half a corpus. Progress goes to stderr; stdout is the path.
#
#   corpus_debian_minbase   Debian bookworm minbase root (debootstrap), as a
#                           GNU pax tar (--sort=name --numeric-owner --xattrs)
#   corpus_linux_source     the Linux source tree tar from linux-source-6.1
#                           (xz -dc /usr/src/linux-source-6.1.tar.xz)

CORPUS_DIR=${CORPUS_DIR:-${LCOW_CACHE:-/var/cache/lcow-guest}/corpus}

# _corpus_build NAME BUILDER...: runs BUILDER with the temp path as its last
# argument unless $CORPUS_DIR/NAME exists; prints $CORPUS_DIR/NAME.
_corpus_build() {
	local name=$1; shift
	local out="$CORPUS_DIR/$name"
	mkdir -p "$CORPUS_DIR" || return 1
	if [ ! -s "$out" ]; then
		(
			flock 9
			[ -s "$out" ] && exit 0
			local tmp="$out.tmp.$$"
			rm -f "$tmp"
			echo "corpus: building $name (once, cached in $CORPUS_DIR)" >&2
			if ! "$@" "$tmp"; then rm -f "$tmp"; echo "corpus: building $name failed" >&2; exit 1; fi
			mv -f "$tmp" "$out"
		) 9>"$out.lock" || return 1
	fi
	printf '%s\n' "$out"
}

_corpus_make_minbase() { # suite mirror out
	local suite=$1 mirror=$2 out=$3 dir
	dir=$(mktemp -d /var/tmp/lcow-corpus-minbase.XXXXXX) || return 1
	if ! debootstrap --variant=minbase "$suite" "$dir/root" "$mirror" >"$dir.log" 2>&1; then
		tail -n 20 "$dir.log" >&2; rm -rf "$dir" "$dir.log"; return 1
	fi
	# A chroot's apt caches and logs vary run to run; the tree itself is the corpus.
	rm -rf "$dir/root/var/cache/apt/archives/"*.deb "$dir/root/debootstrap"
	tar --sort=name --numeric-owner --format=pax --xattrs --xattrs-include='*' \
		--acls -C "$dir/root" -cf "$out" .
	local rc=$?
	rm -rf "$dir" "$dir.log"
	return $rc
}

corpus_debian_minbase() {
	_corpus_build "debian-bookworm-minbase.tar" _corpus_make_minbase bookworm http://deb.debian.org/debian
}

_corpus_make_linux() { # src out
	xz -T2 -dc "$1" >"$2"
}

corpus_linux_source() {
	local src=/usr/src/linux-source-6.1.tar.xz ver
	[ -f "$src" ] || { echo "corpus: $src missing (package linux-source-6.1)" >&2; return 1; }
	ver=$(dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null) || ver=unknown
	_corpus_build "linux-source-6.1_$ver.tar" _corpus_make_linux "$src"
}
