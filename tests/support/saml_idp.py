"""A real SAML identity provider for a test run: ``python -m devidp serve --faults`` in its
own process on a free port, with keys and metadata made fresh in a directory of the test's.

    idp = SamlIdentityProvider(directory, sp_metadata=f"{live_url}/saml2/metadata/",
                               identities=BROWSER_IDENTITIES)
    env = {**env, **idp.sp_env()}      # the service's SAML settings, before it starts
    idp.start()                        # the service's metadata is read at the first login
    ...
    idp.stop()

``sp_env`` is what the service needs: both providers (``SAML_IDENTITY_PROVIDERS``) and the
service's own key pair, made by ``prepare`` beside the provider's. The provider's sign-in page
lists the identities of that provider by label (``identity`` is the index in the list given).

Nothing here imports Django (like ``tests.support.processes``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tests.support.processes import ROOT, ManagedProcess, free_port

PROVIDERS = ("eid", "school")
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"

# The browser tests' world is the demo school loaded through its register (``seed_demo``),
# so its people have the register's civic numbers and school-account names.
GUARDIAN_CIVIC_NUMBER = "198803151862"  # Sofia Lindqvist, guardian of Elsa (4A) and Hugo (5B)
TEACHER_CIVIC_NUMBER = "198608052471"  # Lars Berglund, mentor of 4A
TEACHER_SCHOOL_ACCOUNT = "lars.berglund@bjorkbacka.umea.se"
# A valid civic number (date and control digit) of nobody the service knows.
UNKNOWN_CIVIC_NUMBER = "197904129983"

GUARDIAN_EID = "Sofia Lindqvist (e-legitimation)"
TEACHER_EID = "Lars Berglund (e-legitimation)"
TEACHER_SCHOOL = "Lars Berglund (skolkonto)"
UNKNOWN_EID = "Okänd person (e-legitimation)"
UNKNOWN_SCHOOL = "Okänt skolkonto"


def _person(idp: str, label: str, given: str, family: str, **identifiers: str) -> dict[str, Any]:
    return {
        "idp": idp,
        "label": label,
        "attributes": {**identifiers, "givenName": given, "sn": family, "displayName": f"{given} {family}"},
    }


BROWSER_IDENTITIES: list[dict[str, Any]] = [
    _person("eid", GUARDIAN_EID, "Sofia", "Lindqvist", personalIdentityNumber=GUARDIAN_CIVIC_NUMBER),
    _person("eid", TEACHER_EID, "Lars", "Berglund", personalIdentityNumber=TEACHER_CIVIC_NUMBER),
    _person("eid", UNKNOWN_EID, "Nils", "Okänd", personalIdentityNumber=UNKNOWN_CIVIC_NUMBER),
    _person("school", TEACHER_SCHOOL, "Lars", "Berglund", eduPersonPrincipalName=TEACHER_SCHOOL_ACCOUNT),
    _person(
        "school", UNKNOWN_SCHOOL, "Nora", "Okänd", eduPersonPrincipalName="nora.okand@bjorkbacka.umea.se"
    ),
]


def prepare(directory: Path, base_url: str) -> None:
    """``python -m devidp prepare``: keys (once) and both providers' metadata."""
    subprocess.run(
        [sys.executable, "-m", "devidp", "prepare", "--dir", str(directory), "--base-url", base_url],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )


class SamlIdentityProvider(ManagedProcess):
    """The development identity providers (e-ID and school account) for one test run."""

    name = "devidp"

    def __init__(
        self,
        directory: Path,
        sp_metadata: str,
        identities: Iterable[Mapping[str, Any]] = BROWSER_IDENTITIES,
        *,
        faults: bool = True,
        port: int | None = None,
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        super().__init__(port or free_port(), directory / "devidp.log")
        self.directory = directory
        self.sp_metadata = sp_metadata  # a URL (a live server's /saml2/metadata/) or a file path
        self.faults = faults
        self.identities = [dict(identity) for identity in identities]
        self.identities_file = directory / "identities.json"
        self.identities_file.write_text(json.dumps(self.identities, ensure_ascii=False), encoding="utf-8")
        prepare(directory, self.base_url)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def entity_id(self, provider: str) -> str:
        return f"{self.base_url}/{provider}/metadata"

    def metadata_file(self, provider: str) -> Path:
        return self.directory / f"{provider}-metadata.xml"

    @property
    def sp_key_file(self) -> Path:
        return self.directory / "sp.key"

    @property
    def sp_cert_file(self) -> Path:
        return self.directory / "sp.crt"

    def identity_index(self, label: str) -> int:
        """The ``identity`` form value of the identity with that label."""
        return next(i for i, identity in enumerate(self.identities) if identity["label"] == label)

    def sp_env(self) -> dict[str, str]:
        """The service's SAML settings for these providers and its key pair."""
        providers = [{"purpose": p, "metadata": str(self.metadata_file(p))} for p in PROVIDERS]
        return {
            "SAML_IDENTITY_PROVIDERS": json.dumps(providers),
            "SAML_KEY_FILE": str(self.sp_key_file),
            "SAML_CERT_FILE": str(self.sp_cert_file),
        }

    def command(self) -> list[str]:
        command = [
            sys.executable,
            "-m",
            "devidp",
            "serve",
            "--dir",
            str(self.directory),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--base-url",
            self.base_url,
            "--sp-metadata",
            self.sp_metadata,
            "--identities",
            str(self.identities_file),
        ]
        return [*command, "--faults"] if self.faults else command
