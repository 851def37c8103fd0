"""The records floor's own kinds in the register of what is held (``accounts.held``)."""
