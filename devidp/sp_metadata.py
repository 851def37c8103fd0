"""The service's metadata, from a file or a URL, read lazily: the service may start after
the provider (``make run`` and the browser tests start both together), so it is fetched at
the first request and again when a request names a service it does not describe or the
file has changed."""

from __future__ import annotations

import threading
import urllib.request
from pathlib import Path

FETCH_TIMEOUT_SECONDS = 10


class MetadataUnavailable(Exception):
    pass


class SpMetadataSource:
    def __init__(self, source: str) -> None:
        self.source = source
        self.is_url = source.startswith(("http://", "https://"))
        self._text: str | None = None
        self._mtime: float | None = None
        self._lock = threading.Lock()

    def read(self, *, refresh: bool = False) -> str:
        """The metadata text; a URL is fetched again only when ``refresh`` is asked, a file
        is read again whenever it has changed."""
        with self._lock:
            if self.is_url:
                if self._text is None or refresh:
                    self._text = self._fetch()
            else:
                path = Path(self.source)
                try:
                    mtime = path.stat().st_mtime
                    if self._text is None or mtime != self._mtime:
                        self._text, self._mtime = path.read_text(encoding="utf-8"), mtime
                except OSError as error:
                    raise MetadataUnavailable(f"cannot read {self.source}: {error}") from None
            return self._text

    def _fetch(self) -> str:
        try:
            with urllib.request.urlopen(self.source, timeout=FETCH_TIMEOUT_SECONDS) as answer:  # noqa: S310
                return str(answer.read().decode("utf-8"))
        except (OSError, ValueError) as error:
            raise MetadataUnavailable(f"cannot fetch {self.source}: {error}") from None
