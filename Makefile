# The two set-up commands: `make demo` and `make test`. Each creates .venv and installs the pinned
# dependencies (requirements.lock) the first time, and again whenever the pins change.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-fast lint build check-build bench robustness notebooks clean help student-mode instructor-mode

help:
	@echo "make demo     build the release, grade the example class, print the grade table"
	@echo "make test     the whole test suite (unit, property, stubs, nbval, end-to-end grading)"
	@echo "make test-fast  everything but the slow tests (notebooks, end-to-end grading)"
	@echo "make lint     ruff (lint, format) and mypy on autograder/, as CI runs them"
	@echo "make bench    benchmarks (installs the pinned CPU PyTorch as a yardstick)"
	@echo "make robustness  every notebook's asserted findings at 5 seeds (table in benchmarks/results/)"
	@echo "make build    regenerate course_lib/ and notebooks/ from solutions/"

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (course)" >/dev/null
	mkdir -p $(VENV)/etc/jupyter && cp -R jupyter/student/. $(VENV)/etc/jupyter/
	touch $@

# nbgrader's instructor tools in JupyterLab (formgrader, create assignment, course list): hidden
# after `make install` (students), shown by `make instructor-mode` (and `make demo`).
STUDENT_JUPYTER := $(VENV)/etc/jupyter/labconfig/page_config.json \
                   $(VENV)/etc/jupyter/jupyter_server_config.d/zz-course-student.json
student-mode: $(STAMP)
	mkdir -p $(VENV)/etc/jupyter && cp -R jupyter/student/. $(VENV)/etc/jupyter/
	@echo "JupyterLab: student mode (nbgrader's instructor tools hidden)"

instructor-mode: $(STAMP)
	rm -f $(STUDENT_JUPYTER)
	@echo "JupyterLab: instructor mode (formgrader shown; \`make student-mode\` hides it again)"

install: $(STAMP)

demo: instructor-mode
	$(BIN)/course demo

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check autograder
	$(BIN)/ruff format --check autograder
	$(BIN)/mypy

build: $(STAMP)
	$(BIN)/course build

check-build: $(STAMP)
	$(BIN)/course build --check

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks

robustness: $(STAMP)
	$(BIN)/python -m benchmarks.robustness

clean:
	rm -rf $(VENV) build dist .pytest_cache demo_class

# Re-execute the solution notebooks in place (their outputs are what nbval compares), under the
# same conditions as tests/test_notebooks.py.
notebooks: $(STAMP)
	for nb in solutions/notebooks/*/*.ipynb; do \
	  env -u MPLBACKEND -u NBGRADER_EXECUTION PYTHONPATH=$(CURDIR)/solutions OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	  $(BIN)/jupyter nbconvert --to notebook --execute --inplace "$$nb" || exit 1; \
	  $(BIN)/python -c 'import sys; from autograder.build.release import strip_execution_metadata as s; s(sys.argv[1])' "$$nb"; done
