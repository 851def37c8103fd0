"""Personal data exports (GDPR articles 15 and 20): asking (``actions``), building from the
register of what is held (``building``, ``html``) and the worker's job (``jobs``)."""
