"""A wheel carries the built front end, so installing labelspace needs no Node."""

import subprocess
import sys
import zipfile


def test_the_wheel_holds_the_front_end_bundle(tmp_path):
    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(root),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        check=True,
    )
    [wheel] = tmp_path.glob("labelspace-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "labelspace/widget/static/innotater.js" in names
    assert "labelspace/widget/static/innotater.css" in names
    assert "labelspace/py.typed" in names
    assert "labelspace/samples/traffic_ontology.json" in names
    assert "labelspace/samples/project.py" in names and "labelspace/samples/street.py" in names  # labelspace demo
    # The server extension, enabled where the wheel is installed (widget/server_extension.py).
    config = [n for n in names if n.endswith("data/etc/jupyter/jupyter_server_config.d/labelspace.json")]
    assert len(config) == 1
    assert '"labelspace.widget.server_extension": true' in zipfile.ZipFile(wheel).read(config[0]).decode()
    assert not any(n.startswith("js/") or "node_modules" in n for n in names)
