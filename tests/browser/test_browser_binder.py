"""Binder in a browser: JupyterLab started as repo2docker's default command starts it, at the README
badge's urlpath, opens lesson 00, runs it clean, and draws a widget (the file checks are in
``tests/test_binder.py``)."""

import re
import shutil

import pytest
from test_binder import REPO, WIDGET_CHECK, _badge_urlpath

from cnnlab import _servers


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_jupyterlab_opens_lesson_00_at_the_badges_urlpath_and_widgets_draw(chromium, tmp_path):
    import nbformat

    urlpath = _badge_urlpath()
    assert urlpath == "lab/tree/lessons/00_welcome.ipynb", urlpath
    repo = tmp_path / "repo"  # a copy: the notebooks run here, autosave never touches the checkout
    shutil.copytree(REPO / "lessons", repo / "lessons", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    check = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(WIDGET_CHECK)])
    check.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(check, repo / "widget_check.ipynb")
    artifacts = REPO / "tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)

    with _servers.JupyterProcess("lab", repo, tmp_path / "lab") as server:
        context, log = _servers.new_guarded_context(chromium, viewport={"width": 1280, "height": 720})
        try:
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(server.url + urlpath, wait_until="domcontentloaded")
            try:
                page.wait_for_function(_servers.KERNEL_IDLE_JS, timeout=90_000, polling=250)
            except Exception:
                page.screenshot(path=str(artifacts / "binder-failed-to-open.png"))
                raise
            title = page.evaluate("() => window.jupyterapp.shell.currentWidget.title.label")
            assert title == "00_welcome.ipynb", f"the badge's urlpath opened {title!r}"
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            # done: the kernel is idle and every code cell ran, or one raised (run-all stops there)
            page.wait_for_function("""() => {
                const panel = window.jupyterapp.shell.currentWidget;
                const cells = panel.content.widgets.filter((c) => c.model.type === 'code');
                const raised = cells.some((c) => c.model.outputs.toJSON().some((o) => o.output_type === 'error'));
                return panel.sessionContext.session.kernel.status === 'idle'
                    && (raised || cells.every((c) => c.model.executionCount !== null));
            }""", timeout=120_000, polling=500)
            errors = page.evaluate("""() => window.jupyterapp.shell.currentWidget.content.widgets
                .flatMap((c) => c.model.type === 'code' ? c.model.outputs.toJSON() : [])
                .filter((o) => o.output_type === 'error').map((o) => o.ename + ': ' + o.evalue)""")
            assert errors == [], f"lesson 00 raised on Binder's JupyterLab: {errors}"
            doctor_says = page.locator(".jp-OutputArea-output", has_text="cnnlab doctor").first.inner_text()
            assert re.search(r"widgets\s+yes", doctor_says), doctor_says
            page.screenshot(path=str(artifacts / "binder-lesson-00.png"))

            # a new page on the check notebook alone: "?reset" keeps JupyterLab from restoring lesson 00's tab
            page.close()
            page = context.new_page()
            page.set_default_timeout(60_000)
            seconds = _servers.open_notebook(page, server, "widget_check.ipynb?reset", expect_widgets=1)
            root = _servers.widget_root(page, "convolution")
            page.wait_for_function("el => Number(el.dataset.frames || 0) > 0 || el.dataset.ready === 'true'",
                                   arg=root.element_handle())
            colours = root.evaluate("""(el) => { const c = el.querySelector('canvas.cnnlab-input');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                const seen = new Set(); for (let i = 0; i < d.length; i += 4 * 11) seen.add(d[i] * 65536 + d[i + 1] * 256 + d[i + 2]);
                return seen.size; }""")
            assert colours > 50, f"the widget's photo is not drawn ({colours} colours)"
            root.screenshot(path=str(artifacts / "binder-widget.png"))
            print(f"\nBinder's JupyterLab: lesson 00 ran clean; a widget drew in {seconds:.1f} s")
            assert not log.errors(), log.errors()
            assert log.blocked == [], f"requests left the machine: {log.blocked}"
        finally:
            context.close()
