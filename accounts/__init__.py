"""People, schools and memberships, login, and the one access policy (``accounts.policy``)."""
