"""Sign RPMs with rpmsign and a GPG key, and verify them with `rpm -K` against a private rpmdb.

The keyring is always a GNUPGHOME handed to gpg through the environment and to rpm through
%_gpg_path, so nothing reads or writes the invoking user's ~/.gnupg by accident; a temporary
GNUPGHOME gets its gpg-agent stopped when the key is closed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, HostToolsMissing, PipelineError, VerificationError

EPHEMERAL_UID = "smerrata ephemeral signing key <errata-ci@example.invalid>"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise HostToolsMissing(f"{name} not found on PATH; install it (Debian: apt-get install {package}; EL: dnf install {package})")
    return path


def _run(argv: list[str], env: dict[str, str] | None = None, what: str = "") -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, env=env, text=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=300)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise PipelineError(f"{what or argv[0]} failed (exit {proc.returncode}): {detail[-1] if detail else 'no output'}")
    return proc


@dataclass
class SigningKey:
    fingerprint: str
    gnupghome: Path
    temporary: bool

    def gpg_env(self) -> dict[str, str]:
        return {**os.environ, "GNUPGHOME": str(self.gnupghome)}

    def export_public(self) -> bytes:
        gpg = _tool("gpg", "gnupg")
        proc = subprocess.run([gpg, "--batch", "--armor", "--export", self.fingerprint], env=self.gpg_env(),
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
        if proc.returncode != 0 or b"BEGIN PGP PUBLIC KEY BLOCK" not in proc.stdout:
            raise ConfigError(f"{self.gnupghome}: cannot export public key {self.fingerprint}; check the keyring")
        return proc.stdout

    def close(self) -> None:
        if not self.temporary:
            return
        gpgconf = shutil.which("gpgconf")
        if gpgconf:
            subprocess.run([gpgconf, "--kill", "all"], env=self.gpg_env(), capture_output=True, timeout=30)
        shutil.rmtree(self.gnupghome, ignore_errors=True)

    def __enter__(self) -> "SigningKey":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _private_gnupghome() -> Path:
    # Short path under /tmp: gpg-agent's socket path must stay under ~100 characters.
    home = Path(tempfile.mkdtemp(prefix="smgpg-", dir="/tmp"))
    home.chmod(0o700)
    return home


def _secret_fingerprints(gnupghome: Path) -> list[str]:
    gpg = _tool("gpg", "gnupg")
    proc = _run([gpg, "--batch", "--with-colons", "--list-secret-keys"], env={**os.environ, "GNUPGHOME": str(gnupghome)},
                what="gpg --list-secret-keys")
    fingerprints: list[str] = []
    previous = ""
    for line in proc.stdout.splitlines():
        fields = line.split(":")
        if fields[0] == "fpr" and previous == "sec":
            fingerprints.append(fields[9])
        previous = fields[0] if fields[0] != "grp" else previous
    return fingerprints


def ephemeral_key() -> SigningKey:
    """A throwaway RSA key without passphrase in a temporary GNUPGHOME (CI, tests)."""
    gpg = _tool("gpg", "gnupg")
    home = _private_gnupghome()
    env = {**os.environ, "GNUPGHOME": str(home)}
    try:
        _run([gpg, "--batch", "--passphrase", "", "--quick-gen-key", EPHEMERAL_UID, "rsa3072", "sign", "1d"], env=env,
             what="gpg --quick-gen-key")
        fingerprints = _secret_fingerprints(home)
    except BaseException:
        SigningKey("", home, temporary=True).close()
        raise
    return SigningKey(fingerprint=fingerprints[0], gnupghome=home, temporary=True)


def imported_key(key_file: Path) -> SigningKey:
    """An armored secret key (a CI secret) imported into a temporary GNUPGHOME."""
    gpg = _tool("gpg", "gnupg")
    home = _private_gnupghome()
    env = {**os.environ, "GNUPGHOME": str(home)}
    try:
        proc = subprocess.run([gpg, "--batch", "--import", str(key_file)], env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=60)
        fingerprints = _secret_fingerprints(home)
        if proc.returncode != 0 or len(fingerprints) != 1:
            raise ConfigError(f"{key_file}: expected exactly one armored secret key without passphrase, found {len(fingerprints)}; export it with gpg --armor --export-secret-keys FPR")
    except BaseException:
        SigningKey("", home, temporary=True).close()
        raise
    return SigningKey(fingerprint=fingerprints[0], gnupghome=home, temporary=True)


def configured_key(fingerprint: str) -> SigningKey:
    """A key already in the caller's keyring ($GNUPGHOME or ~/.gnupg)."""
    home = Path(os.environ.get("GNUPGHOME") or Path.home() / ".gnupg")
    available = _secret_fingerprints(home) if home.is_dir() else []
    match = [fpr for fpr in available if fpr.upper().endswith(fingerprint.upper())]
    if not match:
        raise ConfigError(f"{home}: no secret key {fingerprint}; import it (gpg --import) or set GNUPGHOME to the keyring holding it")
    return SigningKey(fingerprint=match[0], gnupghome=home, temporary=False)


def sign_rpms(key: SigningKey, rpms: list[Path]) -> None:
    """rpmsign --addsign in one call; %__gpg is pinned to the gpg on PATH (Debian's rpm expects gpg2)."""
    if not rpms:
        return
    rpmsign = _tool("rpmsign", "rpm")
    gpg = _tool("gpg", "gnupg")
    argv = [
        rpmsign, "--addsign",
        "--define", f"_gpg_name {key.fingerprint}",
        "--define", f"_gpg_path {key.gnupghome}",
        "--define", f"__gpg {gpg}",
        *(str(p) for p in rpms),
    ]
    _run(argv, env=key.gpg_env(), what="rpmsign --addsign")


def verify_rpms(public_key: Path, rpms: list[Path]) -> dict[str, str]:
    """`rpm -K` each RPM against a private rpmdb holding only our public key.

    An unsigned RPM still exits 0 with "digests OK", so the line must say "signatures OK".
    Returns {filename: rpm's verdict line}.
    """
    rpm = _tool("rpm", "rpm")
    verdicts: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="smrpmdb-") as dbpath:
        _run([rpm, "--dbpath", dbpath, "--import", str(public_key)], what="rpm --import")
        for path in rpms:
            proc = subprocess.run([rpm, "--dbpath", dbpath, "-K", str(path)], text=True, capture_output=True,
                                  stdin=subprocess.DEVNULL, timeout=60)
            verdict = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr.strip()
            if proc.returncode != 0 or not verdict.endswith("signatures OK"):
                raise VerificationError(f"{path}: rpm -K says {verdict!r}; the RPM is not signed by {public_key.name}")
            verdicts[path.name] = verdict.split(": ", 1)[-1]
    return verdicts
