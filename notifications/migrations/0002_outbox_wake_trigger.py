"""On PostgreSQL, a row in the outbox NOTIFYs the worker when its transaction commits
(NOTIFY is delivered at commit), so the worker sleeps on LISTEN instead of polling."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION notifications_event_wake() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('elevdialog_notifications', '');
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER notifications_event_wake AFTER INSERT ON notifications_event
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_event_wake();
"""
DROP = """
DROP TRIGGER IF EXISTS notifications_event_wake ON notifications_event;
DROP FUNCTION IF EXISTS notifications_event_wake();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
