"""Shim for the ``piccolo`` command run from the project root; the real file is in the package."""

from inspect_app.piccolo_conf import APP_REGISTRY, DB

__all__ = ["APP_REGISTRY", "DB"]
