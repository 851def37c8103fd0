# ruff: noqa: E501  (the demo texts are data; one line each reads best)
"""Give the demo school's classes a few blog posts (idempotent): ``manage.py seed_demo_blog``.

Run after ``seed_demo``. Writes through the real actions, as the demo people themselves:
posts by the teachers (one pinned, one with a picture), comments from students and
guardians, and one student post waiting for approval in 4A. Refuses to run in production.
"""

from __future__ import annotations

import io
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from PIL import Image, ImageDraw

from accounts.models import SchoolClass, User
from classblog import actions
from classblog.models import ClassBlog, Post

DEMO = uuid.UUID("6f1d8c1e-2f8e-4a47-9d0a-6d3c1b7e0b10")

# class -> (may students write posts, who may comment)
SETTINGS = {"4A": (True, ClassBlog.Comments.EVERYONE), "5B": (True, ClassBlog.Comments.CLASS)}

# (class, author, title, text, pinned, with the picture)
POSTS = [
    (
        "4A",
        "lars.berglund",
        "Välkomna till 4A:s klassblogg!",
        "Här berättar vi om vad vi gör i skolan. Eleverna får också skriva inlägg, som en lärare godkänner innan de visas.\n\nKommentera gärna, men tänk på att **hela klassen** läser.",
        True,
        False,
    ),
    (
        "4A",
        "lars.berglund",
        "Utflykt till Umeälven",
        "I torsdags var vi vid älven och tittade på hur vattnet rör sig. Vi mätte temperaturen och ritade kartor.\n\n- Vattnet var 8 grader\n- Vi såg två hägrar\n- Alla hade med matsäck",
        False,
        True,
    ),
    (
        "4A",
        "ahmed.hassan",
        "Matte: bråk med pizza",
        "Den här veckan har vi delat pizzor (i papper) i halvor, fjärdedelar och åttondelar. Fråga gärna hemma: är 2/4 lika mycket som 1/2?",
        False,
        False,
    ),
    (
        "5B",
        "karin.nordin",
        "Välkomna till 5B:s blogg",
        "Här hittar ni veckobrev och bilder från klassen. Veckobrevet kommer varje fredag.",
        True,
        False,
    ),
    (
        "5B",
        "ahmed.hassan",
        "NO: vi odlar krasse",
        "Varje grupp har sått krasse i olika ljus. Om en vecka jämför vi vilken som växt mest.",
        False,
        False,
    ),
]

# (class, post title, author, text)
COMMENTS = [
    ("4A", "Utflykt till Umeälven", "elsa.lindqvist", "Det var jättekul! Jag såg en av hägrarna."),
    ("4A", "Utflykt till Umeälven", "sara.lind", "Tack för en fin dag, Alva pratade om den hela kvällen."),
    ("4A", "Matte: bråk med pizza", "alva.eriksson", "Ja det är lika mycket!"),
    ("5B", "NO: vi odlar krasse", "hugo.lindqvist", "Vår grupp har ställt krukan i fönstret."),
]

PENDING = (
    "4A",
    "elsa.lindqvist",
    "Min hund Sixten",
    "Jag har en hund som heter Sixten. Han är tre år och tycker om att springa i skogen.",
)


def _picture() -> bytes:
    """A drawing of the river trip, made here so that nothing is downloaded."""
    image = Image.new("RGB", (800, 500), (158, 205, 235))
    draw = ImageDraw.Draw(image)
    draw.ellipse((620, 40, 720, 140), fill=(250, 214, 90))
    draw.rectangle((0, 300, 800, 500), fill=(96, 150, 80))
    draw.polygon([(0, 380), (800, 330), (800, 420), (0, 470)], fill=(52, 110, 170))
    for x in (120, 260, 520):
        draw.rectangle((x, 220, x + 14, 310), fill=(110, 80, 50))
        draw.ellipse((x - 40, 150, x + 54, 250), fill=(214, 120, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Write a few demo posts and comments on the demo classes' blogs (does nothing if they exist)."

    def handle(self, *args: object, **options: object) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo_blog refuses to run in production.")
        names = {row[1] for row in POSTS} | {row[2] for row in COMMENTS} | {PENDING[1]}
        people = {user.username: user for user in User.objects.filter(username__in=names)}
        if set(names) - set(people):
            raise CommandError(
                f"Run seed_demo first (missing {', '.join(sorted(set(names) - set(people)))})."
            )
        classes = {
            c.name: c
            for c in SchoolClass.objects.filter(school__name="Björkbackaskolan")
            .select_related("school_year")
            .order_by("-school_year__starts_on")[:10]
        }
        if any(name not in classes for name in SETTINGS):
            raise CommandError("Run seed_demo first (the demo classes are missing).")
        moderator = {"4A": people["lars.berglund"], "5B": people["karin.nordin"]}
        before = Post.objects.filter(blog__school_class__in=classes.values()).count()
        for name, (student_posts, comments) in SETTINGS.items():
            actions.change_settings(
                moderator[name], classes[name], student_posts=student_posts, comments=comments
            )
        posts: dict[str, Post] = {}
        for class_name, author, title, text, pinned, picture in POSTS:
            client_id = uuid.uuid5(DEMO, f"post {class_name} {title}")
            files = []
            if picture and not Post.objects.filter(author=people[author], client_id=client_id).exists():
                upload = actions.upload_file(
                    people[author], classes[class_name], name="alven.png", data=_picture()
                )
                alt = "Teckning: en solig höstdag vid älven med träd i höstfärger."
                files = [actions.FileChoice(upload.pk, alt_text=alt)]
            posts[title] = actions.write_post(
                people[author],
                classes[class_name],
                title=title,
                body=text,
                client_id=client_id,
                files=files,
                pinned=pinned,
            )
        for _class_name, title, author, text in COMMENTS:
            actions.write_comment(
                people[author],
                posts[title],
                body=text,
                client_id=uuid.uuid5(DEMO, f"comment {title} {author}"),
            )
        class_name, author, title, text = PENDING
        actions.write_post(
            people[author],
            classes[class_name],
            title=title,
            body=text,
            client_id=uuid.uuid5(DEMO, f"post {title}"),
        )
        written = Post.objects.filter(blog__school_class__in=classes.values()).count() - before
        self.stdout.write(f"Demo blog posts: {written} written.")
