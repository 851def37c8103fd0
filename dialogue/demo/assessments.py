# ruff: noqa: E501  (the demo texts are data; one line each reads best)
"""Demo written assessments: published ones in maths for 4A and 5B (one corrected), and
drafts in Swedish that the mentor of 4A has not published yet."""

from __future__ import annotations

from accounts.models import CurriculumArea, Enrolment, SchoolClass, Subject, User
from dialogue.actions.assessments import publish_assessment, save_draft
from dialogue.models import Assessment

MATHS = {
    "alva.eriksson": (
        {
            "Taluppfattning och tals användning": "more",
            "Geometri": "acceptable",
            "Problemlösning": "acceptable",
        },
        "Alva räknar säkert med de fyra räknesätten och förklarar gärna hur hon tänker. Hon känner igen och beskriver vanliga geometriska figurer.",
        "Nästa steg är att välja och pröva olika strategier vid problemlösning och att kontrollera om svaret är rimligt.",
    ),
    "hugo.lindqvist": (
        {
            "Taluppfattning och tals användning": "acceptable",
            "Algebra": "not_yet",
            "Sannolikhet och statistik": "acceptable",
        },
        "Hugo räknar med bråk med samma nämnare och läser av enkla tabeller och diagram.",
        "Hugo utvecklas vidare genom att öva på bråk med olika nämnare och på att beskriva mönster i talföljder.",
    ),
}


def student_class(student: User) -> SchoolClass:
    enrolment = Enrolment.objects.active().filter(student=student).select_related("school_class").first()
    assert enrolment is not None, f"{student} is enrolled in the demo school"
    return enrolment.school_class


def levels_by_name(subject: Subject, by_name: dict[str, str]) -> dict[str, str]:
    areas = {area.name_sv: str(area.pk) for area in CurriculumArea.objects.filter(subject=subject)}
    return {areas[name]: level for name, level in by_name.items()}


def seed(people: dict[str, User]) -> None:
    maths = Subject.objects.get(code="MA")
    swedish = Subject.objects.get(code="SV")
    teacher = people["ahmed.hassan"]
    for username, (levels, can, develop) in MATHS.items():
        student = people[username]
        if Assessment.objects.filter(student=student, subject=maths).exists():
            continue
        school_class = student_class(student)
        draft, _findings = save_draft(
            teacher,
            school_class,
            student,
            maths,
            levels=levels_by_name(maths, levels),
            can_text=can,
            develop_text=develop,
        )
        publish_assessment(teacher, draft.pk)
        if username == "hugo.lindqvist":
            # A correction: the teacher had missed an area; version 2 replaces version 1.
            levels = {**levels, "Geometri": "acceptable"}
            draft, _findings = save_draft(
                teacher,
                school_class,
                student,
                maths,
                levels=levels_by_name(maths, levels),
                can_text=can,
                develop_text=develop,
            )
            publish_assessment(teacher, draft.pk)
    mentor = people["lars.berglund"]
    alva = people["alva.eriksson"]
    if not Assessment.objects.filter(student=alva, subject=swedish).exists():
        save_draft(
            mentor,
            student_class(alva),
            alva,
            swedish,
            levels={},
            can_text="Alva läser med flyt och återberättar det hon läst med egna ord.",
            develop_text="",
        )
