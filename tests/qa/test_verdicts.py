"""The verdict rules on peer records, and the expectation rules per build and mode."""

from __future__ import annotations

import pytest

from smerrata.qa.cell import judge
from smerrata.qa.peers import ConnectionRecord
from smerrata.qa.scenarios import BY_NAME, CATALOGUE, Mode, Outcome, expected

pytestmark = pytest.mark.timeout(10)


def rec(index: int, *, starttls: bool = False, tls: bool = False, message: bool = False) -> ConnectionRecord:
    return ConnectionRecord(index=index, opened=float(index), starttls_sent=starttls, tls_established=tls,
                            message_received=message, message_over_tls=tls if message else None)


def test_fallback_is_a_failed_handshake_then_clear_delivery() -> None:
    outcome, _ = judge([rec(1, starttls=True), rec(2, message=True)], [], "")
    assert outcome is Outcome.CLEAR_RETRY


def test_clear_without_a_prior_failed_handshake_is_not_a_fallback() -> None:
    assert judge([rec(1, message=True)], [], "")[0] is Outcome.CLEAR_NO_TLS
    assert judge([rec(1, starttls=True, message=True)], [], "")[0] is Outcome.CLEAR_SAME


def test_deferred_needs_the_message_still_queued() -> None:
    assert judge([rec(1, starttls=True)], ["qfABC"], "")[0] is Outcome.DEFERRED
    assert judge([rec(1, starttls=True)], [], "")[0] is Outcome.ANOMALY  # lost mail is never "deferred"


def test_double_delivery_and_delivered_but_queued_are_anomalies() -> None:
    assert judge([rec(1, message=True), rec(2, message=True)], [], "")[0] is Outcome.ANOMALY
    assert judge([rec(1, starttls=True, tls=True, message=True)], ["qfX"], "")[0] is Outcome.ANOMALY


def test_refused_only_when_sendmail_said_so_and_nothing_happened() -> None:
    err = "sendmail: readcf: unknown option name TLSFallbacktoClear"
    assert judge([], [], err)[0] is Outcome.REFUSED
    assert judge([rec(1, message=True)], [], err)[0] is Outcome.CLEAR_NO_TLS


def test_unpatched_builds_refuse_cmdline_and_ignore_m4() -> None:
    alert = BY_NAME["alert40"]
    assert expected(alert, Mode.ON_CMDLINE, knows_option=False) is Outcome.REFUSED
    assert expected(alert, Mode.ON_M4, knows_option=False) is Outcome.DEFERRED
    assert expected(alert, Mode.ON_M4, knows_option=True) is Outcome.CLEAR_RETRY


def test_catalogue_covers_issue_4() -> None:
    # issue 4's twelve, plus the TLS_Rcpt and VERIFY policies the breaker review asked for
    assert len(CATALOGUE) == 14 and len(BY_NAME) == 14
    # the option must never turn a policy-required TLS peer into clear delivery
    for policy in ("policy-tls-required", "policy-rcpt-required", "policy-verify-required"):
        assert BY_NAME[policy].expect_on is Outcome.DEFERRED
        assert any(line.startswith(("TLS_Srv:", "TLS_Rcpt:")) for line in BY_NAME[policy].access)
    assert {s.name for s in CATALOGUE if s.expect_on is Outcome.CLEAR_RETRY} == {
        "garbage", "alert40", "eof", "no-shared-cipher", "tls10-only", "dh-too-small"}
