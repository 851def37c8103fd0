"""The access log listens to the doors (``accounts.openings``)."""
