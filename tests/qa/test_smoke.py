"""The QA smoke of issue 2: real sendmail binaries against a peer that breaks the TLS handshake.

Verdicts come from what the peer saw and what is left in the queue, never from sendmail's exit
status. Debian's bullseye 8.15.2 shows the bug (and refuses the option); bookworm's 8.17.1.9 and
the patched 8.15.2 fall back to clear text on a second connection in the same run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from smerrata.qa.builds import Build
from smerrata.qa.cell import CellResult, run_cell
from smerrata.qa.certs import CertSet
from smerrata.qa.scenarios import BY_NAME, Mode

pytestmark = [pytest.mark.qa, pytest.mark.timeout(120)]

BREAKS = "alert40"  # 220 to STARTTLS, then a fatal handshake_failure alert


def run(build: Build, scenario: str, mode: Mode, certs: CertSet, out: Path) -> CellResult:
    return run_cell(BY_NAME[scenario], build, mode, certs, out)


def assert_deferred_and_queued(cell: CellResult, out: Path) -> None:
    assert cell.outcome == "deferred", cell.detail
    assert cell.queued, "a deferred message must still be in the queue"
    assert not any(c["message_received"] for c in cell.connections)
    queue_listing = (out / cell.evidence / "queue.out").read_text()
    assert "qa-rcpt@remote.qa.test" in queue_listing, queue_listing  # sendmail -bp agrees with the qf files


def assert_fell_back_to_clear(cell: CellResult) -> None:
    assert cell.outcome == "clear-retry", cell.detail
    first, second = cell.connections
    assert first["starttls_sent"] and not first["tls_established"] and not first["message_received"]
    assert not second["starttls_sent"] and second["message_received"] and second["message_over_tls"] is False
    assert not cell.queued
    assert cell.fallback_seconds is not None and cell.fallback_seconds < 5


def test_debian_8152_shows_the_bug(debian_8152: Build, certs: CertSet, tmp_path: Path) -> None:
    assert_deferred_and_queued(run(debian_8152, BREAKS, Mode.OFF, certs, tmp_path), tmp_path)


def test_debian_8152_refuses_the_option_on_the_command_line(debian_8152: Build, certs: CertSet, tmp_path: Path) -> None:
    cell = run(debian_8152, BREAKS, Mode.ON_CMDLINE, certs, tmp_path)
    assert cell.outcome == "refused" and cell.sendmail_exit == 70, cell.detail
    assert "readcf: unknown option name TLSFallbacktoClear" in cell.detail
    assert cell.connections == []


def test_debian_8152_ignores_the_m4_define(debian_8152: Build, certs: CertSet, tmp_path: Path) -> None:
    cell = run(debian_8152, BREAKS, Mode.ON_M4, certs, tmp_path)
    assert "TLSFallbacktoClear" not in (tmp_path / cell.evidence / "client.cf").read_text()  # 8.15.2's proto.m4 lacks it
    assert_deferred_and_queued(cell, tmp_path)


@pytest.fixture(params=["debian_8179", "patched_build"])
def build_with_option(request: pytest.FixtureRequest) -> Build:
    return request.getfixturevalue(request.param)


def test_option_off_defers(build_with_option: Build, certs: CertSet, tmp_path: Path) -> None:
    assert_deferred_and_queued(run(build_with_option, BREAKS, Mode.OFF, certs, tmp_path), tmp_path)


@pytest.mark.parametrize("mode", [Mode.ON_CMDLINE, Mode.ON_M4])
def test_option_on_delivers_in_clear_on_a_second_connection(build_with_option: Build, mode: Mode, certs: CertSet, tmp_path: Path) -> None:
    cell = run(build_with_option, BREAKS, mode, certs, tmp_path)
    assert_fell_back_to_clear(cell)
    if mode is Mode.ON_M4:
        assert "O TLSFallbacktoClear=True" in (tmp_path / cell.evidence / "client.cf").read_text()


@pytest.mark.parametrize("mode", [Mode.OFF, Mode.ON_CMDLINE, Mode.ON_M4])
def test_healthy_peer_gets_tls_either_way(build_with_option: Build, mode: Mode, certs: CertSet, tmp_path: Path) -> None:
    cell = run(build_with_option, "healthy", mode, certs, tmp_path)
    assert cell.outcome == "tls", cell.detail
    assert len(cell.connections) == 1 and cell.connections[0]["message_over_tls"] is True
    assert any("verify=OK" in line for line in cell.log_lines), "the client verified the test CA's certificate"
