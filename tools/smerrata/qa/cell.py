"""One cell of the matrix: a scenario's peer, a build, a mode -> evidence on disk and a verdict.

The verdict comes from what the peer saw and what is left in the queue, never from sendmail's
exit status (-odi exits 0 on a deferral too).
"""

from __future__ import annotations

import json
import re
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .builds import Build
from .certs import CLIENT_NAME, CertSet
from .clientcf import PEER_ADDRESS, write_client_config
from .peers import ConnectionRecord, SMTPPeer
from .sandbox import Step, run_in_sandbox
from .scenarios import Mode, Outcome, Scenario, expected

SENDER = f"qa-sender@{CLIENT_NAME}"
RECIPIENT = "qa-rcpt@remote.qa.test"
UNKNOWN_OPTION = "unknown option name"


@dataclass
class CellResult:
    scenario: str
    build: str
    mode: str
    expected: str
    outcome: str
    ok: bool
    detail: str
    connections: list[dict[str, Any]]
    queued: list[str]
    sendmail_exit: int | None
    seconds: float
    fallback_seconds: float | None
    evidence: str  # directory, relative to the report
    client_tls_error: str | None = None  # sendmail's own words for the failed handshake, from its log
    log_lines: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def judge(records: list[ConnectionRecord], queued: list[str], stderr: str) -> tuple[Outcome, str]:
    delivered = [r for r in records if r.message_received]
    if UNKNOWN_OPTION in stderr and not records and not queued:
        line = next((l for l in stderr.splitlines() if UNKNOWN_OPTION in l), "")
        return Outcome.REFUSED, f"configuration refused: {line.strip()}"
    if len(delivered) > 1:
        return Outcome.ANOMALY, f"delivered {len(delivered)} times"
    if delivered:
        if queued:
            return Outcome.ANOMALY, f"delivered but still queued ({', '.join(queued)})"
        got = delivered[0]
        if got.message_over_tls:
            return Outcome.TLS, f"delivered over {got.tls_version} ({got.tls_cipher}) on connection {got.index}"
        if got.starttls_sent:
            return Outcome.CLEAR_SAME, f"STARTTLS refused, delivered in clear on connection {got.index}"
        broken = [r for r in records if r.index < got.index and r.starttls_sent and not r.tls_established]
        if broken:
            return Outcome.CLEAR_RETRY, f"handshake failed on connection {broken[-1].index}, delivered in clear on connection {got.index}"
        return Outcome.CLEAR_NO_TLS, f"STARTTLS never sent, delivered in clear on connection {got.index}"
    if queued:
        tls_ok = [r.index for r in records if r.tls_established]
        return Outcome.DEFERRED, f"not delivered, still queued after {len(records)} connection(s)" + (
            f" (TLS was established on {tls_ok})" if tls_ok else "")
    return Outcome.ANOMALY, f"neither delivered nor queued after {len(records)} connection(s)"


_REASON = re.compile(r"STARTTLS=client, error: connect failed=\S+, reason=([^,]+)")


def _client_tls_error(log_lines: list[str]) -> str | None:
    for line in log_lines:
        match = _REASON.search(line)
        if match:
            return match.group(1)
    return None


def _message(state: Path, scenario: str) -> Path:
    path = state / "message.txt"
    path.write_text(f"From: {SENDER}\nTo: {RECIPIENT}\nSubject: smerrata QA {scenario}\n\nrhbz#1868041 QA message.\n")
    return path


def run_cell(scenario: Scenario, build: Build, mode: Mode, certs: CertSet, out_dir: Path) -> CellResult:
    rel = Path(build.name) / scenario.name / mode.value
    state = out_dir / rel
    shutil.rmtree(state, ignore_errors=True)
    state.mkdir(parents=True)
    started = time.monotonic()
    with SMTPPeer(scenario.peer, certs) as peer:
        config = write_client_config(
            build, state, peer.port, certs, fallback_define=mode is Mode.ON_M4,
            access_lines=[line.format(peer=PEER_ADDRESS, rcpt_domain=RECIPIENT.split("@", 1)[1]) for line in scenario.access],
        )
        option = ["-O", "TLSFallbacktoClear=True"] if mode is Mode.ON_CMDLINE else []
        sendmail = [str(build.sendmail), "-C", str(config.cf)]
        run = run_in_sandbox(state, [
            Step("send", [*sendmail, *option, "-odi", "-oi", "-f", SENDER, RECIPIENT], _message(state, scenario.name)),
            Step("queue", [*sendmail, "-bp"]),
        ], env=config.env)
        deadline = time.monotonic() + 3  # sendmail has exited; let the peer finish its bookkeeping
        while time.monotonic() < deadline and any(r.closed is None for r in peer.snapshot()):
            time.sleep(0.01)
        records = peer.snapshot()
        epoch = peer.epoch
    queued = sorted(p.name for p in config.queue.glob("qf*"))
    send = run.steps["send"]
    outcome, detail = judge(records, queued, send.stderr + send.stdout)
    if run.timed_out:
        outcome, detail = Outcome.ANOMALY, f"sandbox timed out after {run.seconds} s; " + detail
    want = expected(scenario, mode, build.knows_option)
    fallback = None
    if outcome is Outcome.CLEAR_RETRY and records:
        got = next(r for r in records if r.message_received)
        assert got.message_time is not None
        fallback = round(got.message_time - records[0].opened, 3)
    result = CellResult(
        scenario=scenario.name, build=build.name, mode=mode.value, expected=want.value, outcome=outcome.value,
        ok=outcome is want, detail=detail, connections=[r.as_dict(epoch) for r in records], queued=queued,
        sendmail_exit=send.returncode, seconds=round(time.monotonic() - started, 3), fallback_seconds=fallback,
        evidence=str(rel), log_lines=run.log_lines, client_tls_error=_client_tls_error(run.log_lines),
    )
    (state / "syslog.txt").write_text("\n".join(run.log_lines) + "\n")
    (state / "peer.json").write_text(json.dumps(result.connections, indent=2) + "\n")
    (state / "verdict.json").write_text(json.dumps({k: v for k, v in result.as_dict().items() if k != "log_lines"}, indent=2) + "\n")
    return result
