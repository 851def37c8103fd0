"""The people the development providers can log in as, from a JSON file::

    [{"idp": "eid", "label": "Sofia Lindqvist (vårdnadshavare)",
      "attributes": {"personalIdentityNumber": "198803151862", "givenName": "Sofia", ...}}]

Attribute names are the friendly names of the contract's attributes (``ATTRIBUTES``); each is
sent with NameFormat uri under its OID.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DEMO_FILE = Path(__file__).with_name("demo_identities.json")

ATTRIBUTES = {
    "personalIdentityNumber": "urn:oid:1.2.752.29.4.13",
    "givenName": "urn:oid:2.5.4.42",
    "sn": "urn:oid:2.5.4.4",
    "displayName": "urn:oid:2.16.840.1.113730.3.1.241",
    "eduPersonPrincipalName": "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",
}


@dataclass(frozen=True)
class Identity:
    index: int  # its place in the file: the sign-in form's ``identity`` field
    idp: str
    label: str
    attributes: dict[str, str]


class IdentitiesError(ValueError):
    pass


def load(path: Path, providers: tuple[str, ...]) -> list[Identity]:
    """Every identity in the file, checked (a mistake stops the start with a sentence)."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IdentitiesError(f"{path}: {error}") from None
    if not isinstance(entries, list):
        raise IdentitiesError(f"{path}: must be a JSON list of identities.")
    found = []
    for index, entry in enumerate(entries):
        where = f"{path}, identity {index}"
        if not isinstance(entry, dict) or entry.get("idp") not in providers:
            raise IdentitiesError(f"{where}: needs idp, one of {', '.join(providers)}.")
        label, attributes = entry.get("label"), entry.get("attributes")
        if not isinstance(label, str) or not label or not isinstance(attributes, dict):
            raise IdentitiesError(f"{where}: needs a label and an attributes object.")
        unknown = set(attributes) - set(ATTRIBUTES)
        if unknown or not all(isinstance(value, str) for value in attributes.values()):
            raise IdentitiesError(f"{where}: attributes are strings named {', '.join(ATTRIBUTES)}.")
        found.append(Identity(index, entry["idp"], label, dict(attributes)))
    return found
