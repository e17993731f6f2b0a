"""A rebuild with nothing changed answers "up to date" quickly; any changed input rebuilds."""

from __future__ import annotations

import time

import pytest

from .conftest import needs_rpmbuild, run  # noqa: F401 - fixture
from .toy import DEFINITION, Toy

pytestmark = [pytest.mark.timeout(300), pytest.mark.usefixtures("needs_rpmbuild")]

UP_TO_DATE = "up to date:"


def _build(toy: Toy, *extra: str):  # type: ignore[no-untyped-def]
    proc = run(toy.build_command(*extra), toy.env(), toy.checkout)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_unchanged_inputs_are_up_to_date_within_3_seconds(toy: Toy) -> None:
    assert UP_TO_DATE not in _build(toy).stderr
    srpm = toy.results / "SRPMS" / "toy-1.0-1.src.rpm"
    mtime = srpm.stat().st_mtime_ns
    started = time.monotonic()
    second = _build(toy)
    elapsed = time.monotonic() - started
    assert UP_TO_DATE in second.stderr
    assert elapsed <= 3.0
    assert srpm.stat().st_mtime_ns == mtime  # results/ was not touched


@pytest.mark.parametrize(
    "change",
    ["checkout source", "spec", "definition", "pins", "options", "tampered artifact", "force"],
)
def test_any_changed_input_rebuilds(toy: Toy, change: str) -> None:
    _build(toy)
    extra: tuple[str, ...] = ()
    expect_named = None
    if change == "checkout source":
        (toy.checkout / "toy.conf").write_text("# changed\n")
        expect_named = "file:toy.conf"
    elif change == "spec":
        spec = toy.checkout / "sendmail.spec"
        spec.write_text(spec.read_text().replace("- toy build", "- toy build, reworded"))
        expect_named = "spec"
    elif change == "definition":
        (toy.checkout / "patches" / "tls-fallback-to-clear.toml").write_text(DEFINITION.replace('what = "the flag"', 'what = "the new flag"'))
        expect_named = "file:patches/tls-fallback-to-clear.toml"
    elif change == "pins":
        pins = toy.checkout / "upstream.toml"
        pins.write_text(pins.read_text() + "\n# re-reviewed\n")
        expect_named = "file:upstream.toml"
    elif change == "options":
        extra = ("--srpm-only",)
        expect_named = "options"
    elif change == "tampered artifact":
        rpm = next((toy.results / "RPMS").rglob("*.rpm"))
        rpm.write_bytes(rpm.read_bytes() + b"\0")
    else:
        extra = ("--force",)
    again = _build(toy, *extra)
    assert UP_TO_DATE not in again.stderr
    assert "done srpm" in again.stderr
    if expect_named:
        assert expect_named in again.stderr.split("rebuilding: changed ", 1)[1].splitlines()[0]
    # and once rebuilt, the same inputs are up to date again
    assert UP_TO_DATE in _build(toy, *[a for a in extra if a != "--force"]).stderr
