"""Build hook: the wheel carries the top-level ``templates/`` inside the package.

Everything else is declared in pyproject.toml. The templates stay at the project root (the
layout of the code base), and are copied into ``inspect_app/templates/`` of the built wheel,
where ``inspect_app.paths.template_dir`` finds them once installed. Editable installs read
``templates/`` from the checkout instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithTemplates(build_py):
    """build_py, then templates/ into inspect_app/templates/ of the build directory."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "inspect_app" / "templates"
        shutil.copytree(ROOT / "templates", target, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithTemplates})
