"""Reads of the projects app."""


def home_context(request) -> dict:
    """This app's part of the public home page (template ``templates/projects/_home.html``)."""
    return {}
