"""Layers point down only: model, then media and formats, then store and widgets, then the CLI.

Every import in the package is checked, those inside functions included, and
``importlib.import_module`` calls with a literal name.
"""

import ast
from pathlib import Path

import pytest

import labelspace

ROOT = Path(labelspace.__file__).parent
LAYERS = {"model": 0, "media": 1, "formats": 2, "assist": 2, "store": 3, "widget": 4}
TOP = 5  # the CLI and the package's own modules (its __init__ wires the layers together)


def layer_of(module: str) -> int:
    """The layer of a ``labelspace...`` module name."""
    parts = module.split(".")
    if len(parts) < 2:
        return TOP
    return LAYERS.get(parts[1], TOP)


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """Every labelspace module ``path`` imports, with the line."""
    tree = ast.parse(path.read_text())
    own = module_name(path, root)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names if name == "labelspace"]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return [(line, name) for line, name in found if name == "labelspace" or name.startswith("labelspace.")]


def violations(root: Path = ROOT) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        here = layer_of(module_name(path, root))
        for line, name in imports_of(path, root):
            if layer_of(name) > here:
                out.append(f"{path.relative_to(root.parent)}:{line} imports {name} (a layer above)")
    return out


def test_no_layer_imports_one_above_it():
    assert violations() == []


@pytest.mark.parametrize(
    ("source", "bad"),
    [
        ("from labelspace.formats.native import save_label_row\n", True),
        ("def f():\n    from labelspace.media import open_media\n", True),
        ("import importlib\nimportlib.import_module('labelspace.widget.innotater')\n", True),
        ("from labelspace import __version__\n", True),  # the package's __init__ is the top layer
        ("from labelspace.model.errors import LabelRowError\n", False),
        ("from . import ontology\n", False),
    ],
)
def test_the_check_catches_an_upward_import(tmp_path, source, bad):
    package = tmp_path / "labelspace"
    (package / "model").mkdir(parents=True)
    (package / "model" / "probe.py").write_text(source)
    assert bool(violations(package)) is bad
