"""Tests that run initviz's output in real frameworks (torch, jax): ``make test-frameworks``.

Each test here is marked ``frameworks``. Without the framework they are skipped in a plain
``pytest`` run, but ``make test-frameworks`` sets INITVIZ_REQUIRE_FRAMEWORKS=1, and then a
missing framework fails them: a target that checks nothing must not pass.
"""
import importlib
import os

import pytest


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.frameworks)


def _require(name: str, extra: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        if os.environ.get("INITVIZ_REQUIRE_FRAMEWORKS"):
            pytest.fail(f"{name} is not installed: `pip install -e .[{extra}]` "
                        "(make test-frameworks does it)", pytrace=False)
        pytest.skip(f"{name} is not installed; `make test-frameworks` installs and runs it")


@pytest.fixture(scope="session")
def torch():
    torch = _require("torch", "torch")
    torch.set_num_threads(1)  # a shared CI machine; these networks are small
    return torch


@pytest.fixture(scope="session")
def jax():
    return _require("jax", "jax")


@pytest.fixture(scope="session")
def keras(jax, tmp_path_factory):
    """Keras 3 on the JAX backend. Keras reads KERAS_BACKEND and writes KERAS_HOME/keras.json
    when first imported: both are set for that import only, then restored."""
    saved = {key: os.environ.get(key) for key in ("KERAS_BACKEND", "KERAS_HOME")}
    os.environ["KERAS_BACKEND"] = "jax"
    os.environ["KERAS_HOME"] = str(tmp_path_factory.mktemp("keras_home"))
    try:
        keras = _require("keras", "keras")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert keras.backend.backend() == "jax"
    return keras
