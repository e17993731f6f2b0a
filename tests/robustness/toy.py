"""A toy checkout the whole `smerrata build` pipeline runs on, in seconds, without sendmail.

Written for these tests (no upstream code): a two-file C program in two "releases" (1.0 the
base, 2.0 the donor that added a feature flag), pinned in a toy upstream.toml and served from a
flat lookaside directory; a toy "Debian" packaging tarball carrying the compat patch the
pipeline applies as Patch1; a feature definition the real backport engine ports from 2.0 onto
1.0; and a small spec. The CLI reaches it through SMERRATA_REPO, so every step (provider chain,
verification, backport engine, rpmbuild, staging, lock, publish) is the real one.

Set TOY_BUILD_SLEEP=<seconds> to make %build wait, to interrupt a build half-way.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import os
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

MTIME = 1_700_000_000

BASE_C = """\
/* toy program, release 1.0 */
#include <stdio.h>

int verbose;

int
main(void)
{
\tprintf("hello %d\\n", verbose);
\treturn 0;
}
"""

DONOR_C = """\
/* toy program, release 2.0 */
#include <stdio.h>

int verbose;
int fallback_clear;

int
main(void)
{
\tprintf("hello %d\\n", verbose);
\treturn 0;
}
"""

# Patch1 (what the Debian OpenSSL patch is for sendmail): edits the base before the backport.
COMPAT_PATCH = """\
--- a/hello.c
+++ b/hello.c
@@ -1,4 +1,4 @@
-/* toy program, release 1.0 */
+/* toy program, release 1.0 (compat) */
 #include <stdio.h>
 
 int verbose;
"""

DEFINITION = """\
[feature]
id = "toy-fallback"
patch_name = "toy-feature.patch"
subject = "Add the fallback_clear flag"
author = "Test <test@localhost.invalid>"
date = "Thu, 03 Dec 2026 00:00:00 +0000"
resolves = "rhbz#1"
default_donor = "2.0"
donors = ["2.0"]
base = "1.0"
description = "Port the toy flag."

[coverage]
symbols = ['\\bfallback_clear\\b']
files = ["hello.c"]

[[change]]
id = "global"
what = "the flag"
file = "hello.c"
select = { match = '^int fallback_clear;' }
anchor = { after = '^int verbose;' }
"""

SPEC = """\
%global debug_package %{nil}
Name: toy
Version: 1.0
Release: 1%{?dist}
Summary: Toy package for smerrata robustness tests
License: MIT
Source0: toy-1.0.tar.gz
Source1: toy.conf
Patch1: toy-compat.patch
Patch100: toy-feature.patch

%description
A toy package.

%prep
%autosetup -p1

%build
sleep ${TOY_BUILD_SLEEP:-0}
gcc -O1 -o toy-hello hello.c

%install
install -D -m 0755 toy-hello %{buildroot}%{_bindir}/toy-hello
install -D -m 0644 %{SOURCE1} %{buildroot}%{_sysconfdir}/toy.conf

%files
%{_bindir}/toy-hello
%config(noreplace) %{_sysconfdir}/toy.conf

%changelog
* Thu Dec 03 2026 Test <test@localhost.invalid> - 1.0-1
- toy build
"""


def tarball_bytes(files: dict[str, str]) -> bytes:
    """A deterministic .tar.gz of {path: text}."""
    raw = io.BytesIO()
    import gzip

    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as zipped:
        with tarfile.open(fileobj=zipped, mode="w", format=tarfile.GNU_FORMAT) as tar:
            for name in sorted(files):
                data = files[name].encode()
                entry = tarfile.TarInfo(name)
                entry.size, entry.mtime, entry.mode = len(data), MTIME, 0o644
                tar.addfile(entry, io.BytesIO(data))
    return raw.getvalue()


def debian_tarball_bytes(files: dict[str, str]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name in sorted(files):
            data = files[name].encode()
            entry = tarfile.TarInfo(name)
            entry.size, entry.mtime, entry.mode = len(data), MTIME, 0o644
            tar.addfile(entry, io.BytesIO(data))
    return lzma.compress(raw.getvalue())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Toy:
    checkout: Path
    lookaside: Path
    cache: Path
    tmp: Path  # TMPDIR for the run: the fixed rpmbuild tree lives there, not in the shared /tmp

    @property
    def results(self) -> Path:
        return self.checkout / "results"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.tmp),
            "TMPDIR": str(self.tmp),
            "SMERRATA_REPO": str(self.checkout),
            "SMERRATA_LOOKASIDE": str(self.lookaside),
            "SMERRATA_CACHE": str(self.cache),
            "SMERRATA_NO_DEBIAN": "1",
            "SMERRATA_CONFIG": str(self.tmp / "no-config.toml"),
            "LC_ALL": "C.UTF-8",
            "COLUMNS": "400",  # one error line stays one line
        }
        env.update(extra)
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "smerrata", *args]

    def build_command(self, *extra: str) -> list[str]:
        return self.command("build", "--backend", "rpmbuild", "--donor", "2.0", "--no-lint", *extra)


def pins_toml(base: bytes, donor: bytes, debian: bytes, base_size: int | None = None, base_topdir: str = "toy-1.0") -> str:
    return f"""\
[release."1.0"]
role = "base"
tarball = "toy-1.0.tar.gz"
topdir = "{base_topdir}"
size = {base_size if base_size is not None else len(base)}
sha256 = "{sha256(base)}"

[release."2.0"]
role = "donor"
tarball = "toy-2.0.tar.gz"
topdir = "toy-2.0"
sha256 = "{sha256(donor)}"

[debfile."openssl-1.1.patch"]
debian_source = "toy"
debian_version = "1.0-1"
debian_suite = "bookworm"
archive = "toy_1.0-1.debian.tar.xz"
archive_sha256 = "{sha256(debian)}"
member = "debian/patches/compat.patch"
sha256 = "{sha256(COMPAT_PATCH.encode())}"
output = "toy-compat.patch"
"""


def make_toy(root: Path) -> Toy:
    checkout, lookaside, cache, tmp = root / "checkout", root / "lookaside", root / "cache", root / "tmp"
    for directory in (checkout / "patches", lookaside, tmp):
        directory.mkdir(parents=True)
    base = tarball_bytes({"toy-1.0/hello.c": BASE_C})
    donor = tarball_bytes({"toy-2.0/hello.c": DONOR_C})
    debian = debian_tarball_bytes({"debian/patches/compat.patch": COMPAT_PATCH})
    (lookaside / "toy-1.0.tar.gz").write_bytes(base)
    (lookaside / "toy-2.0.tar.gz").write_bytes(donor)
    (lookaside / "toy_1.0-1.debian.tar.xz").write_bytes(debian)
    (checkout / "upstream.toml").write_text(pins_toml(base, donor, debian))
    (checkout / "sendmail.spec").write_text(SPEC)
    (checkout / "toy.conf").write_text("# toy configuration\n")
    (checkout / "sendmail.rpmlintrc").write_text("# no filters\n")
    (checkout / "patches" / "tls-fallback-to-clear.toml").write_text(DEFINITION)
    return Toy(checkout, lookaside, cache, tmp)


def cache_files(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file()) if cache.exists() else []
