"""The course website: built once per test session with the command `make site` runs, then checked as files and
in a real browser (headless Chromium, driven by playwright) that may not reach anything beyond localhost."""

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request
import warnings
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402
import sync_notebooks  # noqa: E402

CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run",
                 # no name resolves but this machine's: a request that slipped past the router would fail too
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"]
BUILD_LIMIT_S = 120  # issue 18: under two minutes on the 2-core CPU


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The built site (a folder) and how long the build took; built once, as `make site` builds it."""
    out = tmp_path_factory.mktemp("site") / "html"
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "build_site.py"), "--out", str(out)],
                            capture_output=True, text=True, cwd=ROOT, timeout=600)
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return out, seconds


def pages(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*.html") if not p.relative_to(out).parts[0] == "_static")


def words(text: str) -> list[str]:
    """The words of a text or a page, without markup: what a reader sees, to compare a page with its source."""
    return re.findall(r"[A-Za-z0-9]+", re.sub(r"<[^>]+>", " ", text))


def test_site_builds_in_under_two_minutes_with_a_page_per_notebook(site):
    out, seconds = site
    assert seconds < BUILD_LIMIT_S, f"the build took {seconds:.0f} s"
    assert f'href="notebooks/{NOTEBOOKS[0].stem}.html"' in (out / "index.html").read_text()
    expected = {"index.html", "instructors.html", "data.html", "search.html", "genindex.html",
                *(f"notebooks/{p.stem}.html" for p in NOTEBOOKS)}
    assert set(pages(out)) == expected
    home_words = " ".join(words((out / "index.html").read_text()))
    for path in NOTEBOOKS:  # the syllabus: every notebook with its time and objectives, from its header
        header = build_site.parse_header(nbformat.read(path, as_version=4), path.name)
        assert " ".join(words(header["title"]) + ["About", str(header["minutes"]), "minutes"]) in home_words
        assert len(header["objectives"]) >= 3
        for objective in header["objectives"]:
            assert " ".join(words(objective)) in home_words, objective
    assert "For instructors" in (out / "instructors.html").read_text()
    assert "mnist_sample.npz" in (out / "data.html").read_text()


def test_no_page_loads_anything_from_another_host(site):
    out, _ = site
    assert build_site.external_assets(out) == []
    assert (out / "_static" / "mathjax" / "tex-chtml.js").stat().st_size > 500_000
    fonts = out / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert (fonts / "MathJax_Main-Regular.woff").exists()


def test_external_asset_check_sees_a_cdn_script_and_a_remote_image(tmp_path):
    (tmp_path / "page.html").write_text('<script src="https://cdn.example.org/mathjax.js"></script>'
                                        '<img src="//img.example.org/badge.svg"><img src="_images/local.png">'
                                        '<a href="https://colab.research.google.com/x">a link is no asset</a>')
    (tmp_path / "style.css").write_text("@font-face { src: url('https://fonts.example.org/f.woff2'); }")
    found = build_site.external_assets(tmp_path)
    assert len(found) == 3 and all("example.org" in f for f in found)


def test_make_site_the_tests_and_the_pages_workflow_build_with_one_command():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^site: install\n\t\$\(PY\) tools/build_site\.py$", makefile, flags=re.M)
    workflow = (ROOT / ".github" / "workflows" / "pages.yml").read_text()
    assert "run: python tools/build_site.py --out build/site" in workflow and "path: build/site" in workflow
    assert "['optional-dependencies']['site']" in workflow
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(extras["site"]) <= set(extras["dev"]), "make test (the dev extra) must have what the site needs"


def test_relative_links_point_at_site_pages_or_at_the_repository():
    repo, ref = sync_notebooks.project_urls()
    text = ("[03](03_backpropagation.ipynb) [guide](../INSTRUCTORS.md#schedule) [data](../data/README.md) "
            "[code](../course_utils/selfcheck.py) [web](https://example.org) [here](#top) ![img](figure.png)")
    assert build_site.rewrite_links(text, "notebooks/04_mini_batches.ipynb") == (
        "[03](03_backpropagation.ipynb) [guide](../instructors.md#schedule) [data](../data.md) "
        f"[code]({repo}/blob/{ref}/course_utils/selfcheck.py) [web](https://example.org) [here](#top) "
        "![img](figure.png)")
    assert build_site.rewrite_links("[05](notebooks/05_softmax_cross_entropy.ipynb) [tools](tools)",
                                    "INSTRUCTORS.md") == (
        f"[05](notebooks/05_softmax_cross_entropy.ipynb) [tools]({repo}/tree/{ref}/tools)")


def test_site_copy_of_a_notebook_links_to_colab_and_replaces_widgets_by_a_note():
    name = NOTEBOOKS[0].name
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"# 00 · Title\n{sync_notebooks.expected_badge(name)}\n\n**Why it matters.**"),
        nbformat.v4.new_code_cell("explore(draw, {'w': (0, 1, 0.1, 0.5)})", outputs=[nbformat.v4.new_output(
            "display_data", data={build_site.WIDGET_VIEW: {"model_id": "x"}, "text/plain": "VBox()"})]),
    ], metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {}}})
    build_site.stage_notebook(nb, name)
    header = nb.cells[0].source
    assert header.startswith("# 00 · Title\n") and "colab-badge.svg" not in header
    assert f'href="{sync_notebooks.colab_url("exercises", name)}"' in header
    assert f'href="{sync_notebooks.colab_url("notebooks", name)}"' in header
    assert nb.cells[1].outputs[0]["data"] == {"text/html": build_site.EXPLORER_NOTE}
    assert "widgets" not in nb.metadata


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.alts, self._in_output = [], 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div" and "cell_output" in classes:
            self._in_output += 1
        if tag == "img" and self._in_output:
            self.alts.append(dict(attrs).get("alt"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_figure_on_its_page_has_its_description_as_alt_text(site, path):
    out, _ = site
    parser = _Images()
    parser.feed((out / "notebooks" / f"{path.stem}.html").read_text())
    nb = nbformat.read(path, as_version=4)
    expected = [d or build_site.MISSING_DESCRIPTION for i, d in build_site.figure_descriptions(nb)
                for _ in range(build_site.image_outputs(nb.cells[i]))]
    assert parser.alts == expected


# ---------------------------------------------------------------------------------------------------------------
# In a real browser
# ---------------------------------------------------------------------------------------------------------------

def _skip(reason):
    warnings.warn(f"browser test skipped: {reason}")  # shown in pytest's summary even without -rs
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip("playwright is not installed (it is in the dev extra: `make install`)")
    if not Path(CHROMIUM).exists():
        _skip(f"no Chromium at {CHROMIUM}: install Debian's (`apt-get install chromium`) or set COURSE_CHROMIUM "
              "to a Chromium or Chrome executable")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def served(site):
    """The built site on http://127.0.0.1:PORT/ (this machine only)."""
    out, _ = site
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


PAGE_REPORT = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const images = [...document.images];
  images.forEach(i => { i.loading = "eager"; });
  await Promise.all(images.map(i => i.decode().catch(() => null)));
  await document.fonts.ready;  // MathJax's fonts load after typesetting: let them finish before the next page
  return {
    images: images.map(i => ({src: i.currentSrc || i.src, width: i.naturalWidth, alt: i.getAttribute("alt"),
                              output: !!i.closest(".cell_output")})),
    math: [...document.querySelectorAll(".math")].map(m => m.querySelector("mjx-container") !== null),
    mathErrors: document.querySelectorAll("mjx-merror").length,
    links: [...document.querySelectorAll("a[href]")].map(a => a.href),
    ids: [...document.querySelectorAll("[id]")].map(e => e.id),
  };
}"""


def visit(browser, base, paths):
    """Open each page; return ({path: report}, requests that left localhost, failures) as the browser saw them."""
    context = browser.new_context()
    left, failures = [], []

    def route(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda error: failures.append(f"script error: {error}"))
    page.on("requestfailed", lambda r: r.url.startswith(base) and failures.append(f"failed ({r.failure}): {r.url}"))
    page.on("response", lambda r: r.status >= 400 and failures.append(f"HTTP {r.status}: {r.url}"))
    reports = {}
    for path in paths:
        page.goto(base + path, wait_until="load")
        reports[path] = page.evaluate(PAGE_REPORT)
    context.close()
    return reports, left, failures


def test_browser_harness_sees_a_request_that_leaves_localhost(chromium, tmp_path):
    (tmp_path / "page.html").write_text('<img src="https://cdn.example.org/x.png" alt="x"><img src="missing.png">')
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        reports, left, failures = visit(chromium, f"http://127.0.0.1:{server.server_address[1]}/", ["page.html"])
    finally:
        server.shutdown()
        server.server_close()
    assert left == ["https://cdn.example.org/x.png"]
    assert any("404" in f and "missing.png" in f for f in failures)
    assert [i["width"] for i in reports["page.html"]["images"]] == [0, 0]


def test_every_page_works_in_a_browser_with_the_network_off(chromium, site, served):
    out, _ = site
    paths = pages(out)
    reports, left, failures = visit(chromium, served, paths)
    assert left == [], f"requests that left localhost: {left}"
    assert failures == [], "\n".join(failures)

    problems, typeset, figures = [], 0, 0
    for path, report in reports.items():
        broken = [i["src"] for i in report["images"] if i["width"] == 0]
        problems += [f"{path}: image did not load: {src}" for src in broken]
        problems += [f"{path}: figure without alt text" for i in report["images"] if i["output"] and not i["alt"]]
        figures += sum(i["output"] for i in report["images"])
        problems += [f"{path}: {report['math'].count(False)} equations not typeset"] if not all(report["math"]) else []
        problems += [f"{path}: {report['mathErrors']} MathJax errors"] if report["mathErrors"] else []
        typeset += len(report["math"])
    assert not problems, "\n".join(problems)
    expected_figures = sum(build_site.image_outputs(c) for p in NOTEBOOKS for c in nbformat.read(p, as_version=4).cells)
    assert figures == expected_figures and figures > 0
    assert typeset > 0, "no equation on any page: is math still rendered by MathJax?"

    # Internal links: every target answers, and every #fragment exists on its page.
    ids = {served + path: set(report["ids"]) for path, report in reports.items()}
    unresolved = []
    for path, report in reports.items():
        for link in report["links"]:
            if not link.startswith(served):
                continue
            target, fragment = urldefrag(link)
            target = target if not target.endswith("/") else target + "index.html"
            if target in ids:
                if fragment and fragment not in ids[target]:
                    unresolved.append(f"{path}: {link} (no such anchor)")
            else:
                try:
                    with urllib.request.urlopen(target, timeout=10) as response:
                        ok = response.status == 200
                except OSError:
                    ok = False
                if not ok:
                    unresolved.append(f"{path}: {link}")
    assert not unresolved, "\n".join(unresolved)

    # Colab links: each notebook page opens its own exercise version and its own solved notebook, nothing else.
    colab = {path: {l for l in r["links"] if urlparse(l).netloc == "colab.research.google.com"}
             for path, r in reports.items()}
    for nb in NOTEBOOKS:
        wanted = {sync_notebooks.colab_url("exercises", nb.name), sync_notebooks.colab_url("notebooks", nb.name)}
        page = f"notebooks/{nb.stem}.html"
        assert colab[page] == wanted, f"{page} links to {sorted(colab[page])} in Colab, expected {sorted(wanted)}"
        assert wanted <= colab["index.html"], f"the home page lacks {sorted(wanted - colab['index.html'])}"
        assert (ROOT / "exercises" / nb.name).is_file(), f"Colab would open exercises/{nb.name}: not in the repository"
