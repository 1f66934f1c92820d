#!/usr/bin/env bash
# Makes the image debian:bookworm-slim locally when it is missing and no registry can be reached:
# mmdebstrap of bookworm (variant minbase) from this machine's configured Debian mirror, then
# `docker import` under that tag. Does nothing when the image exists already (the cache).
# On a machine that can reach Docker Hub this script is not needed: `docker build` pulls it.
#
# Usage: docker/make-base-image.sh [TAG]      (TAG defaults to debian:bookworm-slim)
# Needs root (mmdebstrap's root mode) and the mmdebstrap package (scripts/install-deps.sh).
set -euo pipefail
tag="${1:-debian:bookworm-slim}"
suite=bookworm

if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "make-base-image: $tag exists, nothing to do"
  exit 0
fi

# The mirror(s) this machine's apt uses for Debian: one-line sources.list entries
# ("deb URI SUITE ...") and deb822 .sources files (URIs:/Suites:). The first URI that serves
# $suite is the main mirror; one serving $suite-security is the security mirror.
mirror_for() {  # $1 = suite to look for; prints the first URI that serves it
  local want="$1" f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r "$f" ]] || continue
    awk -v want="$want" '$1 == "deb" {
        i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) == want) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r "$f" ]] || continue
    # deb822: paragraphs separated by blank lines; print the first URI of a paragraph whose
    # Suites contain $want.
    awk -v want="$want" 'BEGIN { RS = ""; FS = "\n" } {
        uris = ""; ok = 0; deb = 0
        for (n = 1; n <= NF; n++) {
          if ($n ~ /^#/) continue
          if ($n ~ /^Types:/ && $n ~ /[ \t]deb([ \t]|$)/) deb = 1
          if ($n ~ /^URIs:/) { split($n, u, /[ \t]+/); uris = u[2] }
          if ($n ~ /^Suites:/) { k = split($n, s, /[ \t]+/); for (j = 2; j <= k; j++) if (s[j] == want) ok = 1 }
        }
        if (deb && ok && uris != "") { print uris; exit } }' "$f"
  done
}
main_mirror="$(mirror_for "$suite" | head -n1)"
security_mirror="$(mirror_for "$suite-security" | head -n1)"
if [[ -z "$main_mirror" ]]; then
  main_mirror=http://deb.debian.org/debian
  echo "make-base-image: no $suite mirror in /etc/apt/sources.list*, using $main_mirror"
fi
sources=("deb $main_mirror $suite main" "deb $main_mirror $suite-updates main")
[[ -n "$security_mirror" ]] && sources+=("deb $security_mirror $suite-security main")
echo "make-base-image: building $tag from: ${sources[*]}"

command -v mmdebstrap >/dev/null || {
  echo "make-base-image: mmdebstrap is missing (scripts/install-deps.sh installs it)" >&2
  exit 1
}
tarball="$(mktemp --suffix=.tar)"
trap 'rm -f "$tarball"' EXIT
# The dpkg excludes are those of Docker's official debian slim images: no docs, man pages or
# locales in a container.
mmdebstrap --variant=minbase --mode=root --format=tar \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
  --aptopt='Acquire::Languages "none"' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
  "$suite" "$tarball" "${sources[@]}"
docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' \
  --message "mmdebstrap $suite minbase from $main_mirror (docker/make-base-image.sh)" \
  "$tarball" "$tag"
echo "make-base-image: $tag made ($(docker image inspect -f '{{.Size}}' "$tag") bytes)"
