"""Models of the projects app (built by its own issue)."""
