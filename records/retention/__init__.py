"""Retention (gallring): the rules as data (``rules``), what is due on a day (``due``), the
purge of one student or one class blog through the register of what is held (``purge``),
the stored files it removes after commit (``files``) and the report without personal data
(``report``). ``manage.py purge_records`` and the worker's daily job run it."""
