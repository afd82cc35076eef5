"""The made-up paper of ``tests/fixtures/generate_paper`` as a Paper, shared by the generation and robustness tests."""

from __future__ import annotations

from pathlib import Path

import yaml

from posttui.paper import Paper, TexFile

GENERATE_PAPER = Path(__file__).resolve().parent / "fixtures" / "generate_paper"


def generate_paper(**changes) -> Paper:
    """The fixture paper, with any field replaced by ``changes`` (e.g. ``bbl=""`` for no bibliography)."""
    values = dict(
        arxiv_id="2503.04567",
        metadata=yaml.safe_load((GENERATE_PAPER / "metadata.yaml").read_text(encoding="utf-8")),
        tex_files=[TexFile("main.tex", (GENERATE_PAPER / "main.tex").read_text(encoding="utf-8"))],
        bbl=(GENERATE_PAPER / "refs.bbl").read_text(encoding="utf-8"),
        homepage=(GENERATE_PAPER / "index.md").read_text(encoding="utf-8"),
        members=yaml.safe_load((GENERATE_PAPER / "group.yaml").read_text(encoding="utf-8")),
        origin=str(GENERATE_PAPER),
    )
    values.update(changes)
    return Paper(**values)
