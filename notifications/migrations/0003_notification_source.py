"""Notifications remember their source (their URL without the fragment), so that the inbox
groups the notifications of one kind from one actor about one thread or post into one line."""

from django.db import migrations, models


def fill_sources(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.exclude(url__contains="#").update(source=models.F("url"))
    for pk, url in Notification.objects.filter(url__contains="#").values_list("pk", "url").iterator():
        Notification.objects.filter(pk=pk).update(source=url.split("#", 1)[0])
    # The posts of one class blog are one line (classblog.notices.post_published).
    for pk, url in (
        Notification.objects.filter(kind="blog.post_published").values_list("pk", "url").iterator()
    ):
        Notification.objects.filter(pk=pk).update(source=url.split("posts/", 1)[0])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_outbox_wake_trigger")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="source",
            field=models.CharField(blank=True, default="", max_length=300),
        ),
        migrations.RunPython(fill_sources, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["recipient", "source"], name="inbox_source"),
        ),
    ]
