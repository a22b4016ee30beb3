# Every target installs the environment it needs in .venv/ on first use and reuses it.
# The stamp file is remade whenever pyproject.toml changes. KIT_LANG=ru (on the command line
# or in the environment) makes every target speak Russian; English is the default.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OMP_NUM_THREADS := 1
export MPLBACKEND := Agg

SUBMISSION ?= assignments
RESULTS ?= build/results.json
PART ?=
SUBMISSIONS ?=
OUT ?= build/graded
COURSE ?=
ASSIGNMENT ?= intro_pytorch
ARGS ?=
HINTS ?=
HINTS_OPTION = $(if $(HINTS),--hints $(HINTS))
# nbgrader runs `alembic` and Jupyter kernels by name: this environment's, first on PATH
NBGRADER := PATH="$(abspath $(BIN)):$$PATH" "$(abspath $(BIN))/nbgrader"

.DEFAULT_GOAL := help
.PHONY: help grade check watch demo test lint format assignments catalogs nbgrader bench calibrate
.PHONY: sandbox-tools clean
.PHONY: grade-all release gradescope nbgrader-grade nbgrader-feedback nbgrader-run

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
		|| { echo "Python 3.10 or newer is needed (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

grade: $(STAMP) sandbox-tools ## grade SUBMISSION (default: assignments) with the hidden checks, write RESULTS; HINTS=off
	$(BIN)/python -m autograder grade $(SUBMISSION) --results $(RESULTS) $(HINTS_OPTION)

check: $(STAMP) ## run the public checks on SUBMISSION (default: assignments); PART=N for one part
	$(BIN)/python -m autograder grade $(SUBMISSION) --public $(if $(PART),--part $(PART))

watch: $(STAMP) ## check SUBMISSION (default: assignments), then each part again when it is saved
	$(BIN)/python -m autograder watch $(SUBMISSION)

demo: $(STAMP) ## run part PART of assignments/ as a program (its demo), e.g. make demo PART=5
	@test -n "$(PART)" || { echo "usage: make demo PART=5"; exit 2; }
	$(BIN)/python -m autograder demo $(PART)

grade-all: $(STAMP) sandbox-tools ## grade each subfolder of SUBMISSIONS into OUT (build/graded); JOBS=N, FORCE=1, HINTS=off
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade-all SUBMISSIONS=folder [OUT=folder]"; exit 2; }
	$(BIN)/python -m autograder grade-all $(SUBMISSIONS) --out $(OUT) $(if $(JOBS),--jobs $(JOBS)) $(if $(FORCE),--force) $(HINTS_OPTION)

test: $(STAMP) sandbox-tools ## run the kit's own tests (three processes, a test file each)
	$(BIN)/python -m pytest -n 3 --dist loadfile

lint: $(STAMP) ## check style with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## reformat the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

catalogs: $(STAMP) ## bring the message catalogs in step with the English one and compile them
	$(BIN)/python -m autograder.course.catalogs

assignments: $(STAMP) ## regenerate the student stubs from solutions/
	$(BIN)/python -m autograder assignments

nbgrader: $(STAMP) ## build the nbgrader course in build/nbgrader/ and release it; KIT_LANG=ru in Russian
	$(BIN)/python -m autograder build-nbgrader

nbgrader-grade: $(STAMP) sandbox-tools ## grade COURSE's submitted notebooks in the sandbox, into its gradebook and autograded/
	@test -n "$(COURSE)" || { echo "usage: make nbgrader-grade COURSE=folder [ASSIGNMENT=intro_pytorch]"; exit 2; }
	$(BIN)/python -m autograder grade-nbgrader $(COURSE) $(ASSIGNMENT) $(HINTS_OPTION)

nbgrader-feedback: $(STAMP) ## nbgrader generate_feedback in COURSE: a page per notebook in feedback/
	@test -n "$(COURSE)" || { echo "usage: make nbgrader-feedback COURSE=folder [ASSIGNMENT=intro_pytorch]"; exit 2; }
	cd $(COURSE) && $(NBGRADER) generate_feedback $(ASSIGNMENT)

nbgrader-run: $(STAMP) ## run an nbgrader command in COURSE with this environment: ARGS='db student add alice'
	@test -n "$(COURSE)" -a -n "$(ARGS)" || { echo "usage: make nbgrader-run COURSE=folder ARGS='command ...'"; exit 2; }
	cd $(COURSE) && $(NBGRADER) $(ARGS)

release: $(STAMP) sandbox-tools ## write the student bundle: dist/student/ and its zip; KIT_LANG=ru in Russian
	$(BIN)/python -m autograder release

gradescope: $(STAMP) ## write Gradescope's dist/gradescope/autograder.zip; HINTS=off, KIT_LANG=ru
	$(BIN)/python -m autograder gradescope $(HINTS_OPTION)

bench: $(STAMP) sandbox-tools ## time grading against `python -c "import torch"` (build/bench.json, .png)
	$(BIN)/python bench/bench.py

calibrate: $(STAMP) ## re-measure the accuracy margins of the fit checks (50 seeds, minutes)
	$(BIN)/python -m autograder.course.calibrate

sandbox-tools: ## install bubblewrap (bwrap) with apt-get when it is missing and we are root
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing bubblewrap"; \
	    apt-get install -y -qq bubblewrap >/dev/null 2>&1 \
	      || { apt-get update -qq >/dev/null && apt-get install -y -qq bubblewrap >/dev/null; }; \
	  else \
	    echo "note: bubblewrap is not installed; the grader isolates without it where it can"; \
	  fi; }

clean: ## remove the environment, builds and caches
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache *.egg-info
	find . -name __pycache__ -prune -exec rm -rf {} +
