"""Sphinx settings for the course website. Do not run Sphinx on docs/ directly: `make site`
(python tools/build_site.py) stages these files with the notebooks, then runs Sphinx on the staged copy."""

import json
from pathlib import Path

_course = json.loads((Path(__file__).parent / "_course.json").read_text())  # written by tools/build_site.py

project = "Deep learning from scratch"
author = "the course's authors"
copyright = "the course's authors; code MIT, MNIST CC BY-SA 3.0 (see Data)"

extensions = ["myst_nb"]
exclude_patterns = ["_build", ".doctrees", "**/.ipynb_checkpoints", "_course.json"]

# The notebooks are shown with the outputs they store (the ones nbval compares): nothing is executed.
nb_execution_mode = "off"
nb_merge_streams = True
nb_ipywidgets_js = {}  # the widget embedding scripts come from a CDN; explorers are replaced by a note instead
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# MathJax 3 is served from the site itself (tools/build_site.py copies it into _static/mathjax), never a CDN.
mathjax_path = "mathjax/tex-chtml.js"
# An undefined command is a TeX error (shown as such, and caught by the browser test), not red text.
mathjax3_config = {"tex": {"packages": {"[-]": ["noundefined"]}}}

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_copy_source = False  # no _sources/ copies of the notebooks (4.7 MB): the notebooks live in the repository
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "repository_url": _course["repository"],
    "repository_branch": _course["ref"],
    "use_repository_button": True,
    "use_download_button": False,  # it links to _sources/, which is not copied (see html_copy_source)
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
}
