"""The student page: threads, messages and cards (built with the dialogue issue)."""
