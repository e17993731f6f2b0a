"""The real submission through the pinned `copr` client: upload, wait with progress, fetch RPMs."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from copr.v3 import Client, config_from_file
from copr.v3.exceptions import CoprException

from ..console import info, stage
from ..errata.publish import staging
from ..errors import BuildError, ConfigError, PipelineError, StorageError
from .settings import CoprSettings

TERMINAL_STATES = {"succeeded", "failed", "canceled", "skipped", "forked"}


@dataclass(frozen=True)
class FetchedRpm:
    chroot: str
    arch: str
    path: Path


def copr_config(settings: CoprSettings) -> dict[str, Any]:
    where = str(settings.client_config) if settings.client_config else "~/.config/copr"
    try:
        config: dict[str, Any] = config_from_file(str(settings.client_config) if settings.client_config else None)
    except CoprException as exc:
        raise ConfigError(f"{where}: {exc}; fix the copr client config ([copr-cli] login, token, copr_url)") from exc
    return config


def make_client(settings: CoprSettings) -> Client:
    config = copr_config(settings)
    if not config.get("token") and not config.get("gssapi"):
        raise ConfigError(
            f"{settings.client_config or '~/.config/copr'}: no Copr credentials; put login/token from "
            f"{config.get('copr_url')}/api/ into it (or set SMERRATA_COPR_CONFIG)"
        )
    return Client(config)


def _call(what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except CoprException as exc:
        raise PipelineError(f"Copr {what} failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc


def wait_for_build(client: Client, build_id: int, settings: CoprSettings) -> dict[str, str]:
    """Poll until every chroot ends; print each chroot's state when it changes."""
    deadline = time.monotonic() + settings.timeout
    seen: dict[str, str] = {}
    while True:
        build = _call("build status", client.build_proxy.get, build_id)
        chroots = _call("build-chroot list", client.build_chroot_proxy.get_list, build_id)
        for entry in chroots:
            if seen.get(entry.name) != entry.state:
                seen[entry.name] = entry.state
                info(f"  build {build_id} {entry.name}: {entry.state}")
        if build.state in TERMINAL_STATES:
            return seen
        if time.monotonic() > deadline:
            raise BuildError(f"Copr build {build_id} still {build.state} after {settings.timeout:g} s; raise [submit.copr] timeout or check the build page")
        time.sleep(settings.poll_interval)


def _download(url: str, target: Path) -> None:
    with requests.get(url, stream=True, timeout=300) as response:
        if response.status_code != 200:
            raise PipelineError(f"{url}: download failed with HTTP {response.status_code}; check the build's result directory")
        with target.open("wb") as handle:
            for chunk in response.iter_content(chunk_size=1 << 20):
                handle.write(chunk)


def fetch_results(client: Client, build_id: int, settings: CoprSettings, results: Path) -> list[FetchedRpm]:
    """Download every binary RPM into a staging tree, then move them into results/RPMS/<arch>."""
    fetched: list[FetchedRpm] = []
    with staging(results) as scratch:
        for chroot in settings.chroots:
            detail = _call("build-chroot", client.build_chroot_proxy.get, build_id, chroot)
            built = _call("built-packages", client.build_chroot_proxy.get_built_packages, build_id, chroot)
            for pkg in built["packages"]:
                if pkg["arch"] == "src":
                    continue  # our SRPM is the source of truth; Copr's rebuilt one is not fetched
                filename = f"{pkg['name']}-{pkg['version']}-{pkg['release']}.{pkg['arch']}.rpm"
                target = scratch / "RPMS" / pkg["arch"] / filename
                if target.exists():
                    continue  # noarch packages come from every chroot; one copy is enough
                target.parent.mkdir(parents=True, exist_ok=True)
                _download(f"{detail.result_url.rstrip('/')}/{filename}", target)
                fetched.append(FetchedRpm(chroot=chroot, arch=pkg["arch"], path=target))
        placed = []
        try:
            for item in fetched:
                final = results / "RPMS" / item.arch / item.path.name
                final.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(item.path), final)
                placed.append(FetchedRpm(item.chroot, item.arch, final))
        except OSError as exc:
            raise StorageError(f"{results / 'RPMS'}: cannot store fetched RPMs ({exc.strerror}); check space and permissions") from exc
    return placed


def submit_to_copr(settings: CoprSettings, srpm: Path, results: Path) -> list[FetchedRpm]:
    client = make_client(settings)
    with stage(f"upload {srpm.name} to Copr {settings.owner}/{settings.project}"):
        build = _call(
            "upload", client.build_proxy.create_from_file, settings.owner, settings.project, str(srpm),
            buildopts={"chroots": list(settings.chroots)},
        )
    info(f"Copr build {build.id} for {', '.join(settings.chroots)}")
    with stage(f"wait for Copr build {build.id}"):
        states = wait_for_build(client, build.id, settings)
    failed = {name: states.get(name, "missing") for name in settings.chroots if states.get(name) != "succeeded"}
    if failed:
        listing = ", ".join(f"{name}={state}" for name, state in sorted(failed.items()))
        raise BuildError(f"Copr build {build.id} did not succeed in every chroot ({listing}); read builder-live.log in each chroot's result directory")
    with stage("fetch built RPMs into results/RPMS/<arch>"):
        return fetch_results(client, build.id, settings, results)
