"""Typed readers for environment variables.

Settings read the environment once, here, and fail loudly on values they cannot use:
a typo in production configuration must stop the process at start-up, not surface later
as a silently insecure default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


class ConfigurationError(RuntimeError):
    """Raised when an environment variable is missing or malformed."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    """Reads typed values from a mapping (normally ``os.environ``)."""

    def __init__(self, source: Mapping[str, str] | None = None) -> None:
        self._source = os.environ if source is None else source

    def string(self, name: str, default: str | None = None) -> str:
        value = self._source.get(name)
        if value is None or value == "":
            if default is None:
                raise ConfigurationError(f"Environment variable {name} is required.")
            return default
        return value

    def optional_string(self, name: str) -> str | None:
        value = self._source.get(name, "")
        return value or None

    def boolean(self, name: str, default: bool) -> bool:
        raw = self._source.get(name)
        if raw is None:
            return default
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ConfigurationError(f"{name} must be true or false, not {raw!r}.")

    def integer(self, name: str, default: int) -> int:
        raw = self._source.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise ConfigurationError(f"{name} must be an integer, not {raw!r}.") from None

    def strings(self, name: str, default: list[str] | None = None) -> list[str]:
        raw = self._source.get(name)
        if raw is None or raw.strip() == "":
            if default is None:
                raise ConfigurationError(f"Environment variable {name} is required.")
            return default
        return [item.strip() for item in raw.split(",") if item.strip()]

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.string(name, default)
        if value not in choices:
            raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
        return value
