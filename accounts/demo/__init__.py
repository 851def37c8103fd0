"""The demo school of ``make run`` (``manage.py seed_demo``): its people's names, the school
with its memberships, and the printed demo logins."""
