"""Model files read tensor by tensor, in bounded chunks: a 500 MB file never sits in memory.

``open_model(path)`` returns the file's tensors as ``TensorEntry`` items whose ``chunks()``
yield the values as flat float arrays of at most ``CHUNK_VALUES``. Every format refuses a
bad, truncated or hostile file with one ``ModelFileError`` line before reading any values:

- ``.safetensors``: the header is checked against the file (sizes, offsets, dtypes) and by
  the ``safetensors`` package itself; the values are then read with plain file reads, not
  its memory map, which would keep every page it touched resident.
- ``.npz``: the members are streamed out of the zip; object arrays (pickles) are refused.
- ``.pt``/``.pth``: ``torch.load(weights_only=True)``, which refuses a pickle that would
  run code; only when torch is installed.
"""
from __future__ import annotations

import json
import math
import os
import stat
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from initviz.errors import ProjectError
from initviz.safe_io import display_name

CHUNK_VALUES = 1 << 21
"""Values per chunk (8 MB of float32): the memory a tensor of any size needs to be measured."""
MAX_HEADER_BYTES = 100_000_000
"""The safetensors format's own limit on its JSON header."""

_SAFETENSORS_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2"}
_OTHER_DTYPES = {"I64": 8, "I32": 4, "I16": 2, "I8": 1, "U64": 8, "U32": 4, "U16": 2, "U8": 1,
                 "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1, "C64": 8, "F4": 1, "F6_E2M3": 1,
                 "F6_E3M2": 1, "F8_E8M0": 1, "U4": 1, "I4": 1}


class ModelFileError(ProjectError):
    """A model file initviz cannot read: one line saying why and what to do."""


@dataclass(frozen=True)
class TensorEntry:
    name: str
    shape: tuple[int, ...]
    floating: bool
    """Only floating-point tensors are weights; integer buffers (step counters) are skipped."""
    chunks: Callable[[], Iterator[np.ndarray]]
    """Yields the values as float arrays of at most CHUNK_VALUES, in C order unless ``fortran``."""
    fortran: bool = False


def _bfloat16(raw: np.ndarray) -> np.ndarray:
    """bfloat16 is the top half of a float32: NumPy has no such dtype, so widen it."""
    return (raw.astype(np.uint32) << 16).view(np.float32)


def _file_chunks(path, offset: int, count: int, dtype: str) -> Iterator[np.ndarray]:
    """Plain reads at the tensor's offset; BF16 (read as raw <u2) is widened to float32."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        for start in range(0, count, CHUNK_VALUES):
            want = min(CHUNK_VALUES, count - start)
            part = np.fromfile(handle, dtype=dtype, count=want)
            if part.size < want:
                raise ModelFileError(f"{display_name(path)} became shorter while being read")
            yield _bfloat16(part) if dtype == "<u2" else part


def _check_regular(path: Path, name: str) -> int:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ModelFileError(f"cannot read {name}: there is no such file") from None
    except OSError as error:
        raise ModelFileError(f"cannot read {name}: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ModelFileError(f"{name} is a folder; choose a .safetensors, .npz or .pt file")
    if not stat.S_ISREG(info.st_mode):
        raise ModelFileError(f"{name} is not a regular file (a device or a pipe)")
    if info.st_size == 0:
        raise ModelFileError(f"{name} is empty (0 bytes): no weights to inspect")
    return info.st_size


def _safetensors_header(path: Path, name: str, size: int) -> tuple[dict, int]:
    bad = f"{name} is not a valid safetensors file"
    with open(path, "rb") as handle:
        prefix = handle.read(8)
        if len(prefix) < 8:
            raise ModelFileError(f"{bad}: {size} bytes, shorter than the 8-byte header length")
        length = int.from_bytes(prefix, "little")
        if length > MAX_HEADER_BYTES:
            raise ModelFileError(f"{bad}: its header claims {length} bytes, over the format's "
                                 f"limit of {MAX_HEADER_BYTES // 1_000_000} MB")
        if length > size - 8:
            raise ModelFileError(f"{bad}: its header claims {length} bytes but only {size - 8} "
                                 "follow (truncated?)")
        raw = handle.read(length)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ModelFileError(f"{bad}: its header is not JSON") from None
    if not isinstance(header, dict):
        raise ModelFileError(f"{bad}: its header is not a JSON object")
    header.pop("__metadata__", None)
    return header, 8 + length


def _counts(value) -> bool:
    """A JSON list of non-negative integers (shapes, offsets)."""
    return isinstance(value, list) and all(
        isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in value)


def _checked_entry(key, info, data_size: int, bad: str) -> tuple[str, tuple, int, int]:
    if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= set(info):
        raise ModelFileError(f"{bad}: tensor {key!r} lacks dtype, shape or data_offsets")
    dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    dtype = dtype if isinstance(dtype, str) else repr(dtype)  # a list or object: unknown
    itemsize = (np.dtype(_SAFETENSORS_DTYPES[dtype]).itemsize if dtype in _SAFETENSORS_DTYPES
                else _OTHER_DTYPES.get(dtype))
    if (itemsize is None or not _counts(shape) or not _counts(offsets)
            or len(offsets) != 2):
        raise ModelFileError(f"{bad}: tensor {key!r} has dtype {dtype!r}, shape {shape!r}, "
                             f"offsets {offsets!r}")
    begin, end = offsets
    if dtype in _SAFETENSORS_DTYPES and end - begin != math.prod(shape) * itemsize:
        raise ModelFileError(f"{bad}: tensor {key!r} of shape {tuple(shape)} needs "
                             f"{math.prod(shape) * itemsize} bytes, its offsets give {end - begin}")
    if not begin <= end <= data_size:
        raise ModelFileError(f"{bad}: tensor {key!r} ends at byte {end} of a data section of "
                             f"{data_size} (truncated?)")
    return dtype, tuple(shape), begin, end


def _validate_with_package(path: Path, bad: str) -> None:
    """The format's reference reader agrees (overlaps, gaps, alignment it checks itself)."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="numpy") as handle:
            handle.keys()
    except Exception as error:  # the package raises its own SafetensorError and OSError
        raise ModelFileError(f"{bad}: {str(error).splitlines()[0] if str(error) else error}"
                             ) from None


def _read_safetensors(path: Path, name: str, size: int) -> list[TensorEntry]:
    header, data_start = _safetensors_header(path, name, size)
    bad = f"{name} is not a valid safetensors file"
    checked = {key: _checked_entry(key, info, size - data_start, bad)
               for key, info in header.items()}
    _validate_with_package(path, bad)
    entries = []
    for key, (dtype, shape, begin, _end) in sorted(checked.items(), key=lambda kv: kv[1][2]):
        if dtype not in _SAFETENSORS_DTYPES:
            entries.append(TensorEntry(key, shape, False, lambda: iter(())))
            continue
        entries.append(TensorEntry(
            key, shape, True,
            lambda d=dtype, s=shape, b=begin: _file_chunks(
                path, data_start + b, math.prod(s), _SAFETENSORS_DTYPES[d]),
        ))
    return entries


def _npy_header(stream):
    """(shape, fortran_order, dtype) after the magic; version 3 headers parse as version 2."""
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(stream)
    return np.lib.format.read_array_header_2_0(stream)


def _npy_member(archive: zipfile.ZipFile, member: str, bad: str):
    with archive.open(member) as stream:
        try:
            shape, fortran, dtype = _npy_header(stream)
        except (ValueError, OSError, EOFError, SyntaxError) as error:
            raise ModelFileError(f"{bad}: member {member!r}: {error}") from None
    if dtype.hasobject:
        raise ModelFileError(f"{bad}: member {member!r} holds Python objects (a pickle), "
                             "which initviz does not load")
    return tuple(shape), fortran, dtype


def _npz_chunks(path: Path, member: str, count: int, dtype: np.dtype) -> Iterator[np.ndarray]:
    """Fortran-ordered members come out in column order: every statistic here ignores order,
    and the orthogonality check transposes (see measure.py)."""
    with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
        _npy_header(stream)
        for start in range(0, count, CHUNK_VALUES):
            want = min(CHUNK_VALUES, count - start)
            raw = stream.read(want * dtype.itemsize)
            if len(raw) < want * dtype.itemsize:
                raise ModelFileError(f"{display_name(path)}: member {member!r} is truncated")
            yield np.frombuffer(raw, dtype=dtype)


def _read_npz(path: Path, name: str) -> list[TensorEntry]:
    bad = f"{name} is not a valid .npz file"
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.endswith(".npy")]
            described = [(m, *_npy_member(archive, m, bad)) for m in members]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        raise ModelFileError(f"{bad}: {error}") from None
    entries = []
    for member, shape, fortran, dtype in described:
        entries.append(TensorEntry(
            member[:-4], shape, dtype.kind == "f",
            lambda m=member, s=shape, d=dtype: _npz_chunks(path, m, math.prod(s), d), fortran,
        ))
    return entries


def _flatten(state, prefix="") -> Iterator[tuple[str, object]]:
    if isinstance(state, dict):
        for key, value in state.items():
            yield from _flatten(value, f"{prefix}{key}.")
    elif hasattr(state, "shape") and hasattr(state, "dtype"):
        yield prefix[:-1], state


def _torch_chunks(tensor) -> Iterator[np.ndarray]:
    """float16/bfloat16 widened per chunk; a memory-mapped tensor is paged in a chunk at a time."""
    import torch

    flat = tensor.detach().reshape(-1)
    for start in range(0, flat.numel(), CHUNK_VALUES):
        part = flat[start:start + CHUNK_VALUES]
        yield (part if part.dtype in (torch.float32, torch.float64) else part.float()).numpy()


def _torch_load(torch, path: Path):
    try:
        return torch.load(str(path), map_location="cpu", weights_only=True, mmap=True)
    except RuntimeError as error:
        if "mmap" not in str(error):
            raise
        # the legacy (pre-zip) format cannot be memory-mapped: read it whole, just as safely
        return torch.load(str(path), map_location="cpu", weights_only=True)


def _read_torch(path: Path, name: str) -> list[TensorEntry]:
    try:
        import torch
    except ImportError:
        raise ModelFileError(
            f"{name}: reading .pt/.pth files needs PyTorch, which is not installed; install it "
            "or save the weights as .safetensors (safetensors.torch.save_file)"
        ) from None
    try:
        with warnings.catch_warnings():  # torch warns about pickle protocols: not the user's line
            warnings.simplefilter("ignore")
            state = _torch_load(torch, path)
    except Exception as error:  # pickle.UnpicklingError, RuntimeError from the zip reader, ...
        text = str(error)
        if "weights_only" in text or "Unsupported global" in text or "GLOBAL" in text:
            raise ModelFileError(
                f"{name} refused: its pickle asks to build objects other than tensors, or to "
                "run code (initviz loads with weights_only=True); save model.state_dict() instead"
            ) from None
        first = text.splitlines()[0] if text else type(error).__name__
        raise ModelFileError(f"{name} is not a readable PyTorch file: {first}") from None
    return [TensorEntry(key, tuple(t.shape), t.is_floating_point(), lambda t=t: _torch_chunks(t))
            for key, t in _flatten(state) if isinstance(t, torch.Tensor)]


def open_model(path: str | os.PathLike) -> list[TensorEntry]:
    """The tensors of a .safetensors, .npz or .pt/.pth file, in file order, values unread."""
    path = Path(path)
    name = display_name(path)
    suffix = path.suffix.lower()
    if suffix not in (".safetensors", ".npz", ".pt", ".pth", ".bin"):
        raise ModelFileError(f"{name}: initviz reads .safetensors, .npz and .pt/.pth files")
    size = _check_regular(path, name)
    if suffix == ".safetensors":
        return _read_safetensors(path, name, size)
    if suffix == ".npz":
        return _read_npz(path, name)
    return _read_torch(path, name)
