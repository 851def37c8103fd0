"""The demo logins ``make run`` prints last, once the server answers, with where the demo's
e-mails are kept and the address to open."""

from __future__ import annotations

from django.conf import settings

from accounts.models import User

DEMO_PASSWORD = "elevdialog-demo"  # noqa: S105 - the printed demo password

# (role, username, note), in the order they are printed.
DEMO_LOGINS = [
    ("Elev / Student (4A)", "elsa.lindqvist", ""),
    ("Vårdnadshavare med två barn / Guardian of two", "sofia.lindqvist", "Elsa 4A, Hugo 5B"),
    ("Vårdnadshavare, separerade / Separated guardian", "sara.lind", "Alva 4A"),
    ("Mentor 4A / Mentor", "lars.berglund", "SV, SO, TK"),
    ("Lärare / Teacher (4A + 5B)", "ahmed.hassan", "MA, NO"),
    ("Rektor / Principal", "eva.lindgren", ""),
    ("Skoladministratör / School administrator", "maria.holm", ""),
    (
        "Registrator / Registrar",
        "birgitta.sundstrom",
        "Arkivet: Linnea slutade 2021; allmänna handlingar: en begäran väntar",
    ),
]


def mail_note() -> str:
    """Where the demo's e-mails go, when they are kept in files rather than sent."""
    if settings.EMAIL_BACKEND != "django.core.mail.backends.filebased.EmailBackend":
        return ""
    return f"E-mails are not sent: they are saved as files in {settings.EMAIL_FILE_PATH}/"


def saml_note() -> str:
    """The demo's e-ID and school-account buttons, when the local development identity
    provider (devidp/, started by `make run`) is the one configured."""
    dev_metadata = str(settings.SAML_DEV_DIR / "eid-metadata.xml")
    if not any(provider.metadata == dev_metadata for provider in settings.SAML_IDENTITY_PROVIDERS):
        return ""
    return (
        "E-ID and school accounts (a local identity provider for development, not a real "
        "e-ID): 'Logga in med e-legitimation' as sofia.lindqvist, 'Logga in med skolkonto' as "
        "lars.berglund (level 3: no code asked)."
    )


def login_lines(*, serving_at: str = "") -> list[str]:
    """The demo logins of the loaded demo school (those that exist), then where e-mails go
    and, when given, the address the demo serves."""
    usernames = [row[1] for row in DEMO_LOGINS]
    present = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    lines = ["", f"Demo logins (password for everyone: {DEMO_PASSWORD})"]
    for role, username, note in DEMO_LOGINS:
        if username in present:
            lines.append(f"  {role:<50} {username}{f'  ({note})' if note else ''}")
    lines.append(
        "Staff log in with a one-time code: `make demo-code USER=lars.berglund` prints the "
        "current one, or add the key it shows to an authenticator app."
    )
    if note := saml_note():
        lines.append(note)
    if note := mail_note():
        lines.append(note)
    if serving_at:
        lines += ["", f"Elevdialog is serving on {serving_at.rstrip('/')}/ (Ctrl-C stops it)"]
    return lines
