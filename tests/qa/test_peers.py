"""The peers themselves: a Python TLS client (smtplib + ssl) sees exactly the intended failure."""

from __future__ import annotations

import smtplib
import ssl
import warnings

import pytest

from smerrata.qa.certs import OAKLEY_GROUP2_PRIME, CertSet, dh_params_pem
from smerrata.qa.clientcf import CLIENT_CIPHER_LIST
from smerrata.qa.peers import OnStartTLS, PeerBehaviour, SMTPPeer, TLSProfile
from smerrata.qa.scenarios import BY_NAME

pytestmark = pytest.mark.timeout(30)


def client_context(certs: CertSet, verify: bool = True) -> ssl.SSLContext:
    """What the sendmail client is pinned to: TLS 1.2+, the same cipher list, security level 2."""
    ctx = ssl.create_default_context(cafile=str(certs.ca_cert))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(CLIENT_CIPHER_LIST)
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def send_over(peer: SMTPPeer, ctx: ssl.SSLContext) -> None:
    with smtplib.SMTP("127.0.0.1", peer.port, local_hostname="pyclient.qa.test", timeout=10) as smtp:
        smtp.starttls(context=ctx)
        smtp.sendmail("a@client.qa.test", ["b@remote.qa.test"], "Subject: t\r\n\r\nbody\r\n")


def wait_closed(peer: SMTPPeer) -> None:
    peer.stop()


def test_healthy_peer_delivers_over_tls_and_records_it(certs: CertSet) -> None:
    with SMTPPeer(BY_NAME["healthy"].peer, certs) as peer:
        send_over(peer, client_context(certs))
        wait_closed(peer)
    [record] = peer.records
    assert record.starttls_sent and record.tls_established and record.message_received
    assert record.message_over_tls is True
    assert record.ehlo == "pyclient.qa.test"


def test_expired_certificate_completes_handshake_but_fails_verification(certs: CertSet) -> None:
    with SMTPPeer(BY_NAME["expired-cert"].peer, certs) as peer:
        with pytest.raises(ssl.SSLCertVerificationError, match="expired"):
            send_over(peer, client_context(certs))
        send_over(peer, client_context(certs, verify=False))
        wait_closed(peer)
    assert [r.message_over_tls for r in peer.records] == [None, True]


@pytest.mark.parametrize(
    ("scenario", "client_error"),
    [
        ("garbage", "WRONG_VERSION_NUMBER|wrong version number|record layer failure|packet length"),
        ("alert40", "HANDSHAKE_FAILURE|handshake failure"),
        ("no-shared-cipher", "HANDSHAKE_FAILURE|handshake failure"),
        ("tls10-only", "PROTOCOL_VERSION|protocol version|UNSUPPORTED_PROTOCOL"),
        ("dh-too-small", "DH_KEY_TOO_SMALL|dh key too small"),
    ],
)
def test_breaking_peers_fail_the_handshake_as_intended(certs: CertSet, scenario: str, client_error: str) -> None:
    with SMTPPeer(BY_NAME[scenario].peer, certs) as peer:
        with pytest.raises(ssl.SSLError, match=client_error):
            send_over(peer, client_context(certs))
        wait_closed(peer)
    [record] = peer.records
    assert record.starttls_sent and not record.tls_established and not record.message_received


def test_eof_peer_closes_during_the_handshake(certs: CertSet) -> None:
    with SMTPPeer(BY_NAME["eof"].peer, certs) as peer:
        with pytest.raises((ssl.SSLEOFError, ssl.SSLZeroReturnError, ConnectionResetError, smtplib.SMTPServerDisconnected)):
            send_over(peer, client_context(certs))
        wait_closed(peer)
    assert "eof after a" in (peer.records[0].tls_error or "")


def test_454_peer_refuses_starttls_and_accepts_mail_in_clear(certs: CertSet) -> None:
    with SMTPPeer(BY_NAME["starttls-454"].peer, certs) as peer:
        with smtplib.SMTP("127.0.0.1", peer.port, local_hostname="pyclient.qa.test", timeout=10) as smtp:
            smtp.ehlo()
            assert smtp.docmd("STARTTLS")[0] == 454
            smtp.sendmail("a@client.qa.test", ["b@remote.qa.test"], "Subject: t\r\n\r\nbody\r\n")
        wait_closed(peer)
    [record] = peer.records
    assert record.starttls_sent and record.message_received and record.message_over_tls is False


def test_421_peer_closes_after_refusing_starttls(certs: CertSet) -> None:
    with SMTPPeer(BY_NAME["starttls-421"].peer, certs) as peer:
        with smtplib.SMTP("127.0.0.1", peer.port, local_hostname="pyclient.qa.test", timeout=10) as smtp:
            smtp.ehlo()
            assert smtp.docmd("STARTTLS")[0] == 421
            with pytest.raises(smtplib.SMTPServerDisconnected):
                smtp.noop()
        wait_closed(peer)
    assert not peer.records[0].message_received


def test_first_ehlo_line_names_the_peer_not_the_client(certs: CertSet) -> None:
    with SMTPPeer(PeerBehaviour(OnStartTLS.HANDSHAKE, TLSProfile.HEALTHY), certs) as peer:
        with smtplib.SMTP("127.0.0.1", peer.port, local_hostname="client.qa.test", timeout=10) as smtp:
            code, text = smtp.ehlo()
        wait_closed(peer)
    assert code == 250 and text.splitlines()[0] == b"peer.qa.test" and b"STARTTLS" in text


def test_dh_parameters_are_the_1024_bit_oakley_group(certs: CertSet) -> None:
    assert OAKLEY_GROUP2_PRIME.bit_length() == 1024
    assert pow(2, OAKLEY_GROUP2_PRIME - 1, OAKLEY_GROUP2_PRIME) == 1  # Fermat: a mistyped digit fails this
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ctx.set_ciphers("DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0")
        ctx.load_dh_params(certs.dh1024)  # OpenSSL parses our DER encoding
    assert certs.dh1024.read_bytes() == dh_params_pem(OAKLEY_GROUP2_PRIME)
