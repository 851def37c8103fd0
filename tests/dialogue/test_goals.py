"""Goals through the actions and the goals page: who sets, proposes, decides and reflects;
revisions and replacements; bad input; the guard; the cards on the page."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from accounts import events, policy
from accounts.errors import Refused, SensitiveText
from accounts.models import CurriculumArea, User
from dialogue import queries
from dialogue.actions import goals as g
from dialogue.actions.messages import edit_message
from dialogue.flags import FlagSource
from dialogue.models import Goal, GoalReflection, GoalRevision, Message, StudentPage, Thread
from tests.support.cast import ROLES, Cast
from tests.support.clients import verified_client
from writing.models import FlaggedText

pytestmark = pytest.mark.django_db

PEOPLE = [role for role in ROLES if role != "anonymous"]
SETTERS = {"teacher", "principal"}
PROPOSERS = {"student", "guardian_1", "guardian_2"}


def card_message(goal: Goal) -> Message:
    assert goal.message_id is not None
    return Message.objects.select_related("thread").get(pk=goal.message_id)


def card_of(goal: Goal) -> dict[str, Any]:
    card = card_message(goal).card
    assert isinstance(card, dict)
    return card


def a_goal(cast: Cast, **fields: Any) -> Goal:
    values: dict[str, Any] = {"subject": cast.maths, "text": "Anna ska kunna tabellerna 1–5."}
    values.update(fields)
    return g.set_goal(cast.teacher, cast.student, **values)


def a_proposal(cast: Cast, by: User | None = None, **fields: Any) -> Goal:
    values: dict[str, Any] = {"text": "Anna vill läsa en bok i veckan."}
    values.update(fields)
    return g.propose_goal(by or cast.guardian_1, cast.student, **values)


def area_of(subject: Any, index: int = 0) -> CurriculumArea:
    return list(CurriculumArea.objects.filter(subject=subject))[index]


# --- Who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", PEOPLE)
def test_only_teachers_of_the_student_and_the_principal_set_goals(cast: Cast, role: str) -> None:
    person = cast.person(role)
    assert person is not None
    if role in SETTERS:
        goal = g.set_goal(person, cast.student, text="Ett mål.")
        assert (goal.status, goal.created_by, goal.proposed) == (Goal.Status.ACTIVE, person, False)
    else:
        with pytest.raises(PermissionDenied):
            g.set_goal(person, cast.student, text="Ett mål.")
        assert not Goal.objects.exists()


@pytest.mark.parametrize("role", PEOPLE)
def test_only_the_student_and_their_guardians_propose_goals(cast: Cast, role: str) -> None:
    person = cast.person(role)
    assert person is not None
    if role in PROPOSERS:
        goal = g.propose_goal(person, cast.student, text="Ett förslag.")
        assert (goal.status, goal.created_by, goal.proposed) == (Goal.Status.PROPOSED, person, True)
    else:
        with pytest.raises(PermissionDenied):
            g.propose_goal(person, cast.student, text="Ett förslag.")
        assert not Goal.objects.exists()


@pytest.mark.parametrize("role", PEOPLE)
def test_only_teachers_and_the_principal_accept_or_decline_proposals(cast: Cast, role: str) -> None:
    person = cast.person(role)
    assert person is not None
    proposal = a_proposal(cast)
    if role in SETTERS:
        accepted = g.accept_goal(person, proposal.pk)
        assert (accepted.status, accepted.decided_by) == (Goal.Status.ACTIVE, person)
        return
    with pytest.raises(PermissionDenied):
        g.accept_goal(person, proposal.pk)
    with pytest.raises(PermissionDenied):
        g.decline_goal(person, proposal.pk, reason="Nej.")
    with pytest.raises(PermissionDenied):
        g.change_goal_status(person, proposal.pk, status="active")
    with pytest.raises(PermissionDenied):
        g.edit_goal(person, proposal.pk, text="Något annat.")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.text) == (
        Goal.Status.PROPOSED,
        None,
        "Anna vill läsa en bok i veckan.",
    )
    assert not GoalRevision.objects.exists()


@pytest.mark.parametrize("role", PEOPLE)
def test_only_the_student_reflects_on_a_goal(cast: Cast, role: str) -> None:
    person = cast.person(role)
    assert person is not None
    goal = a_goal(cast)
    if role == "student":
        reflection = g.reflect_on_goal(person, goal.pk, text="Det går bättre nu.")
        assert (reflection.author, reflection.goal_id) == (person, goal.pk)
    else:
        with pytest.raises(PermissionDenied):
            g.reflect_on_goal(person, goal.pk, text="Det går bättre nu.")
        assert not GoalReflection.objects.exists()


def test_the_rules_agree_with_the_policy_for_every_role(cast: Cast) -> None:
    for role in PEOPLE:
        person = cast.person(role)
        assert person is not None
        relation = policy.relation_to_student(person, cast.student)
        assert relation.may_set_goals == (role in SETTERS), role
        assert relation.may_propose_goals == (role in PROPOSERS), role
        assert relation.may_write_self_assessment == (role == "student"), role


# --- Proposals and decisions -------------------------------------------------------------------


def test_an_accepted_proposal_becomes_active_and_keeps_who_proposed_it(cast: Cast) -> None:
    proposal = a_proposal(cast, subject=cast.maths)
    goal = g.accept_goal(cast.teacher, proposal.pk)
    assert goal.status == Goal.Status.ACTIVE
    assert (goal.created_by, goal.proposed, goal.decided_by) == (cast.guardian_1, True, cast.teacher)
    # The proposal as it was is the goal's first version.
    [before] = GoalRevision.objects.filter(goal=goal)
    assert (before.status, before.written_by) == (Goal.Status.PROPOSED, cast.guardian_1)
    card = card_of(goal)
    assert (card["status"], card["proposed"], card["by"], card["decided_by"]) == (
        "active",
        True,
        cast.guardian_1.display_name,
        cast.teacher.display_name,
    )


def test_a_declined_proposal_stays_with_the_decision_and_reason(cast: Cast) -> None:
    proposal = a_proposal(cast)
    g.decline_goal(cast.principal, proposal.pk, reason="Vi tar det på *utvecklingssamtalet*.")
    declined = Goal.objects.get(pk=proposal.pk)
    assert declined.status == Goal.Status.DECLINED
    assert declined.decided_by == cast.principal
    assert declined.decline_reason == "Vi tar det på *utvecklingssamtalet*."
    assert declined.text == "Anna vill läsa en bok i veckan."
    card = card_of(declined)
    assert card["status"] == "declined"
    assert "<em>utvecklingssamtalet</em>" in card["decline_reason_html"]
    assert [goal.pk for goal in queries.current_goals(cast.student)] == []


def test_a_proposal_is_decided_once(cast: Cast) -> None:
    proposal = a_proposal(cast)
    g.accept_goal(cast.teacher, proposal.pk)
    with pytest.raises(Refused) as refused:
        g.decline_goal(cast.principal, proposal.pk, reason="För sent.")
    assert refused.value.code == "decided"
    with pytest.raises(Refused):
        g.accept_goal(cast.principal, proposal.pk)
    goal = Goal.objects.get(pk=proposal.pk)
    assert (goal.status, goal.decided_by, goal.decline_reason) == (Goal.Status.ACTIVE, cast.teacher, "")


def test_a_proposal_changes_status_only_by_a_decision_and_a_declined_one_never(cast: Cast) -> None:
    proposal = a_proposal(cast)
    with pytest.raises(Refused) as refused:
        g.change_goal_status(cast.teacher, proposal.pk, status="reached")
    assert refused.value.code == "proposal"
    g.decline_goal(cast.teacher, proposal.pk)
    for change in (
        lambda: g.change_goal_status(cast.teacher, proposal.pk, status="active"),
        lambda: g.edit_goal(cast.teacher, proposal.pk, text="Nytt försök."),
        lambda: g.reflect_on_goal(cast.student, proposal.pk, text="Hmm."),
    ):
        with pytest.raises(Refused):
            change()
    assert Goal.objects.get(pk=proposal.pk).status == Goal.Status.DECLINED


def test_the_student_reflects_only_on_goals_a_teacher_has_accepted(cast: Cast) -> None:
    proposal = a_proposal(cast, by=cast.student)
    with pytest.raises(Refused) as refused:
        g.reflect_on_goal(cast.student, proposal.pk, text="Jag vill verkligen.")
    assert refused.value.code == "not_a_goal_yet"


# --- Versions and replacements -----------------------------------------------------------------


def test_changing_text_or_status_keeps_every_earlier_version(cast: Cast) -> None:
    goal = a_goal(cast, area=area_of(cast.maths))
    g.edit_goal(cast.teacher, goal.pk, text="Anna ska kunna tabellerna 1–6.", area=area_of(cast.maths, 1))
    g.change_goal_status(cast.principal, goal.pk, status="reached")
    goal.refresh_from_db()
    assert (goal.text, goal.status, goal.area, goal.updated_by) == (
        "Anna ska kunna tabellerna 1–6.",
        Goal.Status.REACHED,
        area_of(cast.maths, 1),
        cast.principal,
    )
    history = list(GoalRevision.objects.filter(goal=goal))
    assert [(r.text, r.status, r.area, r.written_by) for r in history] == [
        ("Anna ska kunna tabellerna 1–5.", "active", area_of(cast.maths), cast.teacher),
        ("Anna ska kunna tabellerna 1–6.", "active", area_of(cast.maths, 1), cast.teacher),
    ]
    # Nothing changed, nothing kept: the same status or text again is no new version.
    g.change_goal_status(cast.teacher, goal.pk, status="reached")
    g.edit_goal(cast.teacher, goal.pk, text="Anna ska kunna tabellerna 1–6.", area=area_of(cast.maths, 1))
    assert GoalRevision.objects.filter(goal=goal).count() == 2


def test_a_revised_goal_is_replaced_by_a_new_goal_that_names_it(cast: Cast) -> None:
    old = a_goal(cast)
    new = g.set_goal(
        cast.teacher,
        cast.student,
        subject=cast.maths,
        text="Anna ska kunna tabellerna 1–10.",
        replaces_id=old.pk,
    )
    old.refresh_from_db()
    assert old.status == Goal.Status.REVISED
    assert new.replaces == old
    assert card_of(old)["replaced_by"] == new.pk
    assert card_of(new)["replaces"] == old.pk
    assert GoalRevision.objects.get(goal=old).status == Goal.Status.ACTIVE
    # A replaced goal is replaced once, and keeps its status.
    with pytest.raises(Refused) as refused:
        g.set_goal(cast.teacher, cast.student, text="Ännu ett.", replaces_id=old.pk)
    assert refused.value.code == "replaced"
    with pytest.raises(Refused):
        g.change_goal_status(cast.teacher, old.pk, status="active")
    assert Goal.objects.count() == 2


def test_only_the_students_own_active_or_revised_goals_can_be_replaced(cast: Cast) -> None:
    proposal = a_proposal(cast)
    other = g.set_goal(cast.principal, cast.other_student, text="Olles mål.")
    for goal_id, code in (
        (proposal.pk, "not_replaceable"),
        (other.pk, "unknown_goal"),
        (999999, "unknown_goal"),
    ):
        with pytest.raises(Refused) as refused:
            g.set_goal(cast.teacher, cast.student, text="Nytt.", replaces_id=goal_id)
        assert refused.value.code == code
    assert Goal.objects.get(pk=other.pk).status == Goal.Status.ACTIVE
    assert Goal.objects.count() == 2


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"text": "   "}, "empty"),
        ({"text": "x" * 1001}, "too_long"),
        ({"subject": None, "area": "MATHS"}, "unknown_area"),
        ({"area": "SWEDISH"}, "unknown_area"),
        ({"target_date": "YESTERDAY"}, "past_date"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved_is_lost(
    cast: Cast, fields: dict[str, Any], code: str
) -> None:
    goal = a_goal(cast)
    replacements = {
        "MATHS": area_of(cast.maths),
        "SWEDISH": area_of(cast.swedish),
        "YESTERDAY": policy.today() - datetime.timedelta(days=1),
    }
    fields = {
        key: replacements.get(value, value) if isinstance(value, str) else value
        for key, value in fields.items()
    }
    seq = StudentPage.objects.get(student=cast.student).last_seq
    with pytest.raises(Refused) as refused:
        a_goal(cast, **fields)
    assert refused.value.code == code
    assert refused.value.message
    with pytest.raises(Refused):
        g.propose_goal(cast.student, cast.student, **{"text": "Förslag."} | fields)
    if "subject" not in fields:  # an edit keeps the goal's subject (maths)
        with pytest.raises(Refused):
            g.edit_goal(cast.teacher, goal.pk, **{"text": goal.text} | fields)
    assert list(Goal.objects.values_list("pk", "text")) == [(goal.pk, "Anna ska kunna tabellerna 1–5.")]
    assert not GoalRevision.objects.exists()
    assert StudentPage.objects.get(student=cast.student).last_seq == seq


def test_a_too_long_text_is_refused_with_the_limit_in_words(cast: Cast) -> None:
    with pytest.raises(Refused) as refused:
        a_goal(cast, text="x" * 1200)
    assert refused.value.details == {"limit": 1000}
    assert "1200" in refused.value.message
    assert "1000" in refused.value.message
    goal = a_goal(cast)
    with pytest.raises(Refused) as refused:
        g.reflect_on_goal(cast.student, goal.pk, text="y" * 2001)
    assert refused.value.code == "too_long"
    proposal = a_proposal(cast)
    with pytest.raises(Refused):
        g.decline_goal(cast.teacher, proposal.pk, reason="z" * 501)
    assert Goal.objects.get(pk=proposal.pk).status == Goal.Status.PROPOSED
    assert not GoalReflection.objects.exists()


def test_a_status_outside_the_three_is_refused(cast: Cast) -> None:
    goal = a_goal(cast)
    for status in ("proposed", "declined", "done", ""):
        with pytest.raises(Refused) as refused:
            g.change_goal_status(cast.teacher, goal.pk, status=status)
        assert refused.value.code == "bad_status"
    assert Goal.objects.get(pk=goal.pk).status == Goal.Status.ACTIVE


# --- The guard ---------------------------------------------------------------------------------


def test_the_guard_asks_first_and_flags_what_is_saved_anyway(cast: Cast) -> None:
    sensitive = "Anna har en diagnos och ska få vila."
    with pytest.raises(SensitiveText) as warning:
        a_goal(cast, text=sensitive)
    assert [f.matched for f in warning.value.by_field["text"]] == ["diagnos"]
    assert not Goal.objects.exists()
    with pytest.raises(SensitiveText):
        a_proposal(cast, text=sensitive)
    goal = a_goal(cast, text=sensitive, send_anyway=True)
    flag = FlaggedText.objects.get(source=FlagSource.GOAL, source_id=goal.pk)
    assert (flag.author, flag.school, flag.text) == (cast.teacher, cast.school, sensitive)
    assert flag.findings[0]["category"] == "health"


def test_reflections_edits_and_reasons_pass_the_guard_too(cast: Cast) -> None:
    goal = a_goal(cast)
    with pytest.raises(SensitiveText):
        g.reflect_on_goal(cast.student, goal.pk, text="Jag är dum i huvudet.")
    assert not GoalReflection.objects.exists()
    reflection = g.reflect_on_goal(cast.student, goal.pk, text="Jag är dum i huvudet.", send_anyway=True)
    assert FlaggedText.objects.get(source=FlagSource.GOAL_REFLECTION, source_id=reflection.pk).author == (
        cast.student
    )
    with pytest.raises(SensitiveText):
        g.edit_goal(cast.teacher, goal.pk, text="Hon har en diagnos.")
    assert Goal.objects.get(pk=goal.pk).text == "Anna ska kunna tabellerna 1–5."
    proposal = a_proposal(cast)
    with pytest.raises(SensitiveText):
        g.decline_goal(cast.teacher, proposal.pk, reason="Hon har en diagnos.")
    assert Goal.objects.get(pk=proposal.pk).status == Goal.Status.PROPOSED
    g.decline_goal(cast.teacher, proposal.pk, reason="Hon har en diagnos.", send_anyway=True)
    assert FlaggedText.objects.filter(source=FlagSource.GOAL, source_id=proposal.pk).count() == 1


# --- Cards -------------------------------------------------------------------------------------


def test_a_goal_is_a_card_in_its_subjects_thread_or_the_general_one(cast: Cast) -> None:
    maths = a_goal(cast, area=area_of(cast.maths), target_date=policy.today() + datetime.timedelta(days=30))
    general = a_proposal(cast)
    maths_card = card_message(maths)
    assert (maths_card.thread.kind, maths_card.thread.subject) == (Thread.Kind.SUBJECT, cast.maths)
    assert card_message(general).thread.kind == Thread.Kind.GENERAL
    card = card_of(maths)
    assert card["type"] == "goal"
    assert card["subject"] == {"sv": cast.maths.name_sv, "en": cast.maths.name_en}
    assert card["area"]["sv"] == area_of(cast.maths).name_sv
    assert card["target_date"] == (policy.today() + datetime.timedelta(days=30)).isoformat()
    assert card["url"] == reverse("goals", args=[cast.student.pk]) + f"#goal-{maths.pk}"
    assert card_of(general)["subject"] is None
    assert (
        maths_card.seq < card_message(general).seq == StudentPage.objects.get(student=cast.student).last_seq
    )


def test_every_change_updates_the_same_card_with_a_new_event_number(cast: Cast) -> None:
    proposal = a_proposal(cast, subject=cast.maths)
    message = card_message(proposal)
    seqs = [message.change_seq]
    steps = [
        lambda: g.accept_goal(cast.teacher, proposal.pk),
        lambda: g.edit_goal(cast.teacher, proposal.pk, text="Anna läser en bok i veckan."),
        lambda: g.reflect_on_goal(cast.student, proposal.pk, text="Jag har läst två!"),
        lambda: g.change_goal_status(cast.teacher, proposal.pk, status="reached"),
    ]
    for step in steps:
        step()
        again = card_message(proposal)
        assert again.pk == message.pk
        assert again.seq == message.seq
        assert again.change_seq > seqs[-1]
        seqs.append(again.change_seq)
    card = card_of(proposal)
    assert card["status"] == "reached"
    assert "Anna läser en bok i veckan." in card["text_html"]
    assert Message.objects.filter(card__isnull=False).count() == 1


def test_the_card_shows_the_three_newest_reflections_and_how_many_there_are(cast: Cast) -> None:
    goal = a_goal(cast)
    for number in range(1, 6):
        g.reflect_on_goal(cast.student, goal.pk, text=f"Reflektion {number}.")
        card = card_of(goal)
        assert card["reflection_count"] == number
        shown = [f"<p>Reflektion {n}.</p>\n" for n in range(max(1, number - 2), number + 1)]
        assert [r["html"] for r in card["reflections"]] == shown


def test_a_goal_card_cannot_be_edited_as_a_message(cast: Cast) -> None:
    goal = a_goal(cast)
    with pytest.raises(Refused) as refused:
        edit_message(cast.teacher, card_message(goal).pk, body="Något annat")
    assert refused.value.code == "card"


def test_setting_proposing_and_deciding_are_announced(cast: Cast, django_capture_on_commit_callbacks) -> None:
    heard: list[str] = []

    def listener(sender: Any, kind: str, signal: Any, **data: Any) -> None:
        heard.append(kind)

    events.announced.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            proposal = a_proposal(cast)
            g.decline_goal(cast.teacher, proposal.pk)
            goal = a_goal(cast)
            g.reflect_on_goal(cast.student, goal.pk, text="Bra.")
            g.accept_goal(cast.teacher, a_proposal(cast).pk)
            g.change_goal_status(cast.teacher, goal.pk, status="reached")
    finally:
        events.announced.disconnect(listener)
    assert heard == [
        "goal.proposed",
        "goal.declined",
        "goal.set",
        "goal.reflected",
        "goal.proposed",
        "goal.accepted",
        "goal.status_changed",
    ]


# --- Queries -----------------------------------------------------------------------------------


def test_current_goals_are_the_active_ones_and_the_open_proposals(cast: Cast) -> None:
    active = a_goal(cast)
    general = g.set_goal(cast.teacher, cast.student, text="Allmänt mål.")
    reached = a_goal(cast, text="Klart.")
    g.change_goal_status(cast.teacher, reached.pk, status="reached")
    proposal = a_proposal(cast)
    declined = a_proposal(cast, text="Nej tack.")
    g.decline_goal(cast.teacher, declined.pk)
    a_goal(cast, text="Olika", subject=cast.swedish)
    current = queries.current_goals(cast.student)
    # General goals first, then by subject in curriculum order.
    assert [goal.pk for goal in current][:2] == [general.pk, proposal.pk]
    assert {goal.pk for goal in current} >= {active.pk, general.pk, proposal.pk}
    assert not {reached.pk, declined.pk} & {goal.pk for goal in current}


# --- The goals page ----------------------------------------------------------------------------


def goals_url(cast: Cast) -> str:
    return reverse("goals", args=[cast.student.pk])


@pytest.mark.parametrize("role", PEOPLE)
def test_the_goals_page_shows_each_reader_their_forms_and_everyone_else_404(cast: Cast, role: str) -> None:
    goal = a_goal(cast)
    a_proposal(cast)
    response = verified_client(cast.person(role)).get(goals_url(cast))
    if role not in SETTERS | PROPOSERS:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        'data-testid="goal-set-form"' in html
        if role in SETTERS
        else 'data-testid="goal-set-form"' not in html
    )
    assert ('data-testid="goal-propose-form"' in html) == (role in PROPOSERS)
    assert (reverse("goal-accept", args=[cast.student.pk, goal.pk + 1]) in html) == (role in SETTERS)
    assert (reverse("goal-reflect", args=[cast.student.pk, goal.pk]) in html) == (role == "student")
    assert "Anna ska kunna tabellerna 1–5." in html
    assert "Anna vill läsa en bok i veckan." in html


def test_a_teacher_sets_and_a_guardian_proposes_through_the_page(cast: Cast) -> None:
    area = area_of(cast.maths)
    response = verified_client(cast.teacher).post(
        reverse("goal-set", args=[cast.student.pk]),
        {"subject": cast.maths.pk, "area": area.pk, "text": "Räkna **snabbt**.", "target_date": ""},
    )
    goal = Goal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == goals_url(cast) + f"#goal-{goal.pk}"
    assert (goal.subject, goal.area, goal.status) == (cast.maths, area, Goal.Status.ACTIVE)
    verified_client(cast.guardian_2).post(
        reverse("goal-propose", args=[cast.student.pk]), {"text": "Läsa mer."}
    )
    proposal = Goal.objects.get(status=Goal.Status.PROPOSED)
    assert proposal.created_by == cast.guardian_2
    client = verified_client(cast.teacher)
    client.post(reverse("goal-decline", args=[cast.student.pk, proposal.pk]), {"reason": "Vi pratar om det."})
    assert Goal.objects.get(pk=proposal.pk).status == Goal.Status.DECLINED
    page = client.get(goals_url(cast)).content.decode()
    assert "Vi pratar om det." in page
    assert "<strong>snabbt</strong>" in page


def test_a_refused_form_comes_back_with_the_text_and_the_reason(cast: Cast) -> None:
    client = verified_client(cast.teacher)
    long_text = "Ett mycket långt mål. " * 60
    response = client.post(reverse("goal-set", args=[cast.student.pk]), {"text": long_text})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="form-error"' in html
    assert "the limit is 1000" in html or "gränsen är 1000" in html
    assert long_text.strip() in html
    assert not Goal.objects.exists()
    response = client.post(
        reverse("goal-set", args=[cast.student.pk]), {"text": "Mål", "target_date": "31/5"}
    )
    assert response.status_code == 200
    assert 'data-testid="form-error"' in response.content.decode()


def test_the_guard_shows_its_findings_on_the_page_and_save_anyway_flags(cast: Cast) -> None:
    goal = a_goal(cast)
    client = verified_client(cast.student)
    url = reverse("goal-reflect", args=[cast.student.pk, goal.pk])
    response = client.post(url, {"text": "Jag har en diagnos."})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="guard"' in html
    assert "<mark>diagnos</mark>" in html
    assert 'name="send_anyway" value="1"' in html
    assert "Jag har en diagnos.</textarea>" in html
    assert not GoalReflection.objects.exists()
    response = client.post(url, {"text": "Jag har en diagnos.", "send_anyway": "1"})
    assert response.status_code == 302
    reflection = GoalReflection.objects.get()
    assert FlaggedText.objects.filter(source=FlagSource.GOAL_REFLECTION, source_id=reflection.pk).exists()


def test_a_decision_someone_else_made_first_is_told_at_the_top_of_the_page(cast: Cast) -> None:
    proposal = a_proposal(cast)
    g.accept_goal(cast.principal, proposal.pk)
    client = verified_client(cast.teacher)
    response = client.post(reverse("goal-accept", args=[cast.student.pk, proposal.pk]), follow=True)
    assert response.redirect_chain[0][0] == goals_url(cast) + f"#goal-{proposal.pk}"
    assert [str(m) for m in response.context["messages"]] == [
        gettext("This proposal has already been decided.")
    ]


def test_a_goal_of_another_student_is_not_found_through_this_students_page(cast: Cast) -> None:
    other = g.set_goal(cast.principal, cast.other_student, text="Olles mål.")
    response = verified_client(cast.principal).post(
        reverse("goal-status", args=[cast.student.pk, other.pk]), {"status": "reached"}
    )
    assert response.status_code == 404
    assert Goal.objects.get(pk=other.pk).status == Goal.Status.ACTIVE


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_goals_page_query_count_does_not_grow_with_goals(cast: Cast) -> None:
    client = verified_client(cast.teacher)
    goal = a_goal(cast)
    g.reflect_on_goal(cast.student, goal.pk, text="Ett.")
    # session, user, device; the door (the page with its student, the reader's relation, which
    # answers the rules of the forms: set, propose, reflect) and its access-log row; the goals,
    # their reflections and earlier versions; the page's threads; their areas
    expected = 3 + 2 + 1 + 3 + 1 + 1
    client.get(goals_url(cast))
    assert _count(client, goals_url(cast)) == expected
    for number in range(8):
        other = a_goal(cast, text=f"Mål {number}.", subject=[cast.maths, cast.swedish, None][number % 3])
        g.reflect_on_goal(cast.student, other.pk, text="Bra.")
        g.change_goal_status(cast.teacher, other.pk, status="reached")
        a_proposal(cast, text=f"Förslag {number}.")
    g.set_goal(cast.teacher, cast.student, text="Ersätter.", replaces_id=goal.pk)
    response = client.get(goals_url(cast))
    assert response.context["goal_count"] == 18
    assert _count(client, goals_url(cast)) == expected


def test_the_demo_goals_are_written_once(db: None) -> None:
    from dialogue.demo import goals as demo_goals

    call_command("seed_demo", stdout=io.StringIO())
    people = {user.username: user for user in User.objects.filter(username__in=demo_goals.USERNAMES)}
    demo_goals.seed(people)
    demo_goals.seed(people)
    alva = people["alva.eriksson"]
    statuses = sorted(Goal.objects.filter(student=alva).values_list("status", flat=True))
    assert statuses == ["active", "active", "proposed", "reached"]
    assert Goal.objects.get(status="proposed").created_by.username == "sara.lind"
    assert GoalReflection.objects.filter(goal__student=alva).count() == 1
    assert Message.objects.filter(page__student=alva, card__type="self_assessment").count() == 1
    assert Message.objects.filter(page__student=alva, card__type="goal").count() == 4


# --- Live ----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_accepting_a_proposal_updates_its_card_live_for_the_page_and_nobody_else() -> None:
    from channels.db import database_sync_to_async

    from tests.support.cast import build_cast
    from tests.support.sockets import frames_of_each, open_socket, receive, send

    def world() -> tuple[Cast, Goal, Message]:
        cast = build_cast()
        proposal = a_proposal(cast, subject=cast.maths)
        return cast, proposal, card_message(proposal)

    cast, proposal, before = await database_sync_to_async(world)()
    sockets = {}
    for role in PEOPLE:
        communicator, connected, _detail = await open_socket(cast.person(role))
        assert connected, role
        await send(communicator, {"type": "subscribe", "page": before.page_id})
        answer = await receive(communicator)
        assert answer["type"] == ("subscribed" if role in SETTERS | PROPOSERS else "error"), role
        sockets[role] = communicator

    await database_sync_to_async(g.accept_goal)(cast.teacher, proposal.pk)

    updated: dict[str, dict[str, Any]] = {}
    for role, frames in (await frames_of_each(sockets)).items():
        messages = [frame["message"] for frame in frames if frame["type"] == "message"]
        if role not in SETTERS | PROPOSERS:
            assert messages == [], role
            continue
        [message] = messages
        updated[role] = message
    assert set(updated) == {"student", "guardian_1", "guardian_2", "teacher", "principal"}
    readers = await database_sync_to_async(lambda: set(policy.readers_of_student_page(cast.student)))()
    assert {cast.person(role) for role in updated} == readers
    for role, message in updated.items():
        # The same message, rewritten in place with the page's next event number.
        assert (message["id"], message["seq"]) == (before.pk, before.seq), role
        assert message["change_seq"] > before.change_seq, role
        assert message["card"]["status"] == "active", role
        assert message["card"]["decided_by"] == cast.teacher.display_name, role
    for communicator in sockets.values():
        await communicator.disconnect()
