"""Webhook signatures and back-off, as receivers rely on them (docs/events.md)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from kouan.services.platform import webhooks

NOW = datetime(2026, 12, 7, tzinfo=UTC)


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    body = webhooks.body_of({"id": "e1", "type": "permit.issued", "port": "CNTAO"})
    assert body == b'{"id":"e1","type":"permit.issued","port":"CNTAO"}'
    expected = hmac.new(b"s3cret", b"1765065600." + body, hashlib.sha256).hexdigest()
    assert webhooks.sign("s3cret", 1765065600, body) == f"sha256={expected}"
    assert webhooks.sign("s3cret", 1765065601, body) != webhooks.sign("s3cret", 1765065600, body)
    assert webhooks.sign("other", 1765065600, body) != webhooks.sign("s3cret", 1765065600, body)


def test_chinese_text_is_sent_as_utf8() -> None:
    assert webhooks.body_of({"ship_name": "青岛"}) == '{"ship_name":"青岛"}'.encode()


def test_retries_wait_twice_as_long_each_time_up_to_the_cap() -> None:
    waits = [webhooks.next_attempt(NOW, n) - NOW for n in range(1, 14)]
    assert waits[:4] == [timedelta(seconds=s) for s in (10, 20, 40, 80)]
    assert waits[-1] == webhooks.LONGEST_WAIT
    assert all(a <= b for a, b in pairwise(waits))
