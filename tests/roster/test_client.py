"""Reading the register over real HTTP from the local SS 12000 server: paging, both ways of
authenticating, incremental reads with deletions, failures of one school or of the whole
register, the JSON file, and that nothing personal ever goes into a URL or an error."""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

import pytest
from django.utils import translation

from accounts.civic import LOOKS_LIKE_CIVIC_NUMBER, birth_date, normalise
from roster.sources import AuthenticationFailed, SourceError, configured_reader, read_api, read_file
from tests.roster.conftest import CLIENT_SECRET, PAGE_SIZE, SmallMunicipality
from tests.support.roster_generator import municipality as generate
from tests.support.ss12000 import SS12000Server, rfc3339

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def english() -> Any:
    with translation.override("en"):
        yield


def add_second_school(municipality: SmallMunicipality) -> dict[str, Any]:
    """Ekbacken with five classes (two pages of groups at three a page), one student each."""
    school = municipality.add_school("Ekbackens skola", "87654321")
    for name in ("1A", "2A", "3A", "5A", "6A"):
        klass = municipality.add_class(school, name)
        municipality.add_student(
            school, klass, "Vera", "Holm", guardians=[municipality.add_guardian("Per", "Holm")]
        )
    return school


def add_classes(municipality: SmallMunicipality, *names: str) -> None:
    for name in names:
        municipality.add_class(municipality.school, name)


def pages_of(server: SS12000Server, path: str) -> int:
    return len(server.requests_to(path))


# --- A full read ------------------------------------------------------------------------------


def test_a_full_read_pages_through_every_list(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    add_classes(municipality, "5A", "5B", "6A")  # five classes: two pages of three
    ss12000.load(municipality.muni)

    snapshot = read_api()

    assert snapshot.complete is True
    assert snapshot.source == ss12000.url
    assert len(snapshot.persons) == 14  # 4 students, 8 guardians, a teacher, a principal
    assert set(snapshot.persons) == set(municipality.persons)
    assert [school.organisation["displayName"] for school in snapshot.schools] == ["Björkbackaskolan"]
    school = snapshot.schools[0]
    assert school.error == ""
    assert [group["displayName"] for group in school.groups] == ["4A", "4B", "5A", "5B", "6A"]
    assert len(school.duties) == 2
    assert len(school.activities) == 1
    assert [s["subjectCode"] for s in snapshot.syllabuses.values()] == ["MA"]
    assert len(snapshot.organisations) == 2  # the Huvudman is served too, but is no school
    assert snapshot.deleted == {}
    # 14 persons at 3 a page: 5 pages; 5 groups: 2 pages; the rest fit on one.
    counts = {path: pages_of(ss12000, path) for path in ("/organisations", "/persons", "/groups", "/duties")}
    assert counts == {"/organisations": 1, "/persons": 5, "/groups": 2, "/duties": 1}
    assert pages_of(ss12000, "/activities") == pages_of(ss12000, "/syllabuses") == 1
    assert pages_of(ss12000, "/deletedEntities") == 0  # only an incremental read asks


def test_next_pages_carry_only_the_page_token(ss12000: SS12000Server) -> None:
    read_api()

    persons = ss12000.requests_to("/persons")
    assert persons[0].query == {"limit": [str(PAGE_SIZE)]}
    assert all(set(request.query) == {"pageToken"} for request in persons[1:])
    groups = ss12000.requests_to("/groups")
    assert groups[0].param("organisation") is not None
    assert all(request.status == 200 for request in ss12000.requests)


def test_a_read_limited_to_one_school_asks_only_for_its_lists(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    other = add_second_school(municipality)
    ss12000.load(municipality.muni)

    snapshot = read_api(school_source_ids={other["id"]})

    assert [school.organisation["id"] for school in snapshot.schools] == [other["id"]]
    first_pages = [request for request in ss12000.requests_to("/groups") if "pageToken" not in request.query]
    assert {request.param("organisation") for request in first_pages} == {other["id"]}


# --- Authentication ---------------------------------------------------------------------------


def test_client_credentials_fetch_one_token_for_the_whole_read(ss12000: SS12000Server) -> None:
    read_api()

    tokens = ss12000.requests_to("/token")
    assert len(tokens) == 1
    assert tokens[0].method == "POST"
    assert (tokens[0].authorization or "").startswith("Basic ")
    assert all((r.authorization or "").startswith("Bearer ") for r in ss12000.requests if r.path != "/token")


def test_a_fixed_bearer_token_works_without_the_token_endpoint(ss12000: SS12000Server, settings: Any) -> None:
    settings.ROSTER_TOKEN_URL = settings.ROSTER_CLIENT_ID = settings.ROSTER_CLIENT_SECRET = None
    settings.ROSTER_BEARER_TOKEN = ss12000.bearer_token

    snapshot = read_api()

    assert len(snapshot.persons) == 14
    assert ss12000.requests_to("/token") == []


def test_a_wrong_secret_is_an_authentication_failure_that_does_not_repeat_it(
    ss12000: SS12000Server, settings: Any
) -> None:
    settings.ROSTER_CLIENT_SECRET = "fel-nyckel"

    with pytest.raises(AuthenticationFailed) as refused:
        read_api()

    assert str(refused.value).startswith("Authentication with the register failed")
    assert "fel-nyckel" not in str(refused.value)
    assert CLIENT_SECRET not in str(refused.value)
    assert [r.path for r in ss12000.requests] == ["/token"]  # no API call without a token


def test_a_wrong_bearer_token_is_an_authentication_failure(ss12000: SS12000Server, settings: Any) -> None:
    settings.ROSTER_TOKEN_URL = settings.ROSTER_CLIENT_ID = settings.ROSTER_CLIENT_SECRET = None
    settings.ROSTER_BEARER_TOKEN = "gammal-token"

    with pytest.raises(SourceError, match="refused the bearer token") as refused:
        read_api()

    assert "gammal-token" not in str(refused.value)
    assert len(ss12000.requests) == 1  # a fixed token cannot be renewed: no second try


def test_an_expired_token_is_renewed_once_and_the_read_goes_on(ss12000: SS12000Server) -> None:
    ss12000.expire_tokens(after_requests=3)  # organisations, syllabuses, first page of persons

    snapshot = read_api()

    assert len(snapshot.persons) == 14
    assert len(ss12000.requests_to("/token")) == 2
    refused = [r for r in ss12000.requests if r.status == 401]
    assert [r.path for r in refused] == ["/persons"]
    assert set(refused[0].query) == {"pageToken"}  # the same page, asked again with the new token


def test_a_token_refused_twice_is_an_authentication_failure(ss12000: SS12000Server) -> None:
    ss12000.token_lifetime = 0  # every token is dead on arrival

    with pytest.raises(AuthenticationFailed, match="refused a fresh access token"):
        read_api()

    assert len(ss12000.requests_to("/token")) == 2
    assert len(ss12000.requests_to("/organisations")) == 2


# --- Incremental reads --------------------------------------------------------------------------


def test_an_incremental_read_asks_for_changes_and_deletions(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    first = read_api()
    elsa, hugo = municipality.students[:2]
    leaving_guardian = municipality.guardians[2]  # one of Hugo's
    municipality.move_student(elsa, municipality.class_4a, municipality.class_4b, datetime.date(2027, 1, 10))
    municipality.end_guardianship(hugo, leaving_guardian)
    municipality.delete("persons", leaving_guardian["id"])
    ss12000.load(municipality.muni)
    ss12000.clear_log()

    snapshot = read_api(modified_after=first.read_started_at)

    assert snapshot.complete is False
    assert set(snapshot.persons) == {hugo["id"]}
    assert {group["displayName"] for group in snapshot.schools[0].groups} == {"4A", "4B"}
    assert snapshot.schools[0].duties == []
    assert snapshot.schools[0].activities == []
    assert snapshot.deleted == {"persons": {leaving_guardian["id"]}}
    after = rfc3339(first.read_started_at)
    assert ss12000.requests_to("/persons")[0].param("meta.modified.after") == after
    assert ss12000.requests_to("/groups")[0].param("meta.modified.after") == after
    assert ss12000.requests_to("/deletedEntities")[0].param("after") == after
    assert ss12000.requests_to("/organisations")[0].param("meta.modified.after") is None  # always whole
    assert first.read_started_at < snapshot.read_started_at


def test_deleted_activities_are_read_under_the_reference_apis_spelling(
    municipality: SmallMunicipality, settings: Any
) -> None:
    activity = next(iter(municipality.activities.values()))
    municipality.delete("activities", activity["id"])
    with SS12000Server(misspell_activities=True) as server:
        server.load(municipality.muni)
        settings.ROSTER_API_URL = server.url
        settings.ROSTER_BEARER_TOKEN = server.bearer_token
        settings.ROSTER_TOKEN_URL = None

        snapshot = read_api(modified_after=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))

    assert snapshot.deleted == {"activities": {activity["id"]}}


# --- Failures ---------------------------------------------------------------------------------


def test_a_failure_on_one_schools_second_page_marks_only_that_school(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    add_classes(municipality, "5A", "5B")  # four classes: the second page has one
    other = add_second_school(municipality)
    ss12000.load(municipality.muni)
    ss12000.fail_next("/groups", 500, after_pages=1, organisation=municipality.school["id"])

    snapshot = read_api()

    failed, whole = snapshot.schools
    assert failed.error == "The register answered 500 on /groups for Björkbackaskolan (page 2)."
    assert failed.groups == failed.duties == failed.activities == []
    assert whole.organisation["id"] == other["id"]
    assert whole.error == ""
    assert [group["displayName"] for group in whole.groups] == ["1A", "2A", "3A", "5A", "6A"]
    assert len(snapshot.persons) == 14 + 10


def test_a_swedish_error_for_the_failed_school(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    ss12000.fail_next("/duties", 503)

    with translation.override("sv"):
        snapshot = read_api()

    sentence = "The register answered %(status)s on %(path)s for %(school)s (page %(page)s)."
    with translation.override("sv"):
        compiled = translation.gettext(sentence) != sentence  # a fresh checkout has no catalogue
    assert snapshot.schools[0].error == (
        "Registret svarade 503 på /duties för Björkbackaskolan (sida 1)."
        if compiled
        else "The register answered 503 on /duties for Björkbackaskolan (page 1)."
    )


def test_a_failure_on_persons_fails_the_whole_read(ss12000: SS12000Server) -> None:
    ss12000.fail_next("/persons", 500, after_pages=2)

    with pytest.raises(SourceError) as failed:
        read_api()

    assert str(failed.value) == "The register answered 500 on /persons (page 3)."
    assert ss12000.requests_to("/groups") == []  # no school is read without the persons


@pytest.mark.parametrize(
    ("body", "content_type", "sentence"),
    [
        ('{"data": [', "application/json", "The register's answer on /persons is not valid JSON (page 1)."),
        (
            "<html>Bad gateway</html>",
            "text/html",
            "The register's answer on /persons is not valid JSON (page 1).",
        ),
        (
            '{"items": []}',
            "application/json",
            "The register's answer on /persons is not an SS 12000 list (page 1).",
        ),
        (
            '{"data": [{"name": "x"}]}',
            "application/json",
            "The register's answer on /persons is not an SS 12000 list (page 1).",
        ),
    ],
)
def test_an_answer_that_is_not_an_ss12000_list_fails_the_read(
    ss12000: SS12000Server, body: str, content_type: str, sentence: str
) -> None:
    ss12000.fail_next("/persons", 200, body=body, content_type=content_type)

    with pytest.raises(SourceError) as failed:
        read_api()

    assert str(failed.value) == sentence


def test_a_malformed_answer_for_one_school_marks_that_school(ss12000: SS12000Server) -> None:
    ss12000.fail_next("/activities", 200, body="not json")

    snapshot = read_api()

    assert snapshot.schools[0].error == (
        "The register's answer on /activities for Björkbackaskolan is not valid JSON (page 1)."
    )


def test_a_register_that_cannot_be_reached_is_a_clear_error(settings: Any) -> None:
    with SS12000Server() as server:
        url = server.url  # a port that was free a moment ago and is closed now
    settings.ROSTER_API_URL = url
    settings.ROSTER_BEARER_TOKEN = "token"
    settings.ROSTER_TOKEN_URL = None

    with pytest.raises(
        SourceError, match=r"^The register could not be reached on /organisations \(page 1\)\.$"
    ):
        read_api()


def test_a_token_endpoint_that_fails_is_not_an_authentication_failure(ss12000: SS12000Server) -> None:
    ss12000.fail_next("/token", 502)

    with pytest.raises(SourceError) as failed:
        read_api()

    assert not isinstance(failed.value, AuthenticationFailed)
    assert str(failed.value) == "The register's token endpoint answered 502."


# --- Nothing personal in URLs or logs -------------------------------------------------------------


def test_no_civic_number_or_name_ever_goes_into_a_url(
    ss12000: SS12000Server, municipality: SmallMunicipality, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="elevdialog.roster")
    first = read_api()
    municipality.rename(municipality.students[0], given="Elsie")
    ss12000.load(municipality.muni)
    ss12000.fail_next("/groups", 500)
    read_api(modified_after=first.read_started_at)

    civic_numbers = [person["civicNo"]["value"] for person in municipality.persons.values()]
    names = {person[key] for person in municipality.persons.values() for key in ("givenName", "familyName")}
    logged = caplog.text
    for request in ss12000.requests:
        assert LOOKS_LIKE_CIVIC_NUMBER.search(request.target) is None
        assert not any(number in request.target for number in civic_numbers)
        assert not any(name in request.target for name in names)
    assert not any(number in logged or number[2:] in logged for number in civic_numbers)
    assert not any(name in logged for name in names)
    assert "roster read failed" in logged


# --- The JSON file ------------------------------------------------------------------------------


def test_a_file_reads_as_the_api_does(municipality: SmallMunicipality, tmp_path: Any) -> None:
    other = add_second_school(municipality)
    municipality.delete("persons", municipality.guardians[0]["id"])
    path = municipality.write(tmp_path / "roster.json", with_deleted=True)

    snapshot = read_file(path)

    assert snapshot.source == "roster.json"
    assert snapshot.complete is True
    assert set(snapshot.persons) == set(municipality.persons)
    first, second = snapshot.schools
    assert [group["displayName"] for group in first.groups] == ["4A", "4B"]
    assert len(first.duties) == 2
    assert len(first.activities) == 1
    assert second.organisation["id"] == other["id"]
    assert len(second.groups) == 5
    assert snapshot.deleted == {"persons": {municipality.guardians[0]["id"]}}


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        ('{"organisations": [', "The register file roster.json is not valid JSON (line 1, column 20)."),
        ("[]", "The register file roster.json is not an SS 12000 export: it must be a JSON object."),
        ('{"organisations": []}', "The register file roster.json has no list of persons."),
        ('{"organisations": [], "persons": {}}', "The register file roster.json has no list of persons."),
        (
            '{"organisations": [], "persons": [{"id": "a"}, {"givenName": "Elsa"}]}',
            "The register file roster.json has an entry without an id in persons (number 2).",
        ),
        (
            '{"organisations": [], "persons": [], "deletedEntities": {"persons": "a"}}',
            "The register file roster.json has a malformed deletedEntities object.",
        ),
    ],
)
def test_a_malformed_file_is_refused_whole(tmp_path: Any, content: str, sentence: str) -> None:
    path = tmp_path / "roster.json"
    path.write_text(content)

    with pytest.raises(SourceError) as refused:
        read_file(path)

    assert str(refused.value) == sentence
    assert str(tmp_path) not in str(refused.value)


def test_a_missing_or_binary_file_is_refused(tmp_path: Any) -> None:
    with pytest.raises(SourceError, match=r"^The register file gone\.json does not exist\.$"):
        read_file(tmp_path / "gone.json")
    (tmp_path / "latin1.json").write_bytes(json.dumps({"persons": []}).encode() + b"\xff")
    with pytest.raises(SourceError, match="cannot be read as UTF-8 text"):
        read_file(tmp_path / "latin1.json")


# --- Which reader is configured -------------------------------------------------------------------


def test_the_configured_reader_is_the_api_then_the_file_then_none(
    ss12000: SS12000Server, municipality: SmallMunicipality, settings: Any, tmp_path: Any
) -> None:
    reader = configured_reader()
    assert reader is not None
    assert reader(None, None).source == ss12000.url

    settings.ROSTER_API_URL = None
    settings.ROSTER_FILE = str(municipality.write(tmp_path / "kommun.json"))
    reader = configured_reader()
    assert reader is not None
    assert reader(None, None).source == "kommun.json"

    settings.ROSTER_FILE = None
    assert configured_reader() is None


# --- The test register itself -------------------------------------------------------------------


def test_the_builder_makes_valid_civic_numbers_that_fit_the_grade(municipality: SmallMunicipality) -> None:
    numbers = [person["civicNo"]["value"] for person in municipality.persons.values()]
    assert [normalise(number) for number in numbers] == numbers
    assert len(set(numbers)) == len(numbers)
    born = {birth_date(student["civicNo"]["value"]).year for student in municipality.students}
    assert born == {municipality.year_start.year - 10}  # year 4 turns ten in the autumn


def test_the_generated_municipality_has_what_the_benchmark_needs() -> None:
    muni = generate(schools=2, students=100, guardians_each=2)
    data = muni.dump()
    students = [person for person in data["persons"] if person["enrolments"]]
    assert len(students) == 100
    assert all(len(student["responsibles"]) == 2 for student in students)
    assert len([o for o in data["organisations"] if o["organisationType"] == "Skolenhet"]) == 2
    assert {group["displayName"][0] for group in data["groups"]} == set("F123456789")

    before = {student["id"]: student["meta"]["modified"] for student in students}
    muni.advance(seconds=1)
    changed = muni.churn(0.1)
    assert sum(changed.values()) == 10
    touched = [
        record
        for key in ("persons", "groups")
        for record in muni.dump()[key]
        if record["meta"]["modified"] > max(before.values())
    ]
    assert 10 <= len(touched) <= 30  # the changed students and the classes they moved between


def test_a_record_touched_on_the_server_is_in_the_next_incremental_read(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    first = read_api()
    ss12000.touch(municipality.principal)
    ss12000.touch("persons", municipality.students[3]["id"])

    snapshot = read_api(modified_after=first.read_started_at)

    assert set(snapshot.persons) == {municipality.students[3]["id"]}
    assert [duty["id"] for duty in snapshot.schools[0].duties] == [municipality.principal["id"]]
