"""The identity providers a SAML login may come from, read from the environment.

``SAML_IDENTITY_PROVIDERS`` is a JSON list, one object per provider::

    [{"purpose": "eid", "metadata": "/etc/elevdialog/broker-metadata.xml"},
     {"purpose": "school", "metadata": "https://fed.example/md/idp.xml",
      "entity_id": "https://idp.umea.se/", "name": "Umeå kommuns skolkonto"}]

* ``purpose``: ``eid`` (Swedish e-ID through Sweden Connect or the municipality's broker: a
  login matched on the civic number) or ``school`` (the school federation: matched on the
  school-account name the register gave the person);
* ``metadata``: a file path or an https URL of the provider's SAML metadata;
* ``entity_id``: which provider of the metadata is meant, when it lists more than one;
* ``name``: optional, shown on the login button instead of the standard words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from config.env import ConfigurationError

PURPOSES = ("eid", "school")


@dataclass(frozen=True)
class IdentityProviderSetting:
    purpose: str  # one of PURPOSES
    metadata: str  # a file path or an http(s) URL
    entity_id: str | None = None
    name: str | None = None

    @property
    def metadata_is_url(self) -> bool:
        return self.metadata.startswith(("https://", "http://"))


def identity_providers(raw: str | None, *, allow_http: bool) -> tuple[IdentityProviderSetting, ...]:
    """Parse ``SAML_IDENTITY_PROVIDERS``; a mistake stops the start with a sentence saying
    what is wrong. Plain-http metadata URLs are refused outside development and tests."""
    if not raw or not raw.strip():
        return ()
    try:
        entries = json.loads(raw)
    except ValueError as error:
        raise ConfigurationError(f"SAML_IDENTITY_PROVIDERS is not valid JSON: {error}.") from None
    if not isinstance(entries, list):
        raise ConfigurationError("SAML_IDENTITY_PROVIDERS must be a JSON list of providers.")
    providers = []
    for number, entry in enumerate(entries, start=1):
        where = f"SAML_IDENTITY_PROVIDERS, provider {number}"
        if not isinstance(entry, dict):
            raise ConfigurationError(f"{where}: must be an object.")
        unknown = set(entry) - {"purpose", "metadata", "entity_id", "name"}
        if unknown:
            raise ConfigurationError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}.")
        purpose, metadata = entry.get("purpose"), entry.get("metadata")
        if purpose not in PURPOSES:
            raise ConfigurationError(f"{where}: purpose must be one of {', '.join(PURPOSES)}.")
        if not isinstance(metadata, str) or not metadata:
            raise ConfigurationError(f"{where}: metadata (a file path or an https URL) is required.")
        for key in ("entity_id", "name"):
            if entry.get(key) is not None and not isinstance(entry[key], str):
                raise ConfigurationError(f"{where}: {key} must be a string.")
        provider = IdentityProviderSetting(purpose, metadata, entry.get("entity_id"), entry.get("name"))
        if provider.metadata_is_url:
            if metadata.startswith("http://") and not allow_http:
                raise ConfigurationError(f"{where}: the metadata URL must use https.")
        elif not Path(metadata).is_file():
            raise ConfigurationError(f"{where}: the metadata file {metadata} does not exist.")
        providers.append(provider)
    return tuple(providers)
