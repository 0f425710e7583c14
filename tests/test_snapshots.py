"""Snapshots: the IR and every target's output, for this repository's registry and each good fixture.

Each output is stored as a file of its own type under __snapshots__/, to be
reviewed like code: `pytest --snapshot-update` rewrites them, `git diff` shows
what changed. Two copies are not kept: this repository's own outputs are its
committed targets/ and schema/ (`tests/test_repository.py` checks they are what
registry.md builds), and each good YAML fixture (features.yaml, lifecycle.yaml)
must build byte for byte what its markdown twin builds (checked below), so only
the markdown form is stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

import regc
from regc import targets
from regc.model.config import load_config
from tests.conftest import GOOD, ROOT, file_snapshot

REGISTRIES = [ROOT / "registry.md", *GOOD]


def _id(path: Path) -> str:
    return "repo-registry" if path == ROOT / "registry.md" else path.name


@pytest.mark.parametrize("path", REGISTRIES, ids=_id)
def test_ir(path: Path, snapshot: SnapshotAssertion) -> None:
    registry = regc.load(path)
    assert registry.model_dump(mode="json", exclude={"registry": {"path"}}) == snapshot


TARGET_REGISTRIES = [path for path in GOOD if path.suffix == ".md"]
YAML_TWINS = [path.stem for path in GOOD if path.suffix == ".yaml"]  # each has a markdown twin of the same stem
REGISTRY_TARGETS = [name for name in targets.builtin_names() if name != "schema"]  # schema: independent of the registry, one snapshot below


def _target_cases() -> list[Any]:
    return [pytest.param(path, name, id=f"{_id(path)}-{name}") for name in REGISTRY_TARGETS for path in TARGET_REGISTRIES]


def _render(path: Path, target_name: str) -> dict[str, bytes]:
    target = targets.all_targets()[target_name]()
    return target.render(regc.load(path), target.Options.model_validate({}))


@pytest.mark.parametrize(("path", "target_name"), _target_cases())
def test_target_output(path: Path, target_name: str, snapshot: SnapshotAssertion) -> None:
    outputs = _render(path, target_name)
    for output_path, data in sorted(outputs.items()):
        suffix = Path(output_path).suffix.lstrip(".") or "txt"
        assert data == snapshot(name=Path(output_path).name, extension_class=file_snapshot(suffix))


@pytest.mark.parametrize("stem", YAML_TWINS)
@pytest.mark.parametrize("target_name", REGISTRY_TARGETS)
def test_the_yaml_form_builds_what_the_markdown_form_builds(target_name: str, stem: str) -> None:
    """Byte for byte, but for the source file the generated-code header names (so tests that run a consumer on
    a good fixture, such as tests/test_litellm_proxy.py, need run only its markdown form)."""
    good = ROOT / "tests/fixtures/good"
    from_markdown = _render(good / f"{stem}.md", target_name)
    assert all(f"from {stem}.md".encode() in data for data in from_markdown.values())
    expected = {path: data.replace(f"{stem}.md".encode(), f"{stem}.yaml".encode()) for path, data in from_markdown.items()}
    assert _render(good / f"{stem}.yaml", target_name) == expected


def test_schemas(snapshot: SnapshotAssertion) -> None:
    config = load_config(ROOT / "pyproject.toml")
    target = targets.all_targets()["schema"]()
    outputs = target.render(regc.load(ROOT / "tests/fixtures/good/features.md"), target.Options.model_validate({}))
    assert config.settings.targets is not None
    for output_path, data in sorted(outputs.items()):
        assert data == snapshot(name=Path(output_path).name, extension_class=file_snapshot("json"))
