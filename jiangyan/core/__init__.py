"""The shared core every app builds on: what an app declares to the site (``site``), roles and object scope
(``roles``, ``scoping``, ``permissions``), the audit record (``audit``, ``selectors``), errors and refusals
(``exceptions``, ``refusals``, ``outage``), declared inputs and state machines (``inputs``, ``moves``), the
API's base classes (``viewsets``, ``filtersets``, ``pagination``, ``schema``, ``throttling``), the page cache
(``pagecache``, ``fragments``, ``middleware``) and the campaign's reporting periods (``periods``).

It builds on ``jiangyan.models`` and ``jiangyan.helpers`` and never on the site's wiring (settings, urls,
Celery app, views), so the layers inside ``jiangyan`` stay one way (``pyproject.toml``)."""
