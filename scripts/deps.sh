#!/usr/bin/env bash
# Installs every Debian package the build and the tests need and that is
# missing. The package lists live in scripts/deps/*.txt, one package per line,
# grouped by the part of the project that needs them.
set -euo pipefail
cd "$(dirname "$0")/deps"

wanted=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' ./*.txt | sort -u)
missing=()
for pkg in $wanted; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$pkg")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all $(echo "$wanted" | wc -w) packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run this script as root" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: installed ${#missing[@]} packages"
