"""Whatever a file or a dict holds, the project loader answers with a Project or a ProjectError.

Never a TypeError, KeyError, OverflowError or RecursionError: those would reach
the user as a traceback or crash the window.
"""
import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from initviz import Project, ProjectError
from initviz.project import DEFAULTS
from initviz.project_json import parse_json

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
    | st.sampled_from(["relu", "tanh", "he_normal", "lsuv", "spiral", "mse", "adam", "fan_out"])
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children,
                                                                        max_size=4),
    max_leaves=20,
)
section_names = st.sampled_from(
    ["network", "init", "data", "training", "view", "loss", "name", "notes", "version", "format"]
)
project_like = st.dictionaries(section_names | st.text(max_size=6), json_values, max_size=6)


def load_or_refuse(build):
    """``build()`` returns a Project or raises ProjectError; anything else fails the test."""
    try:
        project = build()
    except ProjectError as error:
        assert str(error) and "\n" not in str(error)
        return None
    assert isinstance(project, Project)
    Project.from_dict(project.to_dict())  # a valid project stays valid
    return project


@FAST
@given(json_values)
def test_from_dict_on_any_json_value(value):
    load_or_refuse(lambda: Project.from_dict(value))


@FAST
@given(project_like)
def test_from_dict_on_project_shaped_dicts(value):
    load_or_refuse(lambda: Project.from_dict(value))


@FAST
@given(st.text(max_size=200))
def test_parse_json_on_any_text(text):
    try:
        parse_json(text)
    except ProjectError:
        pass


PATHS = [
    ("network",), ("network", "widths"), ("network", "activation"),
    ("network", "activation_params"),
    ("init",), ("init", "scheme"), ("init", "params"), ("init", "bias"), ("init", "bias", "scheme"),
    ("init", "bias", "params"), ("data",), ("data", "source"), ("data", "batch_size"),
    ("data", "seed"), ("loss",), ("training",), ("training", "optimizer"),
    ("training", "learning_rate"), ("training", "momentum"), ("view",), ("name",), ("version",),
]


def _mutated(path, value, delete):
    data = copy.deepcopy(DEFAULTS)
    node = data
    for key in path[:-1]:
        node = node[key]
    if delete:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return data


@FAST
@given(st.sampled_from(PATHS), json_values, st.booleans())
def test_mutating_a_valid_project_at_any_path(path, value, delete):
    data = _mutated(path, value, delete)
    project = load_or_refuse(lambda: Project.from_dict(data))
    if delete and project is not None:
        assert project == Project()  # a missing key takes its default


@FAST
@given(st.sampled_from(PATHS), json_values)
def test_set_either_applies_or_leaves_the_project_as_it_was(path, value):
    project = Project()
    before = project.to_dict()
    try:
        project.set(".".join(path), value)
    except ProjectError:
        assert project.to_dict() == before


@settings(max_examples=60, deadline=None)
@given(st.one_of(
    st.text(max_size=300),
    json_values.map(lambda v: json.dumps(v)),
    project_like.map(lambda v: json.dumps(v)),
    st.binary(max_size=64),
))
def test_load_on_any_file_content(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("load") / "project.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    project = load_or_refuse(lambda: Project.load(path))
    if project is not None:
        project.save(path)
        assert Project.load(path) == project
