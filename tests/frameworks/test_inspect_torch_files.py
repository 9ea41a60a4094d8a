"""`initviz inspect` on PyTorch files: a real state dict is matched; a pickle that tries to
run code is refused without running it (weights_only=True); a cut file is one line."""
import pickle

from initviz.cli import main
from initviz.inspection import inspect_file


class _Payload:
    """Unpickling this runs os.system: what a hostile .pt file does."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os

        return os.system, (f"touch {self.marker}",)


def test_a_torch_models_default_init_is_recognised(torch, tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 16, 3), torch.nn.Flatten(),
                                torch.nn.Linear(400, 200), torch.nn.Linear(200, 10))
    torch.nn.init.kaiming_normal_(model[2].weight, mode="fan_out", nonlinearity="relu")
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    layers = inspect_file(path)["layers"]
    assert [layer["name"] for layer in layers] == ["0.weight", "2.weight", "3.weight"]
    assert [layer["matches"][0]["scheme"] for layer in layers] == [
        "pytorch_default", "he_normal", "pytorch_default"]
    assert layers[1]["matches"][0]["params"]["mode"] == "fan_out"
    assert (layers[0]["fan_in"], layers[0]["fan_out"]) == (27, 144)  # torch's conv fans


def test_a_nested_checkpoint_and_half_precision_are_read(torch, tmp_path):
    weight = torch.empty(300, 100)
    torch.nn.init.xavier_uniform_(weight)
    path = tmp_path / "checkpoint.pth"
    torch.save({"epoch": 3, "model": {"fc.weight": weight.half()}}, path)
    (layer,) = inspect_file(path)["layers"]
    assert layer["name"] == "model.fc.weight"
    assert layer["matches"][0]["scheme"] == "xavier_uniform"


def test_a_pickle_that_runs_code_is_refused_and_not_run(torch, tmp_path, capsys, recwarn):
    marker = tmp_path / "ran"
    for name, save in (
        ("zip.pt", lambda path: torch.save({"w": _Payload(marker)}, path)),
        ("legacy.pt", lambda path: path.write_bytes(pickle.dumps({"w": _Payload(marker)}))),
    ):
        path = tmp_path / name
        save(path)
        assert main(["inspect", str(path)]) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1, err
        assert "refused" in err and "weights_only=True" in err
        assert not marker.exists()  # os.system never ran
    assert not [w for w in recwarn if "torch" in str(w.filename)]  # no second line on stderr


def test_a_truncated_pt_is_one_line(torch, tmp_path, capsys):
    path = tmp_path / "cut.pt"
    torch.save({"w": torch.zeros(100, 100)}, path)
    path.write_bytes(path.read_bytes()[:300])
    assert main(["inspect", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "not a readable PyTorch file" in err, err
