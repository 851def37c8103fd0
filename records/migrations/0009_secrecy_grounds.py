"""The grounds for secrecy most often used when a school releases a student's records
(DOMAIN.md, "Releasing a public record"), as data: a municipality adds or retires grounds in
the admin."""

from django.db import migrations

GROUNDS = [
    ("23 kap. 2 §", "Elevhälsa och särskilt stöd", "Student health and special support"),
    ("21 kap. 1 §", "Uppgift om hälsa eller sexualliv", "Health or sex life"),
    ("21 kap. 3 §", "Skyddad identitet (skyddade personuppgifter)", "Protected identity"),
    (
        "26 kap. 1 §",
        "Socialtjänst (till exempel en orosanmälan)",
        "Social services (a report of concern, say)",
    ),
]


def seed(apps, schema_editor):
    SecrecyGround = apps.get_model("records", "SecrecyGround")
    for position, (provision, title_sv, title_en) in enumerate(GROUNDS):
        SecrecyGround.objects.get_or_create(
            provision=provision, defaults={"title_sv": title_sv, "title_en": title_en, "position": position}
        )


def unseed(apps, schema_editor):
    apps.get_model("records", "SecrecyGround").objects.filter(provision__in=[g[0] for g in GROUNDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("records", "0008_public_record_release")]

    operations = [migrations.RunPython(seed, unseed)]
