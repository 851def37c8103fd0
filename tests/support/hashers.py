"""Argon2id at a low cost, so that the suite's hundreds of password hashes stay fast.
Production uses Django's Argon2PasswordHasher with its full cost (checked by a test)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"  # same stored format: hashes verify with the production hasher
    time_cost = 1
    memory_cost = 64
    parallelism = 1
