"""Reading an SS 12000 (v2.1) API over HTTP.

Organisations, persons and syllabuses are read whole or not at all (SourceError): without
them no school can be planned. Each school's groups, duties and activities are read on
their own (``organisation=<id>``): a failure there marks that school (``SchoolData.error``)
and the others go on, so one school's bad night does not stop the municipality's.

Authentication is OAuth 2 client credentials (a token fetched once per read and fetched
again once when the API answers 401) or a fixed bearer token. Nothing personal is ever sent
in a URL (only ids, times and page tokens), and nothing the register sent goes into a log
line or an error message: they name the endpoint, the status, the page and the school.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from roster.snapshot import Entity, SchoolData, Snapshot
from roster.sources.common import SourceError, deleted_ids, has_id, is_school, school_name

log = logging.getLogger("elevdialog.roster")

# A register that keeps answering with a next page would otherwise loop for ever.
MAX_PAGES = 100_000


class AuthenticationFailed(SourceError):
    """The register refused our credentials: no school can be read, so this is never
    turned into one school's error."""


class _Where:
    """Which request failed, for the sentence: the endpoint, the page and (for a school's
    lists) the school's name. Never the query string."""

    def __init__(self, path: str, school: str | None) -> None:
        self.path, self.school, self.page = path, school, 1

    def fail(self, problem: str, **values: Any) -> SourceError:
        """``problem`` is a key of the sentences below."""
        values = {"path": self.path, "page": self.page, "school": self.school, **values}
        log.warning("roster read failed: %s on %s page %s", problem, self.path, self.page)
        general, for_school = _SENTENCES[problem]
        return SourceError((for_school() if self.school else general()) % values)


# Each problem as a whole sentence, with and without the school (gettext needs whole
# sentences); functions, so they are translated in the language active when raised.
_SENTENCES = {
    "status": (
        lambda: _("The register answered %(status)s on %(path)s (page %(page)s)."),
        lambda: _("The register answered %(status)s on %(path)s for %(school)s (page %(page)s)."),
    ),
    "timeout": (
        lambda: _("The register did not answer on %(path)s within %(seconds)s seconds (page %(page)s)."),
        lambda: _(
            "The register did not answer on %(path)s for %(school)s within %(seconds)s seconds "
            "(page %(page)s)."
        ),
    ),
    "unreachable": (
        lambda: _("The register could not be reached on %(path)s (page %(page)s)."),
        lambda: _("The register could not be reached on %(path)s for %(school)s (page %(page)s)."),
    ),
    "json": (
        lambda: _("The register's answer on %(path)s is not valid JSON (page %(page)s)."),
        lambda: _("The register's answer on %(path)s for %(school)s is not valid JSON (page %(page)s)."),
    ),
    "shape": (
        lambda: _("The register's answer on %(path)s is not an SS 12000 list (page %(page)s)."),
        lambda: _(
            "The register's answer on %(path)s for %(school)s is not an SS 12000 list (page %(page)s)."
        ),
    ),
    "loop": (
        lambda: _("The register kept sending more pages on %(path)s (page %(page)s)."),
        lambda: _("The register kept sending more pages on %(path)s for %(school)s (page %(page)s)."),
    ),
}


class _Client:
    def __init__(self) -> None:
        self.base = str(settings.ROSTER_API_URL).rstrip("/")
        self.timeout = settings.ROSTER_TIMEOUT_SECONDS
        self.page_size = settings.ROSTER_PAGE_SIZE
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        self.oauth = bool(
            settings.ROSTER_TOKEN_URL and settings.ROSTER_CLIENT_ID and settings.ROSTER_CLIENT_SECRET
        )
        self.token: str | None = None if self.oauth else settings.ROSTER_BEARER_TOKEN

    def close(self) -> None:
        self.session.close()

    # Authentication -------------------------------------------------------------------------

    def fetch_token(self) -> str:
        try:
            response = self.session.post(
                str(settings.ROSTER_TOKEN_URL),
                data={"grant_type": "client_credentials"},
                auth=(str(settings.ROSTER_CLIENT_ID), str(settings.ROSTER_CLIENT_SECRET)),
                timeout=self.timeout,
            )
        except requests.Timeout:
            log.warning("roster token request timed out")
            raise SourceError(
                _("The register's token endpoint did not answer within %(seconds)s seconds.")
                % {"seconds": self.timeout}
            ) from None
        except requests.RequestException:
            log.warning("roster token endpoint unreachable")
            raise SourceError(_("The register's token endpoint could not be reached.")) from None
        if response.status_code in (400, 401, 403):
            log.warning("roster token request refused with %s", response.status_code)
            raise AuthenticationFailed(
                _(
                    "Authentication with the register failed: its token endpoint refused the client id "
                    "and secret (ROSTER_CLIENT_ID, ROSTER_CLIENT_SECRET)."
                )
            )
        if response.status_code != 200:
            log.warning("roster token request answered %s", response.status_code)
            raise SourceError(
                _("The register's token endpoint answered %(status)s.") % {"status": response.status_code}
            )
        try:
            token = response.json().get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not isinstance(token, str) or not token:
            log.warning("roster token endpoint answered without an access token")
            raise SourceError(_("The register's token endpoint did not return an access token."))
        return token

    def refused(self) -> AuthenticationFailed:
        log.warning("roster API refused the %s", "OAuth token" if self.oauth else "bearer token")
        if self.oauth:
            return AuthenticationFailed(
                _("Authentication with the register failed: it refused a fresh access token.")
            )
        return AuthenticationFailed(
            _("Authentication with the register failed: it refused the bearer token (ROSTER_BEARER_TOKEN).")
        )

    # Requests ---------------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any], where: _Where) -> requests.Response:
        """One GET with the token; on 401 a new token once (OAuth), then give up."""
        for attempt in (1, 2):
            if self.token is None:
                self.token = self.fetch_token()
            try:
                response = self.session.get(
                    self.base + path,
                    params=params,
                    headers={"Authorization": f"Bearer {self.token}"},
                    timeout=self.timeout,
                )
            except requests.Timeout:
                raise where.fail("timeout", seconds=self.timeout) from None
            except requests.RequestException:
                raise where.fail("unreachable") from None
            if response.status_code != 401:
                return response
            if not self.oauth or attempt == 2:
                break
            log.info("roster API answered 401: fetching a new token once")
            self.token = None
        raise self.refused()

    def pages(self, path: str, filters: dict[str, str], where: _Where) -> Iterator[Any]:
        """The ``data`` of every page of a list, following ``pageToken``; the next pages
        carry only the token, as the specification requires. ``where.page`` is the page
        just yielded."""
        params: dict[str, Any] = {"limit": self.page_size, **filters}
        seen: set[str] = set()
        while True:
            response = self.get(path, params, where)
            if response.status_code != 200:
                raise where.fail("status", status=response.status_code)
            try:
                body = response.json()
            except ValueError:
                raise where.fail("json") from None
            if not isinstance(body, dict) or "data" not in body:
                raise where.fail("shape")
            yield body["data"]
            token = body.get("pageToken")
            if not token:
                return
            if not isinstance(token, str) or token in seen or where.page >= MAX_PAGES:
                raise where.fail("loop")
            seen.add(token)
            params = {"pageToken": token}
            where.page += 1

    def read_list(self, path: str, filters: dict[str, str], school: str | None = None) -> list[Entity]:
        where = _Where(path, school)
        entities: list[Entity] = []
        for data in self.pages(path, filters, where):
            if not isinstance(data, list) or not all(has_id(entity) for entity in data):
                raise where.fail("shape")
            entities.extend(data)
        return entities


def read_api(
    *, modified_after: datetime.datetime | None = None, school_source_ids: set[str] | None = None
) -> Snapshot:
    """Read the register at ``settings.ROSTER_API_URL``: everything, or (``modified_after``)
    what changed after that time and what was deleted since; only the schools in
    ``school_source_ids`` when given. Raises SourceError when the register cannot be read
    as a whole; a single school's failure is its ``SchoolData.error``."""
    started = datetime.datetime.now(datetime.UTC)
    client = _Client()
    changed = {"meta.modified.after": _rfc3339(modified_after)} if modified_after else {}
    try:
        # Organisations and syllabuses are few and are looked up by id: always read whole.
        organisations = client.read_list("/organisations", {})
        syllabuses = client.read_list("/syllabuses", {})
        persons = client.read_list("/persons", changed)
        deleted: dict[str, set[str]] = {}
        if modified_after is not None:
            where = _Where("/deletedEntities", None)
            try:
                deleted = deleted_ids(
                    client.pages("/deletedEntities", {"after": _rfc3339(modified_after)}, where)
                )
            except ValueError:
                raise where.fail("shape") from None
        schools = [
            _read_school(client, organisation, changed)
            for organisation in organisations
            if is_school(organisation)
            and (school_source_ids is None or organisation["id"] in school_source_ids)
        ]
    finally:
        client.close()
    log.info(
        "roster read from the API: %s organisations, %s persons, %s schools (%s failed), %s",
        len(organisations),
        len(persons),
        len(schools),
        sum(1 for school in schools if school.error),
        "incremental" if modified_after else "complete",
    )
    return Snapshot(
        source=_public_url(client.base),
        complete=modified_after is None,
        read_started_at=started,
        organisations=organisations,
        persons={person["id"]: person for person in persons},
        syllabuses={syllabus["id"]: syllabus for syllabus in syllabuses},
        schools=schools,
        deleted=deleted,
    )


def _read_school(client: _Client, organisation: Entity, changed: dict[str, str]) -> SchoolData:
    name = school_name(organisation)
    filters = {"organisation": organisation["id"], **changed}
    try:
        groups = client.read_list("/groups", filters, name)
        duties = client.read_list("/duties", filters, name)
        activities = client.read_list("/activities", filters, name)
    except AuthenticationFailed:
        raise
    except SourceError as error:
        return SchoolData(organisation, [], [], [], error=str(error))
    return SchoolData(organisation, groups, duties, activities)


def _rfc3339(moment: datetime.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("modified_after must be an aware datetime")
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _public_url(url: str) -> str:
    """The API's address without any credentials or query a configuration might carry."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
