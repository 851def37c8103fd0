from django.apps import AppConfig


class ClassblogConfig(AppConfig):
    name = "classblog"
