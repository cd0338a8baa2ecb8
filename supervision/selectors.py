"""Reads of the supervision app."""


def home_context(request) -> dict:
    """This app's part of the public home page (template ``templates/supervision/_home.html``)."""
    return {}
