# The course's commands. On a fresh machine each one creates .venv and installs the course first.
#   make lab    open JupyterLab on notebooks/
#   make test   unit tests + nbval on every notebook (what CI runs)
#   make run    execute every notebook headless (quick profile) and print a timing table; changes no file

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# CI sets PIP_CONSTRAINTS=.ci/constraints.txt to pin the torch/torchvision pair that works on its machine.
PIP_CONSTRAINTS ?=
PIP_INSTALL := $(PY) -m pip install --quiet $(if $(PIP_CONSTRAINTS),--constraint $(PIP_CONSTRAINTS))
export COURSE_PROFILE ?= quick

.PHONY: install lab test run execute student sync-notebooks benchmark clean

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

sync-notebooks: install
	$(PY) tools/sync_notebooks.py

benchmark: install
	$(PY) benchmarks/benchmark.py

clean:
	rm -rf $(VENV) .pytest_cache student .run
