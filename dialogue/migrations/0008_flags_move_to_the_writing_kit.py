"""Flagged texts move to the writing kit (``writing.FlaggedText``), which the class blog uses
too. Every flag is kept: the copy names the student whose page the text was on (the flag no
longer refers to a page) and keeps its id, source, dates, review and findings."""

from django.db import migrations


def copy_flags(apps, schema_editor):
    old = apps.get_model("dialogue", "FlaggedText")
    new = apps.get_model("writing", "FlaggedText")
    new.objects.bulk_create(
        [
            new(
                pk=flag.pk,
                school_id=flag.school_id,
                student_id=flag.page.student_id if flag.page_id else None,
                source=flag.source,
                source_id=flag.source_id,
                author_id=flag.author_id,
                text=flag.text,
                findings=flag.findings,
                flagged_at=flag.flagged_at,
                reviewed_at=flag.reviewed_at,
                reviewed_by_id=flag.reviewed_by_id,
                review_note=flag.review_note,
            )
            for flag in old.objects.select_related("page").order_by("pk").iterator()
        ],
        batch_size=1000,
    )
    if schema_editor.connection.vendor == "postgresql" and new.objects.exists():
        # The ids were copied: the new table's sequence continues after the highest.
        table = new._meta.db_table
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
            )


def copy_back(apps, schema_editor):
    new = apps.get_model("writing", "FlaggedText")
    old = apps.get_model("dialogue", "FlaggedText")
    page = apps.get_model("dialogue", "StudentPage")
    pages = dict(page.objects.values_list("student_id", "pk"))
    old.objects.bulk_create(
        [
            old(
                pk=flag.pk,
                school_id=flag.school_id,
                page_id=pages.get(flag.student_id) if flag.student_id else None,
                source=flag.source,
                source_id=flag.source_id,
                author_id=flag.author_id,
                text=flag.text,
                findings=flag.findings,
                flagged_at=flag.flagged_at,
                reviewed_at=flag.reviewed_at,
                reviewed_by_id=flag.reviewed_by_id,
                review_note=flag.review_note,
            )
            for flag in new.objects.order_by("pk").iterator()
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dialogue", "0007_blog_flag_sources"),
        ("writing", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_flags, copy_back),
        migrations.DeleteModel(name="FlaggedText"),
    ]
