"""The providers' pages: plain Swedish HTML with headings, labels and a landmark, no external
resources (the stylesheet and the auto-submit script are served by the provider itself)."""

from __future__ import annotations

from html import escape

from devidp.faults import FAULTS
from devidp.identities import Identity
from devidp.metadata import PROVIDERS
from devidp.provider import LEVELS, PostAnswer, SignedIn

WARNING = "Endast för utveckling och test – inte en riktig e-legitimation."

STYLESHEET = """
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1a1a1a; background: #fff; }
.warning { border: 2px solid #8a4b00; background: #fff4e5; padding: .75rem 1rem; font-weight: bold; }
fieldset { margin: 1rem 0; border: 1px solid #666; }
label { display: block; margin: .25rem 0; }
select, button { font: inherit; padding: .4rem .8rem; }
button { margin-top: 1rem; }
h1 { font-size: 1.6rem; overflow-wrap: anywhere; hyphens: auto; }
"""

# Sends the signed answer on to the service at once; without scripts, the button does it.
AUTOSUBMIT = "document.getElementById('saml-post').submit();\n"


def layout(title: str, body: str, *, script: bool = False) -> str:
    script_tag = '<script src="/devidp.js" defer></script>' if script else ""
    return f"""<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} – devidp</title>
<link rel="stylesheet" href="/devidp.css">
{script_tag}
</head>
<body>
<main>
<p class="warning">{WARNING}</p>
<h1>{escape(title)}</h1>
{body}
</main>
</body>
</html>
"""


def index_page() -> str:
    items = "".join(f'<li><a href="/{p}/">{escape(name)}</a></li>' for p, name in PROVIDERS.items())
    return layout("Identitetsleverantörer för utveckling", f"<ul>{items}</ul>")


def sign_in_page(provider: str, key: str, identities: list[Identity], faults_enabled: bool) -> str:
    if not identities:
        return layout(PROVIDERS[provider], "<p>Det finns inga identiteter för den här leverantören.</p>")
    choices = "".join(
        f'<label><input type="radio" name="identity" value="{i.index}"{" checked" if n == 0 else ""}> '
        f"{escape(i.label)}</label>"
        for n, i in enumerate(identities)
    )
    levels = "".join(
        f'<option value="{value}"{" selected" if value == "3" else ""}>{label}</option>'
        for value, label in (("3", "Nivå 3 – stark inloggning"), ("2", "Nivå 2 – svagare inloggning"))
        if value in LEVELS
    )
    fault_field = ""
    if faults_enabled:
        options = '<option value="">Inget fel</option>' + "".join(
            f'<option value="{value}">{escape(text)}</option>' for value, text in FAULTS.items()
        )
        fault_field = (
            '<label for="fault">Fel att framkalla (för test)</label>'
            f'<select id="fault" name="fault">{options}</select>'
        )
    body = f"""<p>Välj vem du loggar in som. Svaret skickas till tjänsten som bad om inloggningen.</p>
<form method="post" action="/{provider}/sso">
<input type="hidden" name="request" value="{escape(key)}">
<fieldset><legend>Identitet</legend>{choices}</fieldset>
<label for="loa">Tillitsnivå</label>
<select id="loa" name="loa">{levels}</select>
{fault_field}
<div><button type="submit">Logga in</button></div>
</form>"""
    return layout(f"Logga in – {PROVIDERS[provider]}", body)


def post_page(answer: PostAnswer) -> str:
    body = f"""<p>Du skickas tillbaka till tjänsten.</p>
<form id="saml-post" method="post" action="{escape(answer.acs)}">
<input type="hidden" name="SAMLResponse" value="{escape(answer.saml_response)}">
<input type="hidden" name="RelayState" value="{escape(answer.relay_state)}">
<button type="submit">Fortsätt</button>
</form>"""
    return layout("Inloggningen är klar", body, script=True)


def home_page(provider: str, session: SignedIn | None) -> str:
    if session is None:
        body = "<p>Du är inte inloggad hos den här leverantören.</p>"
    else:
        body = f"""<p>Inloggad som {escape(session.label)} hos tjänsten {escape(session.sp_entity_id)}.</p>
<form method="post" action="/{provider}/logout"><button type="submit">Logga ut</button></form>"""
    return layout(PROVIDERS[provider], body + '<p><a href="/">Alla leverantörer</a></p>')


def logged_out_page(provider: str) -> str:
    return layout("Utloggad", f"<p>Du är utloggad från {escape(PROVIDERS[provider])} och tjänsten.</p>")


def error_page(message: str) -> str:
    return layout("Det gick inte", f"<p>{escape(message)}</p>")
