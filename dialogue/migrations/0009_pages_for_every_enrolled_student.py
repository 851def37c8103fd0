"""Pages and subject threads are now made when students are enrolled and subjects assigned,
no longer when someone opens a page (reading never writes). Every student enrolled before has
a page made here, with its general thread and a thread for each subject taught in the
student's classes now or from a later start."""

import datetime

from django.db import migrations
from django.db.models import Q


def make_pages(apps, schema_editor):
    enrolment = apps.get_model("accounts", "Enrolment")
    assignment = apps.get_model("accounts", "TeachingAssignment")
    page_model = apps.get_model("dialogue", "StudentPage")
    thread_model = apps.get_model("dialogue", "Thread")
    today = datetime.date.today()
    current = Q(ends_on__isnull=True) | Q(ends_on__gt=today)
    students = set(enrolment.objects.values_list("student_id", flat=True))
    have = set(page_model.objects.values_list("student_id", flat=True))
    for student_id in sorted(students - have):
        page = page_model.objects.create(student_id=student_id)
        thread_model.objects.create(page=page, kind="general")
    pages = dict(page_model.objects.values_list("student_id", "pk"))
    subjects_of_class: dict[int, set[int]] = {}
    for class_id, subject_id in assignment.objects.filter(current).values_list(
        "school_class_id", "subject_id"
    ):
        subjects_of_class.setdefault(class_id, set()).add(subject_id)
    wanted = set()
    for student_id, class_id in enrolment.objects.filter(current).values_list(
        "student_id", "school_class_id"
    ):
        for subject_id in subjects_of_class.get(class_id, ()):
            wanted.add((pages[student_id], subject_id))
    thread_model.objects.bulk_create(
        [
            thread_model(page_id=page_id, kind="subject", subject_id=subject_id)
            for page_id, subject_id in wanted
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_lgr22_areas"),
        ("dialogue", "0008_flags_move_to_the_writing_kit"),
    ]

    operations = [migrations.RunPython(make_pages, migrations.RunPython.noop)]
