"""The two development providers, their pysaml2 configuration and their metadata files.

Both sign with the same key (``idp.key``/``idp.crt``). Their entity ids, single sign-on and
single logout addresses are fixed by the base URL: ``{base}/eid/metadata``, ``{base}/eid/sso``,
``{base}/eid/slo`` and the same under ``/school/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor, metadata_tostring_fix
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT
from saml2.sigver import get_xmlsec_binary
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from devidp.keys import ensure_key_pair

# The providers: what each stands for, shown on its pages.
PROVIDERS = {
    "eid": "Utvecklingslegitimation (e-legitimation)",
    "school": "Utvecklingsskolkonto (skolfederation)",
}
# How long an assertion and its subject confirmation are valid (the contract: now + 5 min).
LIFETIME_MINUTES = 5


def entity_id(base_url: str, provider: str) -> str:
    return f"{base_url.rstrip('/')}/{provider}/metadata"


def metadata_path(directory: Path, provider: str) -> Path:
    return directory / f"{provider}-metadata.xml"


def prepare(directory: Path, base_url: str) -> list[Path]:
    """Keys (made once) and both providers' metadata (written every time: the base URL may
    have changed). Also the service's development key pair ``sp.key``/``sp.crt``."""
    ensure_key_pair(directory, "idp", "Elevdialog devidp")
    ensure_key_pair(directory, "sp", "Elevdialog development service")
    written = []
    for provider in PROVIDERS:
        config = IdPConfig().load(provider_config(directory, base_url, provider))
        descriptor = entity_descriptor(config)
        # pysaml2 would list every algorithm xmlsec1 knows (MD5 and SHA-1 too): list none.
        descriptor.extensions = None
        xml = metadata_tostring_fix(descriptor, {"xs": "http://www.w3.org/2001/XMLSchema"}, None)
        text = xml.decode() if isinstance(xml, bytes) else str(xml)
        path = metadata_path(directory, provider)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:  # unchanged: left alone
            temporary = path.with_name(f".{path.name}.tmp")
            temporary.write_text(text, encoding="utf-8")
            temporary.replace(path)
        written.append(path)
    return written


def provider_config(
    directory: Path, base_url: str, provider: str, sp_metadata: str | None = None, clock_skew: int = 60
) -> dict[str, Any]:
    """pysaml2's configuration of one provider; ``sp_metadata`` is the service's metadata
    (XML text), known only when serving."""
    base = base_url.rstrip("/")
    config: dict[str, Any] = {
        "entityid": entity_id(base, provider),
        "name": PROVIDERS[provider],
        "key_file": str(directory / "idp.key"),
        "cert_file": str(directory / "idp.crt"),
        "xmlsec_binary": get_xmlsec_binary(["/usr/bin", "/usr/local/bin"]),
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "accepted_time_diff": clock_skew,
        "allow_unknown_attributes": True,
        "service": {
            "idp": {
                "name": PROVIDERS[provider],
                "endpoints": {
                    "single_sign_on_service": [(f"{base}/{provider}/sso", BINDING_HTTP_REDIRECT)],
                    "single_logout_service": [(f"{base}/{provider}/slo", BINDING_HTTP_REDIRECT)],
                },
                "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                "sign_assertion": True,
                "sign_response": True,
                "want_authn_requests_signed": True,
                "policy": {
                    "default": {
                        "lifetime": {"minutes": LIFETIME_MINUTES},
                        "name_form": NAME_FORMAT_URI,
                        "attribute_restrictions": None,
                    }
                },
            }
        },
    }
    if sp_metadata is not None:
        config["metadata"] = {"inline": [sp_metadata]}
    return config
