"""The identity providers' metadata, kept per process.

Each configured provider's metadata (``settings.SAML_IDENTITY_PROVIDERS``) is parsed once and
kept: a file is read again when its modification time changes, a URL is fetched again after
``SAML_METADATA_REFRESH_SECONDS``. A refresh that fails (the file broken, the URL down or
answering rubbish) keeps the last good metadata and says so in the log, so that a provider's
bad minute does not stop every login; it is tried again a minute later. Nothing here runs per
request except a ``stat`` of each file.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from saml2.mdstore import InMemoryMetaData, MetadataStore

logger = logging.getLogger(__name__)

FETCH_TIMEOUT_SECONDS = 10
RETRY_AFTER_FAILURE_SECONDS = 60


@dataclass
class _Source:
    """One metadata file or URL: what was last read from it, and when to look again."""

    location: str
    parsed: InMemoryMetaData | None = None
    stamp: float | None = None  # a file's mtime when last read
    next_fetch: float = 0.0  # not looked at before this (a URL's refresh, or after a failure)


_lock = threading.Lock()
_sources: dict[str, _Source] = {}
_store: MetadataStore | None = None


def _is_url(location: str) -> bool:
    return location.startswith(("https://", "http://"))


def _parse(attrc: Any, content: bytes) -> InMemoryMetaData:
    parsed = InMemoryMetaData(attrc)
    parsed.parse_and_check_signature(content)
    return parsed


def _read(attrc: Any, source: _Source, now: float) -> bool:
    """Read ``source`` again if it is due; whether what it holds changed."""
    if now < source.next_fetch:
        return False  # a URL not yet due, or a failure a moment ago
    try:
        if _is_url(source.location):
            source.next_fetch = now + RETRY_AFTER_FAILURE_SECONDS
            answer = requests.get(source.location, timeout=FETCH_TIMEOUT_SECONDS)
            answer.raise_for_status()
            source.parsed = _parse(attrc, answer.content)
            source.next_fetch = now + settings.SAML_METADATA_REFRESH_SECONDS
            return True
        mtime = os.stat(source.location).st_mtime
        if mtime == source.stamp:
            return False
        source.stamp = mtime  # a broken file is not parsed again until it changes
        with open(source.location, "rb") as file:
            source.parsed = _parse(attrc, file.read())
        return True
    except Exception as error:  # any failure keeps the last good metadata
        source.next_fetch = now + RETRY_AFTER_FAILURE_SECONDS
        logger.error(
            "SAML metadata from %s could not be read (%s: %s); %s.",
            source.location,
            type(error).__name__,
            error,
            "keeping the last good copy" if source.parsed is not None else "no copy to fall back on",
        )
        return False


def metadata_store(config: Any) -> MetadataStore:
    """The pysaml2 metadata store of every configured provider, as last read. ``config`` is
    the ``SPConfig`` being built (its attribute converters parse the metadata)."""
    global _store
    now = time.time()
    locations = list(dict.fromkeys(p.metadata for p in settings.SAML_IDENTITY_PROVIDERS))
    with _lock:
        changed = _store is None or set(_sources) != set(locations)
        for gone in set(_sources) - set(locations):
            del _sources[gone]
        for location in locations:
            source = _sources.setdefault(location, _Source(location))
            changed = _read(config.attribute_converters, source, now) or changed
        if changed:
            store = MetadataStore(config.attribute_converters, config)
            for location in locations:
                parsed = _sources[location].parsed
                if parsed is not None:
                    store.metadata[location] = parsed
            _store = store
        assert _store is not None
        return _store


def entities_of(location: str) -> tuple[str, ...]:
    """The identity providers (entity ids with an IdP role) the metadata at ``location``
    lists, as last read; empty when it was never read."""
    with _lock:
        source = _sources.get(location)
        if source is None or source.parsed is None:
            return ()
        return tuple(
            sorted(
                entity_id for entity_id, entity in source.parsed.items() if entity.get("idpsso_descriptor")
            )
        )


def forget() -> None:
    """Drop what was read (tests that change the providers)."""
    global _store
    with _lock:
        _sources.clear()
        _store = None
