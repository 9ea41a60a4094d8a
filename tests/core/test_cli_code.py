"""`initviz code`: runnable PyTorch, Keras or JAX code on stdout; bad projects are refused in
one line with status 2. (tests/frameworks runs the code in each framework.)"""
import ast

import pytest

from initviz import Project, ProjectError
from initviz.cli import main
from initviz.codegen import generate
from initviz.core.schemes import SCHEMES


def _save(tmp_path, scheme="he_normal", activation="relu"):
    path = tmp_path / "p.json"
    Project.from_dict({"name": 'a "quoted"\nname', "network": {"widths": [8, 16, 4],
                       "activation": activation}, "init": {"scheme": scheme}}).save(path)
    return path


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_every_scheme_gives_valid_python_naming_torchs_initialiser(tmp_path, capsys, scheme):
    status = main(["code", str(_save(tmp_path, scheme)), "--framework", "pytorch"])
    out, err = capsys.readouterr()
    assert status == 0 and err == ""
    ast.parse(out)  # the name with quotes and a newline cannot break the script
    assert "nn.Linear(fan_in, fan_out)" in out and "nn.ReLU()" in out
    if scheme == "he_normal":
        assert "nn.init.kaiming_normal_(weight, mode='fan_in', nonlinearity='relu')" in out
    if scheme in ("kumar", "lsuv", "variance_scaling"):
        assert "no built-in" in out  # written out, and the code says why


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_every_scheme_gives_valid_jax_code_saying_which_normal(tmp_path, capsys, scheme):
    assert main(["code", str(_save(tmp_path, scheme)), "--framework", "jax"]) == 0
    out = capsys.readouterr().out
    ast.parse(out)
    assert "jax.nn.relu(z)" in out and "(in, out), as initviz" in out
    if scheme == "he_normal":  # jax's he_normal is truncated: initviz's is not
        assert "initializers.variance_scaling(2 / (1 + 0.0 ** 2), 'fan_in', 'normal')" in out
        assert "named normal initialisers are truncated" in out


def test_every_scheme_gives_valid_keras_code(tmp_path, capsys):
    for scheme in SCHEMES:
        assert main(["code", str(_save(tmp_path, scheme)), "--framework", "keras"]) == 0
        out = capsys.readouterr().out
        ast.parse(out)
        assert "layers.Dense(fan_out" in out and "keras.activations.relu(z)" in out
        if scheme == "he_normal":  # Keras's HeNormal is truncated: initviz's is not
            assert "VarianceScaling(2 / (1 + 0.0 ** 2), 'fan_in', 'untruncated_normal')" in out


def test_an_unknown_framework_is_refused_naming_the_known_ones():
    with pytest.raises(ProjectError, match="pytorch, keras, jax"):
        generate(Project(), "tensorflow")


def test_a_bad_project_is_one_line(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text('{"network": {"widths": [4]}}')
    assert main(["code", str(path), "--framework", "pytorch"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "widths" in err
