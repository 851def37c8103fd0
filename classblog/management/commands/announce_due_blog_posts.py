"""Tell open class blogs about scheduled posts whose time has come:
``manage.py announce_due_blog_posts``. Idempotent (each post is announced once), so the
worker may run it every minute. Readers see a scheduled post from its time whether or not
this has run; it makes the post appear live and lets notifications go out."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from classblog.actions import announce_due_posts


class Command(BaseCommand):
    help = "Announce blog.post_published for scheduled class blog posts whose time has come."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"Scheduled blog posts: {announce_due_posts()} announced.")
