"""A message's thread has no index of its own: the (thread, seq) index serves every lookup by
thread, and beside it the thread-only index led the planner to filter a whole thread's history
for the messages after a read position (the unread counts of a long page, issue 19)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dialogue", "0012_message_search_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="message",
            name="thread",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="messages",
                to="dialogue.thread",
            ),
        ),
    ]
