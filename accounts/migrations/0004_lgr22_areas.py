"""Load the areas of each Lgr22 subject (accounts/data/lgr22_areas.json) as data."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "lgr22_areas.json"


def load_areas(apps, schema_editor):
    Subject = apps.get_model("accounts", "Subject")
    CurriculumArea = apps.get_model("accounts", "CurriculumArea")
    subjects = {subject.code: subject for subject in Subject.objects.all()}
    for code, areas in json.loads(DATA.read_text(encoding="utf-8")).items():
        for position, (name_sv, name_en) in enumerate(areas):
            CurriculumArea.objects.update_or_create(
                subject=subjects[code], name_sv=name_sv, defaults={"name_en": name_en, "position": position}
            )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_curriculum_areas")]

    operations = [migrations.RunPython(load_areas, migrations.RunPython.noop)]
