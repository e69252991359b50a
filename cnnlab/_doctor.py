"""``cnnlab.doctor()``: what is installed, where it runs, what works."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sys
from pathlib import Path

from . import _net

__all__ = ["doctor", "environment", "network_reachable", "widget_frontend"]

#: packages whose versions the report lists, in order
PACKAGES = ("cnnlab", "numpy", "tensorflow-cpu", "tensorflow", "keras", "scikit-image", "matplotlib",
            "mlxtend", "anywidget", "ipywidgets", "jupyterlab", "notebook", "voila")

def network_reachable(timeout: float = 2.0) -> bool:
    """Whether the full MNIST's server answers within ``timeout`` s (never tried offline)."""
    return _net.reachable(*_net.DOWNLOAD_HOST, timeout=timeout)


def environment() -> str:
    """Where this Python runs: ``"Colab"``, ``"VS Code"``, ``"Jupyter"``, ``"IPython"`` or ``"plain Python"``."""
    if "google.colab" in sys.modules:
        return "Colab"
    shell = _ipython_shell()
    if shell == "ZMQInteractiveShell":
        if "VSCODE_PID" in os.environ or "VSCODE_CWD" in os.environ:
            return "VS Code"
        if any(k.startswith("VOILA") for k in os.environ):
            return "Voila"
        return "Jupyter (JupyterLab / Notebook)"
    if shell:
        return "IPython terminal"
    return "plain Python"


def _ipython_shell() -> str | None:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return None
    shell = ipython.get_ipython()
    return type(shell).__name__ if shell is not None else None


def widget_frontend() -> tuple[bool, str]:
    """Whether the anywidget front end can render cnnlab's widgets here, and why."""
    try:
        import anywidget  # noqa: F401
    except ImportError:
        return False, "anywidget is not installed: pip install anywidget"
    if "google.colab" in sys.modules:
        return True, "Colab: call google.colab.output.enable_custom_widget_manager() (the set-up cell does)"
    from jupyter_core.paths import jupyter_path

    for folder in map(Path, jupyter_path("labextensions")):
        if (folder / "anywidget").is_dir() and (folder / "@jupyter-widgets" / "jupyterlab-manager").is_dir():
            return True, f"JupyterLab extensions found in {folder}"
    return False, "the anywidget / ipywidgets JupyterLab extensions were not found; widgets fall back to .to_png()"


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def doctor(check_network: bool = True) -> dict:
    """Print versions, where it runs, widget support and network access.

    Parameters
    ----------
    check_network : bool
        Try a 2-second connection to where the full MNIST is hosted
        (skipped when ``CNNLAB_OFFLINE=1``).

    Returns
    -------
    dict
        The same facts, for code: ``{"python": ..., "packages": {...},
        "environment": ..., "widgets": bool, "network": bool | None}``.

    Introduced in lesson 00.
    """
    packages = {name: _version(name) for name in PACKAGES}
    widgets_ok, widgets_why = widget_frontend()
    network = network_reachable() if check_network else None
    report = {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "packages": packages,
        "environment": environment(),
        "widgets": widgets_ok,
        "network": network,
    }
    lines = [
        "cnnlab doctor",
        f"  python          {report['python']} on {report['platform']}, {report['cpus']} CPU cores",
    ]
    lines += [f"  {name:<15} {ver}" for name, ver in packages.items() if ver is not None]
    missing = [name for name, ver in packages.items() if ver is None and name not in ("tensorflow", "tensorflow-cpu")]
    if packages["tensorflow"] is None and packages["tensorflow-cpu"] is None:
        missing.append("tensorflow")
    if missing:
        lines.append(f"  missing         {', '.join(missing)}")
    lines.append(f"  running in      {report['environment']}")
    lines.append(f"  widgets         {'yes' if widgets_ok else 'no'}: {widgets_why}")
    if network is None:
        lines.append("  network         not checked")
    elif network:
        lines.append("  network         reachable: online extras (full MNIST) can download")
    else:
        lines.append("  network         not reachable: every lesson uses the offline data it ships with")
    print("\n".join(lines))
    return report
