"""Piccolo app holding the product's tables and migrations."""

import inspect_app  # noqa: F401  - sets PICCOLO_CONF so the tables find their engine
