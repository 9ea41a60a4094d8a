"""The README's Python API example runs as written (a newcomer copies it first)."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_api_example_runs(monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the README shows the Python API"
    monkeypatch.chdir(ROOT)
    namespace = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # our own docs
    assert namespace["p"].scheme == "he_normal"
    assert namespace["trainer"].history[-1]["step"] == 10
