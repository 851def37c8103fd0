from accounts.models.leaving import Leaving
from accounts.models.login import LoginAttempt, SeenAssertion
from accounts.models.memberships import (
    Enrolment,
    Guardianship,
    Mentorship,
    StaffRole,
    TeachingAssignment,
    active_q,
)
from accounts.models.people import SchoolAccountName, SecurityMarking, User
from accounts.models.school import (
    GRADE_CHOICES,
    CurriculumArea,
    School,
    SchoolClass,
    SchoolYear,
    Subject,
    Term,
)

__all__ = [
    "GRADE_CHOICES",
    "CurriculumArea",
    "Enrolment",
    "Guardianship",
    "Leaving",
    "LoginAttempt",
    "Mentorship",
    "School",
    "SchoolAccountName",
    "SchoolClass",
    "SchoolYear",
    "SecurityMarking",
    "SeenAssertion",
    "StaffRole",
    "Subject",
    "TeachingAssignment",
    "Term",
    "User",
    "active_q",
]
