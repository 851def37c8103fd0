"""A whole municipality's register for the benchmark and the scale tests: ``municipality()``
builds 40 schools and 12,000 students with two guardians each in about a second, through
the same ``Municipality`` builder the tests use by hand. Nothing here imports Django."""

from __future__ import annotations

import datetime as dt

from tests.support.roster_data import Municipality, ascii_fold
from tests.support.roster_names import FAMILY, GIVEN_ADULTS, GIVEN_CHILDREN
from tests.support.ss12000 import utc_now

CLASS_SUBJECTS = ("SV", "MA", "NO", "SO")


def municipality(
    schools: int = 40,
    students: int = 12000,
    guardians_each: int = 2,
    *,
    class_size: int = 30,
    seed: int = 17,
    clock: dt.datetime | None = None,
    year_start: dt.date | None = None,
) -> Municipality:
    """A whole municipality for the benchmark: ``schools`` schools (F-9), ``students``
    spread evenly over them and their grades, ``guardians_each`` guardians per student, a
    principal and a school administrator per school, a class teacher (mentor, teaching
    SV/MA/NO/SO) per class and an English teacher per school."""
    # One time for the whole generation (as if it were all entered at once); afterwards the
    # given clock, or the real time, so later changes come after a read of this register.
    muni = Municipality(seed=seed, clock=clock or utc_now(), year_start=year_start)
    rng = muni.rng
    for number in range(schools):
        school = muni.add_school(f"{FAMILY[number % len(FAMILY)]}skolan {number + 1}", f"{10000000 + number}")
        muni.add_principal(school, rng.choice(GIVEN_ADULTS), rng.choice(FAMILY))
        muni.add_school_admin(school, rng.choice(GIVEN_ADULTS), rng.choice(FAMILY))
        english = muni.add_teacher(school, rng.choice(GIVEN_ADULTS), rng.choice(FAMILY))
        school_students = students // schools + (1 if number < students % schools else 0)
        for grade in range(10):
            in_grade = school_students // 10 + (1 if grade < school_students % 10 else 0)
            class_count = max(1, -(-in_grade // class_size))
            classes = []
            for index in range(class_count):
                label = f"{grade}{chr(ord('A') + index)}" if grade else f"F{chr(ord('A') + index)}"
                klass = muni.add_class(school, label)
                teacher = muni.add_teacher(
                    school,
                    rng.choice(GIVEN_ADULTS),
                    rng.choice(FAMILY),
                    subjects={klass["id"]: CLASS_SUBJECTS},
                )
                muni.set_mentor(teacher, klass)
                if grade:
                    muni.add_activity(school, klass, "EN", [english])
                classes.append(klass)
            for index in range(in_grade):
                family = rng.choice(FAMILY)
                guardians = [
                    muni.add_guardian(
                        given := rng.choice(GIVEN_ADULTS),
                        family,
                        email=f"{ascii_fold(given).lower()}.{ascii_fold(family).lower()}{rng.randrange(10**5)}@example.se",
                    )
                    for _ in range(guardians_each)
                ]
                muni.add_student(
                    school,
                    classes[index % class_count],
                    rng.choice(GIVEN_CHILDREN),
                    family,
                    guardians=guardians,
                )
    muni.clock = clock
    return muni
