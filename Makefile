# The doors in: `make run`, `make test`, `make bench`. Each sets up .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-kernels test-frameworks bench soak lint render-lessons clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,bench,dev]"
	touch $(STAMP)

run: $(STAMP)
	$(PY) main.py $(ARGS)

# QT_QPA_PLATFORM=offscreen is set by tests/conftest.py, so the suite runs headless anywhere.
test: $(STAMP)
	$(PY) -m ruff check initviz tests bench main.py
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -q

# The core tests again under other OpenBLAS kernels than this CPU's default: float32
# products differ in the last bits between kernels, and a result must not depend on that.
test-kernels: $(STAMP)
	@kernels=$$($(PY) .ci/blas_kernels.py) || exit 1; \
	for kernel in $$kernels; do \
		echo "== tests/core with OPENBLAS_CORETYPE=$$kernel"; \
		OPENBLAS_CORETYPE=$$kernel $(PY) -m pytest -q tests/core || exit 1; \
	done

# initviz's output run in torch, Keras (on JAX) and JAX: the code `initviz code` writes, the
# .pt files `initviz inspect` reads. Installs the extras; a missing one fails, never skips.
# PyPI's Linux torch wheel carries CUDA (GBs): TORCH_PIP_ARGS="--extra-index-url
# https://download.pytorch.org/whl/cpu" takes the 190 MB CPU build instead.
TORCH_PIP_ARGS ?=
test-frameworks: $(STAMP)
	@$(PY) -m pip install --quiet -e ".[torch,jax,keras]" $(TORCH_PIP_ARGS) \
		&& KERAS_BACKEND=jax $(PY) -c "import torch, jax, keras" \
		|| { echo "test-frameworks: torch, jax or keras is not installed and could not be;" \
		"these tests need them (pip install -e .[torch,jax,keras])"; exit 1; }
	INITVIZ_REQUIRE_FRAMEWORKS=1 $(PY) -m pytest -q -m frameworks

bench: $(STAMP)
	$(PY) bench/run.py

# Two windows on one data folder, random actions and random kill -9 for DURATION seconds;
# prints the figures and fails when a target of the reliability issue is missed.
DURATION ?= 600
soak: $(STAMP)
	$(PY) bench/soak.py --duration $(DURATION) $(ARGS)

lint: $(STAMP)
	$(PY) -m ruff check initviz tests bench main.py
	$(VENV)/bin/lint-imports --no-cache

render-lessons: $(STAMP)
	mkdir -p out
	for f in resources/lessons/*.json; do \
		$(VENV)/bin/initviz render $$f -o out/$$(basename $$f .json).png || exit 1; \
	done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache out
