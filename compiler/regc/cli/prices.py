"""The commands that compare the registry with a catalog and write it back: ``regc prices check|sync``, ``regc fmt``.

A thin layer: ``regc.catalogs`` reads catalogs, ``regc.prices`` compares, ``regc.parse.document``
writes (the one registry writer), and the lint reporters print the findings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import click

from regc.cli.context import EXIT_FINDINGS, EXIT_OK, registry_option
from regc.errors import InputError, UsageError
from regc.reports import REPORTERS, default_format

if TYPE_CHECKING:
    import datetime
    from pathlib import Path

    from regc.catalogs import Catalog
    from regc.cli.context import Context
    from regc.model.config import Config
    from regc.model.resolve import ResolvedRegistry
    from regc.parse.document import Document
    from regc.prices import Comparison
    from regc.rules import Severity


catalog_option = click.option(
    "--catalog", "catalog", metavar="litellm|models.dev|openrouter|PATH", default=None,
    help="the catalog: `litellm` (the installed package's cost map), `models.dev` ($REGC_MODELS_DEV), `openrouter` "
         "(OpenRouter's prices in $REGC_MODELS_DEV, for the models the openrouter target emits), or a JSON file "
         "(default: the policy's `catalog:`, else litellm)",
)
threshold_option = click.option(
    "--threshold", "threshold", metavar="PCT", type=click.FloatRange(min=0), default=0.0, show_default=True,
    help="ignore price differences of at most PCT percent of the catalog's price",
)
today_option = click.option(
    "--today", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD", default=None,
    help="the date that decides deprecated or retired (default: today)",
)


@click.group()
def prices() -> None:
    """Compare the Models table with a public catalog (LiteLLM's cost map, models.dev), or write the catalog's values into it."""


@prices.command("check")
@registry_option
@catalog_option
@threshold_option
@today_option
@click.option("--format", "fmt", type=click.Choice(list(REPORTERS)), default=None,
              help="how differences are printed (default: text; github when GITHUB_ACTIONS=true)")
@click.option("--fail-severity", type=click.Choice(["error", "warning", "info"]), default="warning", show_default=True,
              help="exit 1 on differences this severe or more (catalog-blank is info)")
def check(*, registry: str | None, catalog: str | None, threshold: float, today: datetime.datetime | None, fmt: str | None,
          fail_severity: str) -> int:
    """Report every difference between the registry's Models table and the catalog: prices, context windows, lifecycle."""
    from regc import prices as comparing
    from regc import reports

    obj: Context = click.get_current_context().obj
    comparison, _ = _compare(obj, registry, catalog, threshold, today)
    result = comparing.lint_result(comparison)
    threshold_severity = cast("Severity", fail_severity)
    obj.out(reports.render(fmt or default_format(), result, fail_severity=threshold_severity))
    failed = result.failed(threshold_severity)
    obj.log(f"regc: {comparison.registry_path} against {comparison.catalog.label} ({len(comparison.catalog):,} entries): "
            f"{comparison.summary()}; {result.summary().split(' (')[0]}", fg="red" if failed else None)
    return EXIT_FINDINGS if failed else EXIT_OK


@prices.command("sync")
@registry_option
@catalog_option
@threshold_option
@today_option
@click.option("--dry-run", is_flag=True, help="write nothing; print the diff, exit 1 when something would change")
def sync(*, registry: str | None, catalog: str | None, threshold: float, today: datetime.datetime | None, dry_run: bool) -> int:
    """Write the catalog's prices, context windows and lifecycle into the Models table: only the cells that differ change."""
    from regc import pipeline
    from regc import prices as comparing
    from regc.parse.document import EditError

    obj: Context = click.get_current_context().obj
    comparison, target = _compare(obj, registry, catalog, threshold, today, for_writing=True)
    path, doc = target
    assert doc is not None  # for_writing: a markdown registry
    planned = comparing.edits(comparison)
    written = []
    edited = doc
    for edit in planned:
        try:
            edited = edited.edit_cells([edit])
            written.append(edit)
        except EditError as exc:
            obj.log(f"{doc.display}:{edit.line}: not changed: {exc}; edit it by hand", fg="yellow")
    by_cell = {(d.line, d.cell): d for d in comparison.differences}
    for edit in written:
        d = by_cell[(edit.line, edit.cell)]
        field = comparing.FIELD_WORDS[d.field] if d.field else ""
        obj.out(f"{doc.display}:{d.line}:{d.col}: `{d.model}` {field}: {d.was} → {d.new}\n")
    unwritten = [d for d in comparison.differences if d.new is None]
    if unwritten:
        obj.log(f"regc: {len(unwritten)} difference{'s' if len(unwritten) != 1 else ''} have no value to write "
                "(`regc prices check` lists them)")
    if edited.text == doc.text:
        obj.log(f"regc: {doc.display} already agrees with {comparison.catalog.label}; nothing written")
        return EXIT_OK
    try:  # the writer wrote values in the cells' own grammar: the result must read back (else it is a bug)
        pipeline.load_text(edited.body, doc.display)
    except InputError as exc:
        raise AssertionError(f"the synced {doc.display} no longer parses; nothing was written:\n{exc}") from None
    if dry_run:
        obj.out(_diff(doc, edited))
        obj.log(f"regc: {len(written)} cell{'s' if len(written) != 1 else ''} would change (--dry-run: nothing written)")
        return EXIT_FINDINGS
    from regc.io.atomic import write_through

    write_through(path, edited.text.encode("utf-8"))
    rows = len({edit.line for edit in written})
    obj.log(f"regc: {doc.display}: {len(written)} cell{'s' if len(written) != 1 else ''} in {rows} row{'s' if rows != 1 else ''} "
            f"set from {comparison.catalog.label}")
    return EXIT_OK


def _compare(obj: Context, registry: str | None, catalog_spec: str | None, threshold: float, today: datetime.datetime | None,
             *, for_writing: bool = False) -> tuple[Comparison, tuple[Path, Document | None]]:
    import datetime
    from decimal import Decimal

    from regc import pipeline
    from regc import prices as comparing
    from regc.parse.document import Document

    config = obj.config(registry)
    display = config.display(config.registry_path)
    is_markdown = config.registry_path.suffix.lower() in {".md", ".markdown"}
    if for_writing and not is_markdown:
        raise UsageError(f"regc prices sync writes markdown registries; {display} is YAML (edit its models: by hand)")
    doc = Document.read(config.registry_path, display) if is_markdown else None
    resolved = pipeline.load_text(doc.body, display) if doc is not None else pipeline.load(config.registry_path, display=display)
    catalog = _catalog(config, catalog_spec)
    comparison = comparing.compare(resolved, catalog, config.providers(), today=today.date() if today else datetime.date.today(),
                                   threshold=Decimal(str(threshold)), document=doc)
    return comparison, (config.registry_path, doc)


def _catalog(config: Config, spec: str | None) -> Catalog:
    """``--catalog``, else the policy's ``catalog:``, else ``litellm``."""
    from pathlib import Path

    from regc import pipeline
    from regc.catalogs import load_catalog

    if spec is not None:
        return load_catalog(spec, root=Path.cwd(), openrouter=pipeline.openrouter_ids(config).id_of if spec == "openrouter" else None)
    policy = pipeline.load_policy(config)
    return pipeline.policy_catalog(policy, config) or load_catalog("litellm")


def _diff(before: Document, after: Document) -> str:
    from regc.io.write import Change, diff

    return diff([Change(before.display, before.text.encode("utf-8"), after.text.encode("utf-8"))])


@click.command("fmt")
@registry_option
@click.option("--check", is_flag=True, help="write nothing; print a diff and exit 1 when the registry is not formatted")
@click.option("--width", type=click.IntRange(min=20), default=None, metavar="N",
              help="widest aligned table, in columns; a wider table is written compact (default: 120)")
def fmt(*, registry: str | None, check: bool, width: int | None) -> int:
    """Normalise the registry's tables: aligned columns, Primary and Alternatives first, the Models table sorted by model."""
    from regc import pipeline
    from regc.parse.document import DEFAULT_WIDTH, Document, format_document

    obj: Context = click.get_current_context().obj
    config = obj.config(registry)
    display = config.display(config.registry_path)
    if config.registry_path.suffix.lower() not in {".md", ".markdown"}:
        raise UsageError(f"regc fmt formats markdown registries; {display} is not one")
    doc = Document.read(config.registry_path, display)
    raw = pipeline.parse(doc.body, display)
    before = pipeline.load_raw(raw)  # a registry without meaning is an input error, never rewritten
    formatted = format_document(doc, raw, max_width=width or DEFAULT_WIDTH)
    if formatted.text == doc.text:
        obj.log(f"regc: {display} is formatted")
        return EXIT_OK
    check_meaning(before, formatted.body, display)
    if check:
        obj.out(_diff(doc, formatted))
        obj.log(f"regc: {display} is not formatted; run `regc fmt`")
        return EXIT_FINDINGS
    from regc.io.atomic import write_through

    write_through(config.registry_path, formatted.text.encode("utf-8"))
    obj.out(f"formatted {display}\n")
    return EXIT_OK


def check_meaning(before: ResolvedRegistry, text: str, display: str) -> None:
    """Refuse an edit that changed what the registry means (a bug in the writer): parse the new text and compare."""
    from regc import pipeline
    from regc.parse.document import meaning

    try:
        after = pipeline.load_text(text, display)
    except InputError as exc:
        raise AssertionError(f"the rewritten {display} no longer parses:\n{exc}") from None
    if meaning(after) != meaning(before):
        raise AssertionError(f"the rewritten {display} means something else; nothing was written")


COMMANDS = (prices, fmt)
