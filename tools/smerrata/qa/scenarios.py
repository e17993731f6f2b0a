"""The scenario catalogue (issue 4): what each peer does and what sendmail must do about it.

Outcomes are judged from the peer's evidence and the queue (design.md section 6):
  tls              delivered over TLS
  clear-retry      handshake failed, then delivered in clear on a second connection (the fallback)
  clear-same       STARTTLS refused with a 4xx, delivered in clear on the same connection
  clear-no-tls     STARTTLS never sent, delivered in clear
  deferred         nothing delivered, the message is still queued
  refused          sendmail rejected the configuration (8.15.2 and -O TLSFallbacktoClear)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .peers import OnStartTLS, PeerBehaviour, TLSProfile


class Outcome(str, enum.Enum):
    TLS = "tls"
    CLEAR_RETRY = "clear-retry"
    CLEAR_SAME = "clear-same"
    CLEAR_NO_TLS = "clear-no-tls"
    DEFERRED = "deferred"
    REFUSED = "refused"
    ANOMALY = "anomaly"  # anything else: lost message, several deliveries, a crash ...


class Mode(str, enum.Enum):
    OFF = "off"
    ON_CMDLINE = "on-O"  # -O TLSFallbacktoClear=True
    ON_M4 = "on-m4"  # define(`confTLS_FALLBACK_TO_CLEAR', `True') in the .mc


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    peer: PeerBehaviour
    expect_off: Outcome
    expect_on: Outcome
    access: tuple[str, ...] = ()  # access map lines, "{peer}" is the peer's address, "{rcpt_domain}" the recipient's domain


HANDSHAKE_BREAKS_OFF_ON = (Outcome.DEFERRED, Outcome.CLEAR_RETRY)

CATALOGUE: tuple[Scenario, ...] = (
    Scenario("healthy", "healthy TLS, certificate from the test CA",
             PeerBehaviour(OnStartTLS.HANDSHAKE, TLSProfile.HEALTHY), Outcome.TLS, Outcome.TLS),
    Scenario("expired-cert", "expired server certificate (handshake completes, verify fails)",
             PeerBehaviour(OnStartTLS.HANDSHAKE, TLSProfile.EXPIRED), Outcome.TLS, Outcome.TLS),
    Scenario("garbage", "220 to STARTTLS, then non-TLS bytes after the ClientHello",
             PeerBehaviour(OnStartTLS.GARBAGE), *HANDSHAKE_BREAKS_OFF_ON),
    Scenario("alert40", "220 to STARTTLS, then fatal alert 40 (handshake_failure)",
             PeerBehaviour(OnStartTLS.ALERT), *HANDSHAKE_BREAKS_OFF_ON),
    Scenario("eof", "220 to STARTTLS, then the peer closes during the handshake",
             PeerBehaviour(OnStartTLS.EOF), *HANDSHAKE_BREAKS_OFF_ON),
    Scenario("no-shared-cipher", "server cipher list disjoint from the client's",
             PeerBehaviour(OnStartTLS.HANDSHAKE, TLSProfile.NO_SHARED_CIPHER), *HANDSHAKE_BREAKS_OFF_ON),
    Scenario("tls10-only", "server TLS 1.0 only, client requires TLS 1.2+",
             PeerBehaviour(OnStartTLS.HANDSHAKE, TLSProfile.TLS10_ONLY), *HANDSHAKE_BREAKS_OFF_ON),
    Scenario("dh-too-small", "1024-bit DHE-only server, client at @SECLEVEL=2",
             PeerBehaviour(OnStartTLS.HANDSHAKE, TLSProfile.DH1024), *HANDSHAKE_BREAKS_OFF_ON),
    Scenario("starttls-454", "454 4.7.0 to STARTTLS (clear on the same connection)",
             PeerBehaviour(OnStartTLS.REPLY, reply="454 4.7.0 TLS not available"), Outcome.CLEAR_SAME, Outcome.CLEAR_SAME),
    Scenario("starttls-421", "421 to STARTTLS (deferred either way)",
             PeerBehaviour(OnStartTLS.REPLY, reply="421 4.7.0 closing connection"), Outcome.DEFERRED, Outcome.DEFERRED),
    Scenario("policy-tls-required", "access map TLS_Srv requires encryption + handshake failure: never clear",
             PeerBehaviour(OnStartTLS.ALERT), Outcome.DEFERRED, Outcome.DEFERRED,
             access=("TLS_Srv:{peer} ENCR:112",)),
    Scenario("policy-rcpt-required", "access map TLS_Rcpt requires encryption + handshake failure: no DATA, no body in clear",
             PeerBehaviour(OnStartTLS.ALERT), Outcome.DEFERRED, Outcome.DEFERRED,
             access=("TLS_Rcpt:{rcpt_domain} ENCR:112",)),
    Scenario("policy-verify-required", "access map TLS_Srv requires a verified peer + handshake failure: CLEAR rule refuses",
             PeerBehaviour(OnStartTLS.ALERT), Outcome.DEFERRED, Outcome.DEFERRED,
             access=("TLS_Srv:{peer} VERIFY",)),
    Scenario("try-tls-no", "pre-fix workaround Try_TLS:<peer> NO: STARTTLS never sent",
             PeerBehaviour(OnStartTLS.HANDSHAKE, TLSProfile.HEALTHY), Outcome.CLEAR_NO_TLS, Outcome.CLEAR_NO_TLS,
             access=("Try_TLS:{peer} NO",)),
)

BY_NAME = {scenario.name: scenario for scenario in CATALOGUE}


def expected(scenario: Scenario, mode: Mode, knows_option: bool) -> Outcome:
    """What a build must do: a build without the option refuses -O and ignores the m4 define."""
    if mode is Mode.OFF:
        return scenario.expect_off
    if not knows_option:
        return Outcome.REFUSED if mode is Mode.ON_CMDLINE else scenario.expect_off
    return scenario.expect_on
