"""Every write to accounts' models goes through a function in this package.

Actions take the acting person first, check the policy, validate, and write in one
transaction. ``SYSTEM`` is the actor for management commands (seeding, imports), which run
with the operator's authority rather than a person's.
"""

from accounts.actions.actor import SYSTEM, Actor, System

__all__ = ["SYSTEM", "Actor", "System"]
