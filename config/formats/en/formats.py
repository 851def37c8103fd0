"""English pages write dates in the same shape as Swedish ones ("2 December 2026 06:29",
24-hour clock), not Django's American "Dec. 2, 2026, 6:29 a.m.": the school is Swedish, and
the browser's ``frontend/static/frontend/time.js`` writes the same text in both languages."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
TIME_FORMAT = "H:i"
