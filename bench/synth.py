"""Synthetic registries at scale, from the real model ids and prices of the public catalogs.

``python bench/synth.py N OUT.md`` writes a registry of N aliases over up to
5,000 real models taken from LiteLLM's cost map (../shared/reference/catalogs/):
each alias has a primary, three fallbacks and rationale; legacy aliases name
other aliases; the Models table gives kind, prices, context and status.
The catalog file is read, not copied: the registry is generated from it.
"""

from __future__ import annotations

import json
import random
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = {"chat": "chat", "embedding": "embedding", "image_generation": "image", "audio_transcription": "transcription"}


def catalogs_dir() -> Path:
    """../shared/reference/catalogs beside the checkout, or beside a directory above it (a git worktree), as the tests find it."""
    for parent in ROOT.parents:
        candidate = parent / "shared" / "reference" / "catalogs"
        if candidate.is_dir():
            return candidate
    raise SystemExit(f"no shared/reference/catalogs in a directory above {ROOT} (bench/prices.py also takes --catalogs DIR)")


def catalog_models(limit: int = 5000) -> list[tuple[str, str, Decimal, Decimal, int]]:
    """(ref, kind, input $/MTok, output $/MTok, context) for catalog entries that have a provider and prices."""
    catalog = catalogs_dir() / "litellm_model_prices_and_context_window.json"
    data = json.loads(catalog.read_text(encoding="utf-8"))
    models = []
    seen: set[str] = set()
    for key, entry in sorted(data.items()):
        provider = entry.get("litellm_provider")
        kind = KINDS.get(entry.get("mode", ""))
        price_in, price_out = entry.get("input_cost_per_token"), entry.get("output_cost_per_token")
        if not provider or not kind or price_in is None or price_out is None or " " in key:
            continue
        model = key if key.startswith(f"{provider}/") else f"{provider}/{key}"
        if model in seen or not all(c.isalnum() or c in "._:@~+-/" for c in model):
            continue
        seen.add(model)
        models.append((model, kind, _per_mtok(price_in), _per_mtok(price_out), int(entry.get("max_input_tokens") or 128_000)))
        if len(models) == limit:
            break
    return models


def _per_mtok(per_token: float) -> Decimal:
    """USD per 1M tokens, to the 9 decimal places a registry may give (the catalog's floats carry noise past them)."""
    return (Decimal(str(per_token)) * 1_000_000).quantize(Decimal("1e-9")).normalize()


def registry(aliases: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    models = catalog_models()
    by_kind: dict[str, list[int]] = {}
    for index, (_, kind, *_rest) in enumerate(models):
        by_kind.setdefault(kind, []).append(index)
    chat = by_kind["chat"]
    used: set[int] = set()
    out = ["---\nreviewed: 2026-11-01\n---\n# Synthetic registry\n\nGenerated for benchmarks.\n"]
    legacy = aliases // 10
    for number in range(aliases - legacy):
        picks = rng.sample(chat, 4)
        used.update(picks)
        primary, *fallbacks = (f"`{models[i][0]}`" for i in picks)
        out.append(
            f"\n## {number}. Use case {number} · alias `use-{number}`\n\n| | |\n|---|---|\n"
            f"| **Primary** | {primary} |\n| **Alternatives** | {', '.join(fallbacks)}, `pending/model-{number}` (when key added) |\n"
            f"| **Why primary** | Picked for case {number}: quality, latency and price balance. |\n"
        )
    out.append("\n## Tier shortcuts (legacy)\n\n| Alias | Resolves to | Alternatives | Notes |\n|---|---|---|---|\n")
    for number in range(legacy):
        target = rng.randrange(aliases - legacy)
        extra = models[rng.choice(chat)][0]
        used.add(next(i for i, m in enumerate(models) if m[0] == extra))
        out.append(f"| `legacy-{number}` | `use-{target}` | `{extra}` | shortcut {number} |\n")
    out.append("\n## Models\n\n| Model | Kind | Input $/MTok | Output $/MTok | Context | Status |\n|---|---|---|---|---|---|\n")
    for index in sorted(used | set(range(min(len(models), 5000)))):
        ref, kind, price_in, price_out, context = models[index]
        output = "n/a" if kind == "embedding" else f"${price_out.normalize():f}"
        out.append(f"| `{ref}` | {kind} | ${price_in.normalize():f} | {output} | {context} | active |\n")
    return "".join(out)


if __name__ == "__main__":
    count, target = int(sys.argv[1]), Path(sys.argv[2])
    target.write_text(registry(count), encoding="utf-8")
