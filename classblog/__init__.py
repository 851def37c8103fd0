"""One blog per class (built with the class blog issue)."""
