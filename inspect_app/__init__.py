"""Inspection and violation case management for Vietnamese provincial inspectorates."""

import os

# Piccolo finds its engine through this module path; setting it here means the web app, the
# worker, the CLI and the tests all use the same configuration, whatever the working directory.
os.environ.setdefault("PICCOLO_CONF", "inspect_app.piccolo_conf")
