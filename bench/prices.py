"""Benchmark: read both full catalogs and match them against a registry (the bar: under 2 s).

    .venv/bin/python bench/prices.py [--runs 7] [--catalogs DIR]

Figures, each the median (min, max) of N runs:

- in process: read one catalog file and compare every Models row with it (``load_catalog`` + ``compare``),
  for this repository's registry.md and for a synthetic registry with one Models row per model of
  a first-party provider the catalog lists (the most lookups a registry could ask for);
- a cold process: ``regc prices check --catalog FILE`` as a user runs it (interpreter start, imports, report).

Nothing here is a test: timings depend on the machine, so they are printed and never asserted.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from synth import catalogs_dir  # bench/ is sys.path[0] when this script runs

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TODAY = datetime.date(2026, 11, 22)

if TYPE_CHECKING:
    from collections.abc import Callable


def timed(function: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def synthetic_registry(catalog_path: Path) -> str:
    """A registry whose Models table lists every model a first-party provider has in the catalog, with prices."""
    from regc.catalogs import load_catalog
    from regc.model.providers import BUILTIN

    catalog = load_catalog(str(catalog_path))
    rows = []
    for name, provider in sorted(BUILTIN.items()):
        if provider.local:
            continue
        if catalog.name == "litellm" and provider.litellm:
            prefix = f"{provider.litellm}/"
            ids = [k.removeprefix(prefix) for k in catalog.entries if k.startswith(prefix)]  # type: ignore[attr-defined]
            if provider.litellm_catalog_bare:
                ids += [k for k, v in catalog.entries.items() if "/" not in k and v.get("litellm_provider") == provider.litellm]  # type: ignore[attr-defined]
        elif catalog.name == "models.dev" and provider.modelsdev:
            ids = list(catalog.entries.get(provider.modelsdev, {}))  # type: ignore[attr-defined]
        else:
            continue
        usable = sorted(model for model in set(ids) if " " not in model and "|" not in model)
        rows += [f"| `{name}/{model}` | $1.00 | $2.00 | 128K | active |" for model in usable]
    first = rows[0].split("`")[1]
    return (f"## A · alias `a`\n\n| | |\n|---|---|\n| **Primary** | `{first}` |\n\n## Models\n\n"
            "| Model | Input | Output | Context | Status |\n|---|---|---|---|---|\n" + "\n".join(rows) + "\n")


def in_process(catalog_path: Path, registry: Path, runs: int) -> tuple[list[float], int, int]:
    from regc import pipeline, prices
    from regc.catalogs import load_catalog
    from regc.model.providers import providers
    from regc.parse.document import Document

    doc = Document.read(registry, registry.name)
    resolved = pipeline.load_text(doc.body, registry.name)
    table = providers()
    found: list[int] = []

    def once() -> None:
        catalog = load_catalog(str(catalog_path))
        comparison = prices.compare(resolved, catalog, table, today=TODAY, document=doc)
        found[:] = [len(catalog), len(comparison.differences)]

    times = timed(once, runs)
    return times, found[0], len(resolved.models)


def cold(catalog_path: Path, registry: Path, runs: int) -> list[float]:
    command = [str(BIN / "regc"), "prices", "check", "--registry", str(registry), "--catalog", str(catalog_path), "--today", "2026-11-22"]
    return timed(lambda: subprocess.run(command, cwd=ROOT, capture_output=True, check=False), runs)


def row(name: str, times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return f"| {name} | {statistics.median(ms):.0f} ms | {min(ms):.0f} ms | {max(ms):.0f} ms |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--catalogs", type=Path, default=None)
    args = parser.parse_args()
    directory = args.catalogs or catalogs_dir()
    files = {"LiteLLM": directory / "litellm_model_prices_and_context_window.json", "models.dev": directory / "modelsdev_models.json"}
    print(f"{args.runs} runs each; median, min, max\n")
    print("| figure | median | min | max |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        both: list[float] = [0.0] * args.runs
        for label, path in files.items():
            times, entries, models = in_process(path, ROOT / "registry.md", args.runs)
            both = [a + b for a, b in zip(both, times, strict=True)]
            print(row(f"{label} ({entries:,} entries): read + match registry.md ({models} models), in process", times))
            synthetic = Path(tmp) / f"{label}.md"
            synthetic.write_text(synthetic_registry(path), encoding="utf-8")
            times, _, models = in_process(path, synthetic, args.runs)
            print(row(f"{label}: read + match a registry of {models:,} models, in process", times))
            print(row(f"{label}: `regc prices check` on registry.md, cold process", cold(path, ROOT / "registry.md", args.runs)))
        print(row("both catalogs: read + match registry.md, in process (sum per run)", both))


if __name__ == "__main__":
    main()
