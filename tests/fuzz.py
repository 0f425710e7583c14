"""Fuzz regc's front ends, loaders and emitters with hypothesis; only regc's own errors may escape.

    .venv/bin/python -m tests.fuzz                      # every target, 60 seconds in all
    .venv/bin/python -m tests.fuzz --seconds 1800 --target markdown,emit
    .venv/bin/python -m tests.fuzz --list

Each target is a strategy of inputs and a check that feeds one input to regc:

- ``bytes``: a fixture's bytes, mutated (flipped bytes, a BOM, CRLF, UTF-16, cut short), read as a file;
- ``markdown`` / ``yaml``: a registry from the corpus (every fixture, good, hostile and bad, and this
  repository's registry), mutated line by line with markdown or YAML syntax, look-alike and invisible
  characters and random text; hypothesis-made YAML registries with hostile strings too;
- ``cells``: the small languages of table cells (prices, context windows, kinds, statuses, entries);
- ``config``: ``regc.toml`` made of random tables and values of every TOML type, and mutated real ones;
- ``policy``: ``policy.yaml`` mutated, and made of random rules, waivers and custom JSON-Schema rules;
- ``emit``: registries that load (hostile YAML ones), rendered by every target.

Every registry that loads is also linted (with no policy and with this repository's) and reported
in every format (JSON and SARIF parsed, JUnit parsed as XML), explained alias by alias, compared
with another registry (``regc diff``'s reports), rendered by every built-in target (each output
read back: JSON parsed, YAML loaded, SQL run in SQLite), and, for markdown, formatted by
``regc fmt``'s writer, whose own check refuses a change of meaning.

The only exception a check lets escape is ``regc.errors.RegcError`` (an input error, exit 2); any
other is a bug, and hypothesis prints the smallest input it found that raises it. The CI runs a
short, derandomized pass of every target (``tests/test_fuzz.py``); a long run is this script with
``--seconds``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regc.errors import RegcError

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TODAY = datetime.date(2026, 11, 22)

# --- the corpus ----------------------------------------------------------------------------


@functools.cache
def corpus(suffixes: tuple[str, ...]) -> tuple[bytes, ...]:
    """Every registry the tests know with one of ``suffixes``: good, hostile, bad, and this repository's."""
    paths = [ROOT / "registry.md", *sorted(p for kind in ("good", "hostile", "bad") for p in (FIXTURES / kind).iterdir())]
    return tuple(p.read_bytes() for p in paths if p.suffix in suffixes)


def texts(suffixes: tuple[str, ...], *, valid_only: bool = False) -> list[str]:
    found = [data.decode("utf-8", "replace") for data in corpus(suffixes)]
    if valid_only:  # the registries that load: small edits of these reach the linter and the emitters
        found = [text for text in found if _loads(text, suffixes[0])]
    return found


def _loads(text: str, suffix: str) -> bool:
    from regc import pipeline

    try:
        pipeline.load_text(text, f"registry{suffix}")
    except RegcError:
        return False
    return True


#: Pieces of syntax, look-alikes and invisibles that mutations insert.
MARKDOWN_TOKENS = [
    "|", "||", "\\|", "`", "``", "**", "---", "***", "<!--", "-->", '<!-- regc:ignore price-present reason="x" -->',
    "<!-- regc:ignore", "## X · alias `y`", "## Models", "| **Primary** | `a/b` |", "| **Alternatives** | `a/c`, `b/d` (when x) |",
    "| Alias | Resolves to | Notes |", "| Model | Kind | Input $/MTok | Context | Status |", "|---|---|", "| a | b | c |",
    "```", "~~~", "    ", "\t", "> ", "- ", "1. ", "# ", "·", "alias", "(when key added)", "$1.50", "0.20-0.60", "1M", "200K",
    "retired 2026-01-01 → a/b", "deprecated 2026-13-45", "embedding (3072)", "free", "n/a", "{{ x }}", "{% if %}", "'", '"',
    "\r", "\r\n", "\u2028", "\x85", "\x0c", "\x1b[31m", "\u202e", "\u200b", "\u200d", "\ufeff", "\u0430", "\uff41", "../",
    "openai/../x", "sk-proj-" + "Zq7xR2mK9pL4vN8w" * 2, "<script>", "<pre>", "<?", "<![CDATA[", "]]>", "[x]: http://y",
]
YAML_TOKENS = [
    ": ", "- ", "[", "]", "{", "}", ", ", "&a ", "*a", "<<: ", "!!str ", "!!python/object:os.system ", "!x ", "? ", "|", ">-",
    "'", '"', "#", "---", "...", "\t", "  ", "%YAML 1.1", "null", "~", "yes", "1e3", "0x1F", "2026-01-01", "2026-13-45",
    "\\ud800", "\\x00", "\\", "aliases:", "legacy:", "models:", "waivers:", "primary: a/b", "resolves_to: x",
    "alternatives: [a/b, \"c/d (when x)\"]", "rationale: {a: b}", "input: $1.50", "context: 1M", "status: retired 2026-01-01",
    "\u0430", "\u202e", "\ufeff", "\r", "\x85", "../", "rule: price-present", "reason: x", "until: 2026-01-01",
]


def _mutated(base: list[str], tokens: list[str], edits: int = 8) -> st.SearchStrategy[str]:
    @st.composite
    def build(draw: st.DrawFn) -> str:
        lines = draw(st.sampled_from(base)).split("\n")
        piece = st.one_of(st.sampled_from(tokens), st.text(max_size=12))
        for _ in range(draw(st.integers(0, edits))):
            op = draw(st.sampled_from(["insert", "replace", "delete", "duplicate", "swap", "splice", "truncate"]))
            at = draw(st.integers(0, max(len(lines) - 1, 0)))
            line = lines[at] if lines else ""
            if op == "insert":
                col = draw(st.integers(0, len(line)))
                lines[at:at + 1] = [line[:col] + draw(piece) + line[col:]]
            elif op == "replace" and line:
                start = draw(st.integers(0, len(line) - 1))
                end = draw(st.integers(start, min(len(line), start + 8)))
                lines[at] = line[:start] + draw(piece) + line[end:]
            elif op == "delete" and lines:
                del lines[at:at + draw(st.integers(1, 4))]
            elif op == "duplicate" and lines:
                lines.insert(at, line)
            elif op == "swap" and len(lines) > 1:
                other = draw(st.integers(0, len(lines) - 1))
                lines[at], lines[other] = lines[other], lines[at]
            elif op == "splice":
                lines.insert(at, draw(st.sampled_from(tokens)) + draw(st.sampled_from(tokens)))
            elif op == "truncate":
                text = "\n".join(lines)
                return text[: draw(st.integers(0, len(text)))]
        return "\n".join(lines)

    return build()


# --- checks ----------------------------------------------------------------------------------


@functools.cache
def _project() -> Path:
    return Path(tempfile.mkdtemp(prefix="regc-fuzz-"))


@functools.cache
def _config() -> Any:
    from regc.model.config import Config, ConfigFile

    targets = {name: {} for name in ("envoy", "go", "json", "litellm", "sqlite")}
    return Config(root=_project(), file=None, settings=ConfigFile(targets=targets))


@functools.cache
def _policies() -> tuple[Any, ...]:
    from regc.lint.policy import EMPTY, parse_policy

    return EMPTY, parse_policy((ROOT / "policy.yaml").read_text(encoding="utf-8"), "policy.yaml")


def check_registry(text: str, suffix: str) -> None:
    """Load, lint, render (and read back) and, for markdown, format a registry text; only RegcError may escape."""
    from regc import pipeline
    from regc.lint import run
    from regc.model.providers import providers

    display = f"registry{suffix}"
    try:
        resolved = pipeline.load_text(text, display)
    except RegcError:
        return
    for policy in _policies():
        try:
            result = run(resolved, policy=policy, today=TODAY, providers=providers(), text=text)
        except RegcError:
            continue
        check_reports(result)
    check_views(resolved)
    check_outputs(resolved)
    if suffix == ".md":
        check_format(text, display, resolved)


def check_reports(result: Any) -> None:
    """Every lint report format, read back: JSON and SARIF parse, JUnit is well-formed XML."""
    from xml.etree import ElementTree

    from regc import reports

    for name in reports.REPORTERS:
        report = reports.render(name, result)
        if name in {"json", "sarif"}:
            json.loads(report)
        elif name == "junit":
            ElementTree.fromstring(report)


@functools.cache
def _base() -> Any:
    from regc import pipeline

    return pipeline.load(FIXTURES / "good" / "features.md")


def check_views(resolved: Any) -> None:
    """What people read about a registry: every alias's chain and explanation, and its difference from another."""
    from regc.reports import diffreport, explain
    from regc.reports.compare import compare

    for alias in resolved.aliases:
        resolved.resolve(alias.name)
        explain.alias_text(resolved, alias.name)
        json.dumps(explain.alias_data(resolved, alias.name))
    for old, new in ((_base(), resolved), (resolved, _base())):
        comparison = compare(old, new)
        diffreport.text(comparison, "a", "b")
        diffreport.markdown(comparison, "a", "b")
        json.loads(diffreport.to_json(comparison, "a", "b"))


def check_outputs(resolved: Any) -> None:
    """Render every built-in target; each output must read back in its own language."""
    from ruamel.yaml import YAML

    from regc import pipeline

    try:
        outputs = pipeline.render(resolved, _config())
    except RegcError:
        return
    yaml = YAML(typ="safe", pure=True)
    for path, data in outputs.items():
        text = data.decode("utf-8")
        if path.endswith(".json"):
            json.loads(text)
        elif path.endswith(".yaml"):
            list(yaml.load_all(text))
        elif path.endswith(".sql"):
            connection = sqlite3.connect(":memory:")
            try:
                connection.executescript(text)
            finally:
                connection.close()


def check_format(text: str, display: str, before: Any) -> None:
    """``regc fmt``'s writer on a registry that loads: its output means the same (``check_meaning`` raises if not)."""
    from regc import pipeline
    from regc.cli.prices import check_meaning
    from regc.parse.document import Document, format_document

    # As Document.read builds it: a byte-order mark is the file's, and the body (what was parsed) is ``text``.
    document = Document("\ufeff" + text if text.startswith("\ufeff") else text, display)
    formatted = format_document(document, pipeline.parse(document.body, display))
    check_meaning(before, formatted.body, display)


def check_bytes(data: bytes) -> None:
    """A file's bytes, read as regc reads files (UTF-8, BOM, NUL), then as either registry format."""
    from regc.io.source import decode

    try:
        text = decode(data, "registry.md")
    except RegcError:
        return
    check_registry(text, ".md")
    check_registry(text, ".yaml")


def check_cells(text: str) -> None:
    from regc.parse import cells

    for read in (cells.read_price, cells.read_context, cells.read_kind, cells.read_status, cells.read_date):
        with contextlib.suppress(cells.CellError):
            read(text)
    for entry, offset in cells.split_entries(text):
        try:
            found = cells.read_entry(entry, offset)
        except cells.EntryError as exc:
            assert 0 <= exc.offset <= len(entry), (entry, exc.offset)
            continue
        cells.references_in(found.note or found.head)
    if cells.is_model_ref(text):
        cells.split_ref(text)
    cells.ref_problem(text)
    cells.alias_name_problem(text)


def check_config(text: str) -> None:
    """A ``regc.toml``: loaded, its targets configured, rendered and planned (nothing written)."""
    from regc import pipeline, targets
    from regc.io import write
    from regc.model.config import load_config

    project = _project()
    (project / "regc.toml").write_text(text, encoding="utf-8", errors="surrogatepass")
    (project / "registry.md").write_bytes((FIXTURES / "good" / "features.md").read_bytes())
    try:
        config = load_config(project / "regc.toml")
        targets.configured(config)
        settings_: dict[str, str] = {}
        outputs = pipeline.render(pipeline.load(config.registry_path), config, settings=settings_)
        write.plan(outputs, project, locate=lambda path: pipeline.setting_line(config, settings_.get(path, "")))
    except RegcError:
        pass


def check_policy(text: str) -> None:
    """A ``policy.yaml``: parsed, its rules known, a registry linted under it."""
    from regc import pipeline
    from regc.lint import known_rules, run
    from regc.lint.policy import parse_policy
    from regc.model.providers import providers

    try:
        policy = parse_policy(text, "policy.yaml")
        known_rules(policy)
        resolved = pipeline.load(FIXTURES / "good" / "features.md")
        run(resolved, policy=policy, today=TODAY, providers=providers(), text=None)
    except RegcError:
        pass


# --- strategies --------------------------------------------------------------------------------


def _toml_string(text: str) -> str:
    return json.dumps(text).replace("\x7f", "\\u007f")


def toml_value(value: object) -> str:
    """``value`` in TOML's inline syntax (the subset hypothesis makes: strings, numbers, booleans, arrays, tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        import math

        return repr(value) if math.isfinite(value) else "nan"
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{_toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(table: dict[str, object]) -> str:
    return "".join(f"{_toml_string(key)} = {toml_value(value)}\n" for key, value in table.items())


_scalars = st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=False), st.booleans(),
                     st.sampled_from(["registry.md", "../x", "/etc/passwd", "out/x.json", "schema", "targets", "", "."]))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=8)
_config_keys = st.sampled_from(["registry", "policy", "cache_dir", "targets", "providers", "other"])
_target_names = st.sampled_from(["json", "go", "litellm", "envoy", "sqlite", "schema", "nope"])
_option_keys = st.sampled_from(["path", "enabled", "package", "mode", "variable", "marker", "indent", "database", "namespace",
                                "name_prefix", "max_rules_per_route", "num_retries", "master_key_env", "fallbacks", "x"])


@st.composite
def configs(draw: st.DrawFn) -> str:
    table: dict[str, object] = draw(st.dictionaries(_config_keys, _values, max_size=3))
    if draw(st.booleans()):
        table["targets"] = draw(st.dictionaries(_target_names, st.dictionaries(_option_keys, _values, max_size=3), max_size=3))
    if draw(st.booleans()):
        provider = st.dictionaries(st.sampled_from(["litellm", "api_base", "api_key_env", "local", "modelsdev"]), _values, max_size=3)
        table["providers"] = draw(st.dictionaries(st.sampled_from(["openai", "ollama", "new", "a b", "\u043epenai"]), provider, max_size=2))
    return toml_document(table)


_CONFIG_BASE = [
    'registry = "registry.md"\n\n[targets.json]\npath = "targets/json/registry.json"\n\n[targets.go]\npath = "targets/go/config.go"\n',
    '[targets.sqlite]\npath = "db/t.sql"\ndatabase = "db/t.db"\n\n[providers.ollama]\napi_base = "http://gpu:11434/v1"\n',
    '[targets.envoy]\nnamespace = "ai"\nmax_rules_per_route = 3\n\n[targets.litellm]\nnum_retries = 2\n',
]
_TOML_TOKENS = ["=", "[", "]", "[[", "]]", '"', "'", "'''", '"""', ".", "#", "\n", "true", "1e400", "-0", "inf", "nan",
                "[targets]", "[targets.json]", "path = ", "enabled = ", "\\u0000", "\\", "{", "}", ",", "../"]


@st.composite
def policies(draw: st.DrawFn) -> str:
    from regc.lint import known_rules
    from regc.lint.policy import EMPTY
    from tests.registries import yaml_string

    rule_ids = [*known_rules(EMPTY), "nope", "Bad Id"]
    rule = st.sampled_from(rule_ids)
    lines = []
    if draw(st.booleans()):
        lines.append("rules:")
        option = st.sampled_from(["severity", "notice_days", "factor", "min_fallbacks", "extra_patterns", "x"])
        level = st.sampled_from(["error", "warning", "info", "off", "loud"])
        settings_ = draw(st.dictionaries(rule, st.one_of(level, st.dictionaries(option, _scalars, max_size=2)), max_size=3))
        lines += [f"  {yaml_string(rule_id)}: {json.dumps(setting)}" for rule_id, setting in settings_.items()]
    if draw(st.booleans()):
        lines.append("waivers:")
        for _ in range(draw(st.integers(0, 3))):
            fields = {"rule": draw(rule), "reason": draw(st.text(max_size=10)), "alias": draw(st.sampled_from(["reasoning", "x", "fast"])),
                      "until": draw(st.sampled_from(["2026-01-01", "2027-12-31", "tomorrow", "2026-02-30"]))}
            lines.append("  - " + json.dumps({k: v for k, v in fields.items() if draw(st.booleans()) or k == "rule"}))
    if draw(st.booleans()):
        lines.append("custom_rules:")
        schema = draw(st.recursive(st.sampled_from([{"type": "string"}, {"pattern": "(unclosed"}, {"pattern": "^a"}, {"minItems": 1},
                                                    {"required": ["x"]}, {"type": "nope"}, {"format": "regex"}, {"$ref": "#/nope"},
                                                    {"not": {}}, True, False]),
                                   lambda inner: st.dictionaries(st.sampled_from(["properties", "items", "if", "then", "allOf", "anyOf"]),
                                                                 inner, max_size=2), max_leaves=4))
        custom = {"id": draw(st.sampled_from(["my-rule", "Bad", "retired-model"])), "severity": "error", "message": "m",
                  "applies_to": draw(st.sampled_from(["alias", "model", "x"])), "schema": schema}
        lines.append("  - " + json.dumps(custom))
    if draw(st.booleans()):
        lines.append("retired:")
        lines.append("  - " + json.dumps({"model": draw(st.sampled_from(["openai/o3", "o3", "a/../b"])), "date": "2026-01-01",
                                          "replacement": draw(st.sampled_from(["openai/gpt-5", "x y"]))}))
    if draw(st.booleans()):
        lines.append(f"fail_severity: {draw(st.sampled_from(['error', 'info', 'none', '3']))}")
    return "\n".join(lines) + "\n"


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(corpus((".md", ".yaml")))))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "bom", "crlf", "utf16", "cut"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(max_size=6))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 8))]
        elif op == "bom":
            data[0:0] = b"\xef\xbb\xbf"
        elif op == "crlf":
            data = bytearray(bytes(data).replace(b"\n", b"\r\n"))
        elif op == "utf16":
            data = bytearray(bytes(data).decode("utf-8", "replace").encode("utf-16"))
        elif op == "cut":
            del data[at:]
    return bytes(data)


def _cell_texts() -> st.SearchStrategy[str]:
    words = ["$", "1", ".", "0", "-", "–", "to", "/", "image", "min", "K", "M", "k", "tokens", "~", "+", ",", "(", ")", "`", " ",
             "embedding", "chat", "dim", "retired", "deprecated", "active", "→", "->", "use", "replaced by", "2026-05-15", "a/b",
             "when", "free", "n/a", "\u2028", "\u0430"]
    return st.one_of(st.text(max_size=40), st.lists(st.sampled_from(words), max_size=12).map("".join))


def _registry_checks(suffix: str) -> Callable[[str], None]:
    return lambda text: check_registry(text, suffix)


@functools.cache
def targets() -> dict[str, tuple[st.SearchStrategy[Any], Callable[[Any], None]]]:
    """Target name -> (strategy of inputs, check)."""
    from tests.registries import yaml_registries

    return {
        "bytes": (mutated_bytes(), check_bytes),
        "markdown": (st.one_of(_mutated(texts((".md",), valid_only=True), MARKDOWN_TOKENS, edits=3),
                               _mutated(texts((".md",)), MARKDOWN_TOKENS)), _registry_checks(".md")),
        "yaml": (st.one_of(_mutated(texts((".yaml",), valid_only=True), YAML_TOKENS, edits=3), _mutated(texts((".yaml",)), YAML_TOKENS),
                           _mutated([""], YAML_TOKENS), yaml_registries()), _registry_checks(".yaml")),
        "cells": (_cell_texts(), check_cells),
        "config": (st.one_of(configs(), _mutated(_CONFIG_BASE, _TOML_TOKENS)), check_config),
        "policy": (st.one_of(policies(), _mutated([(ROOT / "policy.yaml").read_text(encoding="utf-8")], YAML_TOKENS)), check_policy),
        "emit": (yaml_registries(), _registry_checks(".yaml")),
    }


def run(name: str, *, max_examples: int, derandomize: bool = False) -> None:
    """One hypothesis run of target ``name``; raises (with the smallest failing input printed) on a bug."""
    strategy, check = targets()[name]

    @settings(max_examples=max_examples, deadline=None, database=None, derandomize=derandomize,
              suppress_health_check=list(HealthCheck), print_blob=True)
    @given(strategy)
    def fuzz(value: Any) -> None:
        check(value)

    fuzz.__name__ = f"fuzz_{name}"
    fuzz()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="total time, shared by the targets (default: 60)")
    parser.add_argument("--target", default=",".join(targets()), help="comma-separated targets (default: all)")
    parser.add_argument("--list", action="store_true", help="list the targets and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(targets()))
        return 0
    chosen = [name.strip() for name in args.target.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(targets()))
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; --list shows them")
    counts = dict.fromkeys(chosen, 0)
    deadline = time.monotonic() + args.seconds
    started = time.monotonic()
    while time.monotonic() < deadline:
        for name in chosen:
            if time.monotonic() >= deadline:
                break
            try:
                run(name, max_examples=50)
            except Exception:
                print(f"fuzz: target {name} found a bug (the input is above)", file=sys.stderr)
                raise
            counts[name] += 50
    summary = ", ".join(f"{name} {count:,}" for name, count in counts.items())
    print(f"fuzz: {sum(counts.values()):,} inputs in {time.monotonic() - started:.0f} s, no bug found ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
