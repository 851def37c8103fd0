"""A local Web Push service (RFC 8030) that also plays the browser's part: it hands out
subscriptions exactly as ``PushSubscription.toJSON()`` does, keeps their private keys,
and decrypts (RFC 8291, aes128gcm) and checks the VAPID header (RFC 8292) of every push
it receives. So a test proves that a notification really arrives, readable, over real
HTTP from pywebpush, with no mocks.

What the real thing does and this double mirrors: 201 Created on acceptance, 404 for an
unknown subscription, 410 Gone for an expired one, and whatever status a test scripts
(``respond``) to exercise retries. A push the browser could not decrypt never reaches the
user, so it is answered 400 (with the reason in the body) and does not count as delivered:
a sender-side encryption bug shows up loudly instead of as a silent "delivered".

Nothing here imports Django: the benchmark uses it before settings are configured.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, NamedTuple

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

from tests.support.local_http import LocalHTTPService

PUSH_PATH = "/push/"
DEFAULT_STATUS = HTTPStatus.CREATED
VAPID_MAX_LIFETIME = 24 * 60 * 60  # RFC 8292 section 2: exp no more than 24 hours ahead

Subscription = dict[str, Any]


def b64url_encode(data: bytes) -> str:
    """Base64url without padding, as browsers write keys in ``toJSON()``."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Received:
    """One push request as the service saw it. ``status`` is what it answered; only 2xx
    ones reached the "browser". ``payload`` is None when the body could not be decrypted
    (``error`` says why); ``vapid_error`` says why ``vapid_ok`` is False."""

    endpoint: str
    token: str
    status: int
    ttl: int | None
    topic: str | None
    urgency: str | None
    content_encoding: str | None
    body_size: int
    payload: bytes | None
    json: Any
    vapid_ok: bool
    vapid_claims: dict[str, Any] | None
    vapid_public_key: str | None = None
    vapid_error: str | None = None
    error: str | None = None
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def delivered(self) -> bool:
        return 200 <= self.status < 300


class _Answer(NamedTuple):
    status: int
    reason: str
    retry_after: int | None = None


@dataclass
class _Subscriber:
    """The browser side of one subscription: the keys only it knows."""

    token: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    gone: bool = False


class PushService(LocalHTTPService):
    """A Web Push service on 127.0.0.1 (a free port), serving in a daemon thread.

    Use as a context manager or with ``start()``/``stop()``. Subscriptions from
    ``new_subscription()`` are what the app stores and passes to ``pywebpush.webpush``.
    """

    thread_name = "push-service"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Condition()
        self._subscribers: dict[str, _Subscriber] = {}
        self._scripted: defaultdict[str, deque[_Answer]] = defaultdict(deque)
        self._received: list[Received] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    @property
    def origin(self) -> str:
        """The ``aud`` a VAPID token for this service must carry."""
        return f"http://127.0.0.1:{self.port}"

    # Subscriptions -----------------------------------------------------------------------

    def new_subscription(self) -> Subscription:
        """A fresh subscription, shaped exactly like ``PushSubscription.toJSON()``
        (``expirationTime`` aside, which browsers set to null and senders ignore)."""
        private_key = ec.generate_private_key(ec.SECP256R1())
        public_point = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        subscriber = _Subscriber(secrets.token_urlsafe(24), private_key, os.urandom(16))
        with self._lock:
            self._subscribers[subscriber.token] = subscriber
        return {
            "endpoint": f"{self.origin}{PUSH_PATH}{subscriber.token}",
            "keys": {"p256dh": b64url_encode(public_point), "auth": b64url_encode(subscriber.auth_secret)},
        }

    def respond(
        self, subscription: Subscription | str, *statuses: int, retry_after: int | None = None
    ) -> None:
        """Answer the next requests to ``subscription`` (a subscription dict, its endpoint
        or its token) with these statuses, in order; then 201 again. For example
        ``respond(sub, 500, 201)`` for a retry, ``respond(sub, 429, retry_after=30)`` for
        throttling (``Retry-After`` goes on every non-2xx answer scripted here)."""
        token = self._token(subscription)
        answers = [_Answer(int(status), "scripted answer", retry_after) for status in statuses]
        with self._lock:
            self._scripted[token].extend(answers)

    def expire(self, subscription: Subscription | str) -> None:
        """From now on every push to ``subscription`` gets 410 Gone, as after the user
        revokes the permission or the browser drops the subscription."""
        token = self._token(subscription)
        with self._lock:
            self._subscribers[token].gone = True

    def _token(self, subscription: Subscription | str) -> str:
        endpoint = subscription["endpoint"] if isinstance(subscription, Mapping) else subscription
        token = endpoint.rsplit("/", 1)[-1]
        with self._lock:
            if token not in self._subscribers:
                raise KeyError(f"no subscription {endpoint!r} on this push service")
        return token

    # What arrived --------------------------------------------------------------------------

    @property
    def received(self) -> list[Received]:
        """Every push request to a known subscription, in arrival order (a snapshot)."""
        with self._lock:
            return list(self._received)

    def delivered(self) -> list[Received]:
        """The pushes that were accepted (2xx), i.e. that reached the browser."""
        return [push for push in self.received if push.delivered]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until at least ``count`` pushes were delivered and return the delivered
        ones; AssertionError listing everything that did arrive if they do not come."""
        with self._lock:
            if self._lock.wait_for(lambda: self._delivered_count() >= count, timeout):
                return [push for push in self._received if push.delivered]
            arrived = list(self._received)
        raise AssertionError(
            f"expected {count} delivered push(es) within {timeout} s, got "
            f"{sum(push.delivered for push in arrived)}; all requests: {arrived!r}"
        )

    def _delivered_count(self) -> int:
        return sum(push.delivered for push in self._received)

    def clear(self) -> None:
        """Forget what arrived and what was scripted (subscriptions stay valid)."""
        with self._lock:
            self._received.clear()
            self._scripted.clear()

    # Handling a push (called on the server's request threads) --------------------------------

    def _handle_push(self, token: str, headers: Mapping[str, str], body: bytes) -> _Answer:
        endpoint = f"{self.origin}{PUSH_PATH}{token}"
        with self._lock:
            subscriber = self._subscribers.get(token)
            if subscriber is None:
                return _Answer(HTTPStatus.NOT_FOUND, "no such subscription")
            scripted = self._scripted[token].popleft() if self._scripted[token] else None

        payload, error = _decrypt(subscriber, headers, body)
        vapid = _check_vapid(headers.get("authorization"), self.origin)
        decoded = _json_or_none(payload)

        if subscriber.gone:
            answer = _Answer(HTTPStatus.GONE, "subscription expired")
        elif scripted is not None and not 200 <= scripted.status < 300:
            answer = scripted
        elif error is not None:
            answer = _Answer(HTTPStatus.BAD_REQUEST, error)
        else:
            answer = _Answer(scripted.status if scripted else DEFAULT_STATUS, "")

        push = Received(
            endpoint=endpoint,
            token=token,
            status=int(answer.status),
            ttl=_int_or_none(headers.get("ttl")),
            topic=headers.get("topic"),
            urgency=headers.get("urgency"),
            content_encoding=headers.get("content-encoding"),
            body_size=len(body),
            payload=payload,
            json=decoded,
            vapid_ok=vapid.error is None,
            vapid_claims=vapid.claims,
            vapid_public_key=vapid.public_key,
            vapid_error=vapid.error,
            error=error,
            headers=dict(headers),
        )
        with self._lock:
            self._received.append(push)
            self._lock.notify_all()
        return answer


# --- Decryption and VAPID ---------------------------------------------------------------------


def _decrypt(
    subscriber: _Subscriber, headers: Mapping[str, str], body: bytes
) -> tuple[bytes | None, str | None]:
    """The plaintext as the browser would see it, or None and why it could not be read.
    An empty body is a valid push without payload (the browser gets a bare push event)."""
    if not body:
        return b"", None
    encoding = headers.get("content-encoding")
    if encoding != "aes128gcm":
        return None, f"Content-Encoding {encoding!r} is not aes128gcm (RFC 8291)"
    try:
        plaintext = http_ece.decrypt(
            body, private_key=subscriber.private_key, auth_secret=subscriber.auth_secret, version="aes128gcm"
        )
    except Exception as exc:  # any failure means the browser drops the push
        return None, f"cannot decrypt: {exc}"
    return bytes(plaintext), None


@dataclass(frozen=True)
class _Vapid:
    claims: dict[str, Any] | None = None
    public_key: str | None = None
    error: str | None = None


def _check_vapid(authorization: str | None, origin: str) -> _Vapid:
    """Verify ``Authorization: vapid t=<jwt>, k=<key>`` as a push service does: the
    ES256 signature against ``k``, ``aud`` this service's origin, ``exp`` in the future
    and at most 24 h ahead, ``sub`` a contact (mailto: or https:)."""
    if not authorization:
        return _Vapid(error="no Authorization header")
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        return _Vapid(error=f"Authorization scheme {scheme!r} is not vapid")
    fields = dict(part.strip().partition("=")[::2] for part in params.split(","))
    token, key = fields.get("t", ""), fields.get("k", "")
    try:
        claims = _verify_es256(token, key)
    except (InvalidSignature, ValueError, TypeError, binascii.Error) as exc:
        return _Vapid(public_key=key or None, error=f"bad VAPID token: {exc!r}")

    now = time.time()
    exp, sub = claims.get("exp"), claims.get("sub")
    error = None
    if claims.get("aud") != origin:
        error = f"aud {claims.get('aud')!r} is not {origin!r}"
    elif not isinstance(exp, int) or not now < exp <= now + VAPID_MAX_LIFETIME:
        error = f"exp {exp!r} is not within the next 24 h"
    elif not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")):
        error = f"sub {sub!r} is not a mailto: or https: contact"
    return _Vapid(claims=claims, public_key=key, error=error)


def _verify_es256(token: str, key: str) -> dict[str, Any]:
    """The claims of a JWT signed with ES256 by ``key`` (uncompressed P-256 point,
    base64url); InvalidSignature or ValueError if it is not."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(b64url_decode(header_b64))
    if header.get("alg") != "ES256":
        raise ValueError(f"alg {header.get('alg')!r} is not ES256")
    signature = b64url_decode(signature_b64)
    if len(signature) != 64:  # JWS (RFC 7518) signs with raw r || s, 32 bytes each
        raise InvalidSignature("ES256 signature is not 64 bytes")
    der = utils.encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    public_key.verify(der, f"{header_b64}.{payload_b64}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    claims = json.loads(b64url_decode(payload_b64))
    if not isinstance(claims, dict):
        raise ValueError("the JWT claims are not an object")
    return claims


def _json_or_none(payload: bytes | None) -> Any:
    if not payload:
        return None
    try:
        return json.loads(payload)
    except ValueError:
        return None


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# --- HTTP --------------------------------------------------------------------------------------


def _handler_for(service: PushService) -> type[BaseHTTPRequestHandler]:
    class PushHandler(BaseHTTPRequestHandler):
        # HTTP/1.1 keeps connections alive, as requests sessions expect of a push service.
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if len(body) < length:
                # The sender went away mid-request (a worker killed while sending): a push
                # service never accepts half a message, and nobody is left to answer.
                self.close_connection = True
                return
            if not self.path.startswith(PUSH_PATH):
                self._answer(_Answer(HTTPStatus.NOT_FOUND, "not a push endpoint"))
                return
            token = self.path[len(PUSH_PATH) :]
            headers = {name.lower(): value for name, value in self.headers.items()}
            self._answer(service._handle_push(token, headers, body))

        def _answer(self, answer: _Answer) -> None:
            text = answer.reason.encode()
            self.send_response(answer.status)
            if answer.retry_after is not None:
                self.send_header("Retry-After", str(answer.retry_after))
            if answer.status == HTTPStatus.CREATED:
                self.send_header("Location", f"{service.origin}/message/{secrets.token_urlsafe(8)}")
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the tests look at ``received``, not at an access log

    return PushHandler


# --- pytest ------------------------------------------------------------------------------------


@pytest.fixture
def push_service() -> Iterator[PushService]:
    """A running push service for one test."""
    with PushService() as service:
        yield service
