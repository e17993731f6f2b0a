"""`smerrata submit` against a loopback Copr API v3 server, through the real copr client."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from smerrata.errors import ExitCode

from errata.tinyrpm import build_tiny  # tests/ is on sys.path: tests/errata is the package "errata"
from .fake_copr import BUILD_ID, FakeCopr

pytestmark = pytest.mark.timeout(120)

ARCHES = ("x86_64", "aarch64", "ppc64le", "s390x")
CHROOTS = tuple(f"epel-8-{arch}" for arch in ARCHES)
CONFIG = Path(__file__).resolve().parents[2] / "errata.toml"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What Copr would build: the tiny package for each EL8 arch, plus noarch and the SRPM."""
    topdir = tmp_path_factory.mktemp("copr-top")
    build_tiny(topdir, "2", targets=ARCHES)
    return topdir


@pytest.fixture()
def results(built: Path, tmp_path: Path) -> Path:
    """results/ holding only the SRPM, as Copr needs it."""
    results = tmp_path / "results"
    (results / "SRPMS").mkdir(parents=True)
    srpm = next((built / "SRPMS").glob("*.src.rpm"))
    (results / "SRPMS" / srpm.name).write_bytes(srpm.read_bytes())
    return results


def chroot_outputs(built: Path) -> dict[str, list[Path]]:
    noarch = sorted((built / "RPMS" / "noarch").glob("*.rpm"))
    srpm = sorted((built / "SRPMS").glob("*.rpm"))
    return {f"epel-8-{a}": sorted((built / "RPMS" / a).glob("*.rpm")) + noarch + srpm for a in ARCHES}


def copr_config(tmp_path: Path, url: str, token: str) -> Path:
    path = tmp_path / "copr.conf"
    # encrypted = False: the copr client refuses plain-http URLs otherwise, and the test server is loopback http.
    path.write_text(f"[copr-cli]\nlogin = tester\nusername = tester\ntoken = {token}\ncopr_url = {url}\nencrypted = False\n")
    return path


def smerrata_submit(results: Path, client_config: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SMERRATA_COPR_CONFIG": str(client_config), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "smerrata", "submit", "--results", str(results), "--config", str(CONFIG),
         "--poll-interval", "0.05", *extra],
        capture_output=True, text=True, env=env, timeout=100, stdin=subprocess.DEVNULL,
    )


def test_dry_run_prints_exactly_what_the_real_run_sends(built: Path, results: Path, tmp_path: Path) -> None:
    with FakeCopr(chroot_outputs(built)) as fake:
        config = copr_config(tmp_path, fake.url, fake.token)
        dry = smerrata_submit(results, config, "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert fake.requests == [], "--dry-run must not send anything"
        real = smerrata_submit(results, config)
        assert real.returncode == 0, real.stderr

    printed = dry.stdout.splitlines()
    # The upload: same endpoint, same JSON part, same file (name and sha256) as the server received.
    upload = [r for r in fake.requests if r.method == "POST"]
    assert len(upload) == 1
    assert printed[0].startswith(f"POST {fake.url}/api_3/build/create/upload")
    json_line = re.match(r"\s+multipart part json \(application/json\): (.*)$", printed[1])
    file_line = re.match(r"\s+multipart part pkgs \(application/x-rpm\): (.*)$", printed[2])
    assert json_line and file_line
    assert json.loads(json_line.group(1)) == upload[0].json_part
    assert upload[0].json_part["chroots"] == list(CHROOTS)  # type: ignore[index]
    printed_file = json.loads(file_line.group(1))
    assert (printed_file["filename"], printed_file["sha256"]) == (upload[0].file_name, upload[0].file_sha256)

    # Every request the real run sent matches one printed line once {build_id}/{result_url} are filled in.
    templates = []
    for line in printed:
        match = re.match(r"^(GET|POST) (\S+)", line)
        if match:
            pattern = re.escape(match.group(2)).replace(r"\{build_id\}", str(BUILD_ID))
            pattern = pattern.replace(re.escape("{result_url}"), re.escape(fake.url) + r"/results/[^/]+/[^/]+")
            pattern = re.sub(r"\\\{(name|version|release|arch)\\\}", "[^/?]+", pattern)
            templates.append((match.group(1), re.compile(pattern + "$")))
    for request in fake.requests:
        sent = request.path + ("?" + "&".join(f"{k}={v}" for k, v in request.query.items()) if request.query else "")
        assert any(method == request.method and rx.match(fake.url + sent) for method, rx in templates), f"unprinted request {request.method} {sent}"
    assert sum(1 for line in printed if line.startswith("GET ") and "built-packages" in line) == 4


def test_submit_waits_with_progress_and_fetches_rpms_per_arch(built: Path, results: Path, tmp_path: Path) -> None:
    outputs = chroot_outputs(built)
    with FakeCopr(outputs, polls_until_done=3) as fake:
        proc = smerrata_submit(results, copr_config(tmp_path, fake.url, fake.token))
    assert proc.returncode == 0, proc.stderr
    for chroot in CHROOTS:
        for state in ("pending", "running", "succeeded"):
            assert f"build {BUILD_ID} {chroot}: {state}" in proc.stderr
    assert fake.polls == 4  # pending, running, running, succeeded
    for arch in (*ARCHES, "noarch"):
        served = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (built / "RPMS" / arch).glob("*.rpm")}
        fetched = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (results / "RPMS" / arch).glob("*.rpm")}
        assert fetched == served and served
    assert not (results / "RPMS" / "src").exists(), "Copr's rebuilt SRPM must not replace ours"
    assert not list(results.glob(".errata-stage-*"))


def test_failed_chroot_is_one_line_and_fetches_nothing(built: Path, results: Path, tmp_path: Path) -> None:
    with FakeCopr(chroot_outputs(built), failing_chroots={"epel-8-s390x"}) as fake:
        proc = smerrata_submit(results, copr_config(tmp_path, fake.url, fake.token))
    assert proc.returncode == ExitCode.BUILD
    errors = [line for line in proc.stderr.splitlines() if line.startswith("smerrata: error:")]
    assert len(errors) == 1 and "epel-8-s390x=failed" in errors[0], proc.stderr
    assert not (results / "RPMS").exists()


def test_bad_token_is_one_line(built: Path, results: Path, tmp_path: Path) -> None:
    with FakeCopr(chroot_outputs(built)) as fake:
        proc = smerrata_submit(results, copr_config(tmp_path, fake.url, "wrong"))
    assert proc.returncode == ExitCode.INTERNAL
    errors = [line for line in proc.stderr.splitlines() if line.startswith("smerrata: error:")]
    assert len(errors) == 1 and "Login invalid" in errors[0] and "Traceback" not in proc.stderr


def test_bad_chroot_name_is_a_config_error(results: Path, tmp_path: Path) -> None:
    proc = smerrata_submit(results, copr_config(tmp_path, "http://127.0.0.1:9", "x"), "--dry-run", "--chroot", "epel8")
    assert proc.returncode == ExitCode.CONFIG and "epel-8-x86_64" in proc.stderr
