"""Demo content for the student pages, written through the real actions as the demo people
themselves (``manage.py seed_demo_dialogue``). One module per kind of document, each with
``seed(people)`` that does nothing when its content is already there."""
