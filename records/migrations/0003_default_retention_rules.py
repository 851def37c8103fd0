"""The seed's rules as the defaults (DOMAIN.md, "The record's life"): a student's records are
kept five years after the student left grundskola; a class blog five years after its school
year ended. A municipality changes them in the admin, as its document management plan says."""

from django.db import migrations

DEFAULTS = {"student_records": 5, "class_blogs": 5}


def seed(apps, schema_editor):
    RetentionRule = apps.get_model("records", "RetentionRule")
    for applies_to, years in DEFAULTS.items():
        RetentionRule.objects.get_or_create(
            applies_to=applies_to, defaults={"years": years, "basis": "Default (Elevdialog)"}
        )


def unseed(apps, schema_editor):
    apps.get_model("records", "RetentionRule").objects.filter(applies_to__in=DEFAULTS).delete()


class Migration(migrations.Migration):
    dependencies = [("records", "0002_access_log_append_only")]

    operations = [migrations.RunPython(seed, unseed)]
