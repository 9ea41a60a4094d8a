# The doors in: `make run`, `make test`, `make bench`. Each sets up .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench lint render-lessons clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,bench]"
	touch $(STAMP)

run: $(STAMP)
	$(PY) main.py $(ARGS)

# QT_QPA_PLATFORM=offscreen is set by tests/conftest.py, so the suite runs headless anywhere.
test: $(STAMP)
	$(PY) -m ruff check initviz tests bench main.py
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/run.py

lint: $(STAMP)
	$(PY) -m ruff check initviz tests bench main.py

render-lessons: $(STAMP)
	mkdir -p out
	for f in resources/lessons/*.json; do \
		$(VENV)/bin/initviz render $$f -o out/$$(basename $$f .json).png || exit 1; \
	done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache out
