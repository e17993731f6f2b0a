"""`smerrata qa` command line: catalogue listing and one-line errors for bad input."""

from __future__ import annotations

import pytest

from smerrata.cli import main
from smerrata.errors import ExitCode
from smerrata.qa.scenarios import CATALOGUE

pytestmark = pytest.mark.timeout(30)


def test_list_prints_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qa", "--list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == [s.name for s in CATALOGUE]


def test_unknown_scenario_is_a_one_line_config_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qa", "--scenarios", "healthy", "no-such-peer"]) == ExitCode.USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no-such-peer" in err[0] and "--list" in err[0]
