"""Demo documents for ``make run`` (``manage.py seed_demo_dialogue``), one module per kind,
each with ``seed(people)`` that writes through the real actions and does nothing the second
time."""
