"""Reads of the surveys app."""


def home_context(request) -> dict:
    """This app's part of the public home page (template ``templates/surveys/_home.html``)."""
    return {}
