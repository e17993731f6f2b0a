"""Read a repository with the real dnf, in a private installroot so the host is never touched."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .tinyrpm import require_tool


class PrivateDnf:
    def __init__(self, root: Path, repo: Path) -> None:
        self.dnf = require_tool("dnf", "dnf")
        self.root = root
        self.repo = repo
        root.mkdir(parents=True, exist_ok=True)

    def base_args(self) -> list[str]:
        return [
            self.dnf, "-q", "-y", "--releasever=8",
            f"--installroot={self.root}",
            f"--setopt=cachedir={self.root / 'cache'}",
            "--setopt=reposdir=/dev/null",  # logs and persistdir stay inside the installroot
            f"--repofrompath=errata,file://{self.repo}",
            "--repo=errata",
            "--setopt=errata.gpgcheck=1",
            f"--setopt=errata.gpgkey=file://{self.repo / 'RPM-GPG-KEY-smerrata'}",
        ]

    def run(self, *args: str) -> str:
        proc = subprocess.run([*self.base_args(), *args], capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, f"dnf {' '.join(args)} failed: {proc.stderr}"
        return proc.stdout

    def preinstall(self, rpm_file: Path) -> None:
        """Record an older package as installed in the installroot's rpmdb (no files, no scripts)."""
        rpm = require_tool("rpm", "rpm")
        subprocess.run([rpm, "--root", str(self.root), "--justdb", "--nodeps", "--noscripts", "-i", str(rpm_file)],
                       check=True, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
