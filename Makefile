# The course's commands. On a fresh machine each one creates .venv and installs the course first.
#   make lab    open JupyterLab on notebooks/
#   make test   unit tests + nbval on every notebook (what CI runs)
#   make run    execute every notebook headless (quick profile) and print a timing table; changes no file
#   make site   build the course website into build/site from the stored outputs (executes nothing, offline)
#   make hub    (as root) host a workshop room: JupyterHub beside the course environment; see hub/jupyterhub_config.py

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# CI sets PIP_CONSTRAINTS=.ci/constraints.txt to pin the torch/torchvision pair that works on its machine.
PIP_CONSTRAINTS ?=
PIP_INSTALL := $(PY) -m pip install --quiet $(if $(PIP_CONSTRAINTS),--constraint $(PIP_CONSTRAINTS))
export COURSE_PROFILE ?= quick

.PHONY: install lab test run execute student sync-notebooks exercises site benchmark clean hub hub-install

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml $(PIP_CONSTRAINTS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip
	$(PIP_INSTALL) -e ".[dev]"
	touch $@

lab: install
	$(VENV)/bin/jupyter lab notebooks/

# The stored notebook outputs are quick-profile runs, so the tests always run in the quick profile.
test: install
	COURSE_PROFILE=quick $(PY) -m pytest

run: install
	$(PY) tools/run_notebooks.py

# Maintainers: re-execute the notebooks in place (quick profile, CPU) to refresh their stored outputs.
execute: install
	COURSE_DEVICE=cpu $(PY) tools/run_notebooks.py --write $(NOTEBOOKS)

student: install
	$(PY) -m course_utils student-versions student --force

# Badges and setup cells from pyproject.toml, then exercises/ regenerated from notebooks/ (commit both).
sync-notebooks: install
	$(PY) tools/sync_notebooks.py

exercises: sync-notebooks

# The website (Sphinx + myst-nb + sphinx-book-theme, MathJax served by the site itself); the tests and the
# GitHub Pages workflow run the same script. Serve it with: python -m http.server -d build/site 8000
site: install
	$(PY) tools/build_site.py

benchmark: install
	$(PY) benchmarks/benchmark.py

# The workshop hub (INSTRUCTORS.md, "Hosting the room"), run as root on the machine that hosts the room:
#   sudo make hub                  installs JupyterHub, the idle culler and the proxy once, then starts the hub
#   sudo make hub HUB_PORT=8080    the same on another port than hub/jupyterhub_config.py's; Ctrl-C stops it
# The hub gets its own environment (hub/.venv, hub/node_modules); the course environment gains only JupyterHub's
# single-user server, of the same version, which every learner's JupyterLab runs under.
HUB_PORT ?=
HUB_VENV := hub/.venv

hub-install: install $(HUB_VENV)/.installed hub/node_modules/.installed

$(HUB_VENV)/.installed: hub/requirements.txt
	test -x $(HUB_VENV)/bin/python || $(PYTHON) -m venv $(HUB_VENV)
	$(HUB_VENV)/bin/python -m pip install --quiet -r hub/requirements.txt
	$(PIP_INSTALL) jupyterhub --constraint hub/requirements.txt
	touch $@

hub/node_modules/.installed: hub/package.json hub/package-lock.json
	cd hub && npm ci --no-audit --no-fund
	touch $@

hub: hub-install
	$(if $(HUB_PORT),COURSE_HUB_PORT=$(HUB_PORT)) $(HUB_VENV)/bin/jupyterhub -f hub/jupyterhub_config.py

clean:
	rm -rf $(VENV) .pytest_cache student .run build/site build/site-work
