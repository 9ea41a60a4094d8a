"""Hostile project files are refused with one clear line, through Project.load and the CLI.

Every case here is a file a teacher could plausibly be handed (or a fuzzer could write):
the CLI must answer with exit status 2, exactly one line on stderr naming the file, the
field and the fix, nothing on stdout and no traceback.
"""
import contextlib
import io
import json
import os
import sys
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from initviz import Project, ProjectError
from initviz.cli import main

SMALL = {"name": "small", "network": {"widths": [3, 5, 2], "activation": "tanh"},
         "data": {"batch_size": 4, "seed": 1}}


def run_cli(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["stats", *map(os.fsdecode, argv)])
    return status, out.getvalue(), err.getvalue()


def refused(path) -> str:
    """The one line the CLI prints for ``path``; also checks Project.load says the same."""
    status, out, err = run_cli(path)
    assert (status, out) == (2, ""), (status, out, err)
    assert err.startswith("initviz: ") and err.count("\n") == 1 and "Traceback" not in err, err
    with pytest.raises(ProjectError) as info:
        Project.load(path)
    assert err == f"initviz: {info.value}\n"
    return err.strip()


def write(tmp_path, name: str, content) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


HOSTILE = [
    # (file name, content, words the single line must contain)
    ("syntax.json", '{"name": "x",}', ["syntax.json is not valid JSON", "line 1, column 14",
                                        "correct it"]),
    ("image.json", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", ["image.json is not UTF-8 text"]),
    ("empty.json", b"", ["empty.json is empty", "open an initviz project"]),
    ("blank.json", b"  \n\t ", ["blank.json is empty"]),
    ("list.json", "[1, 2, 3]", ["list.json: the project must be a JSON object"]),
    ("null.json", "null", ["null.json: the project must be a JSON object, got null"]),
    ("number.json", "42", ["the project must be a JSON object, got 42"]),
    ("deep.json", "[" * 100_000, ["deep.json is nested too deeply"]),
    ("deep_object.json", '{"a":' * 100_000, ["nested too deeply"]),
    ("deep_view.json", '{"view": ' + '{"a": ' * 600 + "1" + "}" * 601, ["nested too deeply"]),
    ("nan.json", '{"network": {"widths": [784, NaN, 10]}}',
     ["nan.json: network.widths[1] is NaN", "write a finite number"]),
    ("inf.json", '{"init": {"scheme": "normal", "params": {"std": -Infinity}}}',
     ["init.params.std is -Infinity"]),
    ("overflow.json", '{"training": {"learning_rate": 1e400}}',
     ["training.learning_rate must be a finite number, got inf"]),
    ("huge_int.json", '{"data": {"seed": ' + "9" * 5000 + "}}", ["too many digits"]),
    ("big_int.json", '{"data": {"batch_size": ' + "9" * 400 + "}}",
     ["data.batch_size must be an integer from 1 to 65536", "(400 digits)"]),
    ("big_param.json", '{"init": {"scheme": "normal", "params": {"std": ' + "9" * 400 + "}}}",
     ["init.params.std must be at most"]),
    ("types.json", '{"network": {"widths": "784-256-10"}}',
     ["network.widths must be a list of layer widths"]),
    ("negative.json", '{"network": {"widths": [784, -5, 10]}}',
     ["network.widths[1] must be a positive integer, got -5"]),
    ("fraction.json", '{"network": {"widths": [784, 2.5, 10]}}', ["network.widths[1]"]),
    ("wide.json", '{"network": {"widths": [784, 100000, 10]}}',
     ["network.widths[1] must be at most 16384"]),
    ("batch.json", '{"data": {"batch_size": 0}}', ["data.batch_size must be an integer from 1"]),
    ("scheme.json", '{"init": {"scheme": "kaiming_magic"}}',
     ["init.scheme must be one of", "he_normal", "kaiming_magic"]),
    ("activation.json", '{"network": {"activation": "swishy"}}', ["network.activation"]),
    ("param.json", '{"init": {"scheme": "normal", "params": {"sdt": 1}}}',
     ["init.params.sdt is not a parameter here (allowed: mean, std)"]),
    ("loss.json", '{"loss": ["mse"]}', ["loss must be one of cross_entropy, mse"]),
    ("version.json", '{"version": 7}', ["version 7 is newer", "update initviz"]),
    ("format.json", '{"format": "photoshop"}', ["this is not an initviz project"]),
    ("spiral.json", '{"data": {"source": "spiral"}}',
     ["network.widths[0] must be 2 for the 2-D data set spiral, got 784"]),
    ("moons.json", '{"network": {"widths": [2, 8, 3]}, "data": {"source": "moons"}}',
     ["network.widths[-1] must be 2 for moons"]),
    ("surrogate.json", '{"name": "caf\\ud800e"}',
     ["name holds a broken character", "U+D800", "retype"]),
    ("surrogate_key.json", '{"view": {"\\udc00": 1}}', ["broken character"]),
    ("newline.json", '{"view": {"a\\nb": NaN}}', ['newline.json: view["a\\nb"] is NaN']),
]


@pytest.mark.parametrize("name, content, words", HOSTILE, ids=[case[0] for case in HOSTILE])
def test_hostile_file_is_one_clear_line(tmp_path, name, content, words):
    line = refused(write(tmp_path, name, content))
    for word in words:
        assert word in line, line


def test_a_file_over_the_size_limit_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB of nothing
    assert refused(path) == (
        "initviz: huge.json is 52.4 MB; an initviz project is a few kB, so this is not one"
    )


def test_missing_file_folder_and_devices(tmp_path):
    assert refused(tmp_path / "nope.json") == (
        "initviz: cannot read nope.json: there is no such file; check the name and the folder"
    )
    folder = tmp_path / "lessons.json"
    folder.mkdir()
    assert refused(folder) == (
        "initviz: lessons.json is a folder, not a project file; choose a .json file inside it"
    )
    for device in ("/dev/zero", "/dev/null"):  # endless or empty, and never a regular file
        if os.path.exists(device):
            assert "is not a regular file" in refused(device)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.json"
        os.mkfifo(fifo)  # opening it for reading would block forever
        assert "pipe.json is not a regular file (a device or a pipe)" in refused(fifo)


def test_permission_denied(tmp_path, monkeypatch):
    path = write(tmp_path, "locked.json", json.dumps(SMALL))
    real_open = open

    def locked(file, *args, **kwargs):  # chmod 000 does not stop root, so simulate EACCES
        if os.fspath(file) == os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", locked)
    assert refused(path) == (
        "initviz: cannot read locked.json: permission denied; "
        "ask for read access or copy the file to your folder"
    )


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads anything")
def test_permission_denied_for_real(tmp_path):
    path = write(tmp_path, "locked.json", json.dumps(SMALL))
    path.chmod(0)
    try:
        assert "permission denied" in refused(path)
    finally:
        path.chmod(0o644)


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs bytes file names")
def test_non_utf8_file_names(tmp_path):
    good = os.fsencode(tmp_path) + b"/caf\xe9.json"  # Latin-1 name on a UTF-8 system
    with open(good, "wb") as handle:
        handle.write(json.dumps(SMALL).encode())
    status, out, err = run_cli(os.fsdecode(good))
    assert status == 0 and "small: xavier_normal init, tanh" in out and err == ""
    assert Project.load(os.fsdecode(good)).name == "small"
    missing = os.fsdecode(os.fsencode(tmp_path) + b"/\xff\xfe.json")
    assert refused(missing) == (
        "initviz: cannot read \ufffd\ufffd.json: there is no such file; "
        "check the name and the folder"
    )
    bad = os.fsencode(tmp_path) + b"/bad\xff.json"
    with open(bad, "wb") as handle:
        handle.write(b"{oops")
    assert refused(os.fsdecode(bad)).startswith("initviz: bad\ufffd.json is not valid JSON")


def test_a_file_name_with_a_newline_still_gives_one_line(tmp_path):
    path = write(tmp_path, "two\nlines.json", "{")
    assert refused(path).startswith("initviz: two?lines.json is not valid JSON")


def test_loaded_lone_surrogates_never_reach_a_save(tmp_path):
    with pytest.raises(ProjectError, match="notes holds a broken character"):
        Project.from_dict({"notes": "\udfff"})
    project = Project()
    with pytest.raises(ProjectError, match="name holds a broken character"):
        project.set("name", "x\ud800")
    project.save(tmp_path / "ok.json")  # the project is unchanged and still saves


# --- property: any bytes on disk --------------------------------------------------------------

VALID_TEXT = json.dumps(SMALL, indent=1).encode()
FILES = settings(max_examples=60, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@st.composite
def mutated_project_bytes(draw):
    """A small valid project file, then byte edits: the files a truncated copy or a typo make."""
    data = bytearray(VALID_TEXT)
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if edit == "flip" and where < len(data):
            data[where] = draw(st.integers(0, 255))
        elif edit == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=8))
        elif edit == "delete":
            del data[where:where + draw(st.integers(1, 8))]
        else:
            del data[where:]
    return bytes(data)


any_file_bytes = (
    st.binary(max_size=300)
    | mutated_project_bytes()
    | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))
    | st.recursive(st.none() | st.integers() | st.floats() | st.text(max_size=5),
                   lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c,
                                                                         max_size=3),
                   max_leaves=12).map(lambda v: json.dumps(v, allow_nan=True).encode())
)


@FILES
@given(content=any_file_bytes)
def test_any_bytes_on_disk_load_or_refuse_through_load_and_cli(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("fuzz") / "project.json"
    path.write_bytes(content)
    try:
        project = Project.load(path)
    except ProjectError as error:
        message = str(error)
        assert message and "\n" not in message and len(message) <= 400
        project = None
    # a valid mutation may ask for a big network: a small budget refuses it at once
    with mock.patch.dict(os.environ, {"INITVIZ_MEMORY_BUDGET": "16M"}):
        status, out, err = run_cli(path)
    if project is None:
        assert (status, out) == (2, "") and err == f"initviz: {message}\n"
    elif status == 2:
        assert out == "" and "of memory" in err and err.count("\n") == 1
    else:
        assert status == 0 and err == "" and out.startswith(f"{project.name}:")
        saved = path.with_name("saved.json")
        project.save(saved)
        assert Project.load(saved) == project
