"""Certificates and DH parameters for the peers, made once per matrix run into a directory.

The test CA comes from trustme; sendmail gets the CA as CACertFile so a healthy peer verifies
(`verify=OK`) and the expired certificate shows up as a verification failure, not a handshake one.
"""

from __future__ import annotations

import base64
import datetime
import os
from dataclasses import dataclass
from pathlib import Path

PEER_NAME = "peer.qa.test"
CLIENT_NAME = "client.qa.test"

# RFC 2409 (IKE) Oakley group 2: a published 1024-bit safe prime. OpenSSL 3 cannot serve DH
# below 1024 bits, so "DH too small" is this group against a client at @SECLEVEL=2 (>= 2048).
OAKLEY_GROUP2_PRIME = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
    "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
    "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
    16,
)


@dataclass(frozen=True)
class CertSet:
    directory: Path
    ca_cert: Path
    server_chain: Path  # healthy: cert + key in one PEM
    expired_chain: Path
    client_cert: Path
    client_key: Path
    dh1024: Path


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _der_integer(value: int) -> bytes:
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big")  # leading zero keeps it positive
    return b"\x02" + _der_length(len(raw)) + raw


def dh_params_pem(prime: int, generator: int = 2) -> bytes:
    """PKCS#3 DHParameter (SEQUENCE of p, g) as PEM, the form SSLContext.load_dh_params reads."""
    body = _der_integer(prime) + _der_integer(generator)
    der = b"\x30" + _der_length(len(body)) + body
    lines = base64.encodebytes(der).decode().replace("\n", "")
    wrapped = "\n".join(lines[i : i + 64] for i in range(0, len(lines), 64))
    return f"-----BEGIN DH PARAMETERS-----\n{wrapped}\n-----END DH PARAMETERS-----\n".encode()


def make_certs(directory: Path) -> CertSet:
    import trustme  # test-only dependency (extra "test"), imported when QA actually runs

    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(key_type=trustme.KeyType.RSA)  # RSA so the DHE-RSA peer can use the same CA
    server = ca.issue_cert(PEER_NAME, "127.0.0.1", key_type=trustme.KeyType.RSA)
    now = datetime.datetime.now(datetime.timezone.utc)
    expired = ca.issue_cert(
        PEER_NAME, "127.0.0.1", key_type=trustme.KeyType.RSA,
        not_before=now - datetime.timedelta(days=30), not_after=now - datetime.timedelta(days=1),
    )
    client = ca.issue_cert(CLIENT_NAME, key_type=trustme.KeyType.RSA)
    certs = CertSet(
        directory=directory,
        ca_cert=directory / "ca.pem",
        server_chain=directory / "server.pem",
        expired_chain=directory / "expired.pem",
        client_cert=directory / "client-cert.pem",
        client_key=directory / "client-key.pem",
        dh1024=directory / "dh1024.pem",
    )
    ca.cert_pem.write_to_path(str(certs.ca_cert))
    server.private_key_and_cert_chain_pem.write_to_path(str(certs.server_chain))
    expired.private_key_and_cert_chain_pem.write_to_path(str(certs.expired_chain))
    client.cert_chain_pems[0].write_to_path(str(certs.client_cert))
    client.private_key_pem.write_to_path(str(certs.client_key))
    certs.dh1024.write_bytes(dh_params_pem(OAKLEY_GROUP2_PRIME))
    # sendmail refuses group/world-readable private keys
    for path in (certs.client_key, certs.server_chain, certs.expired_chain):
        os.chmod(path, 0o600)
    return certs
