"""Where the course lives online: the one place that names the repository.

The README's Colab and Binder badges and every lesson's set-up cell are built from
:data:`REPOSITORY` by ``scripts/update_links.py``; ``tests/test_links.py`` checks they agree.
"""

from __future__ import annotations

from urllib.parse import urlparse

__all__ = ["BRANCH", "REPOSITORY", "binder_url", "colab_url", "pip_spec", "setup_cell"]

#: the course's public repository
REPOSITORY = "https://github.com/cnnlab/cnnlab"
#: the branch the badges open
BRANCH = "main"

#: Colab's own packages the set-up cell names and must leave as they are
COLAB_KEEPS = ("tensorflow", "keras", "numpy")


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


def pip_spec() -> str:
    """What ``pip install`` is given on Colab: cnnlab straight from :data:`REPOSITORY`."""
    return f"cnnlab @ git+{REPOSITORY}"


def setup_cell(commented: bool = False) -> str:
    """The source of every lesson's first code cell.

    On Colab it installs cnnlab and turns on Colab's widget manager; anywhere else it does
    nothing. cnnlab asks only for lower bounds that Colab's own TensorFlow, Keras and NumPy
    meet, so pip (whose default is to upgrade only what is needed) leaves them as they are;
    the cell compares their versions before and after and says so in one line.

    Parameters
    ----------
    commented : bool
        True for the lesson's ``.py`` source, where Jupytext keeps the ``!pip`` magic as a comment.

    Returns
    -------
    str
        The cell's source, without a final newline.
    """
    magic = "# !pip" if commented else "!pip"
    return "\n".join([
        "# Set-up: on Colab this installs cnnlab and keeps Colab's own TensorFlow, Keras and NumPy;",
        "# anywhere else it does nothing.",
        "import sys",
        "",
        'if "google.colab" in sys.modules:',
        "    from importlib.metadata import version",
        "",
        f"    before = {{name: version(name) for name in ({_quoted(COLAB_KEEPS)})}}",
        f'    {magic} install -q "{pip_spec()}"',
        "    from google.colab import output",
        "    output.enable_custom_widget_manager()",
        "    after = {name: version(name) for name in before}",
        '    kept = "kept" if after == before else f"changed, they were {before}"',
        "    print(f\"cnnlab installed; Colab's own TensorFlow {after['tensorflow']}, Keras {after['keras']}\"",
        "          f\" and NumPy {after['numpy']} {kept}\")",
    ])
