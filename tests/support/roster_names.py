"""Names for generated registers (the benchmark's municipality and a night's changes): the
demo school's Swedish given and family names (``accounts.demo.names``), nothing real.
Nothing here imports Django."""

from __future__ import annotations

from accounts.demo.names import ADULT_MEN, ADULT_WOMEN, BOYS, GIRLS, SURNAMES

GIVEN_CHILDREN = GIRLS + BOYS
GIVEN_ADULTS = ADULT_WOMEN + ADULT_MEN
FAMILY = SURNAMES
