"""Tests that run initviz's output in a real framework (torch): ``make test-frameworks``.

Each test here is marked ``frameworks``. Without torch they are skipped in a plain
``pytest`` run, but ``make test-frameworks`` sets INITVIZ_REQUIRE_FRAMEWORKS=1, and then a
missing torch fails them: a target that checks nothing must not pass.
"""
import os

import pytest


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.frameworks)


@pytest.fixture(scope="session")
def torch():
    try:
        import torch
    except ImportError:
        if os.environ.get("INITVIZ_REQUIRE_FRAMEWORKS"):
            pytest.fail("torch is not installed: `pip install -e .[torch]` (make test-frameworks "
                        "does it)", pytrace=False)
        pytest.skip("torch is not installed; `make test-frameworks` installs and runs it")
    torch.set_num_threads(1)  # a shared CI machine; these networks are small
    return torch
