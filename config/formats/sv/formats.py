"""Swedish date formats: Django's own, named here so that both languages are defined in one
place. Templates write instants with ``|date:"DATETIME_FORMAT"`` and the browser's
``frontend/static/frontend/time.js`` writes the same text ("2 december 2026 06:29")."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
TIME_FORMAT = "H:i"
