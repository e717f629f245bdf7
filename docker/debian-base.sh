#!/usr/bin/env bash
# Build a minimal Debian image with Python from Debian's packages, without any image registry:
# debootstrap (bookworm, minbase) from the Debian mirror this machine's apt uses, then
# `docker import`. Reused when the tag already exists. It trusts the certificate authorities
# this machine adds in /usr/local/share/ca-certificates (EXTRA_CA_CERTS_DIR).
#   docker/debian-base.sh [TAG]        (default reviewbot-base:bookworm; needs root)
set -euo pipefail

tag=${1:-reviewbot-base:bookworm}
suite=${DEBIAN_SUITE:-bookworm}

if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "debian-base: reusing $tag"
  exit 0
fi

mirror_from_apt() {  # the first Debian archive URL in the apt sources (deb822 or one-line)
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk '/^URIs:/ {for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) {print $i; exit}}' "$file"
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^https?:.*\/debian\/?$/) {print $i; exit}}' "$file"
  done
}

mirror=${DEBIAN_MIRROR:-$(mirror_from_apt | head -n 1)}
if [ -z "$mirror" ]; then
  echo "debian-base: no Debian mirror found in /etc/apt/sources.list*; set DEBIAN_MIRROR" >&2
  exit 1
fi
command -v debootstrap >/dev/null || { echo "debian-base: debootstrap is not installed" >&2; exit 1; }

root=$(mktemp -d "${TMPDIR:-/tmp}/debian-base.XXXXXX")
trap 'rm -rf "$root"' EXIT
echo "debian-base: debootstrap $suite from $mirror"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
  "$suite" "$root" "$mirror" >"$root.log" 2>&1 || { tail -n 30 "$root.log" >&2; exit 1; }
rm -f "$root.log"
# The certificate authorities this machine adds to Debian's (a TLS-inspecting proxy's, say), so
# that the image build reaches PyPI from here as this machine does.
extra_cas=${EXTRA_CA_CERTS_DIR:-/usr/local/share/ca-certificates}
if compgen -G "$extra_cas/*.crt" >/dev/null; then
  cp "$extra_cas"/*.crt "$root/usr/local/share/ca-certificates/"
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot "$root" update-ca-certificates >/dev/null
fi
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
tar -C "$root" --numeric-owner -c . | docker import \
  --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' - "$tag" >/dev/null
echo "debian-base: imported $tag"
