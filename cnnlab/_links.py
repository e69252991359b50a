"""Where the course lives online: the one place that names the repository.

The README's Colab and Binder badges and every lesson's set-up cell are built from
:data:`REPOSITORY` by ``scripts/update_links.py``; ``tests/test_links.py`` checks they agree.
"""

from __future__ import annotations

from urllib.parse import urlparse

__all__ = ["BRANCH", "COLAB_KEEPS", "LESSON_EXTRAS", "REPOSITORY", "binder_url", "colab_url", "pip_spec",
           "setup_cell"]

#: the course's public repository
REPOSITORY = "https://github.com/cnnlab/cnnlab"
#: the branch the badges open
BRANCH = "main"

#: Colab's own packages the set-up cell holds at the versions Colab has (a pip constraint) and names
COLAB_KEEPS = ("tensorflow", "keras", "numpy", "ipywidgets", "anywidget")

#: the extras of cnnlab a lesson's set-up cell installs besides cnnlab itself, by lesson file stem
LESSON_EXTRAS = {"08_detection": ("detection",)}

#: where the set-up cell writes the versions to keep, as a pip constraints file
_KEEPS_FILE = "/tmp/colab_keeps.txt"


def _owner_and_name() -> str:
    """``"owner/name"`` of :data:`REPOSITORY`."""
    return urlparse(REPOSITORY).path.strip("/")


def _quoted(names) -> str:
    """``("a", "b")`` -> ``'"a", "b"'``: names as a Python literal list, in double quotes."""
    return ", ".join(f'"{name}"' for name in names)


def _notebook_path(notebook: str) -> str:
    """``notebook`` checked: a relative path to an ``.ipynb`` inside the repository."""
    if not isinstance(notebook, str):
        raise TypeError(f"notebook must be a str path like 'lessons/00_welcome.ipynb', got {type(notebook).__name__}")
    if not notebook.endswith(".ipynb") or notebook.startswith("/") or ".." in notebook.split("/"):
        raise ValueError(f"notebook must be a relative path to an .ipynb file in the repository, got {notebook!r}")
    return notebook


def colab_url(notebook: str) -> str:
    """The address that opens ``notebook`` (e.g. ``"lessons/00_welcome.ipynb"``) in Google Colab."""
    return f"https://colab.research.google.com/github/{_owner_and_name()}/blob/{BRANCH}/{_notebook_path(notebook)}"


def binder_url(notebook: str) -> str:
    """The address that opens ``notebook`` in JupyterLab on Binder."""
    return f"https://mybinder.org/v2/gh/{_owner_and_name()}/{BRANCH}?urlpath=lab/tree/{_notebook_path(notebook)}"


def pip_spec(extras=()) -> str:
    """What ``pip install`` is given on Colab: cnnlab straight from :data:`REPOSITORY`, with ``extras``."""
    if isinstance(extras, str) or not all(isinstance(extra, str) and extra.isidentifier() for extra in extras):
        raise TypeError(f"extras must be a sequence of extra names like ('detection',), got {extras!r}")
    wanted = f"[{','.join(extras)}]" if extras else ""
    return f"cnnlab{wanted} @ git+{REPOSITORY}"


def setup_cell(commented: bool = False, lesson: str | None = None) -> str:
    """The source of every lesson's first code cell.

    On Colab it installs cnnlab (and the extras :data:`LESSON_EXTRAS` names for ``lesson``) and
    turns on Colab's widget manager; anywhere else it does nothing. Colab's own TensorFlow, Keras,
    NumPy and widget packages (:data:`COLAB_KEEPS`) are held at the versions Colab has by a pip
    constraints file the cell writes first: Colab loads the widget packages when its kernel starts,
    so an upgrade would ask for a restart and leave the page with a widget manager that does not
    match. cnnlab's lower bounds are what Colab has, so pip needs to change none of them. The cell
    compares their versions before and after and says so in one line.

    Parameters
    ----------
    commented : bool
        True for the lesson's ``.py`` source, where Jupytext keeps the ``!pip`` magic as a comment.
    lesson : str, optional
        The lesson's file stem (``"08_detection"``), which picks its extras.

    Returns
    -------
    str
        The cell's source, without a final newline.
    """
    magic = "# !pip" if commented else "!pip"
    extras = LESSON_EXTRAS.get(lesson, ()) if lesson is not None else ()
    return "\n".join([
        "# Set-up: on Colab this installs cnnlab and keeps Colab's own TensorFlow, Keras, NumPy and",
        "# widget packages exactly as they are; anywhere else it does nothing.",
        "import sys",
        "",
        'if "google.colab" in sys.modules:',
        "    from importlib.metadata import version",
        "",
        f"    before = {{name: version(name) for name in ({_quoted(COLAB_KEEPS)})}}",
        f'    with open("{_KEEPS_FILE}", "w") as keeps:',
        '        keeps.writelines(f"{name}=={number}\\n" for name, number in before.items())',
        f'    {magic} install -q -c {_KEEPS_FILE} "{pip_spec(extras)}"',
        "    from google.colab import output",
        "    output.enable_custom_widget_manager()",
        "    changed = {name: number for name, number in before.items() if version(name) != number}",
        '    kept = "kept as they were" if not changed else f"CHANGED, they were {changed}"',
        '    print("cnnlab installed; Colab\'s own " + ", ".join(f"{name} {number}" for name, number in before.items()),',
        "          kept)",
    ])
