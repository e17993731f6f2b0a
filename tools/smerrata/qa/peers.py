"""SMTP peers on 127.0.0.1 that answer STARTTLS in a chosen (mis)behaving way, and keep evidence.

Each connection is recorded: was STARTTLS sent, was TLS established, was a message received and
over what. Handshakes use blocking `SSLContext.wrap_socket(server_side=True)` so a failing
server sends its fatal alert (asyncio's start_tls would close silently). Misbehaving peers read
the ClientHello record first: bytes sent before it would be swallowed by the client's buffered
read instead of breaking the handshake. Every socket has a timeout, so a peer never outlives
its test by more than that.
"""

from __future__ import annotations

import enum
import socket
import ssl
import threading
import time
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

from .certs import PEER_NAME, CertSet

SOCKET_TIMEOUT = 10.0
MAX_LINE = 4096
# fatal alert record: content type 21 (alert), TLS 1.2 record version, length 2, level 2 (fatal),
# description 40 (handshake_failure)
ALERT_HANDSHAKE_FAILURE = b"\x15\x03\x03\x00\x02\x02\x28"
GARBAGE = b"HTTP/1.0 400 this is not TLS\r\n\r\n" + bytes(range(32, 127)) * 4


class OnStartTLS(enum.Enum):
    HANDSHAKE = "handshake"  # a real TLS server handshake with the scenario's TLS profile
    GARBAGE = "garbage"  # 220, read the ClientHello, answer with non-TLS bytes
    ALERT = "alert"  # 220, read the ClientHello, send fatal alert 40 and close
    EOF = "eof"  # 220, read the ClientHello, close
    REPLY = "reply"  # answer with an SMTP reply instead of 220 (454, 421 ...)


class TLSProfile(enum.Enum):
    HEALTHY = "healthy"  # cert from the test CA, modern defaults
    EXPIRED = "expired"  # same CA, certificate expired yesterday
    NO_SHARED_CIPHER = "no-shared-cipher"  # TLS 1.2 only, a cipher the client does not offer
    TLS10_ONLY = "tls1.0-only"
    DH1024 = "dh1024"  # DHE-RSA only with a 1024-bit group


@dataclass(frozen=True)
class PeerBehaviour:
    on_starttls: OnStartTLS
    tls: TLSProfile = TLSProfile.HEALTHY
    reply: str = ""  # for OnStartTLS.REPLY, e.g. "454 4.7.0 TLS not available"
    advertise_starttls: bool = True


@dataclass
class ConnectionRecord:
    index: int
    opened: float  # time.monotonic()
    closed: float | None = None
    ehlo: str | None = None
    starttls_sent: bool = False
    tls_established: bool = False
    tls_version: str | None = None
    tls_cipher: str | None = None
    tls_error: str | None = None
    message_received: bool = False
    message_over_tls: bool | None = None
    message_time: float | None = None
    commands: list[str] = field(default_factory=list)

    def as_dict(self, epoch: float) -> dict[str, Any]:
        data = asdict(self)
        for key in ("opened", "closed", "message_time"):
            if data[key] is not None:
                data[key] = round(data[key] - epoch, 3)
        return data


def server_context(profile: TLSProfile, certs: CertSet) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if profile is TLSProfile.EXPIRED:
        ctx.load_cert_chain(certs.expired_chain)
    else:
        ctx.load_cert_chain(certs.server_chain)
    if profile is TLSProfile.NO_SHARED_CIPHER:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # TLS 1.3 suites are not governed by CipherList
        ctx.set_ciphers("AES128-SHA:@SECLEVEL=0")
    elif profile is TLSProfile.TLS10_ONLY:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.maximum_version = ssl.TLSVersion.TLSv1
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    elif profile is TLSProfile.DH1024:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0")
        ctx.load_dh_params(certs.dh1024)
    return ctx


class _LineSocket:
    """Line-oriented SMTP I/O over a plain or TLS socket, with an explicit buffer we can check."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def readline(self) -> bytes | None:
        while b"\n" not in self.buffer:
            if len(self.buffer) > MAX_LINE:
                return None
            chunk = self.sock.recv(4096)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.rstrip(b"\r")

    def send(self, text: str) -> None:
        self.sock.sendall(text.encode() + b"\r\n")


def _read_client_hello(sock: socket.socket) -> bytes:
    """Read the client's first TLS record (header + body) so our misbehaviour comes after it."""
    data = b""
    while len(data) < 5:
        chunk = sock.recv(5 - len(data))
        if not chunk:
            return data
        data += chunk
    length = int.from_bytes(data[3:5], "big")
    while len(data) < 5 + length:
        chunk = sock.recv(5 + length - len(data))
        if not chunk:
            break
        data += chunk
    return data


class SMTPPeer:
    """One listening SMTP server on 127.0.0.1:<ephemeral port>; use as a context manager."""

    def __init__(self, behaviour: PeerBehaviour, certs: CertSet) -> None:
        self.behaviour = behaviour
        self.certs = certs
        self.records: list[ConnectionRecord] = []
        self.epoch = time.monotonic()
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accept_thread = threading.Thread(target=self._accept_loop, name=f"peer-{self.port}", daemon=True)
        self._tls_context = server_context(behaviour.tls, certs) if behaviour.on_starttls is OnStartTLS.HANDSHAKE else None

    def __enter__(self) -> "SMTPPeer":
        self._accept_thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        self._accept_thread.join(timeout=2)
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=SOCKET_TIMEOUT + 1)

    def snapshot(self) -> list[ConnectionRecord]:
        with self._lock:
            return list(self.records)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            with self._lock:
                record = ConnectionRecord(index=len(self.records) + 1, opened=time.monotonic())
                self.records.append(record)
            thread = threading.Thread(target=self._serve, args=(conn, record), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket, record: ConnectionRecord) -> None:
        conn.settimeout(SOCKET_TIMEOUT)
        try:
            self._dialogue(conn, record)
        except (OSError, ssl.SSLError, UnicodeDecodeError) as exc:
            if record.tls_error is None and record.starttls_sent and not record.tls_established:
                record.tls_error = f"{type(exc).__name__}: {exc}"
        finally:
            record.closed = time.monotonic()
            try:
                conn.close()
            except OSError:
                pass

    def _dialogue(self, conn: socket.socket, record: ConnectionRecord) -> None:
        io = _LineSocket(conn)
        io.send(f"220 {PEER_NAME} ESMTP qa peer")
        over_tls = False
        while True:
            raw = io.readline()
            if raw is None:
                return
            line = raw.decode("utf-8", "replace")
            verb = line.split(" ", 1)[0].upper()
            record.commands.append(verb if verb in ("MAIL", "RCPT") else line[:80])
            if verb in ("EHLO", "HELO"):
                record.ehlo = line[5:].strip()
                # the first line names us, never the client (sendmail would see a mail loop)
                lines = [PEER_NAME, "8BITMIME", "SIZE 10485760"]
                if self.behaviour.advertise_starttls and not over_tls and verb == "EHLO":
                    lines.append("STARTTLS")
                for i, text in enumerate(lines):
                    io.send(f"250{'-' if i < len(lines) - 1 else ' '}{text}")
            elif verb == "STARTTLS" and not over_tls:
                record.starttls_sent = True
                upgraded = self._starttls(conn, io, record)
                if upgraded is None:
                    return
                if upgraded is not conn:
                    conn = upgraded
                    io = _LineSocket(conn)
                    over_tls = True
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                io.send("250 2.0.0 ok")
            elif verb == "DATA":
                io.send("354 go ahead")
                while True:
                    body = io.readline()
                    if body is None:
                        return
                    if body == b".":
                        break
                record.message_received = True
                record.message_over_tls = over_tls
                record.message_time = time.monotonic()
                io.send("250 2.0.0 accepted")
            elif verb == "QUIT":
                io.send("221 2.0.0 bye")
                return
            else:
                io.send("502 5.5.2 not implemented")

    def _starttls(self, conn: socket.socket, io: _LineSocket, record: ConnectionRecord) -> socket.socket | None:
        """Returns the socket to go on with (TLS or the same), or None to end the connection."""
        action = self.behaviour.on_starttls
        if action is OnStartTLS.REPLY:
            io.send(self.behaviour.reply)
            return None if self.behaviour.reply.startswith("421") else conn
        io.send("220 2.0.0 ready to start TLS")
        if io.buffer:  # the client must wait for 220 before its ClientHello
            record.tls_error = "client sent data before the 220 to STARTTLS"
            return None
        if action is OnStartTLS.HANDSHAKE:
            assert self._tls_context is not None
            try:
                tls = self._tls_context.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                record.tls_error = f"{type(exc).__name__}: {exc}"
                return None
            record.tls_established = True
            record.tls_version = tls.version()
            cipher = tls.cipher()
            record.tls_cipher = cipher[0] if cipher else None
            return tls
        hello = _read_client_hello(conn)
        if action is OnStartTLS.GARBAGE:
            conn.sendall(GARBAGE)
        elif action is OnStartTLS.ALERT:
            conn.sendall(ALERT_HANDSHAKE_FAILURE)
        record.tls_error = f"peer {action.value} after a {len(hello)}-byte ClientHello record"
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return None
