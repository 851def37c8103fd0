"""Every write to the dialogue goes through a function in this package."""
