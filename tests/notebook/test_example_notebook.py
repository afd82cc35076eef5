"""examples/notebook.ipynb executed top to bottom in a real kernel (nbclient + ipykernel): no key, no network."""

from __future__ import annotations

import re

import pytest
from notebook_helpers import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("ipywidgets")

NOTEBOOK = ROOT / "examples" / "notebook.ipynb"


def test_the_example_notebook_runs_and_approves_into_a_temporary_site(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the notebook's temporary sites land here, and go with it
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert not errors, errors

    def html(cell):
        return "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)

    def text(cell):
        return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)

    site = tmp_path / re.search(r"site: \S*/(posttui-site-\w+)", text(code[0])).group(1)
    assert "synthetic" in text(code[0]).lower() or "Tempered" in html(code[0])
    assert any("widget-view" in key for o in code[1].outputs for key in o.get("data", {}))  # the live draft
    problems = html(code[2])
    assert "PT020" in problems and 'class="posttui-error"' in problems
    assert "okonkwo2024" in html(code[3]) and "no error remains" in html(code[3])
    assert "No problems" in html(code[4])
    assert "●" in html(code[5])
    posts = list((site / "_posts").iterdir())
    assert len(posts) == 1 and "\\citet" not in posts[0].read_text(encoding="utf-8")
    assert posts[0].name.removesuffix(".md") in text(code[-2])
    editor_site = tmp_path / re.search(r"editor site: \S*/(posttui-site-\w+)", text(code[-1])).group(1)
    assert editor_site.is_dir() and list((editor_site / "_posts").iterdir()) == []
    assert any("widget-view" in key for o in code[-1].outputs for key in o.get("data", {}))
