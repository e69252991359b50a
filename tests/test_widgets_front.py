"""The front end's files, read as text (no browser): one file per kind, the limits, and what ties them to Python.

* the kinds Python's widget classes have, the kinds ``kinds/*.js`` register, and the file
  names under ``static/kinds/`` and ``widgets/`` are the same set (lonboard's one-to-one mirror);
* every file imports each name it takes from another file, from the file that exports it, and no
  two files declare the same top-level name (the join puts them in one scope);
* no JS file over 1,000 lines, no JS function over 80, no Python module of the package over 600;
* the joined module (what anywidget loads) animates with requestAnimationFrame and loads nothing.

Which ``meta`` keys each kind reads is checked in a browser: tests/browser/test_widget_js.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import traitlets

import cnnlab
from cnnlab.widgets import _base, _front

JS_FILES = sorted(_front.STATIC.rglob("*.js"))
MAX_JS_FILE_LINES = 1000
MAX_JS_FUNCTION_LINES = 80
MAX_PY_MODULE_LINES = 600

_DECLARED = re.compile(r"^(?:export )?(?:async )?(?:function\*? ?|const |let |class )(\w+)", re.MULTILINE)
_IMPORT = re.compile(r'^import\s*\{([^}]*)\}\s*from\s*"([^"]+)";', re.MULTILINE)
_FUNCTION = re.compile(r"^(\s*)(?:export )?(?:async )?(?:function\s+(\w+)\s*\(|const (\w+) = (?:\([^)]*\)|\w+) => \{$)")


def _code(path: Path) -> str:
    """The file without its import lines, comments and string contents (what names it uses)."""
    text = re.sub(r'^(?:import|export)\s*\{[^}]*\}\s*from\s*"[^"]+";\n', "", path.read_text(), flags=re.MULTILINE)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', text)


def _declared(path: Path) -> set[str]:
    return set(_DECLARED.findall(_code(path)))


def _functions(path: Path):
    """``(name, first line, length in lines)`` of every function declaration (nested ones too)."""
    lines = path.read_text().split("\n")
    for i, line in enumerate(lines):
        match = _FUNCTION.match(line)
        if not match:
            continue
        indent, name = match.group(1), match.group(2) or match.group(3)
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith(f"{indent}}}"))
        yield name, i + 1, end - i + 1


# ---------------------------------------------------------------- kinds: Python and JS the same


def test_python_and_the_page_know_the_same_kinds():
    python = _base.kinds()
    assert python == _front.js_kinds(), "a widget class and a file of static/kinds/ must come together"
    assert python == {path.stem for path in (_front.STATIC / "kinds").glob("*.js")}
    widgets = Path(_base.__file__).parent
    assert all((widgets / f"{kind}.py").is_file() for kind in python), "widgets/<kind>.py mirrors kinds/<kind>.js"


def test_each_kind_file_registers_its_own_kind_once():
    for path in sorted((_front.STATIC / "kinds").glob("*.js")):
        assert re.findall(r'^registerKind\("(\w+)"', path.read_text(), re.MULTILINE) == [path.stem], path.name


def test_every_widget_loads_the_one_joined_module():
    classes, todo = [], [_base.Widget]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if not isinstance(cls._esm, traitlets.TraitType):   # not the per-instance class anywidget makes
            classes.append(cls)
    assert len(classes) > len(_base.kinds())
    assert all(str(cls._esm) == _front.module_text() for cls in classes)
    assert all(str(cls._css) == _front.CSS.read_text() for cls in classes)


# ---------------------------------------------------------------- the files import what they use


def test_no_two_files_declare_the_same_name():
    owner: dict[str, Path] = {}
    for path in JS_FILES:
        for name in _declared(path):
            assert name not in owner, f"{name} is declared in {owner.get(name)} and {path}"
            owner[name] = path


def test_each_file_imports_what_it_takes_from_another_from_the_file_that_exports_it():
    owner = {name: path for path in JS_FILES for name in _declared(path)}
    for path in JS_FILES:
        text = path.read_text()
        imported = {}
        for names, target in _IMPORT.findall(text):
            source = (path.parent / target).resolve()
            for name in (n.strip() for n in names.split(",") if n.strip()):
                assert re.search(rf"^export (?:async )?(?:function |const |let |class ){name}\b", source.read_text(),
                                 re.MULTILINE), f"{path.name} imports {name}, which {target} does not export"
                imported[name] = source
        code = re.sub(r"([{,]\s*)[A-Za-z_$][\w$]*(?=\s*:)", r"\1", _code(path))   # object keys are not uses
        used = set(re.findall(r"(?<![\w.$])([A-Za-z_$][\w$]*)\b", code)) - _declared(path)
        missing = sorted(name for name in used if name in owner and name not in imported)
        assert not missing, f"{path.relative_to(_front.STATIC)} uses {missing} without importing them"


def test_the_join_keeps_every_file_after_what_it_imports():
    order = _front.module_files()
    assert set(order) == {path.resolve() for path in JS_FILES}
    for i, path in enumerate(order):
        assert all(order.index(dependency) < i for dependency in _front.imports(path)), path


# ---------------------------------------------------------------- limits


@pytest.mark.parametrize("path", JS_FILES, ids=lambda p: p.relative_to(_front.STATIC).as_posix())
def test_js_files_and_functions_stay_small(path):
    assert len(path.read_text().split("\n")) <= MAX_JS_FILE_LINES
    long = [(name, line, n) for name, line, n in _functions(path) if n > MAX_JS_FUNCTION_LINES]
    assert not long, f"functions over {MAX_JS_FUNCTION_LINES} lines (name, line, length): {long}"


def test_the_function_measure_sees_nested_functions_whole():
    measured = {name: n for path in JS_FILES for name, _, n in _functions(path)}
    assert measured["createPainter"] > 20 and measured["createOutputLayer"] > 40   # closures counted whole


def test_python_modules_stay_under_600_lines():
    package = Path(cnnlab.__file__).parent
    long = {str(p.relative_to(package)): n for p in package.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_PY_MODULE_LINES}
    assert not long, long


# ---------------------------------------------------------------- the joined module


def test_the_module_animates_in_the_browser_and_loads_nothing():
    js = _front.module_text()
    assert "requestAnimationFrame" in js and "cancelAnimationFrame" in js
    assert js.rstrip().endswith("export default { render };")
    assert not re.search(r"https?://", js), "the widget code must not load anything from the network"
    assert not re.search(r"^\s*import\b", js, re.MULTILINE)


def test_every_css_class_starts_with_cnnlab():
    css = _front.CSS.read_text()
    js = _front.module_text()
    css_classes = set(re.findall(r"\.(-?[a-zA-Z_][\w-]*)", re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)))
    js_classes = {c for group in re.findall(r'\bh\("\w+",\s*"([^"]+)"', js) for c in group.split()}
    js_classes |= set(re.findall(r'"(cnnlab-[\w-]+)"', js))
    assert css_classes and js_classes
    assert all(c.startswith("cnnlab-") for c in css_classes | js_classes), sorted(
        c for c in css_classes | js_classes if not c.startswith("cnnlab-"))


def test_every_front_end_file_ships_in_the_package():
    import tomllib

    root = Path(__file__).resolve().parents[1]
    data = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    package = Path(cnnlab.__file__).parent
    patterns = [(package / name.removeprefix("cnnlab").lstrip(".").replace(".", "/"), glob)
                for name, globs in data.items() for glob in globs]
    shipped = {path for base, glob in patterns for path in base.glob(glob)}
    files = {p for p in _front.STATIC.rglob("*") if p.is_file() and p.suffix in (".js", ".css")}
    assert files <= shipped, sorted(str(p.relative_to(_front.STATIC)) for p in files - shipped)


def test_every_widget_kind_draws_its_own_still_picture():
    """``Widget.frame`` only says that a kind forgot it: every public widget class has its own."""
    from cnnlab import widgets
    from cnnlab.widgets._base import Widget

    classes = [getattr(widgets, name) for name in widgets.__all__]
    assert classes and all(issubclass(c, Widget) for c in classes)
    missing = [c.__name__ for c in classes if c.frame is Widget.frame]
    assert not missing, f"widget classes without their own frame(): {missing}"

    class NoPicture(Widget):
        KIND = "convolution"

    with pytest.raises(TypeError, match="NoPicture defines no frame"):
        NoPicture().to_png()
