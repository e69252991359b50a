"""The front end as anywidget gets it: the ES modules of ``static/`` joined into one module, no build step.

``static/`` holds one ES module per part: ``widget.js`` (the entry: ``render``), the
kind-agnostic ``core/*.js`` and one ``kinds/<kind>.js`` per widget kind, named as the kind
and as its Python module (``kinds/pooling.js`` draws what ``pooling.py`` computes). Each
file imports what it uses from the others. anywidget hands the page a single module (a
``blob:`` URL, where relative imports cannot resolve), so :func:`module_text` puts the files
in the order of their imports (a file after the files it imports), every file of ``kinds/``
included, and drops the import lines: the names then live in one module scope. A kind file
registers itself (``registerKind``), so adding a kind adds a file and edits none.

Examples
--------
>>> text = module_text()
>>> "export default { render };" in text and 'from "./' not in text
True
>>> sorted(js_kinds()) == sorted(path.stem for path in (STATIC / "kinds").glob("*.js"))
True
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

__all__ = ["CSS", "ENTRY", "STATIC", "imports", "js_kinds", "module_files", "module_text"]

#: the folder of the front end's files
STATIC = Path(__file__).parent / "static"
#: the module whose default export anywidget calls (``render``)
ENTRY = STATIC / "widget.js"
#: the one style sheet of every widget
CSS = STATIC / "widget.css"

# `import { a, b } from "./x.js";` and `export { a } from "./x.js";`, on one line or several
_LOCAL_IMPORT = re.compile(r'^(?:import|export)\s*\{[^}]*\}\s*from\s*"(\.{1,2}/[^"]+)";[ \t]*\n', re.MULTILINE)
_REGISTER = re.compile(r'^registerKind\("([a-z_]+)"', re.MULTILINE)


def imports(path: Path) -> list[Path]:
    """The files ``path`` imports from, in the order it names them."""
    return [(path.parent / target).resolve() for target in _LOCAL_IMPORT.findall(path.read_text("utf-8"))]


def module_files() -> list[Path]:
    """Every file of the front end, each after the files it imports: the kinds, then the entry."""
    order: list[Path] = []
    visiting: set[Path] = set()

    def visit(path: Path) -> None:
        if path in order:
            return
        if path in visiting:
            raise ValueError(f"the front end's imports go round in a circle at {path.relative_to(STATIC)}")
        visiting.add(path)
        for dependency in imports(path):
            visit(dependency)
        visiting.discard(path)
        order.append(path)

    for path in [*sorted((STATIC / "kinds").glob("*.js")), ENTRY.resolve()]:
        visit(path.resolve())
    return order


@functools.cache
def module_text() -> str:
    """The one ES module anywidget loads (``_esm``): every file, imports first, import lines dropped."""
    parts = []
    for path in module_files():
        code = _LOCAL_IMPORT.sub("", path.read_text("utf-8"))
        if re.search(r"^\s*import\b", code, re.MULTILINE):
            raise ValueError(f"{path.relative_to(STATIC)} imports something other than a file of the front end")
        parts.append(f"// ==== {path.relative_to(STATIC.resolve()).as_posix()}\n{code.strip()}\n")
    return "\n".join(parts)


def js_kinds() -> set[str]:
    """The kinds the front end registers (``registerKind("pooling", ...)`` in ``kinds/``)."""
    return {kind for path in (STATIC / "kinds").glob("*.js") for kind in _REGISTER.findall(path.read_text("utf-8"))}
