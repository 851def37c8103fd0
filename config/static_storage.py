"""Static files in production: hashed names (cached for ever), compressed copies, and the
browser's ES modules rewritten to import each other by their hashed names, so that a page
never mixes the modules of two releases."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
