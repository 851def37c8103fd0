"""This service's SAML configuration (the pysaml2 ``SPConfig``), built from settings.

djangosaml2 calls ``sp_config`` (``SAML_CONFIG_LOADER``) each time it needs the
configuration; building it is cheap, and the providers' metadata it carries is kept per
process by ``accounts.saml.metadata``, never fetched per request.

What it promises the providers and requires of them: requests and logouts signed with
SHA-256, assertions signed, nothing unsolicited, the validity window stretched by
``SAML_CLOCK_SKEW_SECONDS`` only.
"""

from __future__ import annotations

import shutil
from typing import Any

import saml2
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from saml2 import xmldsig
from saml2.config import SPConfig
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT

from accounts.saml.metadata import metadata_store

# Attributes the service asks for (Sweden Connect's and the school federation's names); none
# is required of every provider: an e-ID gives the civic number, a school account its name.
OPTIONAL_ATTRIBUTES = ["personalIdentityNumber", "eduPersonPrincipalName", "givenName", "sn", "displayName"]


def _url(name: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse(name)}"


def _settings_dict() -> dict[str, Any]:
    key_file, cert_file = settings.SAML_KEY_FILE, settings.SAML_CERT_FILE
    return {
        "entityid": settings.SAML_ENTITY_ID,
        "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
        "key_file": key_file or None,
        "cert_file": cert_file or None,
        "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}] if key_file else [],
        "accepted_time_diff": settings.SAML_CLOCK_SKEW_SECONDS,
        "signing_algorithm": xmldsig.SIG_RSA_SHA256,
        "digest_algorithm": xmldsig.DIGEST_SHA256,
        "http_client_timeout": 10,
        "delete_tmpfiles": True,
        "allow_unknown_attributes": True,  # an attribute under its bare OID still reaches the match
        "service": {
            "sp": {
                "name": "Elevdialog",
                "endpoints": {
                    "assertion_consumer_service": [(_url("saml-acs"), saml2.BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (_url("saml-sls"), saml2.BINDING_HTTP_REDIRECT),
                        (_url("saml-sls-post"), saml2.BINDING_HTTP_POST),
                    ],
                },
                "name_id_format": [NAMEID_FORMAT_TRANSIENT, NAMEID_FORMAT_PERSISTENT],
                "optional_attributes": OPTIONAL_ATTRIBUTES,
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,  # the assertion's signature is what counts
                "allow_unsolicited": False,
                "force_authn": False,
                "signing_algorithm": xmldsig.SIG_RSA_SHA256,
                "digest_algorithm": xmldsig.DIGEST_SHA256,
            }
        },
    }


def sp_config(request: HttpRequest | None = None) -> SPConfig:
    """The configuration for one SAML exchange. ``request`` is unused: the configuration is
    the same for every request."""
    config = SPConfig()
    config.load(_settings_dict())
    config.metadata = metadata_store(config)
    # pysaml2 requires a signature on a request it parses (here: a provider's LogoutRequest)
    # only where this flag, read in the identity-provider context, says so.
    config.setattr("idp", "want_authn_requests_signed", True)
    return config
