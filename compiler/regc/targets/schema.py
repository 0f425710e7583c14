"""The ``schema`` target: JSON Schemas generated from regc's pydantic models.

Editors (yaml-language-server, VS Code) and ``check-jsonschema`` use them:

- ``registry.schema.json``: the YAML form of the registry (``registry.yaml``);
- ``resolved-registry.schema.json``: what the ``json`` target writes;
- ``config.schema.json``: ``[tool.regc]`` / ``regc.toml``;
- ``policy.schema.json``: ``policy.yaml`` (each built-in rule's options included);
- one more for each module listed in ``SCHEMAS``.

They depend on regc's models, not on the registry, so they change only when
regc does; building them like any other target keeps them drift-checked.
"""

from __future__ import annotations

import functools
import importlib
import json
from typing import TYPE_CHECKING

from pydantic import Field

from regc.targets import Target, TargetOptions

if TYPE_CHECKING:
    from regc.model.resolve import ResolvedRegistry

# schema file stem -> "module:Model"
SCHEMAS = {
    "registry": "regc.parse.yaml:RegistryFile",
    "resolved-registry": "regc.targets.json:Document",
    "config": "regc.model.config:ConfigFile",
    "policy": "regc.lint.policy:PolicyFile",
}


class SchemaOptions(TargetOptions):
    path: str = Field(default="schema", description="directory the schemas are written to")


class SchemaTarget(Target[SchemaOptions]):
    name = "schema"
    description = (
        "JSON Schemas generated from regc's pydantic models: `registry.schema.json` (the YAML registry, for editors), "
        "`resolved-registry.schema.json` (the json target), `config.schema.json`, "
        "`policy.schema.json` (with each built-in rule's options)"
    )
    proven_by = "jsonschema's metaschema; fixtures and outputs validate against them"
    Options = SchemaOptions

    def render(self, registry: ResolvedRegistry, options: SchemaOptions) -> dict[str, bytes]:
        return {f"{options.path.rstrip('/')}/{stem}.schema.json": schema_bytes(stem) for stem in SCHEMAS}


@functools.cache
def schema_bytes(stem: str) -> bytes:
    """A schema's file: generated from its model once per process (verify-commits renders every commit, and pydantic's
    schema generation was 70% of that)."""
    module_name, _, class_name = SCHEMAS[stem].partition(":")
    model = getattr(importlib.import_module(module_name), class_name)
    schema = model.model_json_schema(by_alias=True)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{stem}.schema.json", **schema}
    return (json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
