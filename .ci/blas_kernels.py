"""Print two OpenBLAS kernels, other than the default, that this CPU runs: one per line.

`make test-kernels` runs the core tests under each (OPENBLAS_CORETYPE), because float32
products differ in their last bits from one kernel to another, and a result that holds
on one kernel only is a test or a readout that fails on someone else's machine.

The default kernel is the one threadpoolctl reports. A candidate counts when a process
forced onto it multiplies float32 and float64 matrices and exits cleanly (a kernel that
needs instructions this CPU lacks dies of SIGILL) and reports a kernel other than the
default (OpenBLAS falls back to the default for a name it does not know). Nothing is
printed, and a line on stderr says why, where NumPy's BLAS is not OpenBLAS or the CPU is
not x86-64.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys

CANDIDATES = ("Haswell", "Sandybridge", "Prescott", "Nehalem")
"""AVX2, AVX, SSE3 and SSE4.2 kernels: every x86-64 CPU runs Prescott and Nehalem."""
WANTED = 2
PROBE = """
import numpy as np
from threadpoolctl import threadpool_info
for dtype in (np.float32, np.float64):
    a = np.ones((96, 96), dtype)
    assert (a @ a)[0, 0] == 96
print(next((i.get("architecture") or "") for i in threadpool_info()
           if i["internal_api"] == "openblas"))
"""


def kernel(coretype: str | None) -> str | None:
    """The kernel a process forced onto ``coretype`` runs (None: it did not run)."""
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                          text=True, timeout=120)
    return done.stdout.strip() if done.returncode == 0 else None


def main() -> int:
    if platform.machine().lower() not in ("x86_64", "amd64"):
        print(f"test-kernels: skipped, OpenBLAS kernels are only forced on x86-64 "
              f"(this is {platform.machine()})", file=sys.stderr)
        return 0
    default = kernel(None)
    if not default:
        print("test-kernels: skipped, NumPy's BLAS is not OpenBLAS", file=sys.stderr)
        return 0
    chosen = []
    for name in CANDIDATES:
        if len(chosen) == WANTED:
            break
        runs = kernel(name)
        if runs and runs != default:
            chosen.append(name)
    print(f"test-kernels: default kernel {default}; also testing {', '.join(chosen)}",
          file=sys.stderr)
    print("\n".join(chosen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
