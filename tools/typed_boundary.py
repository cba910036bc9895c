"""How far the typed service boundary has come: the public service functions that still take
or return dictionaries.

    python -m tools.typed_boundary           # the count, then the functions per module
    python -m tools.typed_boundary --count   # the count alone
    python -m tools.typed_boundary --check   # as the first, and fail unless the count is 0

A function counts when it is defined at the top level of a module under
``inspect_app/services/``, its name does not start with an underscore, and its parameters or
its return annotation mention ``dict[str, Any]`` (also inside ``list[...]``, ``tuple[...]``
or ``| None``). ``make lint`` runs ``--check``: a new service is written the typed way
(docs/architecture.md, "Typed boundary").
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator
from pathlib import Path

SERVICES = Path(__file__).resolve().parent.parent / "inspect_app" / "services"
UNTYPED = "dict[str, Any]"


def untyped_functions(root: Path = SERVICES) -> Iterator[tuple[str, str]]:
    """(module path under services/, function name) of every counted function."""
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.parse(source).body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if node.name.startswith("_"):
                continue
            arguments = node.args
            annotations = [
                argument.annotation
                for argument in (
                    *arguments.posonlyargs,
                    *arguments.args,
                    *arguments.kwonlyargs,
                    *(a for a in (arguments.vararg, arguments.kwarg) if a is not None),
                )
            ]
            signature = " ".join(
                ast.get_source_segment(source, annotation) or ""
                for annotation in (*annotations, node.returns)
                if annotation is not None
            )
            if UNTYPED in signature:
                yield str(path.relative_to(root)), node.name


def main(argv: list[str] | None = None, root: Path = SERVICES) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", action="store_true", help="print the count alone")
    parser.add_argument("--check", action="store_true", help="fail unless the count is 0")
    arguments = parser.parse_args(argv)
    found = list(untyped_functions(root))
    print(len(found))
    if arguments.count:
        return 0
    by_module: dict[str, list[str]] = {}
    for module, name in found:
        by_module.setdefault(module, []).append(name)
    for module, names in sorted(by_module.items(), key=lambda item: (-len(item[1]), item[0])):
        print(f"{len(names):4}  {module}: {', '.join(names)}")
    return 1 if arguments.check and found else 0


if __name__ == "__main__":
    raise SystemExit(main())
