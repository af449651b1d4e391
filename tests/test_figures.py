"""Figures readable by everyone (guide section 9): each is read in a sentence right after it, which the website
uses as the figure's alternative text, and each is drawn on an opaque background (readable in a dark theme)."""

import base64
import io
import sys
from pathlib import Path

import matplotlib.image
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def code(source="plt.show()", image=True):
    outputs = [nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})]
    return nbformat.v4.new_code_cell(source, outputs=outputs if image else [])


def notebook(*cells):
    return nbformat.v4.new_notebook(cells=list(cells))


def md(source):
    return nbformat.v4.new_markdown_cell(source)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_is_read_in_a_sentence_right_after_it(path):
    nb = nbformat.read(path, as_version=4)
    missing = []
    for index, description in build_site.figure_descriptions(nb):
        if description is None:
            after = nb.cells[index + 1] if index + 1 < len(nb.cells) else None
            shown = f"{after.cell_type} cell {after.source[:60]!r}" if after else "the end of the notebook"
            missing.append(f"cell {index} (its code starts {nb.cells[index].source[:40]!r}) is followed by {shown}")
    assert not missing, (
        f"{path.name}: figures without a description. Put a markdown cell right after each figure that opens "
        "with one sentence reading it (what it shows, what to see); the website uses that sentence as the "
        "figure's alternative text:\n" + "\n".join(missing))


def transparent_figures(nb) -> list[int]:
    """Indices of cells with a PNG output that has any pixel less than fully opaque."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if "image/png" in output.get("data", {}):
                pixels = matplotlib.image.imread(io.BytesIO(base64.b64decode(output["data"]["image/png"])))
                if pixels.ndim == 3 and pixels.shape[2] == 4 and pixels[..., 3].min() < 1.0:
                    found.append(index)
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_stored_figure_has_an_opaque_background(path):
    see_through = transparent_figures(nbformat.read(path, as_version=4))
    assert not see_through, f"{path.name}: figures with transparent pixels in cells {see_through} (dark themes)"


def test_the_notebooks_have_figures_to_check():
    assert sum(len(build_site.figure_descriptions(nbformat.read(p, as_version=4))) for p in NOTEBOOKS) >= 9


def test_a_transparent_figure_is_caught():
    assert transparent_figures(notebook(md("# T"), code())) == [1]  # the 1-pixel PNG above is see-through


@pytest.mark.parametrize(
    "following, expected",
    [
        ([md("The loss falls in every epoch, and the\nvalidation loss does not.\n\nMore text.")],
         "The loss falls in every epoch, and the validation loss does not."),
        ([md("With $\\eta = 0.5$ the gap to the floor *halves*, e.g. at step 3. Then more.")],
         "With η = 0.5 the gap to the floor halves, e.g. at step 3."),
        ([md("Three views of the same run:\n- **left** per epoch;\n- **right** per second.\n\nMore.")],
         "Three views of the same run: left per epoch; right per second."),
        ([code("explore(draw_bowl, {'w': (0, 4, 0.1, 2)})", image=False), md("The bowl's bottom sits at 2.")],
         "The bowl's bottom sits at 2."),
    ],
    ids=["two-lines", "math-and-abbreviation", "list-after-colon", "explorer-in-between"],
)
def test_a_figure_takes_the_first_sentence_after_it(following, expected):
    assert build_site.figure_descriptions(notebook(code(), *following)) == [(0, expected)]


@pytest.mark.parametrize(
    "following",
    [
        [],
        [code("x = 1", image=False), md("The loss falls in every epoch.")],
        [md("## 3. The next section")],
        [md("**Think about it.** Why does the loss fall in every epoch?")],
        [md("**Exercise 2 (core).** Write the loss for every epoch.")],
        [md("<details><summary>Answer</summary>The loss falls.</details>")],
        [md("Done.")],
        [md("Loss over epochs, without a full stop")],
        [md("")],
    ],
    ids=["end-of-notebook", "code-after", "heading", "think-about-it", "exercise", "details", "too-short",
         "no-sentence-end", "empty"],
)
def test_a_figure_without_a_reading_sentence_has_no_description(following):
    assert build_site.figure_descriptions(notebook(code(), *following)) == [(0, None)]


def test_cells_without_images_are_not_figures():
    nb = notebook(code(image=False), md("The loss falls in every epoch."), md("# Title"))
    assert build_site.figure_descriptions(nb) == []


def test_the_site_copy_uses_the_description_as_alt_text_and_flags_a_missing_one():
    nb = notebook(md("# 00 · Title"), code(), md("The loss falls in every epoch."), code(), md("## Next"))
    warnings = build_site.stage_notebook(nb, "00_title.ipynb")
    assert nb.cells[1].metadata["mystnb"]["image"]["alt"] == "The loss falls in every epoch."
    assert nb.cells[3].metadata["mystnb"]["image"]["alt"] == build_site.MISSING_DESCRIPTION
    assert warnings == ["00_title.ipynb: the figure in cell 3 has no description after it"]
