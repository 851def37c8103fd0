"""The class blog's kinds of flagged text (registered with the writing kit)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FlagSource(models.TextChoices):
    BLOG_POST = "blog_post", _("Class blog post")
    BLOG_COMMENT = "blog_comment", _("Comment on the class blog")
