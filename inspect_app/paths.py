"""Where the files shipped with the application are: in the wheel, or in a checkout.

The page and report templates live in the project's top-level ``templates/`` directory; the
wheel carries them inside the package, as ``inspect_app/templates/`` (setup.py copies them
there at build time). An installed application (the Docker image, a virtualenv on a server)
therefore finds them next to its code, whatever its working directory; a checkout (or an
editable install) reads ``templates/`` itself.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def template_dir() -> Path:
    """The directory of the Jinja templates (pages, partials, report documents)."""
    installed = PACKAGE_DIR / "templates"
    return installed if installed.is_dir() else PACKAGE_DIR.parent / "templates"
