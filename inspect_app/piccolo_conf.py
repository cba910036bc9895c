"""Piccolo configuration: the engine comes from DATABASE_URL (see inspect_app.db)."""

from piccolo.conf.apps import AppRegistry

from inspect_app.db import build_engine

DB = build_engine()

APP_REGISTRY = AppRegistry(apps=["models.piccolo_app"])
