#!/usr/bin/env bash
# Installs what the pipeline and its tests need on a Debian 12 host (as root), then tox.
# Idempotent: safe to run before every command.
set -euo pipefail

packages=(
  rpm rpm2cpio   # rpmbuild, rpmsign, rpmspec; rpm2archive (SRPM payloads for drift checks and QA)
  patch          # applies the spec's earlier patches before the backport is generated
  python3-rpm    # rpm bindings used by specfile and rpmlint (through the `rpm` shim on PyPI)
  m4 make gcc libc6-dev
  libdb-dev libsasl2-dev libssl-dev libmilter-dev
  groff-base     # op.me documentation
  gnupg          # signing the errata RPMs
  dnf libsolv-tools  # reading the errata repository with real clients
  createrepo-c
  apt util-linux iproute2 procps openssl
  git ca-certificates xz-utils
  libmagic1
)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check "tox==4.26.0"
