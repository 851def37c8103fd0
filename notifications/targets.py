"""The targets this floor can check itself: a student's page and a class blog."""

from __future__ import annotations

from accounts import policy
from accounts.models import SchoolClass, User
from notifications import kinds


def _student_page(user: User, student_id: int) -> bool:
    return policy.relation_to_student(user, User(pk=student_id)).is_member


def _class_blog(user: User, class_id: int) -> bool:
    school_class = SchoolClass.objects.select_related("school_year").filter(pk=class_id).first()
    return school_class is not None and policy.can_read_class_blog(user, school_class)


def register() -> None:
    kinds.register_target("student_page", _student_page)
    kinds.register_target("class_blog", _class_blog)
