"""Build the course website from the notebooks' stored outputs; nothing is executed and nothing is downloaded.

    python tools/build_site.py                  # writes build/site/ (what `make site` runs)
    python tools/build_site.py --out DIR        # somewhere else (the tests build into a temporary folder)
    python -m http.server -d build/site 8000    # then open http://localhost:8000 (works with the network off)

What it does, in order:

1. Stages the Sphinx sources into ``DIR-work/src/``: ``docs/`` (conf.py, the home page, the style sheet), a copy of
   every notebook in ``notebooks/``, ``INSTRUCTORS.md`` and ``data/README.md``. The copies are what the site
   shows; the originals are never written. In the copies:
   - every figure (a code cell's image output) gets as its alternative text the first sentence of the markdown
     cell right after it, the sentence that reads the figure (guide section 9; ``figure_descriptions``);
   - the header's Colab badges become two links, "exercises" and "solutions" (no badge image is fetched);
   - a widget's output (an explorer's knobs) becomes a one-line note: knobs need a live kernel;
   - relative links to repository files point at their page on the site, or at the file on GitHub.
   The home page's syllabus (titles, times, objectives) is generated from the notebook headers.
2. Copies MathJax 3 from the installed ``django-static-mathjax`` package (the ``site`` and ``dev`` extras) into
   the site's ``_static/mathjax/``, so equations are typeset without a CDN; ``COURSE_MATHJAX_ES5`` may name
   another MathJax 3 ``es5`` folder instead (for example ``package/es5`` from ``npm pack mathjax@3``).
3. Runs Sphinx (myst-nb with ``nb_execution_mode = "off"``, sphinx-book-theme) into ``DIR``; any Sphinx warning
   fails the build.
4. Fails if a built page would load a script, style sheet, font or image from another host.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sync_notebooks  # noqa: E402  (the one place the repository URL is read)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "build" / "site"
# Pages made from repository files: (source, page in the site).
PAGES = {"INSTRUCTORS.md": "instructors.md", "data/README.md": "data.md"}
SYLLABUS_MARK = "<!-- syllabus: generated from the notebook headers -->"
EXPLORER_NOTE = ("<p class=\"explorer-note\">Knobs for this figure appear here when the notebook runs in "
                 "JupyterLab or Colab; the figure above shows the default settings.</p>")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# MathJax 3: the combined TeX-to-HTML component, its fonts, and what it loads on demand (TeX extensions through
# autoload, the menu's accessibility tools and their speech rules), so that nothing it asks for is missing offline.
MATHJAX_PARTS = ["tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "ui", "a11y", "sre"]
MISSING_DESCRIPTION = "A figure (no description yet: the markdown cell after it should read it in one sentence)."


# ---------------------------------------------------------------------------------------------------------------
# Figures and their descriptions
# ---------------------------------------------------------------------------------------------------------------

def image_outputs(cell) -> int:
    """How many image outputs a code cell has (PNG, JPEG, SVG, GIF)."""
    if cell.get("cell_type") != "code":
        return 0
    return sum(1 for o in cell.get("outputs", []) for mime in o.get("data", {}) if mime.startswith("image/"))


def is_explorer_cell(cell) -> bool:
    """An explorer's widget cell (guide section 10): it follows the static figure it adds knobs to."""
    return cell.get("cell_type") == "code" and "explore(" in cell.get("source", "") and not image_outputs(cell)


_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "cf.", "approx.", "Fig.", "fig.", "No.", "resp.")
_LATEX = {
    r"\approx": "≈", r"\times": "×", r"\cdot": "·", r"\leq": "≤", r"\le": "≤", r"\geq": "≥", r"\ge": "≥",
    r"\neq": "≠", r"\pm": "±", r"\infty": "∞", r"\to": "→", r"\rightarrow": "→", r"\ldots": "…",
    r"\dots": "…",
    r"\nabla": "∇", r"\partial": "∂", r"\alpha": "α", r"\beta": "β", r"\gamma": "γ", r"\delta": "δ",
    r"\varepsilon": "ε", r"\epsilon": "ε", r"\eta": "η", r"\theta": "θ", r"\lambda": "λ", r"\mu": "μ",
    r"\sigma": "σ", r"\sum": "Σ", r"\ln": "ln", r"\log": "log", r"\exp": "exp", r"\max": "max", r"\min": "min",
    r"\leftarrow": "←", r"\gets": "←", r"\pi": "π", r"\phi": "φ", r"\omega": "ω", r"\rho": "ρ", r"\tau": "τ",
    r"\Delta": "Δ", r"\cdots": "…", r"\in": "∈", r"\sim": "~", r"\propto": "∝", r"\sqrt": "√", r"\quad": " ",
}


def plain_text(markdown: str) -> str:
    """Markdown (and inline LaTeX) as the plain words a screen reader should read."""
    text = re.sub(r"<[^>]+>", " ", markdown)  # HTML tags
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)  # images: their alt
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links: their words
    text = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", text, flags=re.M)  # list markers
    text = text.replace("**", "").replace("__", "").replace("`", "")
    text = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1", text)  # *emphasis*, not a * b
    text = re.sub(r"\\sqrt\{([^{}]*)\}", r"√\1", text)
    text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"\1/\2", text)
    text = re.sub(r"\\(?:text|mathrm|mathbf|mathit|operatorname)\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"([\^_])\{([^{}]{2,})\}", r"\1(\2)", text)  # e^{s-1} -> e^(s-1)
    for command in sorted(_LATEX, key=len, reverse=True):
        text = re.sub(re.escape(command) + r"(?![A-Za-z])", _LATEX[command], text)
    text = text.replace("$", "").replace("{", "").replace("}", "").replace("\\,", " ").replace("\\", "")
    return re.sub(r"\s+", " ", text).strip()


def first_sentence(markdown: str) -> str | None:
    """The first sentence of a markdown cell, as plain text; None if the cell does not open with one.

    A cell opens with a sentence when its first line is prose (not a heading, an exercise or "Think about it",
    a code fence or a collapsed block) and its first paragraph holds at least four words ending in ".", "!", "?"
    (or ":" at the end of the paragraph, before a list or a formula).
    """
    lines = markdown.strip().splitlines()
    if not lines:
        return None
    opening = lines[0].lstrip()
    if (opening.startswith(("#", "```", "~~~", "<details", "$$", "|", ">"))
            or re.match(r"\*\*(Exercise|Think about it|Hint|Answer)\b", opening)):
        return None
    paragraph = []
    for line in lines:
        if not line.strip() or line.lstrip().startswith(("#", "```", "$$", "<details")):
            break
        paragraph.append(line)
    text = plain_text("\n".join(paragraph))
    for match in re.finditer(r"[.!?](?=\s|$)|:$", text):
        sentence = text[: match.end()]
        if any(sentence.endswith(a) for a in _ABBREVIATIONS):
            continue
        return sentence if len(re.findall(r"[^\W\d_]{2,}", sentence)) >= 4 else None
    return None


def figure_descriptions(nb) -> list[tuple[int, str | None]]:
    """(cell index, description) for every code cell with an image output.

    The description is the first sentence of the markdown cell right after the figure (an explorer's widget
    cell in between is skipped); None where that cell is missing, is code, or does not open with a sentence.
    """
    cells = nb["cells"]
    found = []
    for index, cell in enumerate(cells):
        if not image_outputs(cell):
            continue
        following = index + 1
        while following < len(cells) and is_explorer_cell(cells[following]):
            following += 1
        after = cells[following] if following < len(cells) else None
        description = first_sentence(after["source"]) if after and after["cell_type"] == "markdown" else None
        found.append((index, description))
    return found


# ---------------------------------------------------------------------------------------------------------------
# Notebook headers: the syllabus
# ---------------------------------------------------------------------------------------------------------------

def _field(header: str, name: str) -> str | None:
    match = re.search(rf"\*\*{name}:\*\*\s*(.+?)(?=\s*\*\*[A-Z][^*]*[:.]\*\*|\n\s*\n|\Z)", header, flags=re.S)
    return re.sub(r"\s+", " ", match[1]).strip() if match else None


def parse_header(nb, name: str) -> dict:
    """Title, minutes, "Runs on", "Builds on" and objectives from a notebook's first cell (its header)."""
    header = nb["cells"][0]["source"]
    title = re.search(r"^# (.+)$", header, flags=re.M)
    minutes = re.search(r"\*\*Estimated time:\*\* about (\d+) minutes", header)
    objectives_at = header.find("**You will be able to**")
    if not (title and minutes and objectives_at >= 0):
        raise ValueError(f"{name}: the header needs '# title', '**You will be able to**' and "
                         "'**Estimated time:** about N minutes' (guide section 5)")
    objectives = []
    for line in header[objectives_at:].splitlines()[1:]:
        if line.startswith("- "):
            objectives.append(line[2:].strip())
        elif line.startswith("  ") and objectives and line.strip():
            objectives[-1] += " " + line.strip()
        elif objectives or line.strip():
            break
    return {"name": name, "title": title[1].strip(), "minutes": int(minutes[1]), "objectives": objectives,
            "runs_on": _field(header, "Runs on"), "builds_on": _field(header, "Builds on")}


def _lower_first(text: str) -> str:
    """'A CPU in ...' -> 'a CPU in ...', but 'CPU in ...' stays (an acronym)."""
    return text[0].lower() + text[1:] if text[:2].istitle() else text


def syllabus(headers: list[dict]) -> str:
    """The home page's syllabus, in MyST markdown."""
    total = sum(h["minutes"] for h in headers)
    out = [f"{len(headers)} notebooks, about {total // 60} h {total % 60:02d} min of work in all (each notebook's "
           "own estimate, exercises included). Take them in order: each builds on the ones before it.", ""]
    for h in headers:
        out += [f"### [{h['title']}](notebooks/{h['name']})", ""]
        facts = [f"**About {h['minutes']} minutes.**"]
        if h["runs_on"]:
            facts.append(f"Runs on {_lower_first(h['runs_on'])}")
        if h["builds_on"]:
            facts.append(f"Builds on {_lower_first(h['builds_on'])}")
        out += [" ".join(facts), "",
                f"Open in Colab: [exercises]({sync_notebooks.colab_url('exercises', h['name'])}) · "
                f"[solutions]({sync_notebooks.colab_url('notebooks', h['name'])})", "",
                "You will be able to:", ""]
        out += [f"- {objective}" for objective in h["objectives"]] + [""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------------------
# Staging
# ---------------------------------------------------------------------------------------------------------------

def rewrite_links(markdown: str, source: str) -> str:
    """Point relative links in ``markdown`` (from repository file ``source``) at site pages or at GitHub."""
    repo, ref = sync_notebooks.project_urls()
    here = Path(source).parent
    page_of = {**{f"notebooks/{p.name}": f"notebooks/{p.name}" for p in NOTEBOOKS.glob("*.ipynb")}, **PAGES}
    site_dir = Path(page_of.get(source, source)).parent

    def replace(match):
        text, target = match[1], match[2]
        if re.match(r"[a-z][a-z0-9+.-]*:|#|/", target):
            return match[0]  # a URL, an anchor on this page, or an absolute path: unchanged
        path, _, fragment = target.partition("#")
        resolved = os.path.normpath(here / path).replace(os.sep, "/")
        if resolved in page_of:
            new = os.path.relpath(page_of[resolved], site_dir).replace(os.sep, "/")
        elif (ROOT / resolved).exists():
            kind = "tree" if (ROOT / resolved).is_dir() else "blob"
            new = f"{repo}/{kind}/{ref}/{resolved}"
        else:
            return match[0]  # left for Sphinx to report
        return f"[{text}]({new}{'#' + fragment if fragment else ''})"

    return re.sub(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)\)", replace, markdown)


def colab_links_html(name: str) -> str:
    return ("<p class=\"colab-links\">Open in Colab: "
            f"<a class=\"colab-link\" href=\"{sync_notebooks.colab_url('exercises', name)}\">exercises</a> "
            "(the solutions left for you to write) · "
            f"<a class=\"colab-link\" href=\"{sync_notebooks.colab_url('notebooks', name)}\">solutions</a> "
            "(this page, runnable)</p>")


def stage_notebook(nb, name: str) -> list[str]:
    """Prepare the site's copy of a notebook in place; return one warning per figure without a description."""
    warnings = []
    header = nb.cells[0]
    lines = header.source.splitlines()
    badge = [i for i, line in enumerate(lines) if sync_notebooks.is_badge_line(line)]
    links = ["", colab_links_html(name), ""]
    if badge:
        lines[badge[0]: badge[-1] + 1] = links
    else:
        at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
        lines[at:at] = links
    header.source = "\n".join(lines)
    for index, description in figure_descriptions(nb):
        if description is None:
            warnings.append(f"{name}: the figure in cell {index} has no description after it")
        options = nb.cells[index].metadata.setdefault("mystnb", {}).setdefault("image", {})
        options["alt"] = description or MISSING_DESCRIPTION
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = rewrite_links(cell.source, f"notebooks/{name}")
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                output["data"] = {"text/html": EXPLORER_NOTE}
    nb.metadata.pop("widgets", None)
    return warnings


def mathjax_es5() -> Path:
    """The MathJax 3 ``es5`` folder: $COURSE_MATHJAX_ES5, else the one in the django-static-mathjax package."""
    if os.environ.get("COURSE_MATHJAX_ES5"):
        folder = Path(os.environ["COURSE_MATHJAX_ES5"])
    else:
        import importlib.util

        spec = importlib.util.find_spec("mathjax")
        folder = Path(spec.origin).parent / "static" / "mathjax" / "es5" if spec and spec.origin else Path("-")
    if not (folder / "tex-chtml.js").is_file():
        where = f"no tex-chtml.js in {folder}" if folder != Path("-") else "django-static-mathjax is not installed"
        raise SystemExit(
            f"MathJax 3 not found ({where}). The site serves it itself, never from a CDN: install the "
            "site's packages (`make install`, or pip install 'django-static-mathjax>=3.2.2,<4'), or set "
            "COURSE_MATHJAX_ES5 to a MathJax 3 es5 folder (e.g. package/es5 from `npm pack mathjax@3`).")
    return folder


def vendor_mathjax(static_dir: Path) -> None:
    source = mathjax_es5()
    target = static_dir / "mathjax"
    for part in MATHJAX_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, dirs_exist_ok=True)
        elif (source / part).is_file():
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / part, target / part)
    licence = next((p for p in (source.parent / "LICENSE", source / "LICENSE") if p.is_file()), None)
    if licence:
        shutil.copy2(licence, target / "LICENSE")


def stage(stage_dir: Path) -> list[str]:
    """Write the Sphinx sources into ``stage_dir`` (which must not exist yet); return warnings about figures."""
    shutil.copytree(DOCS, stage_dir, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    repo, ref = sync_notebooks.project_urls()
    (stage_dir / "_course.json").write_text(json.dumps({"repository": repo, "ref": ref}))
    warnings, headers = [], []
    (stage_dir / "notebooks").mkdir()
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        headers.append(parse_header(nb, path.name))
        warnings += stage_notebook(nb, path.name)
        nbformat.write(nb, stage_dir / "notebooks" / path.name)
    index = (stage_dir / "index.md").read_text(encoding="utf-8")
    if SYLLABUS_MARK not in index:
        raise SystemExit(f"docs/index.md lost its syllabus marker {SYLLABUS_MARK!r}")
    (stage_dir / "index.md").write_text(index.replace(SYLLABUS_MARK, syllabus(headers)), encoding="utf-8")
    for source, page in PAGES.items():
        text = (ROOT / source).read_text(encoding="utf-8")
        (stage_dir / page).write_text(rewrite_links(text, source), encoding="utf-8")
    vendor_mathjax(stage_dir / "_static")
    return warnings


# ---------------------------------------------------------------------------------------------------------------
# The built site
# ---------------------------------------------------------------------------------------------------------------

class _Assets(HTMLParser):
    """Collects the URLs a page loads by itself (scripts, style sheets, icons, fonts, images, frames)."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "audio", "video", "embed") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href") and not {"canonical", "alternate", "search", "next", "prev",
                                                        "index"} & set((attrs.get("rel") or "").split()):
            self.urls.append(attrs["href"])
        if tag == "object" and attrs.get("data"):
            self.urls.append(attrs["data"])


def external_assets(out_dir: Path) -> list[str]:
    """'page: url' for every asset a built page would fetch from another host (a CDN, a badge service)."""
    found = []
    for page in sorted(out_dir.rglob("*.html")):
        parser = _Assets()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        found += [f"{page.relative_to(out_dir)}: {url}" for url in parser.urls if re.match(r"([a-z]+:)?//", url)]
    for sheet in sorted(out_dir.rglob("*.css")):
        for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^'\")]+)", sheet.read_text(errors="replace")):
            found.append(f"{sheet.relative_to(out_dir)}: {url}")
    return found


def build(out_dir: Path = DEFAULT_OUT, jobs: str = "auto", quiet: bool = False) -> dict:
    """Stage, run Sphinx, check; return {'seconds', 'pages', 'bytes', 'warnings'}. Raises SystemExit on failure.

    The work happens in ``DIR-work/`` beside ``DIR`` (the staged sources in ``src/``, Sphinx's doctrees and
    myst-nb's ``jupyter_execute/`` folder); only the finished site is moved to ``DIR``.
    """
    out_dir = Path(out_dir).resolve()
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / ".buildinfo").exists():
        raise SystemExit(f"{out_dir} is not empty and is not a site build: refusing to replace it")
    work = out_dir.with_name(out_dir.name + "-work")
    if work.exists() and any(work.iterdir()) and not (work / "src" / "_course.json").exists():
        raise SystemExit(f"{work} is not empty and is not this script's work folder: refusing to replace it")
    started = time.perf_counter()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    warnings = stage(work / "src")
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-j", jobs, "-q",
               "-d", str(work / "doctrees"), str(work / "src"), str(work / "html")]
    result = subprocess.run(command, capture_output=quiet, text=True)
    if result.returncode != 0:
        raise SystemExit(f"Sphinx failed (exit {result.returncode}){': ' + result.stderr[-4000:] if quiet else ''}")
    leaks = external_assets(work / "html")
    if leaks:
        raise SystemExit("built pages would load assets from another host:\n" + "\n".join(leaks))
    if out_dir.exists():
        shutil.rmtree(out_dir)
    shutil.move(work / "html", out_dir)
    pages = sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*.html") if "_static" not in p.parts)
    size = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())
    return {"seconds": time.perf_counter() - started, "pages": pages, "bytes": size, "warnings": warnings}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default build/site)")
    parser.add_argument("-j", "--jobs", default="auto", help="Sphinx's parallel jobs (default auto)")
    args = parser.parse_args(argv)
    report = build(args.out, jobs=args.jobs)
    print(f"Built {len(report['pages'])} pages, {report['bytes'] / 1e6:.1f} MB, in {report['seconds']:.1f} s: "
          f"{args.out}")
    print(f"Serve it with: python -m http.server -d {args.out} 8000  (then open http://localhost:8000)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
