"""The providers' logic over pysaml2's identity-provider side (``saml2.server.Server``):
take an AuthnRequest, remember it while the person picks an identity, answer with a signed
Response to the service's assertion consumer service, and single logout both ways.

State lives in memory only (a development tool): requests waiting for an answer, keyed by a
random id, and who is logged in at which provider for which browser (its cookie).
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, samlp
from saml2.attribute_converter import AttributeConverter
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from devidp import faults, metadata
from devidp.identities import ATTRIBUTES, Identity
from devidp.sp_metadata import MetadataUnavailable, SpMetadataSource

LEVELS = {
    "3": "http://id.elegnamnden.se/loa/1.0/loa3",
    "2": "http://id.elegnamnden.se/loa/1.0/loa2",
}
PENDING_MAX_AGE_SECONDS = 3600


class Refused(Exception):
    """A request the provider cannot answer; the message (Swedish) is shown on its page."""


@dataclass(frozen=True)
class Pending:
    provider: str
    request_id: str
    acs: str
    sp_entity_id: str
    relay_state: str
    created: float


@dataclass(frozen=True)
class SignedIn:
    sp_entity_id: str
    name_id: NameID
    session_index: str
    label: str


@dataclass(frozen=True)
class PostAnswer:
    """What the browser posts to the service: the base64 Response and the relay state."""

    acs: str
    saml_response: str
    relay_state: str


class DevIdentityProvider:
    def __init__(
        self,
        directory: Path,
        base_url: str,
        sp_metadata: SpMetadataSource,
        identities: list[Identity],
        *,
        faults_enabled: bool = False,
        clock_skew: int = 60,
    ) -> None:
        self.directory = directory
        self.base_url = base_url.rstrip("/")
        self.sp_metadata = sp_metadata
        self.identities = identities
        self.faults_enabled = faults_enabled
        self.clock_skew = clock_skew
        self._servers: dict[str, tuple[str, Server]] = {}
        self._pending: dict[str, Pending] = {}
        self._signed_in: dict[tuple[str, str], SignedIn] = {}
        self._lock = threading.RLock()

    # --- The pysaml2 servers, rebuilt when the service's metadata changes ------------------

    def _server(self, provider: str, *, refresh: bool = False) -> Server:
        try:
            xml = self.sp_metadata.read(refresh=refresh)
        except MetadataUnavailable as error:
            raise Refused(f"Tjänstens metadata gick inte att läsa ({error}).") from None
        with self._lock:
            known = self._servers.get(provider)
            if known is None or known[0] != xml:
                config = metadata.provider_config(
                    self.directory, self.base_url, provider, xml, self.clock_skew
                )
                server = Server(config=IdPConfig().load(config))
                server.config.attribute_converters = [_uri_converter()]
                known = self._servers[provider] = (xml, server)
            return known[1]

    def entity_id(self, provider: str) -> str:
        return metadata.entity_id(self.base_url, provider)

    def identities_of(self, provider: str) -> list[Identity]:
        return [identity for identity in self.identities if identity.idp == provider]

    # --- Single sign-on ---------------------------------------------------------------------

    def receive_authn_request(self, provider: str, params: dict[str, str]) -> str:
        """Check an AuthnRequest (HTTP-Redirect) and keep it: the key of the waiting request."""
        if "SAMLRequest" not in params:
            raise Refused("Begäran saknar SAMLRequest.")
        answer: dict[str, Any] | None = None
        for refresh in (False, True):  # an unknown service: its metadata may be new
            server = self._server(provider, refresh=refresh)
            try:
                request = server.parse_authn_request(
                    params["SAMLRequest"],
                    BINDING_HTTP_REDIRECT,
                    relay_state=params.get("RelayState"),
                    sigalg=params.get("SigAlg"),
                    signature=params.get("Signature"),
                )
                answer = server.response_args(request.message, [BINDING_HTTP_POST])
                break
            except Exception:  # noqa: S112 -- pysaml2 raises many kinds; the next try says it
                continue
        if answer is None:
            raise Refused("Begäran kunde inte tolkas, eller kommer från en tjänst som inte är känd.")
        key = secrets.token_urlsafe(16)
        now = time.monotonic()
        with self._lock:
            for old in [k for k, p in self._pending.items() if now - p.created > PENDING_MAX_AGE_SECONDS]:
                del self._pending[old]
            self._pending[key] = Pending(
                provider,
                answer["in_response_to"],
                answer["destination"],
                answer["sp_entity_id"],
                params.get("RelayState", ""),
                now,
            )
        return key

    def pending(self, key: str) -> Pending | None:
        with self._lock:
            return self._pending.get(key)

    def answer(self, key: str, identity_index: int, level: str, fault: str, browser: str) -> PostAnswer:
        """The signed Response for a waiting request (used once), as the chosen identity at
        the chosen level; with a fault, broken the chosen way."""
        with self._lock:
            pending = self._pending.pop(key, None)
        if pending is None:
            raise Refused("Begäran är redan besvarad eller för gammal. Börja om från tjänsten.")
        identity = next((i for i in self.identities_of(pending.provider) if i.index == identity_index), None)
        if identity is None or level not in LEVELS:
            raise Refused("Välj en identitet och en tillitsnivå.")
        if fault and (not self.faults_enabled or fault not in faults.FAULTS):
            raise Refused("Okänt fel att framkalla.")
        server = self._server(pending.provider)
        name_id = NameID(
            format=NAMEID_FORMAT_TRANSIENT,
            text=secrets.token_hex(16),
            name_qualifier=self.entity_id(pending.provider),
            sp_name_qualifier=pending.sp_entity_id,
        )
        config = metadata.provider_config(self.directory, self.base_url, pending.provider)
        policy = faults.ReleasePolicy(fault, config["service"]["idp"]["policy"], server.metadata)
        signed = server.create_authn_response(
            {name: [value] for name, value in identity.attributes.items()},
            pending.request_id,
            pending.acs,
            pending.sp_entity_id,
            name_id=name_id,
            authn={"class_ref": LEVELS[level]},
            sign_assertion=True,
            sign_response=True,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
            release_policy=policy,
        )
        xml = str(signed)
        response = samlp.response_from_string(xml)
        if not fault:
            session_index = response.assertion[0].authn_statement[0].session_index
            with self._lock:
                self._signed_in[(browser, pending.provider)] = SignedIn(
                    pending.sp_entity_id, name_id, session_index, identity.label
                )
        if fault == "tampered":
            xml = faults.tamper(xml)
        encoded = base64.b64encode(xml.encode("utf-8")).decode("ascii")
        return PostAnswer(pending.acs, encoded, pending.relay_state)

    # --- Single logout ----------------------------------------------------------------------

    def signed_in(self, browser: str, provider: str) -> SignedIn | None:
        with self._lock:
            return self._signed_in.get((browser, provider))

    def receive_logout(self, provider: str, params: dict[str, str], browser: str) -> str | None:
        """A LogoutRequest from the service (its session there has ended): end ours and the
        URL of the LogoutResponse back. A LogoutResponse (to our own request): None."""
        server = self._server(provider)
        if "SAMLResponse" in params:
            try:
                server.parse_logout_request_response(params["SAMLResponse"], BINDING_HTTP_REDIRECT)
            except Exception:
                raise Refused("Tjänstens svar på utloggningen kunde inte tolkas.") from None
            return None
        if "SAMLRequest" not in params:
            raise Refused("Begäran saknar SAMLRequest eller SAMLResponse.")
        try:
            request = server.parse_logout_request(
                params["SAMLRequest"],
                BINDING_HTTP_REDIRECT,
                relay_state=params.get("RelayState"),
                sigalg=params.get("SigAlg"),
                signature=params.get("Signature"),
            )
            response = server.create_logout_response(request.message, [BINDING_HTTP_REDIRECT], sign=False)
        except Exception:
            raise Refused("Utloggningsbegäran kunde inte tolkas.") from None
        with self._lock:
            self._signed_in.pop((browser, provider), None)
        return self._redirect(server, str(response), response.destination, params.get("RelayState", ""), True)

    def start_logout(self, provider: str, browser: str) -> str | None:
        """Log out here and send a LogoutRequest to the service: its URL (None: nobody was
        logged in)."""
        with self._lock:
            session = self._signed_in.pop((browser, provider), None)
        if session is None:
            return None
        server = self._server(provider)
        try:
            _binding, destination = server.pick_binding(
                "single_logout_service", [BINDING_HTTP_REDIRECT], "spsso", entity_id=session.sp_entity_id
            )
        except Exception:
            raise Refused("Tjänsten har ingen adress för utloggning.") from None
        _id, request = server.create_logout_request(
            destination,
            session.sp_entity_id,
            name_id=session.name_id,
            session_indexes=[session.session_index],
            sign=False,
        )
        return self._redirect(server, str(request), destination, "", False)

    @staticmethod
    def _redirect(server: Server, xml: str, destination: str, relay_state: str, response: bool) -> str:
        """An HTTP-Redirect message signed in its query string (SHA-256)."""
        info = server.apply_binding(
            BINDING_HTTP_REDIRECT,
            xml,
            destination,
            relay_state,
            response=response,
            sign=True,
            sigalg=SIG_RSA_SHA256,
        )
        return str(dict(info["headers"])["Location"])


def _uri_converter() -> AttributeConverter:
    """The contract's attributes by OID (NameFormat uri); pysaml2's maps lack the civic number."""
    converter = AttributeConverter(NAME_FORMAT_URI)
    converter.from_dict(
        {
            "identifier": NAME_FORMAT_URI,
            "fro": {oid: name for name, oid in ATTRIBUTES.items()},
            "to": dict(ATTRIBUTES),
        }
    )
    return converter
