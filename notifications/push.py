"""Web Push with VAPID (pywebpush). A payload names what happened and where, never what
was written: "New written assessment in Matematik" and a link."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass

import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.urls import reverse
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from notifications.models import Notification, PushSubscription
from notifications.texts import title_and_body

MAX_PAYLOAD_BYTES = 3000  # under the 3 KB promised (push services take about 4 KB)
_local = threading.local()


def _session() -> requests.Session:
    """One HTTP session per sending thread: pushes to the same push service (most of a
    class's phones use one or two) reuse the connection instead of a TLS handshake each."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def vapid_key() -> Vapid | None:
    """The server's VAPID key, or None when push is not configured."""
    if not settings.VAPID_PRIVATE_KEY:
        return None
    return Vapid.from_string(settings.VAPID_PRIVATE_KEY)


def application_server_key() -> str | None:
    """The public key browsers subscribe with (base64url of the uncompressed point)."""
    key = vapid_key()
    if key is None:
        return None
    raw = key.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def payload(notification: Notification, language: str) -> bytes:
    """The JSON the service worker shows; the body is shortened if it would pass the limit."""
    title, body = title_and_body(notification, language)
    data = {
        "title": title[:200],
        "body": body,
        # Opening marks it read and asks the policy again before going on.
        "url": reverse("notification-open", args=[notification.pk]),
        "tag": f"n{notification.pk}",
        "lang": language,
    }
    encoded = json.dumps(data, ensure_ascii=False).encode()
    while len(encoded) > MAX_PAYLOAD_BYTES and data["body"]:
        data["body"] = data["body"][: len(data["body"]) // 2] + "…"
        encoded = json.dumps(data, ensure_ascii=False).encode()
    return encoded


@dataclass(frozen=True)
class PushResult:
    ok: bool
    gone: bool = False  # 404/410: the subscription is dead, remove it
    permanent: bool = False  # never retry (a refused payload, a bad key)
    retry_after: int | None = None
    error: str = ""


def send(device: PushSubscription, notification: Notification, data: bytes, key: Vapid) -> PushResult:
    """POST one push. Network only (no database), so the worker can run several at once."""
    try:
        webpush(
            subscription_info=device.subscription_info(),
            data=data.decode(),
            vapid_private_key=key,
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=settings.WEB_PUSH_TTL,
            # One topic per notification: a push service replaces an undelivered copy of
            # the same notification rather than showing it twice.
            headers={"Topic": f"n{notification.pk}", "Urgency": "normal"},
            timeout=10,
            requests_session=_session(),
        )
    except WebPushException as error:
        response = error.response
        status = getattr(response, "status_code", None)
        if status in (404, 410):
            return PushResult(ok=False, gone=True, error=f"{status}")
        if status in (400, 403, 413):
            return PushResult(ok=False, permanent=True, error=f"{status} {str(error)[:200]}")
        retry_after = None
        if response is not None:
            header = response.headers.get("Retry-After", "")
            retry_after = int(header) if header.isdigit() else None
        return PushResult(ok=False, retry_after=retry_after, error=f"{status} {str(error)[:200]}")
    except (requests.RequestException, OSError) as error:
        return PushResult(ok=False, error=repr(error)[:300])
    except ValueError as error:  # keys the payload cannot be encrypted for: never will be
        return PushResult(ok=False, permanent=True, error=repr(error)[:300])
    except Exception as error:  # anything else fails this push, never the worker's batch
        return PushResult(ok=False, error=repr(error)[:300])
    return PushResult(ok=True)
