"""Reads of the surveys app."""


def home_context(request) -> dict:
    """This app's part of the public home page (template ``templates/surveys/_home.html``)."""
    return {}


def project_trace(project) -> dict:
    """Context for ``templates/surveys/_project_trace.html`` on a project page: the suggestions, problem
    items and duty items that led to ``project`` ("your suggestion became this project")."""
    return {}
