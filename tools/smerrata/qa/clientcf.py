"""The sendmail client configuration for one cell, generated with m4 from the build's own cf tree.

Everything sendmail touches points into the cell's state directory. TLS policy is pinned here
(cipher list, protocol floor, STARTTLS timeout) so results do not depend on the host's
openssl.cnf; OPENSSL_CONF is pointed at an empty file for the same reason.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import HostToolsMissing, QAFailure
from .builds import Build
from .certs import CertSet

PEER_ADDRESS = "127.0.0.1"
# ECDHE and DHE AEAD suites only, at security level 2 (DH >= 2048 bits); TLS 1.2 minimum
CLIENT_CIPHER_LIST = "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:@SECLEVEL=2"
CLIENT_SSL_OPTIONS = "+SSL_OP_NO_SSLv2 +SSL_OP_NO_SSLv3 +SSL_OP_NO_TLSv1 +SSL_OP_NO_TLSv1_1"
STARTTLS_TIMEOUT = "5s"


@dataclass(frozen=True)
class ClientConfig:
    cf: Path
    mc: Path
    queue: Path
    env: dict[str, str]


def _mc_text(build: Build, state: Path, port: int, certs: CertSet, fallback_define: bool, with_access: bool) -> str:
    s = str(state)
    lines = [
        "divert(-1)",
        "# smerrata QA client: one smart host on the loopback peer; generated, do not edit",
        "divert(0)dnl",
        "VERSIONID(`smerrata QA client')dnl",
        "OSTYPE(`linux')dnl",
        "define(`confDONT_PROBE_INTERFACES', `True')dnl",
        f"define(`confSERVICE_SWITCH_FILE', `{s}/service.switch')dnl",
        f"define(`confHOSTS_FILE', `{s}/hosts')dnl",
        f"define(`QUEUE_DIR', `{s}/mqueue')dnl",
        f"define(`STATUS_FILE', `{s}/sendmail.st')dnl",
        f"define(`ALIAS_FILE', `{s}/aliases')dnl",
        f"define(`confPID_FILE', `{s}/sendmail.pid')dnl",
        f"define(`confDEAD_LETTER_DROP', `{s}/dead.letter')dnl",
        "define(`confLOG_LEVEL', `14')dnl",
        # state and cert dirs may sit below /tmp (sticky, world-writable): trust the sticky bit
        "define(`confDONT_BLAME_SENDMAIL', `TrustStickyBit')dnl",
        "define(`confTO_CONNECT', `5s')dnl",
        "define(`confTO_INITIAL', `5s')dnl",
        "define(`confTO_COMMAND', `10s')dnl",
        f"define(`confTO_STARTTLS', `{STARTTLS_TIMEOUT}')dnl",
        f"define(`confCIPHER_LIST', `{CLIENT_CIPHER_LIST}')dnl",
        f"define(`confCLIENT_SSL_OPTIONS', `{CLIENT_SSL_OPTIONS}')dnl",
        f"define(`confCACERT_PATH', `{certs.directory}')dnl",
        f"define(`confCACERT', `{certs.ca_cert}')dnl",
        f"define(`confCLIENT_CERT', `{certs.client_cert}')dnl",
        f"define(`confCLIENT_KEY', `{certs.client_key}')dnl",
        f"define(`SMART_HOST', `esmtp:[{PEER_ADDRESS}]')dnl",
        f"define(`ESMTP_MAILER_ARGS', `TCP $h {port}')dnl",
    ]
    if fallback_define:
        lines.append("define(`confTLS_FALLBACK_TO_CLEAR', `True')dnl")
    lines.append("FEATURE(`nocanonify')dnl")
    if with_access:
        lines.append(f"FEATURE(`access_db', `hash -T<TMPF> {s}/access')dnl")
    lines += ["MAILER(`local')dnl", "MAILER(`smtp')dnl", ""]
    return "\n".join(lines)


def write_client_config(
    build: Build, state: Path, port: int, certs: CertSet, *, fallback_define: bool, access_lines: list[str]
) -> ClientConfig:
    if shutil.which("m4") is None:
        raise HostToolsMissing("m4: not found; install the 'm4' package to generate the client .cf")
    queue = state / "mqueue"
    queue.mkdir(mode=0o700, parents=True, exist_ok=True)
    (state / "service.switch").write_text("hosts files\naliases files\n")
    (state / "aliases").write_text("postmaster: root\n")
    (state / "sendmail.st").write_text("")  # sendmail only keeps statistics in an existing file
    (state / "openssl.cnf").write_text("")
    env = {**build.env(), "OPENSSL_CONF": str(state / "openssl.cnf")}
    mc = state / "client.mc"
    mc.write_text(_mc_text(build, state, port, certs, fallback_define, bool(access_lines)))
    cf_dir = str(build.cf_dir).rstrip("/") + "/"
    result = subprocess.run(
        ["m4", f"-D_CF_DIR_={cf_dir}", f"{cf_dir}m4/cf.m4", str(mc)], capture_output=True, text=True, timeout=30, check=False
    )
    if result.returncode != 0 or "Kaccess" not in result.stdout and access_lines:
        raise QAFailure(f"{mc}: m4 with {cf_dir}m4/cf.m4 failed: {result.stderr.strip()[:300]}")
    cf = state / "client.cf"
    cf.write_text(result.stdout)
    if access_lines:
        text = "\n".join(access_lines) + "\n"
        (state / "access").write_text(text)
        made = subprocess.run(
            [str(build.makemap), "-C", str(cf), "hash", str(state / "access")], input=text, capture_output=True, text=True,
            env={"PATH": "/usr/bin:/bin", **env}, timeout=30, check=False,
        )
        if made.returncode != 0 or not (state / "access.db").is_file():
            raise QAFailure(f"{state / 'access'}: {build.makemap} hash failed (exit {made.returncode}): {made.stderr.strip()[:300]}")
    return ClientConfig(cf=cf, mc=mc, queue=queue, env=env)
