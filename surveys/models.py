"""Models of the surveys app (built by its own issue)."""
