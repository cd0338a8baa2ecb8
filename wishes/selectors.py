"""Reads of the wishes app."""


def home_context(request) -> dict:
    """This app's part of the public home page (template ``templates/wishes/_home.html``)."""
    return {}
