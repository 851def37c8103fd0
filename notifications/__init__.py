"""Telling people: live delivery, the in-app inbox, e-mail and web push (built with the
notifications issue; the app exists now so the floors of ARCHITECTURE.md are in place)."""
