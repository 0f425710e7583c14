"""``regc explain ALIAS``: what an alias resolves to, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from regc.parse.cells import usd_text

if TYPE_CHECKING:
    import datetime

    from regc.lint import LintResult
    from regc.lint.context import Retirement
    from regc.model import Model, PriceCell
    from regc.model.resolve import ResolvedRegistry


def alias_data(registry: ResolvedRegistry, name: str, lint: LintResult | None = None) -> dict[str, Any]:
    """The explanation as data (``--format json``); the text form renders this.

    With ``lint`` (the run whose findings are shown), each model's status is the one the rules judged by: its
    Status cell, the policy's ``retired:`` list and the policy's catalog, the earliest date winning, with its source.
    """
    alias = registry.alias(name)
    chain = registry.resolve(name)
    path = registry.registry.path
    notes = _entry_notes(registry, [name, *chain.via])
    data: dict[str, Any] = {
        "alias": name,
        "title": alias.title,
        "section": alias.section,
        "source": f"{path}:{alias.pos.line}",
        "kind": registry.kind(name),
        "via": list(chain.via),
        "chain": [
            {"position": index, "role": "primary" if index == 0 else "fallback", "model": str(ref), **_model_data(registry.model(ref)),
             **_lifecycle(registry.model(ref), str(ref), lint), "note": notes.get(str(ref))}
            for index, ref in enumerate(chain.models)
        ],
        "pending": [{"entry": e.target, "note": e.note, "line": e.pos.line} for e in chain.pending],
        "not_routable": [{"entry": e.text, "reason": _unroutable_reason(e.ref is not None), "line": e.pos.line} for e in chain.unroutable],
        "rationale": [{"key": r.key, "text": r.text, "line": r.pos.line} for r in alias.rationale],
        "notes": alias.notes,
    }
    if alias.deprecated is not None:  # only then, as the json target writes it
        data["deprecated"] = {"sunset": alias.deprecated.sunset.isoformat(), "replacement": alias.deprecated.replacement,
                              "line": alias.deprecated.line}
    return data


def _entry_notes(registry: ResolvedRegistry, names: list[str]) -> dict[str, str]:
    """Each model's note as its entry writes it (`openai/o3` (a note)), in the alias and the aliases it resolves through."""
    notes: dict[str, str] = {}
    for name in names:
        alias = registry.alias(name)
        for entry in (alias.primary, *alias.alternatives):
            if entry.ref is not None and entry.note is not None and not entry.pending:
                notes.setdefault(str(entry.ref), entry.note)
    return notes


def concerns(registry: ResolvedRegistry, name: str, alias: str | None, model: str | None) -> bool:
    """A lint finding is about alias ``name``: it names the alias, or names no alias and a model of its chain."""
    if alias is not None:
        return alias == name
    return model is not None and model in {str(ref) for ref in registry.resolve(name).models}


def _unroutable_reason(is_ref: bool) -> str:
    return "no provider: write it as provider/model" if is_ref else "not a model reference (kept as a note)"


def _model_data(model: Model | None) -> dict[str, Any]:
    if model is None:
        return {"listed": False}
    return {
        "listed": True,
        "kind": model.kind,
        "dimensions": model.dimensions,
        "input": _price_text(model.input),
        "output": _price_text(model.output),
        "context": model.context,
        "status": model.status.state
        + (f" {model.status.date.isoformat()}" if model.status.date else "")
        + (f" → {model.status.replacement}" if model.status.replacement else ""),
        "line": model.pos.line,
    }


def _lifecycle(model: Model | None, ref: str, lint: LintResult | None) -> dict[str, Any]:
    """The model's status as lint sees it, and what says so (``policy.yaml:7``, a catalog; None: the Models row's Status)."""
    retirement = lint.retirements.get(ref) if lint is not None else None
    if retirement is None or lint is None or lint.today is None:
        return {"status_source": None}
    if model is not None and retirement.source == f"{lint.registry_path}:{model.pos.line}":
        return {"status_source": None}  # the Status cell itself: shown as written
    _, status = lint_status(retirement, lint.today)
    return {"status": status, "status_source": retirement.source}


def lint_status(retirement: Retirement, today: datetime.date) -> tuple[Literal["retired", "deprecated"], str]:
    """A retirement as lint judges it on ``today``: retired from its date on, deprecated before (``regc graph`` too)."""
    replacement = f" → {retirement.replacement}" if retirement.replacement else ""
    if retirement.retired_on(today):
        return "retired", f"retired {retirement.date}{replacement}"
    if retirement.date is not None:
        return "deprecated", f"deprecated, retires {retirement.date}{replacement}"
    return "deprecated", f"deprecated{replacement}"


def _price_text(price: PriceCell) -> str | None:
    from regc.model import Price

    if not isinstance(price, Price):
        return price
    if price.usd == 0:
        return "free"
    unit = {"mtok": "/1M tok", "image": "/image", "minute": "/min", "second": "/s"}[price.unit]
    return f"${usd_text(price.low) + '–' if price.low is not None else ''}{usd_text(price.usd)}{unit}"



def _context_text(tokens: int | None) -> str:
    if tokens is None:
        return "context ?"
    if tokens >= 1_000_000 and tokens % 1_000_000 == 0:
        return f"{tokens // 1_000_000}M ctx"
    if tokens >= 1000:
        return f"{tokens / 1000:g}K ctx"
    return f"{tokens} ctx"


def alias_text(registry: ResolvedRegistry, name: str, lint: LintResult | None = None) -> str:
    data = alias_data(registry, name, lint)
    lines = [f"{data['alias']} — {data['title']} ({data['section']} alias, {data['source']})"]
    if data["via"]:
        lines.append(f"  resolves through: {' → '.join([name, *data['via']])}")
    if "deprecated" in data:
        end = data["deprecated"]
        lines.append(f"  status: deprecated, sunset {end['sunset']}; clients move to `{end['replacement']}`")
    lines.append(f"  kind: {data['kind'] or 'unknown (no Models row for the primary)'}")
    lines.append("  chain:")
    width = max(len(step["model"]) for step in data["chain"])
    for step in data["chain"]:
        if step["listed"]:
            kind = step["kind"] or "?"
            if step["dimensions"]:
                kind += f" ({step['dimensions']})"
            prices = f"in {step['input'] or '?'}  out {step['output'] or '?'}"
            detail = f"{kind:<10} {prices:<34} {_context_text(step['context']):<10} {step['status']}"
        else:
            detail = "(not in the Models table: no kind, price or context)" + (f" {step['status']}" if "status" in step else "")
        if step["status_source"]:
            detail += f" ({step['status_source']})"
        lines.append(f"    {step['position'] + 1}. {step['model']:<{width}}  {step['role']:<8}  {detail}")
        if step["note"]:
            lines.append(f"    {' ' * (len(str(step['position'] + 1)) + 2)}note: {step['note']}")
    if data["pending"]:
        lines.append("  pending (listed, not routed to):")
        lines.extend(f"    - {p['entry']} ({p['note']})" for p in data["pending"])
    if data["not_routable"]:
        lines.append("  not routable:")
        lines.extend(f"    - {p['entry']}: {p['reason']}" for p in data["not_routable"])
    if data["notes"]:
        lines.append(f"  notes: {data['notes']}")
    if data["rationale"]:
        lines.append("  rationale:")
        lines.extend(f"    {r['key']}: {r['text']}" for r in data["rationale"])
    from regc.escape import terminal

    return terminal("\n".join(lines) + "\n")  # registry text on a terminal: no control sequences
