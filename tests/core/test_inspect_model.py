"""`initviz inspect`: a model's weights matched against the schemes, from files made here
(NumPy draws saved with safetensors.numpy and np.savez); bad and hostile files refused in
one line with status 2, no traceback."""
import json
import math
import struct
import sys

import numpy as np
import pytest
from safetensors.numpy import save_file

from initviz.cli import main
from initviz.inspection import inspect_file
from initviz.inspection.measure import HISTOGRAM_SAMPLE
from initviz.inspection.readers import CHUNK_VALUES

RNG = np.random.default_rng(7)


def _normal(shape, std):
    return (RNG.standard_normal(shape) * std).astype(np.float32)


def _uniform(shape, bound):
    return RNG.uniform(-bound, bound, shape).astype(np.float32)


def _truncated(shape, std):
    z = RNG.standard_normal(shape)
    while (outside := np.abs(z) > 2).any():
        z[outside] = RNG.standard_normal(int(outside.sum()))
    return (z * std / 0.8796256610342398).astype(np.float32)


def _orthogonal(shape):
    q, r = np.linalg.qr(RNG.standard_normal((shape[1], shape[0])))
    # C order: safetensors.numpy writes a transposed view's buffer as it lies in memory
    return np.ascontiguousarray((q * np.sign(np.diag(r))).T, dtype=np.float32)


# torch layout (out, in); fans differ in every layer so each scheme has its own std
MLP = {
    "fc1.weight": (_normal((300, 784), math.sqrt(2 / 784)), "he_normal", {"mode": "fan_in"}),
    "fc1.bias": (np.zeros(300, np.float32), None, None),
    "fc2.weight": (_uniform((120, 300), math.sqrt(6 / 420)), "xavier_uniform", {}),
    "fc3.weight": (_uniform((60, 120), 1 / math.sqrt(120)), "pytorch_default", {}),
    "fc4.weight": (_orthogonal((40, 60)), "orthogonal", {}),
    "fc5.weight": (_truncated((10, 40), math.sqrt(2 / 40)), "variance_scaling",
                   {"scale": 2.0, "distribution": "truncated_normal"}),
}
CNN = {
    "conv1.weight": (_normal((32, 3, 5, 5), math.sqrt(2 / (32 * 25))), "he_normal",
                     {"mode": "fan_out"}),
    "conv2.weight": (_uniform((64, 32, 3, 3), math.sqrt(6 / (32 * 9))), "he_uniform",
                     {"mode": "fan_in"}),
    "head.weight": (_normal((10, 256), math.sqrt(2 / 266)), "xavier_normal", {}),
}


def _save(tmp_path, table, name="model.safetensors"):
    path = tmp_path / name
    save_file({key: value for key, (value, _, _) in table.items()}, str(path))
    return path


@pytest.mark.parametrize("table", [MLP, CNN], ids=["mlp", "cnn"])
def test_each_layer_is_named_by_the_scheme_that_drew_it(tmp_path, table):
    report = inspect_file(_save(tmp_path, table))
    expected = {k: (s, p) for k, (_, s, p) in table.items() if s is not None}
    assert [layer["name"] for layer in report["layers"]] == sorted(expected)
    for layer in report["layers"]:
        scheme, params = expected[layer["name"]]
        best = layer["matches"][0]
        assert layer["matched"], layer
        assert best["scheme"] == scheme, layer["name"]
        assert params.items() <= best["params"].items(), layer["name"]
        assert abs(best["ratio"] - 1) < 0.05


def test_conv_fans_are_torchs(tmp_path):
    layers = {layer["name"]: layer for layer in inspect_file(_save(tmp_path, CNN))["layers"]}
    assert (layers["conv2.weight"]["fan_in"], layers["conv2.weight"]["fan_out"]) == (288, 576)


def test_the_text_names_scheme_fans_and_distance(tmp_path, capsys):
    path = _save(tmp_path, {**MLP, "odd.weight": (_normal((50, 40), 0.7), None, None)})
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "fc1.weight" in x)
    assert "≈ He normal, fan_in for 784 inputs, within" in line
    odd = next(x for x in out.splitlines() if "odd.weight" in x)
    assert "far from every scheme" in odd  # no scheme gives std 0.7 for 40 inputs
    assert "1 other skipped" in out  # the bias


def test_json_has_the_documented_shape(tmp_path, capsys):
    assert main(["inspect", str(_save(tmp_path, CNN)), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"file", "layers"}
    for layer in report["layers"]:
        assert {"name", "shape", "fan_in", "fan_out", "std", "matches"} <= set(layer)
        ratios = [abs(math.log(m["ratio"])) for m in layer["matches"]]
        assert {"scheme", "params", "std", "ratio"} <= set(layer["matches"][0])
        assert ratios[0] == min(ratios)


def test_npz_and_bfloat16_read_too(tmp_path):
    weight = _normal((200, 400), math.sqrt(1 / 400))
    np.savez(tmp_path / "m.npz", **{"layer.weight": weight, "fortran": np.asfortranarray(weight)})
    layers = inspect_file(tmp_path / "m.npz")["layers"]
    assert [layer["matches"][0]["scheme"] for layer in layers] == ["lecun_normal", "lecun_normal"]
    assert layers[1]["shape"] == [200, 400] and layers[1]["fan_in"] == 400
    # bfloat16 = the top 16 bits of float32: written by hand, as torch would store it
    raw = (weight.view(np.uint32) >> 16).astype(np.uint16).tobytes()
    header = json.dumps({"w": {"dtype": "BF16", "shape": [200, 400],
                               "data_offsets": [0, len(raw)]}}).encode()
    path = tmp_path / "bf16.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header + raw)
    (layer,) = inspect_file(path)["layers"]
    assert layer["matches"][0]["scheme"] == "lecun_normal"


def test_a_large_tensor_is_measured_whole_and_histogrammed_from_a_sample(tmp_path):
    big = _normal((CHUNK_VALUES // 1000 * 3 // 2, 1000), math.sqrt(2 / 1000))  # 1.5 chunks
    path = tmp_path / "big.safetensors"
    save_file({"w": big}, str(path))
    (stats,) = inspect_file(path)["stats"]
    assert stats.count == big.size
    # float64 sums over both chunks against NumPy's pairwise float64 std: rounding only
    assert stats.std == pytest.approx(float(big.astype(np.float64).std()), rel=1e-9)
    # binomial sample size: within 5 SDs of the target
    assert abs(stats.sample.size - HISTOGRAM_SAMPLE) < 5 * math.sqrt(HISTOGRAM_SAMPLE)


def _st(header: dict, data: bytes = b"", length: int | None = None) -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text) if length is None else length) + text + data


HOSTILE = {
    "empty": (b"", "empty"),
    "short": (b"\x01\x02", "shorter than the 8-byte header length"),
    "huge header": (struct.pack("<Q", 2**62) + b"{}", "over the format's limit"),
    "header past end": (struct.pack("<Q", 5000) + b"{}", "only 2 follow"),
    "not json": (struct.pack("<Q", 4) + b"\xff\xfe{]", "not JSON"),
    "lying size": (_st({"w": {"dtype": "F32", "shape": [1000, 1000], "data_offsets": [0, 16]}},
                       b"\0" * 16), "needs 4000000 bytes"),
    "truncated": (_st({"w": {"dtype": "F32", "shape": [100, 100], "data_offsets": [0, 40000]}},
                      b"\0" * 100), "truncated"),
    "bad dtype": (_st({"w": {"dtype": "F33", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8),
                  "F33"),
    "dtype a list": (_st({"w": {"dtype": ["F32"], "shape": [2], "data_offsets": [0, 8]}},
                         b"\0" * 8), "['F32']"),
    "overlap": (_st({"a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
                     "b": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}},
                    b"\0" * 16), "not a valid safetensors file"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_bad_safetensors_files_are_one_line(tmp_path, capsys, case):
    content, says = HOSTILE[case]
    path = tmp_path / "m.safetensors"
    path.write_bytes(content)
    assert main(["inspect", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and says in err, err
    assert err.startswith("initviz: ") and "Traceback" not in err


def test_bad_npz_and_object_arrays_are_refused(tmp_path, capsys):
    (tmp_path / "a.npz").write_bytes(b"PK\x03\x04 not really a zip")
    np.savez(tmp_path / "b.npz", w=np.array([{"x": 1}, None], dtype=object))
    for name, says in (("a.npz", "not a valid .npz"), ("b.npz", "Python objects")):
        assert main(["inspect", str(tmp_path / name)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and says in err


def test_a_pt_file_without_torch_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    path = tmp_path / "m.pt"
    path.write_bytes(b"anything")
    assert main(["inspect", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs PyTorch, which is not installed" in err


def test_other_files_are_refused_by_name(tmp_path, capsys):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"x")
    assert main(["inspect", str(path)]) == 2
    assert ".safetensors, .npz and .pt/.pth" in capsys.readouterr().err


def _traced_peak(path) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        inspect_file(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_file(tmp_path):
    """Two files of 2 and 8 chunks (16 and 64 MB): the same peak of traced allocations
    (NumPy reports its buffers to tracemalloc), so the file is never held whole."""
    peaks = []
    for chunks in (2, 8):
        path = tmp_path / f"{chunks}.safetensors"
        rows = chunks * CHUNK_VALUES // 1024
        save_file({"w": np.ones((rows, 1024), np.float32)}, str(path))
        peaks.append(_traced_peak(path))
    assert peaks[1] - peaks[0] < CHUNK_VALUES * 4  # under one chunk more; the file grew 48 MB


def test_a_read_stops_between_chunks_when_asked(tmp_path):
    """The window's dialog passes its thread's stop flag: closing it ends a long read."""
    from initviz.errors import Cancelled

    asked = []
    with pytest.raises(Cancelled):
        inspect_file(_save(tmp_path, MLP), should_stop=lambda: asked.append(1) or True)
    assert len(asked) == 1  # stopped before the first chunk was measured


def test_every_corruption_of_a_header_is_a_report_or_one_line(tmp_path, capsys):
    """Each byte of the length and the JSON header replaced by three values: the command
    reports (a harmless change) or refuses in one line, never a traceback."""
    good = tmp_path / "good.safetensors"
    save_file({"w": _normal((8, 4), 0.5), "b": np.zeros(8, np.float32)}, str(good))
    raw = bytearray(good.read_bytes())
    length = 8 + int.from_bytes(raw[:8], "little")
    path = tmp_path / "m.safetensors"
    for position in range(length):
        for value in (0x00, 0x7B, 0xFF):
            mutated = bytearray(raw)
            mutated[position] = value
            path.write_bytes(bytes(mutated))
            status = main(["inspect", str(path)])
            out, err = capsys.readouterr()
            assert (status == 0 and err == "") or (status == 2 and out == ""
                                                   and err.count("\n") == 1), (position, value)
