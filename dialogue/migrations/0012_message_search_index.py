"""The full-text index of the dialogue's search (``dialogue.queries.search``) on PostgreSQL:
a GIN index on the very expression the search filters with (``SearchedText``: the message's
text and its card's strings, Swedish), so PostgreSQL uses it. SQLite (the embedded demo) has
no such index and searches by stems; there this migration does nothing."""

from django.db import migrations

INDEX = "dialogue_message_body_swedish_fts"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON dialogue_message "
        "USING gin ((to_tsvector('swedish'::regconfig, COALESCE(body, '')) || jsonb_to_tsvector("
        "'swedish'::regconfig, COALESCE(card, '{}'::jsonb), '[\"string\"]'::jsonb)))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("dialogue", "0011_private_threads_receipts_special_support")]

    operations = [migrations.RunPython(create_index, drop_index)]
