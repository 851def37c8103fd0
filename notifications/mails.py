"""E-mails: one per notification, or one daily digest per person, in the recipient's
language. Like pushes, they name what happened and link to it; the text stays on the site."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from accounts.models import User
from notifications.models import Delivery
from notifications.texts import title_and_body


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _message_id(delivery: Delivery) -> str:
    # The same id on a retried send lets mail clients show it once.
    domain = urlsplit(settings.SITE_URL).hostname or "elevdialog.localhost"
    return f"<delivery-{delivery.pk}@{domain}>"


def _footer() -> str:
    return gettext("You get this e-mail because of your choices in Elevdialog. Change them here: %(url)s") % {
        "url": _link(reverse("notification-settings"))
    }


def instant(delivery: Delivery) -> EmailMessage:
    notification = delivery.notification
    person: User = notification.recipient
    language = person.language or "sv"
    with translation.override(language):
        title, body = title_and_body(notification, language)
        text = "\n\n".join(
            part
            for part in (
                title,
                body,
                gettext("Open it in Elevdialog: %(url)s")
                % {"url": _link(reverse("notification-open", args=[notification.pk]))},
                "-- \n" + _footer(),
            )
            if part
        )
        return EmailMessage(
            subject=f"Elevdialog: {title}",
            body=text,
            to=[person.email],
            headers={"Message-ID": _message_id(delivery), "Content-Language": language},
        )


def digest(person: User, deliveries: list[Delivery]) -> EmailMessage:
    """Precondition: every delivery is of ``person`` and has its notification loaded."""
    language = person.language or "sv"
    with translation.override(language):
        count = len(deliveries)
        subject = ngettext(
            "Elevdialog: %(count)d new thing today", "Elevdialog: %(count)d new things today", count
        ) % {"count": count}
        lines = []
        for delivery in deliveries:
            title, body = title_and_body(delivery.notification, language)
            lines.append(
                f"• {title}"
                + (f" ({body})" if body else "")
                + f"\n  {_link(reverse('notification-open', args=[delivery.notification_id]))}"
            )
        text = "\n\n".join([subject.removeprefix("Elevdialog: "), "\n".join(lines), "-- \n" + _footer()])
        return EmailMessage(
            subject=subject,
            body=text,
            to=[person.email],
            headers={"Message-ID": _message_id(deliveries[0]), "Content-Language": language},
        )
