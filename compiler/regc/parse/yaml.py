"""The YAML front end: ``registry.yaml`` -> the same raw records as markdown.

The document's shape is checked against ``RegistryFile`` (which is also the
source of ``schema/registry.schema.json`` for editors); its values are kept
as the text that was written, so ``$15.00``, ``200K`` or
``retired 2026-05-15 → xai/grok-4.3`` mean exactly what they mean in a
markdown cell.
"""

from __future__ import annotations

import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from regc.errors import Diagnostic, DiagnosticCollector, InputError
from regc.parse import yamlio
from regc.parse.raw import Pos, RawAlias, RawModel, RawProse, RawRegistry, RawWaiver, Text

Scalar = str | int | float


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


_STATUS = ("active (or absent), or `deprecated YYYY-MM-DD → replacement`: the sunset date, after which the alias is "
           "removed, and the alias clients move to")


class AliasFile(_Strict):
    """A use-case alias."""

    title: str | None = None
    primary: str = Field(description="`provider/model` or the name of another alias")
    alternatives: list[str] | str = Field(
        default=[], description="In fallback order; `ref (note)`; a note starting with 'when' makes it pending"
    )
    rationale: dict[str, str] = Field(default={}, description="`Why primary`, `Why not X`, ...: kept verbatim, in order")
    status: str | None = Field(default=None, description=_STATUS)


class LegacyFile(_Strict):
    """A legacy (tier shortcut) alias."""

    resolves_to: str = Field(description="`provider/model` or the name of another alias")
    alternatives: list[str] | str = []
    notes: str | None = None
    status: str | None = Field(default=None, description=_STATUS)


class ModelFile(_Strict):
    """Per-model data; the same cell syntax as the markdown Models table."""

    kind: str | None = Field(
        default=None, description="chat, embedding, image, transcription, speech, moderation, rerank; `embedding (3072)`"
    )
    input: Scalar | None = Field(default=None, description="USD per 1M tokens: 15, '$15.00', '0.20-0.60', free, n/a, '$0.04/image'")
    output: Scalar | None = None
    cache_read: Scalar | None = None
    cache_write: Scalar | None = None
    context: Scalar | None = Field(default=None, description="tokens: 200000, 200K, 1M")
    status: str | None = Field(default=None, description="active | deprecated YYYY-MM-DD | retired YYYY-MM-DD → provider/model")
    source: str | None = None


class WaiverFile(_Strict):
    rule: str
    reason: str | None = None
    until: datetime.date | None = None
    alias: str | None = None
    model: str | None = None


class ProseFile(_Strict):
    heading: str
    text: str | None = None


class RegistryFile(_Strict):
    """regc registry (YAML form of registry.md)."""

    reviewed: datetime.date | None = Field(default=None, description="date of the last review, YYYY-MM-DD")
    title: str | None = None
    meta: dict[str, object] = {}
    aliases: dict[str, AliasFile]
    legacy: dict[str, LegacyFile] = {}
    models: dict[str, ModelFile] = {}
    waivers: list[WaiverFile] = []
    prose: list[ProseFile] = []


def parse_yaml(text: str, path: str) -> RawRegistry:
    root = yamlio.load(text, path)
    if root is None:
        raise InputError.at(path, 1, "the registry is empty; it needs at least `aliases:`")
    if not isinstance(root, yamlio.YMap):
        raise InputError.at(path, root.pos.line, "a YAML registry is a mapping with `aliases:` (and `legacy:`, `models:`)")
    _validate(root, path)
    errors = DiagnosticCollector(path)

    aliases: list[RawAlias] = []
    for key, body in _items(root.get("aliases")):
        assert isinstance(body, yamlio.YMap)
        title = body.get("title")
        aliases.append(RawAlias(
            name=str(key.value),
            section="use-case",
            title=_text(title).value if title is not None else str(key.value),
            pos=key.pos,
            primary=_text(body.get("primary")),
            alternatives=_alternatives(body.get("alternatives")),
            rationale=tuple((str(k.value), _text(v)) for k, v in _items(body.get("rationale"))),
            status=_status(body.get("status")),
        ))
    for key, body in _items(root.get("legacy")):
        assert isinstance(body, yamlio.YMap)
        notes = body.get("notes")
        aliases.append(RawAlias(
            name=str(key.value),
            section="legacy",
            title=str(key.value),
            pos=key.pos,
            primary=_text(body.get("resolves_to")),
            alternatives=_alternatives(body.get("alternatives")),
            rationale=(),
            notes=_text(notes) if notes is not None else None,
            status=_status(body.get("status")),
        ))
    models = [
        RawModel(ref=Text(str(key.value), key.pos), cells=tuple((str(k.value), _text(v)) for k, v in _items(body)), pos=key.pos)
        for key, body in _items(root.get("models"))
    ]
    waivers = [_waiver(node) for node in _seq(root.get("waivers"))]
    prose = [RawProse(_text(node.get("heading")).value, 2, node.pos) for node in _seq(root.get("prose")) if isinstance(node, yamlio.YMap)]
    meta = {k: v for k, v in yamlio.to_python(root).items() if k in {"reviewed"}}
    meta.update(yamlio.to_python(root.get("meta")) or {})
    meta_pos = {str(k.value): k.pos for k, _ in root.items if k.value == "reviewed"}
    title = root.get("title")
    errors.raise_if_any()
    return RawRegistry(
        path=path,
        format="yaml",
        meta=meta,
        meta_pos=meta_pos,
        title=_text(title).value if title is not None else None,
        aliases=tuple(aliases),
        models=tuple(models),
        prose=tuple(prose),
        waivers=tuple(waivers),
    )


def _validate(root: yamlio.YMap, path: str) -> None:
    try:
        RegistryFile.model_validate(yamlio.to_python(root))
    except ValidationError as exc:
        diagnostics = []
        for error in exc.errors():
            loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and part in {"str", "int", "float", "list[str]"}))
            pos = yamlio.locate(root, loc) or root.pos
            where = ".".join(str(part) for part in loc) or "document"
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                from regc.parse.suggest import keys_at, unknown_key

                message = unknown_key(str(loc[-1]), keys_at(RegistryFile, loc[:-1]), ".".join(str(p) for p in loc[:-1]) or "the registry")
            diagnostics.append(Diagnostic(path, pos.line, pos.col, f"{where}: {message}"))
        raise InputError(diagnostics) from None


def _items(node: yamlio.YNode | None) -> list[tuple[yamlio.YScalar, yamlio.YNode]]:
    return list(node.items) if isinstance(node, yamlio.YMap) else []


def _seq(node: yamlio.YNode | None) -> list[yamlio.YNode]:
    return list(node.items) if isinstance(node, yamlio.YSeq) else []


def _text(node: yamlio.YNode | None) -> Text:
    if isinstance(node, yamlio.YScalar):
        # The source text, not the constructed value: 1.50 stays "1.50", 2026-11-01 stays a date string.
        value = node.text if not isinstance(node.value, str) else node.value
        return Text("" if node.value is None else value, node.pos)
    return Text("", node.pos if node is not None else Pos(1))


def _status(node: yamlio.YNode | None) -> Text | None:
    """The Status cell's text, or None for an absent or empty one (an active alias, as in markdown)."""
    text = _text(node) if node is not None else None
    return text if text is not None and text.value.strip() else None


def _alternatives(node: yamlio.YNode | None) -> tuple[Text, ...]:
    from regc.parse.cells import split_entries

    if isinstance(node, yamlio.YScalar) and isinstance(node.value, str):
        return tuple(Text(entry, Pos(node.pos.line, node.pos.col + offset)) for entry, offset in split_entries(node.value))
    return tuple(_text(item) for item in _seq(node))


def _waiver(node: yamlio.YNode) -> RawWaiver:
    assert isinstance(node, yamlio.YMap)
    values = {str(k.value): _text(v).value for k, v in node.items}
    return RawWaiver(
        rule=values["rule"],
        reason=values.get("reason"),
        until=values.get("until"),
        pos=node.pos,
        alias=values.get("alias"),
        model=values.get("model"),
    )
