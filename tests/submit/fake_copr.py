"""A loopback server speaking the part of Copr API v3 that `smerrata submit` uses.

Shapes follow the pinned copr client (copr.v3 BuildProxy/BuildChrootProxy) and Copr's API
schemas: build {id, state, chroots, ...}; build-chroot {name, state, result_url, started_on,
ended_on}; built-packages {packages: [{name, epoch, version, release, arch}]}; lists as
{items, meta}; errors as {"error": ...} with 403 for bad credentials. Every request is recorded
so tests can compare what was sent with what the dry run printed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from requests_toolbelt.multipart.decoder import MultipartDecoder

BUILD_ID = 4242


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    json_part: dict[str, object] | None = None
    file_name: str | None = None
    file_sha256: str | None = None


@dataclass
class FakeCopr:
    """rpms_by_chroot: chroot -> RPM files that chroot "builds" (served from /results/...)."""

    rpms_by_chroot: dict[str, list[Path]]
    login: str = "tester"
    token: str = "secret-token"
    polls_until_done: int = 2
    failing_chroots: set[str] = field(default_factory=set)
    requests: list[Recorded] = field(default_factory=list)
    polls: int = 0
    chroots: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def result_url(self, chroot: str) -> str:
        return f"{self.url}/results/{chroot}/{BUILD_ID:08d}-smerrata/"

    def chroot_state(self, chroot: str) -> str:
        # polls counts build GETs so far: the first poll sees pending, then running, then the end.
        if self.polls <= self.polls_until_done:
            return "pending" if self.polls <= 1 else "running"
        return "failed" if chroot in self.failing_chroots else "succeeded"

    def build_state(self) -> str:
        states = {self.chroot_state(c) for c in self.chroots}
        if states <= {"succeeded"}:
            return "succeeded"
        if "running" in states or "pending" in states:
            return "running"
        return "failed"

    def chroot_entry(self, chroot: str) -> dict[str, object]:
        state = self.chroot_state(chroot)
        return {"name": chroot, "state": state, "result_url": self.result_url(chroot),
                "started_on": 1599048000, "ended_on": 1599048600 if state in ("succeeded", "failed") else None}

    def build_entry(self) -> dict[str, object]:
        return {"id": BUILD_ID, "state": self.build_state(), "chroots": self.chroots, "ownername": "smerrata",
                "projectname": "sendmail-tls-fallback", "project_dirname": "sendmail-tls-fallback",
                "source_package": {"name": "smerrata-tiny", "url": None, "version": "1.0-2"},
                "submitted_on": 1599048000, "started_on": None, "ended_on": None, "is_background": False,
                "submitter": self.login, "repo_url": f"{self.url}/results/"}

    def __enter__(self) -> "FakeCopr":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
                return

            def reply(self, status: int, body: dict[str, object] | bytes) -> None:
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-rpm" if isinstance(body, bytes) else "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def record(self) -> Recorded:
                parts = urlsplit(self.path)
                entry = Recorded(self.command, parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})
                fake.requests.append(entry)
                return entry

            def authorized(self) -> bool:
                expected = base64.b64encode(f"{fake.login}:{fake.token}".encode()).decode()
                return self.headers.get("Authorization") == f"Basic {expected}"

            def do_POST(self) -> None:
                entry = self.record()
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if entry.path != "/api_3/build/create/upload":
                    return self.reply(404, {"error": f"no such endpoint {entry.path}"})
                if not self.authorized():
                    return self.reply(403, {"error": "Login invalid/expired. Please visit /api to get a new token."})
                for part in MultipartDecoder(body, self.headers["Content-Type"]).parts:
                    disposition = part.headers[b"Content-Disposition"].decode()
                    if 'name="json"' in disposition:
                        entry.json_part = json.loads(part.content)
                    elif 'name="pkgs"' in disposition:
                        entry.file_name = disposition.split('filename="', 1)[1].rstrip('"')
                        entry.file_sha256 = hashlib.sha256(part.content).hexdigest()
                fake.chroots = list((entry.json_part or {}).get("chroots") or [])  # type: ignore[arg-type]
                self.reply(200, fake.build_entry())

            def do_GET(self) -> None:
                entry = self.record()
                path, query = entry.path, entry.query
                if path == f"/api_3/build/{BUILD_ID}":
                    fake.polls += 1
                    return self.reply(200, fake.build_entry())
                if path == "/api_3/build-chroot/list" and query.get("build_id") == str(BUILD_ID):
                    items = [fake.chroot_entry(c) for c in fake.chroots]
                    return self.reply(200, {"items": items, "meta": {"limit": None, "offset": 0, "order": "id", "order_type": "ASC"}})
                if path == "/api_3/build-chroot" and query.get("chrootname") in fake.chroots:
                    return self.reply(200, fake.chroot_entry(query["chrootname"]))
                if path == "/api_3/build-chroot/built-packages" and query.get("chrootname") in fake.chroots:
                    return self.reply(200, {"packages": [nevra(p) for p in fake.rpms_by_chroot[query["chrootname"]]]})
                if path.startswith("/results/"):
                    chroot, filename = path.split("/")[2], path.rsplit("/", 1)[1]
                    for rpm in fake.rpms_by_chroot.get(chroot, []):
                        if rpm.name == filename:
                            return self.reply(200, rpm.read_bytes())
                return self.reply(404, {"error": f"nothing at {path}"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


def nevra(rpm: Path) -> dict[str, object]:
    """NEVRA from the file name N-V-R.A.rpm (Copr answers epoch as an integer)."""
    stem = rpm.name.removesuffix(".rpm")
    nvr, arch = stem.rsplit(".", 1)
    name, version, release = nvr.rsplit("-", 2)
    return {"name": name, "epoch": 0, "version": version, "release": release, "arch": arch}
