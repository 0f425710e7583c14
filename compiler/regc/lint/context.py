"""What a rule sees: the resolved registry, today, the policy, and the questions rules share.

The shared questions have one answer each, here: which models an alias routes
to and where each is written (``routed``), when a model retires
(``retirement``), whether it runs locally (``is_local``).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import datetime
    from collections.abc import Iterator, Mapping

    from regc.catalogs import Catalog
    from regc.lint import ActiveWaiver
    from regc.lint.policy import Policy
    from regc.model import Alias, Entry, Model, ModelRef, Pos
    from regc.model.providers import Provider
    from regc.model.resolve import Chain, ResolvedRegistry
    from regc.parse.document import Document


@dataclasses.dataclass(frozen=True)
class Routed:
    """A model an alias routes to, and the cell that makes it do so.

    ``through`` names the alias an alternative refers to (``local`` in
    ``reasoning``'s Alternatives stands for ``local``'s whole chain); then
    ``entry`` is that reference.
    """

    ref: ModelRef
    role: Literal["primary", "fallback"]
    entry: Entry
    through: str | None = None


@dataclasses.dataclass(frozen=True)
class FallbackPair:
    """A fallback and the primary it stands in for, in one alias: what the pairwise rules compare."""

    alias: str
    primary_ref: ModelRef
    primary: Model
    routed: Routed
    fallback: Model

    @property
    def via(self) -> str:
        """`` (through `local`)`` for a fallback reached through another alias, for messages."""
        return f" (through `{self.routed.through}`)" if self.routed.through else ""


@dataclasses.dataclass(frozen=True)
class Retirement:
    """When a model stops being served, from the registry's Status or the policy's ``retired:`` list.

    ``date`` is the day the provider stops serving it (a ``deprecated`` or
    ``retired`` Status date, a ``retired:`` entry's date); before that day the
    model is deprecated, from it on retired. None: a ``deprecated`` Status
    without a date (a ``retired`` Status always has one).
    """

    date: datetime.date | None
    replacement: str | None
    source: str  # "policy.yaml:3", "registry.md:186" (the Models row), or a catalog entry ("LiteLLM cost map 1.102.4 `o3`")
    marked: bool = False  # a source says "deprecated" (a `deprecated` Status, models.dev's status): warned about at any date

    def retired_on(self, today: datetime.date) -> bool:
        return self.date is not None and self.date <= today


@dataclasses.dataclass
class LintContext:
    registry: ResolvedRegistry
    today: datetime.date
    policy: Policy
    providers: Mapping[str, Provider]
    waivers: tuple[ActiveWaiver, ...]  # the policy's and the registry's, as the engine applies them (expired-waiver)
    text: str | None = None  # the registry's source text, for rules that read it (no-inline-secret)
    #: Retirements a catalog gives (the policy's `catalog:`), by model reference; ``catalog_retirements`` makes them.
    catalog_retirements: Mapping[str, Retirement] = dataclasses.field(default_factory=dict)
    #: The configuration file in use (``regc.toml``, ``pyproject.toml``; None: none), so that a message that asks for
    #: configuration writes it in that file's syntax (``config_table``).
    config_file: str | None = None
    #: The catalog the policy names (``catalog:``), for rules that ask what it lists (``catalog_model_names``).
    catalog: Catalog | None = None
    _routed_cache: dict[str, tuple[Routed, ...]] = dataclasses.field(default_factory=dict, repr=False)

    @property
    def path(self) -> str:
        return self.registry.registry.path

    def config_table(self, dotted: str) -> str:
        """``[providers.x] in regc.toml`` or ``[tool.regc.providers.x] in pyproject.toml``: as the project writes it."""
        from regc.model.config import table_header

        return table_header(self.config_file, dotted)

    def model(self, ref: ModelRef | str) -> Model | None:
        return self.registry.model(ref)

    def model_cell(self, model: Model, field: str) -> tuple[int, int]:
        """Where a Models row's ``field`` cell (``input``, ``context``) is written: its line and column in a markdown
        registry, read from the text only when a finding asks; the row's position otherwise (YAML, no text)."""
        if self.text is None or self.registry.registry.format != "markdown":
            return model.pos.line, model.pos.col
        from regc.parse.markdown import model_field

        table = self._document.table_at(model.pos.line)
        row = table.row_at(model.pos.line) if table is not None else None
        if table is None or row is None:
            return model.pos.line, model.pos.col
        for index, cell in enumerate(table.header.cells):
            if model_field(cell.content) == field and index < len(row.cells):
                return model.pos.line, row.cells[index].col
        return model.pos.line, model.pos.col

    @functools.cached_property
    def _document(self) -> Document:
        """The registry's source document, read once, when a finding first asks where a cell is (``model_cell``)."""
        from regc.parse.document import Document

        return Document(self.text or "", self.path)

    def inherits_chain(self, alias: Alias) -> bool:
        """The alias only names another alias (legacy ``best`` -> ``reasoning``): its chain is judged there."""
        return alias.primary.alias is not None and not self.routed(alias.name)

    def own_chains(self) -> Iterator[tuple[Alias, Chain, Pos]]:
        """Each alias whose chain is its own (see ``inherits_chain``), with that chain and the cell a finding about
        its fallbacks points at: Alternatives, or the primary when there is none."""
        for alias in self.registry.aliases:
            if not self.inherits_chain(alias):
                where = alias.alternatives[0].pos if alias.alternatives else alias.primary.pos
                yield alias, self.registry.resolve(alias.name), where

    def routed(self, alias_name: str) -> tuple[Routed, ...]:
        """The models this alias's own cells route to, primary first, in chain order.

        A primary that names another alias is that alias's business, and so
        are the models inherited with it; fallbacks reached through an alias
        reference in Alternatives are this alias's choice, at that reference.
        """
        if alias_name in self._routed_cache:
            return self._routed_cache[alias_name]
        alias = self.registry.alias(alias_name)
        found: list[Routed] = []
        seen: set[ModelRef] = set()
        if alias.primary.alias is not None:
            seen.update(self.registry.resolve(alias.primary.alias).models)
        elif alias.primary.ref is not None:
            found.append(Routed(alias.primary.ref, "primary", alias.primary))
            seen.add(alias.primary.ref)
        for entry in alias.alternatives:
            if entry.pending:
                continue
            if entry.alias is not None:
                for ref in self.registry.resolve(entry.alias).models:
                    if ref not in seen:
                        found.append(Routed(ref, "fallback", entry, through=entry.alias))
                        seen.add(ref)
            elif entry.routable and entry.ref is not None and entry.ref not in seen:
                found.append(Routed(entry.ref, "fallback", entry))
                seen.add(entry.ref)
        result = tuple(found)
        self._routed_cache[alias_name] = result
        return result

    def fallback_pairs(self) -> Iterator[FallbackPair]:
        """Each fallback an alias routes to (see ``routed``) with the alias's primary, when both have a Models row."""
        for alias in self.registry.aliases:
            primary_ref = self.registry.resolve(alias.name).primary
            primary = self.model(primary_ref)
            if primary is None:
                continue
            for routed in self.routed(alias.name):
                fallback = self.model(routed.ref)
                if routed.role == "fallback" and fallback is not None:
                    yield FallbackPair(alias.name, primary_ref, primary, routed, fallback)

    def direct_routes(self) -> Iterator[tuple[str, Routed]]:
        """Each alias (in file order) with each model it routes to by naming it (``through`` None), at that cell."""
        for alias in self.registry.aliases:
            for routed in self.routed(alias.name):
                if routed.through is None:
                    yield alias.name, routed

    def routed_models(self) -> dict[ModelRef, tuple[str, Routed]]:
        """Every routed model, with the first alias (in file order) and cell that routes to it directly."""
        first: dict[ModelRef, tuple[str, Routed]] = {}
        for alias_name, routed in self.direct_routes():
            first.setdefault(routed.ref, (alias_name, routed))
        return first

    @functools.cached_property
    def _retirements(self) -> dict[str, Retirement]:
        found: dict[str, Retirement] = {}
        policy_path = self.policy.display
        for index, entry in enumerate(self.policy.file.retired):
            line = self.policy.line("retired", index)
            found[entry.model] = _earlier(found.get(entry.model), Retirement(entry.date, entry.replacement, f"{policy_path}:{line}"))
        for model in self.registry.models:
            status = model.status
            if status.state not in {"retired", "deprecated"}:
                continue
            from_registry = Retirement(status.date, status.replacement, f"{self.path}:{model.pos.line}",
                                       marked=status.state == "deprecated")
            found[str(model.ref)] = _earlier(found.get(str(model.ref)), from_registry)
        for ref, from_catalog in self.catalog_retirements.items():
            found[ref] = _earlier(found.get(ref), from_catalog)
        return found

    def retirements(self) -> dict[str, Retirement]:
        """Every model's retirement, by reference (see ``retirement``)."""
        return dict(self._retirements)

    def retirement(self, ref: ModelRef | str) -> Retirement | None:
        """The model's retirement (or planned retirement), the earliest date any source gives."""
        return self._retirements.get(str(ref))

    @functools.cached_property
    def _catalog_model_names(self) -> frozenset[str]:
        return self.catalog.model_names() if self.catalog is not None else frozenset()

    def catalog_model_names(self) -> frozenset[str]:
        """Every model id the policy's catalog lists (``Catalog.model_names``); empty when the policy names none."""
        return self._catalog_model_names

    def is_local(self, ref: ModelRef) -> bool:
        """Runs on our own machines: the provider is marked ``local``, or both prices are ``free``."""
        provider = self.providers.get(ref.provider or "")
        if provider is not None and provider.local:
            return True
        model = self.model(ref)
        return model is not None and model.free


def _earlier(old: Retirement | None, new: Retirement) -> Retirement:
    """Of two sources the earlier end wins; a replacement named by either is kept."""
    if old is None:
        return new
    first, second = (old, new) if _sort_key(old) <= _sort_key(new) else (new, old)
    return dataclasses.replace(first, replacement=first.replacement or second.replacement, marked=first.marked or second.marked)


def catalog_retirements(registry: ResolvedRegistry, catalog: Catalog, providers: Mapping[str, Provider]) -> dict[str, Retirement]:
    """What ``catalog`` says about the retirement of each model the registry names (a Models row or a chain entry):
    a date (LiteLLM's ``deprecation_date``), or "deprecated" without one (models.dev)."""
    refs: dict[str, ModelRef] = {str(model.ref): model.ref for model in registry.models}
    for alias in registry.aliases:
        for entry in (alias.primary, *alias.alternatives):
            if entry.ref is not None and entry.ref.provider is not None:
                refs.setdefault(str(entry.ref), entry.ref)
    found: dict[str, Retirement] = {}
    for name, ref in refs.items():
        facts = catalog.lookup(ref, providers.get(ref.provider or "")).facts
        if facts is not None and (facts.deprecation is not None or facts.deprecated):
            found[name] = Retirement(facts.deprecation, None, f"{catalog.label} `{facts.key}`", marked=facts.deprecation is None)
    return found


def _sort_key(retirement: Retirement) -> tuple[int, str]:
    return (0, retirement.date.isoformat()) if retirement.date is not None else (1, "")  # undated: no end known yet
