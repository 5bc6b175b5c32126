"""The README's Python examples run as written."""

import re
from pathlib import Path

from PIL import Image

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_examples_run(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)
    (tmp_path / "photos").mkdir()
    for name in ("cat.jpg", "dog.jpg", "bird.jpg"):  # the files the Innotater example shows
        Image.new("RGB", (64, 48), "gray").save(tmp_path / "photos" / name)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert (tmp_path / "labels.json").exists()
    assert "hidden" in capsys.readouterr().out
    assert namespace["boxes"].shape == (3, 4)
