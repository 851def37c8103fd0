"""On PostgreSQL the access log is append-only: a trigger refuses UPDATE and DELETE of its
rows, unless the transaction says it is the purge (``SET LOCAL elevdialog.purging = 'on'``,
see ``records.retention``), which removes a student's log together with the student's page."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION records_opening_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('elevdialog.purging', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the access log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER records_opening_append_only BEFORE UPDATE OR DELETE ON records_opening
    FOR EACH ROW EXECUTE FUNCTION records_opening_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS records_opening_append_only ON records_opening;
DROP FUNCTION IF EXISTS records_opening_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # No parameters: the function body has a literal % (RAISE's placeholder), which
        # psycopg would otherwise read as one of its own.
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
