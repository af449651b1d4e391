"""Exercises test understanding, not typing (guide, section 8).

An exercise whose solution is nearly the same code as a cell shown earlier in the same notebook only asks the
learner to copy it. This test compares each solution with every earlier code cell, on normalised tokens
(local names, numbers and strings replaced by placeholders; attributes, library names and operators kept),
and fails when most of the solution's tokens appear in order in one earlier cell. One exercise per notebook
may mirror the lesson on purpose: its heading says ``(warm-up)``.

Hints lead to a solution without handing it over (guide, section 8: a nudge first, then the key step; the solution
itself is what the instructor version holds): the code in an exercise's hints, together, may not cover most of its
solution's tokens.

The exercise conventions, checked here too: each exercise heading is ``**Exercise N (level).**`` with level
warm-up, core or stretch; hints and "Think about it" answers sit in collapsed ``<details>`` blocks.
"""

import builtins
import io
import keyword
import re
import tokenize
from difflib import SequenceMatcher
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOLUTION = re.compile(r"^[ \t]*# BEGIN SOLUTION[ \t]*\n(.*?)^[ \t]*# END SOLUTION", re.S | re.M)
HEADING = re.compile(r"\*\*Exercise (\d+) \((warm-up|core|stretch)\)\.\*\*")
KEPT_NAMES = {"np", "torch", "nn", "F", "plt", "math", "self"} | set(dir(builtins))
COVERAGE_LIMIT = 0.8  # share of a solution's tokens found, in order, in one earlier cell
HINT_COVERAGE_LIMIT = 0.7  # share of a solution's tokens that the code in its hints may give away, in order
HINT = re.compile(r"<details><summary>Hint \d+</summary>(.*?)</details>", re.S)
MIN_TOKENS = 6  # shorter solutions (one small expression) are judged by the exercise text, not by this test


def normalised_tokens(source: str) -> list[str]:
    """The code's tokens with local names as N, numbers as 0 and strings as S; comments and layout dropped."""
    out, previous = [], ""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    for tok in tokens:
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                        tokenize.ENDMARKER):
            continue
        if tok.type == tokenize.NAME:
            keep = keyword.iskeyword(tok.string) or tok.string in KEPT_NAMES or previous == "."
            text = tok.string if keep else "N"
        elif tok.type == tokenize.NUMBER:
            text = "0"
        elif tok.type == tokenize.STRING or tok.type == getattr(tokenize, "FSTRING_START", -1):
            text = "S"
        else:
            text = tok.string
        out.append(text)
        previous = tok.string
    return out


def coverage(solution: list[str], earlier: list[str]) -> float:
    """The share of ``solution``'s tokens that appear, in order, in ``earlier``."""
    if not solution:
        return 0.0
    matcher = SequenceMatcher(None, solution, earlier, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(solution)


def solutions_with_context(nb):
    """(cell index, solution source, exercise heading level or None, earlier non-solution code) per solution."""
    found, earlier, level = [], [], None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            headings = HEADING.findall(cell.source)
            if headings:
                level = headings[-1][1]
            continue
        if cell.cell_type != "code":
            continue
        for match in SOLUTION.finditer(cell.source):
            found.append((index, match.group(1), level, list(earlier)))
        earlier.append(SOLUTION.sub("", cell.source))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_solution_retypes_a_cell_shown_above(path):
    nb = nbformat.read(path, as_version=4)
    copies, warmups = [], 0
    for index, solution, level, earlier in solutions_with_context(nb):
        tokens = normalised_tokens(_dedent(solution))
        if len(tokens) < MIN_TOKENS:
            continue
        best = max((coverage(tokens, normalised_tokens(src)), i) for i, src in enumerate(earlier))
        if best[0] >= COVERAGE_LIMIT:
            if level == "warm-up":
                warmups += 1
            else:
                copies.append(f"cell {index}: {best[0]:.0%} of its solution's tokens re-type an earlier code cell")
    assert not copies, "; ".join(copies) + " (mark at most one exercise per notebook '(warm-up)')"
    assert warmups <= 1, f"{warmups} warm-ups mirror the lesson; at most one per notebook may"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_are_levelled_and_answers_are_collapsed(path):
    nb = nbformat.read(path, as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    text = "\n".join(markdown)
    loose = re.findall(r"\*\*Exercise \d+[^(*]*\*\*", text)
    assert not loose, f"exercise headings without a level: {loose} (write **Exercise N (warm-up|core|stretch).**)"
    levels = [level for _, level in HEADING.findall(text)]
    assert 3 <= len(levels) <= 5, f"{len(levels)} exercises; the guide asks for 3-5"
    assert levels.count("warm-up") <= 1, "at most one warm-up per notebook"
    for source in markdown:
        if "**Think about it" in source:
            assert "<details><summary>Answer</summary>" in source.replace("\n", ""), \
                "a 'Think about it' question needs its answer in a collapsed <details><summary>Answer</summary> block"


def hint_code_tokens(hints: list[str]) -> list[str]:
    """The normalised tokens of every `code span` in the hints, in order; ';' between spans."""
    tokens = []
    for hint in hints:
        for span in re.findall(r"`([^`]+)`", hint):
            tokens += normalised_tokens(span) + [";"]
    return tokens


def solutions_with_hints(nb):
    """(cell index, solution source, the hints of its exercise) for each solution after an exercise with hints."""
    found, hints = [], None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            if HEADING.search(cell.source):
                hints = HINT.findall(cell.source)
            continue
        if cell.cell_type == "code" and hints:
            for match in SOLUTION.finditer(cell.source):
                found.append((index, match.group(1), hints))
                hints = None
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_hint_hands_over_the_solution(path):
    nb = nbformat.read(path, as_version=4)
    given = []
    for index, solution, hints in solutions_with_hints(nb):
        tokens = normalised_tokens(_dedent(solution))
        share = coverage(tokens, hint_code_tokens(hints))
        if len(tokens) >= MIN_TOKENS and share >= HINT_COVERAGE_LIMIT:
            given.append(f"cell {index}: the hints' code is {share:.0%} of the solution")
    assert not given, "; ".join(given) + " (hint 2 gives the key step; the solution stays in the instructor version)"


def _dedent(source: str) -> str:
    lines = [line for line in source.splitlines() if line.strip()]
    indent = min((len(line) - len(line.lstrip()) for line in lines), default=0)
    return "\n".join(line[indent:] for line in lines)


def test_the_copy_detector_tells_a_copy_from_new_code():
    shown = "def gradient(w):\n    return 2.0 / len(y) * X.T @ (X @ w - y)\n"
    retyped = "return 2 / len(targets) * inputs.T @ (inputs @ weights - targets)"
    new = "return np.mean(np.log1p(np.exp(-labels * (inputs @ weights))))"
    assert coverage(normalised_tokens(retyped), normalised_tokens(shown)) >= COVERAGE_LIMIT
    assert coverage(normalised_tokens(new), normalised_tokens(shown)) < COVERAGE_LIMIT


def test_the_hint_detector_tells_a_key_step_from_the_answer():
    solution = "wrong = noisy != true\nreturn (predicted[wrong] == noisy[wrong]).float().mean().item()\n"
    answer = ["Build a mask `wrong = noisy_labels != true_labels`, then the mean of "
              "`predicted[wrong] == noisy_labels[wrong]` as a float (`.float().mean().item()`)."]
    key_step = ["Which images count is a boolean mask (`noisy_labels != true_labels`); a mean of booleans needs "
                "`.float()` first."]
    tokens = normalised_tokens(solution)
    assert coverage(tokens, hint_code_tokens(answer)) >= HINT_COVERAGE_LIMIT
    assert coverage(tokens, hint_code_tokens(key_step)) < HINT_COVERAGE_LIMIT
