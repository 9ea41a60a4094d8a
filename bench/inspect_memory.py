"""Peak memory of `initviz inspect` on a 500 MB .safetensors file, made here and deleted after.

The file (four float32 weight matrices drawn by known schemes, about 512 MB) is written in
chunks, so making it needs little memory either. `initviz inspect` then runs in a fresh
process; its peak resident set (ru_maxrss of the child: everything the OS saw, Python,
NumPy and any file pages it touched) is compared with the same command on a tiny file.
The reader streams each tensor in chunks with plain reads, so the difference stays far
below the file's size.

    python bench/inspect_memory.py [--folder DIR]
"""
from __future__ import annotations

import argparse
import json
import math
import resource
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

MIB = 1024 * 1024
TENSORS = {  # name: (shape in torch layout (out, in), std as the scheme gives it)
    "encoder.weight": ((8192, 8192), math.sqrt(2 / 8192)),  # He normal, fan_in
    "hidden.weight": ((4096, 8192), math.sqrt(2 / (4096 + 8192))),  # Xavier normal
    "decoder.weight": ((4096, 4096), 0.02),  # BERT's normal
    "head.weight": ((4096, 4096), 1 / math.sqrt(4096)),  # LeCun normal
}


def write_file(path: Path, rng: np.random.Generator, tensors: dict) -> int:
    header, offset = {}, 0
    for name, (shape, _) in tensors.items():
        size = math.prod(shape) * 4
        header[name] = {"dtype": "F32", "shape": list(shape),
                        "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(text)) + text)
        for shape, std in tensors.values():
            rows_per_chunk = max(1, (1 << 22) // shape[1])
            for start in range(0, shape[0], rows_per_chunk):
                rows = min(rows_per_chunk, shape[0] - start)
                handle.write((rng.standard_normal((rows, shape[1]), dtype=np.float32) * std)
                             .astype("<f4").tobytes())
    return path.stat().st_size


def peak_rss_of_inspect(path: Path) -> tuple[int, float, str]:
    """(peak RSS in bytes, seconds, stdout) of `initviz inspect path` in a fresh process."""
    code = ("import resource, sys; from initviz.cli import main; status = main(['inspect', "
            f"{str(path)!r}]); print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss);"
            " sys.exit(status)")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    seconds = time.perf_counter() - start
    lines = done.stdout.splitlines()
    peak_kib = int(lines[-1].split()[1])  # Linux: KiB
    return peak_kib * 1024, seconds, "\n".join(lines[:-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default=None, help="where to write the file (default: tmp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as folder:
        rng = np.random.default_rng(0)
        small = Path(folder) / "small.safetensors"
        write_file(small, rng, {"w": ((64, 64), 0.1)})
        big = Path(folder) / "big.safetensors"
        size = write_file(big, rng, TENSORS)
        base, _, _ = peak_rss_of_inspect(small)
        peak, seconds, report = peak_rss_of_inspect(big)
    print(report)
    print(f"file {size / MIB:.0f} MiB; peak RSS of initviz inspect {peak / MIB:.0f} MiB, "
          f"on a 16 kB file {base / MIB:.0f} MiB: {(peak - base) / MIB:.0f} MiB for the file "
          f"({seconds:.1f} s)")
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(this script, writing the file in chunks: {self_peak:.0f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
