"""The web UI: layout, templates, static files and the views that render pages."""
