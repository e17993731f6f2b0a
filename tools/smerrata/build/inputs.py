"""The build's input key: one hash over everything that can change what `smerrata build` makes.

A rebuild with nothing changed takes a minute of rpmbuild for byte-identical output, so the
pipeline records this key in build-report.json and, when results/ already holds a build for the
same key whose artifacts still hash to what the report says, answers "up to date" at once.

What goes in: the spec and every file it names from the checkout, upstream.toml and the
`sources` file (pins: they fix the release tarballs, the Debian patch and, through them, the
trees the backport is generated from), every feature definition and recorded resolution under
patches/, the rpmlintrc, the mock config, this tool's version and its build/backport code, the
host's rpm version, and the build options. The pinned upstream bytes are not re-read: the pins
name them by checksum or tree id, and the provider chain refuses anything else.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from .. import __version__

KEY_FIELD = "inputs_key"
_PACKAGE = Path(__file__).resolve().parent.parent


def _file_digest(path: Path) -> str:
    if not path.is_file():
        return "absent"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tool_code_digest() -> str:
    """The code that turns inputs into a patch and packages: a changed rule must rebuild."""
    digest = hashlib.sha256()
    for sub in ("build", "backport", "spec", "sources"):
        for path in sorted((_PACKAGE / sub).glob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _rpm_version(rpm: str = "rpm") -> str:
    try:
        return subprocess.run([rpm, "--version"], capture_output=True, text=True, check=False, timeout=30).stdout.strip()
    except OSError:
        return "absent"


def inputs_key(root: Path, spec_path: Path, checkout_files: list[str], backend: str, options: dict[str, object],
               extra_files: list[Path]) -> tuple[str, dict[str, str]]:
    """(key, itemised digests); the items go into the report so a rebuild can say what changed."""
    items: dict[str, str] = {
        "smerrata": __version__,
        "smerrata-code": _tool_code_digest(),
        "rpm": _rpm_version(),
        "backend": backend,
        "options": json.dumps(options, sort_keys=True),
        "spec": _file_digest(spec_path),
    }
    for name in ("upstream.toml", "sources", *checkout_files):
        items[f"file:{name}"] = _file_digest(root / name)
    patches = root / "patches"
    if patches.is_dir():
        for path in sorted(p for p in patches.rglob("*") if p.is_file()):
            items[f"file:{path.relative_to(root)}"] = _file_digest(path)
    for path in extra_files:
        items[f"file:{path}"] = _file_digest(path)
    key = hashlib.sha256(json.dumps(items, sort_keys=True).encode()).hexdigest()
    return key, items


def verified_build(results: Path, key: str) -> bool:
    """True when results/ is a complete build for `key`: the report names the key and every
    SRPM/RPM it lists is on disk with the recorded sha256."""
    report_path = results / "build-report.json"
    try:
        report = json.loads(report_path.read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(report, dict) or report.get(KEY_FIELD) != key:
        return False
    srpm = report.get("srpm") or {}
    artifacts = [(results / "SRPMS" / str(srpm.get("file", "")), srpm.get("sha256"))]
    artifacts += [(results / str(rpm.get("path", "")), rpm.get("sha256")) for rpm in report.get("rpms", [])]
    return all(path.is_file() and _file_digest(path) == digest for path, digest in artifacts)


def changed_items(results: Path, items: dict[str, str]) -> list[str]:
    """Which inputs differ from the build in results/ (for the "rebuilding because" line)."""
    try:
        previous = json.loads((results / "build-report.json").read_text()).get("inputs", {})
    except (OSError, ValueError, AttributeError):
        return []
    return sorted(name for name in set(items) | set(previous) if items.get(name) != previous.get(name))
