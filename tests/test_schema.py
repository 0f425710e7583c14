"""The JSON Schemas in schema/ are valid, current, and describe what regc reads and writes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import regc
from regc.parse import yamlio
from regc.targets import all_targets
from regc.targets.schema import SCHEMAS, schema_bytes
from tests.conftest import GOOD, ROOT

SCHEMA_DIR = ROOT / "schema"


@pytest.mark.parametrize("stem", sorted(SCHEMAS))
def test_checked_in_schema_is_current_and_valid(stem: str) -> None:
    path = SCHEMA_DIR / f"{stem}.schema.json"
    assert path.read_bytes() == schema_bytes(stem), f"{path} is stale: run `regc build`"
    jsonschema.Draft202012Validator.check_schema(json.loads(path.read_bytes()))


def _validator(stem: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((SCHEMA_DIR / f"{stem}.schema.json").read_bytes()))


@pytest.mark.parametrize("path", [ROOT / "registry.md", *GOOD], ids=lambda p: p.name)
def test_json_target_output_validates(path: Path) -> None:
    target = all_targets()["json"]()
    (data,) = target.render(regc.load(path), target.Options.model_validate({})).values()
    errors = list(_validator("resolved-registry").iter_errors(json.loads(data)))
    assert errors == []


def test_json_schema_rejects_a_broken_document() -> None:
    target = all_targets()["json"]()
    (data,) = target.render(regc.load(ROOT / "tests/fixtures/good/features.md"), target.Options.model_validate({})).values()
    document = json.loads(data)
    document["aliases"]["reasoning"]["fallbacks"] = "openai/o3"
    del document["models"]["openai/o3"]["status"]
    assert len(list(_validator("resolved-registry").iter_errors(document))) == 2


@pytest.mark.parametrize("path", [p for p in GOOD if p.suffix == ".yaml"], ids=lambda p: p.name)
def test_yaml_registry_validates_against_the_editor_schema(path: Path) -> None:
    document = yamlio.to_python(yamlio.load(path.read_text(encoding="utf-8"), str(path)))
    # JSON Schema knows no dates: YAML timestamps are strings to an editor.
    assert list(_validator("registry").iter_errors(json.loads(json.dumps(document, default=str)))) == []


def test_repository_config_validates() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["regc"]
    assert list(_validator("config").iter_errors(config)) == []
