"""Run sendmail steps inside a throw-away namespace (design.md section 5).

`unshare --uts --mount --pid --fork --kill-child` gives each run its own host name (fully
qualified, so sendmail does not sleep 60 s looking for one), its own /etc/hosts (bound over),
a tmpfs /dev with just the device nodes sendmail needs, and /dev/log bound to a datagram socket
this process listens on, so syslog lines become evidence instead of vanishing. The PID namespace
means that when the run ends the kernel kills anything sendmail left behind; the mount and UTS
namespaces go away with their last process.
"""

from __future__ import annotations

import shlex
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HostToolsMissing

CLIENT_FQDN = "client.qa.test"
DEVICE_NODES = (("null", 1, 3), ("zero", 1, 5), ("random", 1, 8), ("urandom", 1, 9))

_SETUP = """set -e
hostname {fqdn}
mount --bind {hosts} /etc/hosts
mount -t tmpfs -o mode=0755,size=64k qa-dev /dev
{mknods}
: > /dev/log
mount --bind {socket} /dev/log
set +e
"""


@dataclass(frozen=True)
class Step:
    """One command inside the sandbox; its stdout, stderr and exit status land in the state dir."""

    name: str
    argv: list[str]
    stdin: Path | None = None


@dataclass
class StepResult:
    name: str
    returncode: int | None
    stdout: str
    stderr: str


@dataclass
class SandboxRun:
    steps: dict[str, StepResult]
    log_lines: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timed_out: bool = False


class _SyslogListener:
    """A datagram socket standing in for syslogd; collects every line sent to it."""

    def __init__(self) -> None:
        # AF_UNIX paths are limited to 108 bytes: keep the socket in a short private directory
        self.directory = Path(tempfile.mkdtemp(prefix="smqa-log-"))
        self.path = self.directory / "log"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(self.path))
        self.sock.settimeout(0.1)
        self.lines: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while True:
            try:
                data = self.sock.recv(65536)
            except (TimeoutError, socket.timeout):
                if self._stop.is_set():
                    return
                continue
            except OSError:
                return
            self.lines.append(data.decode("utf-8", "replace").rstrip("\n\x00"))

    def __enter__(self) -> "_SyslogListener":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()  # the loop drains what is queued, then stops at the next idle timeout
        self._thread.join(timeout=2)
        self.sock.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def check_host_tools() -> None:
    missing = [tool for tool in ("unshare", "mount", "mknod", "hostname") if shutil.which(tool) is None]
    if missing:
        raise HostToolsMissing(f"{', '.join(missing)}: not found; the QA sandbox needs util-linux, coreutils and hostname")


def run_in_sandbox(state: Path, steps: list[Step], env: dict[str, str], timeout: float = 60.0) -> SandboxRun:
    """Run the steps in order inside one fresh namespace; `state` holds hosts and step outputs."""
    hosts = state / "hosts"
    if not hosts.is_file():
        hosts.write_text(f"127.0.0.1\tlocalhost\n127.0.1.1\t{CLIENT_FQDN} {CLIENT_FQDN.split('.')[0]}\n")
    lines: list[str] = []
    for step in steps:
        out, err, rc = (state / f"{step.name}.{suffix}" for suffix in ("out", "err", "rc"))
        redirect = f"< {shlex.quote(str(step.stdin))}" if step.stdin else "< /dev/null"
        lines.append(f"{shlex.join(step.argv)} {redirect} > {shlex.quote(str(out))} 2> {shlex.quote(str(err))}; echo $? > {shlex.quote(str(rc))}")
    with _SyslogListener() as syslog:
        script = _SETUP.format(
            fqdn=CLIENT_FQDN, hosts=shlex.quote(str(hosts)), socket=shlex.quote(str(syslog.path)),
            mknods="\n".join(f"mknod -m 666 /dev/{n} c {major} {minor}" for n, major, minor in DEVICE_NODES),
        ) + "\n".join(lines) + "\n"
        (state / "sandbox.sh").write_text(script)
        started = time.monotonic()
        proc = subprocess.Popen(
            ["unshare", "--uts", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc", "sh", "-c", script],
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C", **env},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        timed_out = False
        try:
            setup_out, setup_err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.kill()  # unshare --kill-child takes the namespace's init (and so all of it) down
            setup_out, setup_err = proc.communicate(timeout=10)
        seconds = time.monotonic() - started
        time.sleep(0.05)  # let the last datagrams reach the listener before it drains and stops
    if setup_out or setup_err:
        (state / "sandbox.log").write_text(setup_out + setup_err)
    results: dict[str, StepResult] = {}
    for step in steps:
        rc_text = _read(state / f"{step.name}.rc").strip()
        results[step.name] = StepResult(
            step.name, int(rc_text) if rc_text.lstrip("-").isdigit() else None,
            _read(state / f"{step.name}.out"), _read(state / f"{step.name}.err"),
        )
    return SandboxRun(results, syslog.lines, round(seconds, 3), timed_out)


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
