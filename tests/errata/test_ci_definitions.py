"""The CI definitions in ci/ (and .packit.yaml) call only tox environments that tox.ini defines."""

from __future__ import annotations

import configparser
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PIPELINES = {"gitlab": REPO / "ci" / "gitlab-ci.yml", "github": REPO / "ci" / "github-workflow.yml"}
TOX_CALL = re.compile(r"\btox\s+(?:-[^e\s]\S*\s+)*-e\s*([\w,.-]+)")
REQUIRED_ENVS = {"build", "test", "qa", "errata"}
SECRETS = ("SMERRATA_LOOKASIDE", "SMERRATA_GIT_MIRROR", "SMERRATA_ADVISORY_ID")

pytestmark = pytest.mark.timeout(30)


def tox_envs() -> set[str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(REPO / "tox.ini")
    return {section.split(":", 1)[1] for section in parser.sections() if section.startswith("testenv:")}


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def called_envs(document: Any) -> set[str]:
    return {env for text in strings(document) for match in TOX_CALL.finditer(text) for env in match.group(1).split(",")}


def test_the_env_parser_sees_calls() -> None:
    assert called_envs({"a": ["tox -e build", "x && tox -q -e qa,errata -- --x"]}) == {"build", "qa", "errata"}


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_pipeline_calls_only_defined_tox_envs(name: str) -> None:
    document = yaml.safe_load(PIPELINES[name].read_text())
    called = called_envs(document)
    assert REQUIRED_ENVS <= called, f"{name} does not run {REQUIRED_ENVS - called}"
    assert called <= tox_envs(), f"{name} calls tox envs missing from tox.ini: {called - tox_envs()}"


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_pipeline_keeps_results_and_documents_secrets(name: str) -> None:
    text = PIPELINES[name].read_text()
    document = yaml.safe_load(text)
    paths = [s for s in strings(document) if "results/" in s]
    assert any(p.strip().startswith("results/") and p.strip().rstrip("/") == "results" for p in "\n".join(paths).split()), "results/ is not kept"
    assert any("results/qa" in p for p in paths), "the QA report is not kept"
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    for secret in SECRETS:
        assert secret in header, f"{name}: secret {secret} is not documented"
    assert "signing key" in header


def test_gitlab_jobs_are_in_declared_stages() -> None:
    document = yaml.safe_load(PIPELINES["gitlab"].read_text())
    stages = set(document["stages"])
    jobs = {k: v for k, v in document.items() if isinstance(v, dict) and "script" in v}
    assert jobs and all(job["stage"] in stages for job in jobs.values())


def test_packit_targets_the_el8_chroots() -> None:
    document = yaml.safe_load((REPO / ".packit.yaml").read_text())
    assert called_envs(document) <= tox_envs()
    targets = {t for job in document["jobs"] for t in job["targets"]}
    assert targets == {"epel-8-x86_64", "epel-8-aarch64", "epel-8-ppc64le", "epel-8-s390x"}
