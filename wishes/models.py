"""Models of the wishes app (built by its own issue)."""
