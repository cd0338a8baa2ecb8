"""The demo district (DESIGN §5), kept apart from the domain code.

One module per app, named after the app's label (``demo.wishes`` seeds the wishes app), each with
``seed(*, scale, stdout)``: idempotent, deterministic (a fixed random seed) and fast. ``manage.py seed_demo``
runs them in ``INSTALLED_APPS`` order, which is the order of the layers (accounts before the registries,
the registries before supervision)."""
