"""Snapshots: the IR and every target's output, for this repository's registry and each good fixture.

Each output is stored as a file of its own type under __snapshots__/, to be
reviewed like code: `pytest --snapshot-update` rewrites them, `git diff` shows
what changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

import regc
from regc import targets
from regc.config import load_config
from tests.conftest import GOOD, ROOT, file_snapshot

REGISTRIES = [ROOT / "registry.md", *GOOD]


def _id(path: Path) -> str:
    return "repo-registry" if path == ROOT / "registry.md" else path.name


@pytest.mark.parametrize("path", REGISTRIES, ids=_id)
def test_ir(path: Path, snapshot: SnapshotAssertion) -> None:
    registry = regc.load(path)
    assert registry.model_dump(mode="json", exclude={"registry": {"path"}}) == snapshot


def _target_cases() -> list[Any]:
    cases = []
    for name in targets.builtin_names():
        if name == "schema":
            continue  # independent of the registry: one snapshot below
        cases.extend(pytest.param(path, name, id=f"{_id(path)}-{name}") for path in REGISTRIES)
    return cases


@pytest.mark.parametrize(("path", "target_name"), _target_cases())
def test_target_output(path: Path, target_name: str, snapshot: SnapshotAssertion) -> None:
    registry = regc.load(path)
    target = targets.all_targets()[target_name]()
    options = target.Options.model_validate({})
    outputs = target.render(registry, options)
    for output_path, data in sorted(outputs.items()):
        suffix = Path(output_path).suffix.lstrip(".") or "txt"
        assert data == snapshot(name=Path(output_path).name, extension_class=file_snapshot(suffix))


def test_schemas(snapshot: SnapshotAssertion) -> None:
    config = load_config(ROOT / "pyproject.toml")
    target = targets.all_targets()["schema"]()
    outputs = target.render(regc.load(ROOT / "tests/fixtures/good/features.md"), target.Options.model_validate({}))
    assert config.settings.targets is not None
    for output_path, data in sorted(outputs.items()):
        assert data == snapshot(name=Path(output_path).name, extension_class=file_snapshot("json"))
