"""The explorers in a real browser: JupyterLab in headless Chromium, the notebook run from the UI, a slider
moved with the keyboard, and the figure asserted to have changed.

Every notebook with an ``explore(`` cell is tested, plus a small demo notebook, and a control whose figure
ignores its knob (the test must see *that* figure stay the same, or it proves nothing). Screenshots before and
after each move are written to ``$COURSE_SCREENSHOTS`` (default: the test's temporary folder) for a person to
look at.
"""

import base64
import hashlib
import os
from pathlib import Path

import nbformat
import pytest

from browser import (CELLS, CHROMIUM, CHROMIUM_ARGS, chromium_or_skip, copy_for_browser, jupyterlab, open_notebook,
                     run_all_cells, wait_for_idle_kernel)

ROOT = Path(__file__).resolve().parents[1]
EXPLORER_NOTEBOOKS = [p for p in sorted((ROOT / "notebooks").glob("*.ipynb"))
                      if any(c.cell_type == "code" and "explore(" in c.source
                             for c in nbformat.read(p, as_version=4).cells)]

pytestmark = pytest.mark.slow

DEMO = """import matplotlib.pyplot as plt
import numpy as np
from course_utils.explorer import explore

def draw_line(w, ignore_knob=False):
    fig, ax = plt.subplots(figsize=(4, 3))
    x = np.linspace(0, 5, 20)
    slope = 1.0 if ignore_knob else w
    ax.plot(x, slope * x)
    ax.set_ylim(0, 20)
    ax.set_title(f"slope {slope:.2f}")
    return fig
"""


def demo_notebook(path: Path, ignore_knob: bool) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(DEMO),
                nbformat.v4.new_code_cell("fig = draw_line(1.0)\nplt.show()"),
                nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nexplore(lambda w: draw_line(w, ignore_knob="
                                          f"{ignore_knob}), {{'w': (0.0, 4.0, 0.5, 1.0)}})")]
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    sync_playwright = chromium_or_skip()
    root = tmp_path_factory.mktemp("lab-root")
    copy_for_browser(EXPLORER_NOTEBOOKS, root)
    demo_notebook(root / "demo_explorer.ipynb", ignore_knob=False)
    demo_notebook(root / "demo_knob_ignored.ipynb", ignore_knob=True)
    shots = Path(os.environ.get("COURSE_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    with jupyterlab(root, tmp_path_factory.mktemp("lab-settings")) as (base, token), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser, base, token, shots
        finally:
            browser.close()


def explorer_image(page, cell_index: int):
    """The figure in the explorer cell's widget output area."""
    return page.locator(CELLS).nth(cell_index).locator(".widget-output img").first


def digest(src: str) -> str:
    return hashlib.sha256(base64.b64decode(src.split(",", 1)[1])).hexdigest()[:16]


def readout(cell) -> str:
    """What the explorer's first control shows: a slider's readout, or the option a drop-down has selected."""
    if cell.locator(".noUi-handle").count():
        return cell.locator(".widget-readout").first.inner_text()
    return cell.locator("select").first.input_value()


def move_first_control(page, cell) -> None:
    """Press → three times on the first slider, or pick the next option of the first drop-down (an explorer
    whose knobs are all drop-downs, like 08's precomputed runs, has no slider)."""
    if cell.locator(".noUi-handle").count():
        cell.locator(".noUi-handle").first.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        return
    select = cell.locator("select").first
    options = select.locator("option").all_inner_texts()
    current = options.index(select.evaluate("s => s.options[s.selectedIndex].text"))
    select.select_option(index=(current + 1) % len(options) if current + 1 < len(options) else current - 1)


def move_first_slider(browser, base, token, shots, name: str, wait_ms: int):
    """Run ``name`` from the UI, move its explorer's first control; (before, after, readouts)."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        open_notebook(page, base, token, name)
        cells = page.locator(CELLS)
        index = next(i for i in range(cells.count())
                     if "explore(" in cells.nth(i).locator(".jp-InputArea").inner_text())
        run_all_cells(page)
        image = explorer_image(page, index)
        image.wait_for(timeout=240_000)  # the cells above it run first
        cell = cells.nth(index)
        cell.scroll_into_view_if_needed()
        before = image.get_attribute("src")
        readout_before = readout(cell)
        cell.screenshot(path=str(shots / f"{Path(name).stem}-before.png"))
        move_first_control(page, cell)
        try:
            page.wait_for_function(
                "([s, i, b]) => { const c = document.querySelectorAll(s)[i];"
                " const img = c && c.querySelector('.widget-output img'); return img && img.src !== b; }",
                arg=[CELLS, index, before], timeout=wait_ms)
        except Exception:
            pass  # unchanged: the assertion below says so
        wait_for_idle_kernel(page)  # every redraw the three presses asked for has arrived
        page.wait_for_timeout(500)
        after = explorer_image(page, index).get_attribute("src")
        readout_after = readout(cell)
        cell.screenshot(path=str(shots / f"{Path(name).stem}-after.png"))
        return before, after, (readout_before, readout_after)
    finally:
        page.close()


@pytest.mark.parametrize("name", ["demo_explorer.ipynb", *(p.name for p in EXPLORER_NOTEBOOKS)])
def test_moving_a_slider_redraws_the_figure(lab, name):
    browser, base, token, shots = lab
    before, after, (readout_before, readout_after) = move_first_slider(browser, base, token, shots, name, 120_000)
    assert readout_after != readout_before, f"the slider did not move: {readout_before!r} -> {readout_after!r}"
    assert digest(after) != digest(before), f"{name}: the figure did not change when the slider moved"


def test_a_figure_that_ignores_its_knob_is_seen_not_to_change(lab):
    browser, base, token, shots = lab
    before, after, (readout_before, readout_after) = move_first_slider(
        browser, base, token, shots, "demo_knob_ignored.ipynb", 8_000)
    assert readout_after != readout_before  # the knob moved...
    assert digest(after) == digest(before)  # ...and the test saw that the figure did not: it can fail
