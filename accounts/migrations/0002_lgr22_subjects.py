"""Load the Lgr22 subjects (accounts/data/lgr22_subjects.json) as data."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "lgr22_subjects.json"


def load_subjects(apps, schema_editor):
    Subject = apps.get_model("accounts", "Subject")
    for position, row in enumerate(json.loads(DATA.read_text(encoding="utf-8"))):
        Subject.objects.update_or_create(
            code=row["code"],
            defaults={"name_sv": row["name_sv"], "name_en": row["name_en"], "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load_subjects, migrations.RunPython.noop)]
