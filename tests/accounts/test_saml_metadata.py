"""The identity providers' metadata, kept per process: read once, read again when a file
changes or a URL's refresh time has come, the last good copy kept (and the failure logged)
when a refresh fails. And what the configured providers offer: buttons, purposes, levels."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from accounts.saml import levels, metadata, providers
from config.saml import IdentityProviderSetting
from tests.support.local_http import LocalHTTPService
from tests.support.saml_idp import prepare

BASE = "http://127.0.0.1:9"  # never contacted: the metadata only names it


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("metadata")
    prepare(directory, BASE)
    return directory


@pytest.fixture
def files(prepared: Path, tmp_path: Path, settings: Any) -> Iterator[Path]:
    for name in ("eid-metadata.xml", "school-metadata.xml", "sp.key", "sp.crt"):
        shutil.copy(prepared / name, tmp_path / name)
    settings.SAML_KEY_FILE = str(tmp_path / "sp.key")
    settings.SAML_CERT_FILE = str(tmp_path / "sp.crt")
    metadata.forget()
    yield tmp_path
    metadata.forget()


def _use(settings: Any, *configured: IdentityProviderSetting) -> None:
    settings.SAML_IDENTITY_PROVIDERS = configured


def _touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, (stat.st_atime + 5, stat.st_mtime + 5))


def test_the_buttons_come_e_id_first_with_the_standard_words(files: Path, settings: Any) -> None:
    _use(
        settings,
        IdentityProviderSetting("school", str(files / "school-metadata.xml")),
        IdentityProviderSetting("eid", str(files / "eid-metadata.xml")),
    )
    choices = providers.login_choices()
    assert [(c.purpose, c.entity_id) for c in choices] == [
        ("eid", f"{BASE}/eid/metadata"),
        ("school", f"{BASE}/school/metadata"),
    ]
    # Swedish once the translations are compiled.
    assert choices[0].label in ("Logga in med e-legitimation", "Log in with e-ID")
    assert choices[1].label in ("Logga in med skolkonto", "Log in with your school account")
    assert [c.purpose for c in providers.login_choices(["eid"])] == ["eid"]
    assert providers.purpose_of(f"{BASE}/school/metadata") == "school"
    assert providers.purpose_of("https://not.configured/") is None
    assert providers.purpose_of(None) is None


def test_a_configured_name_and_entity_id_are_used(files: Path, settings: Any) -> None:
    _use(
        settings,
        IdentityProviderSetting(
            "eid", str(files / "eid-metadata.xml"), f"{BASE}/eid/metadata", "Umeå e-legitimation"
        ),
        # An entity the metadata does not list is offered by nobody.
        IdentityProviderSetting("school", str(files / "school-metadata.xml"), "https://elsewhere/", None),
    )
    assert [(c.entity_id, c.label) for c in providers.login_choices()] == [
        (f"{BASE}/eid/metadata", "Umeå e-legitimation")
    ]


def test_no_providers_means_no_buttons_and_no_reading(settings: Any) -> None:
    _use(settings)
    metadata.forget()
    assert providers.login_choices() == []


def test_a_file_is_read_again_when_it_changes(files: Path, settings: Any) -> None:
    path = files / "eid-metadata.xml"
    _use(settings, IdentityProviderSetting("eid", str(path)))
    assert [c.entity_id for c in providers.login_choices()] == [f"{BASE}/eid/metadata"]
    shutil.copy(files / "school-metadata.xml", path)
    _touch_later(path)
    assert [c.entity_id for c in providers.login_choices()] == [f"{BASE}/school/metadata"]


def test_a_broken_file_keeps_the_last_good_copy_and_says_so_once(
    files: Path, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    path = files / "eid-metadata.xml"
    _use(settings, IdentityProviderSetting("eid", str(path)))
    assert len(providers.login_choices()) == 1
    path.write_text("<not metadata", encoding="utf-8")
    _touch_later(path)
    with caplog.at_level(logging.ERROR, logger="accounts.saml.metadata"):
        for _ in range(3):
            assert [c.entity_id for c in providers.login_choices()] == [f"{BASE}/eid/metadata"]
    assert len(caplog.records) == 1
    assert "keeping the last good copy" in caplog.records[0].getMessage()


class MetadataServer(LocalHTTPService):
    """Serves one metadata document; counts the fetches; can be made to fail."""

    def __init__(self, document: bytes) -> None:
        super().__init__()
        self.document = document
        self.fetches = 0
        self.failing = False

    def handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                service.fetches += 1
                status, body = (500, b"down") if service.failing else (200, service.document)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/md.xml"


def test_a_url_is_fetched_once_until_its_refresh_time(files: Path, settings: Any) -> None:
    with MetadataServer((files / "eid-metadata.xml").read_bytes()) as server:
        _use(settings, IdentityProviderSetting("eid", server.url))
        settings.SAML_METADATA_REFRESH_SECONDS = 3600
        for _ in range(5):
            assert [c.purpose for c in providers.login_choices()] == ["eid"]
        assert server.fetches == 1


def test_a_failed_refresh_keeps_the_last_good_copy(
    files: Path, settings: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    with MetadataServer((files / "eid-metadata.xml").read_bytes()) as server:
        _use(settings, IdentityProviderSetting("eid", server.url))
        settings.SAML_METADATA_REFRESH_SECONDS = 0  # due again at once
        assert len(providers.login_choices()) == 1
        server.failing = True
        monkeypatch.setattr(metadata, "RETRY_AFTER_FAILURE_SECONDS", 0)
        with caplog.at_level(logging.ERROR, logger="accounts.saml.metadata"):
            assert [c.purpose for c in providers.login_choices()] == ["eid"]
        assert server.fetches == 2
        assert "keeping the last good copy" in caplog.text
        # Back up: the new copy is taken.
        server.failing = False
        server.document = (files / "school-metadata.xml").read_bytes()
        assert [c.entity_id for c in providers.login_choices()] == [f"{BASE}/school/metadata"]


def test_an_unreachable_url_at_the_start_offers_no_button(settings: Any, files: Path) -> None:
    _use(settings, IdentityProviderSetting("eid", "http://127.0.0.1:9/md.xml"))
    assert providers.login_choices() == []


@pytest.mark.parametrize(
    ("class_ref", "strong"),
    [
        ("http://id.elegnamnden.se/loa/1.0/loa3", True),
        ("http://id.elegnamnden.se/loa/1.0/loa4", True),
        ("http://id.elegnamnden.se/loa/1.0/eidas-sub", True),
        ("http://id.elegnamnden.se/loa/1.0/eidas-nf-high", True),
        ("http://eidas.europa.eu/LoA/substantial", True),
        ("http://eidas.europa.eu/LoA/high", True),
        ("http://id.elegnamnden.se/loa/1.0/loa2", False),
        ("http://eidas.europa.eu/LoA/low", False),
        ("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", False),
        ("http://id.elegnamnden.se/loa/1.0/loa3-fake", False),
        ("", False),
        (None, False),
    ],
)
def test_levels_3_and_up_and_eidas_substantial_and_high_are_strong(
    class_ref: str | None, strong: bool
) -> None:
    assert levels.is_strong(class_ref) is strong
