"""What `regc lint` finds: the seed registry as its users keep it, this repository's registry, and the rules' semantics.

The seed's expected findings are written out one by one (line, column, rule,
alias, model): each is a finding its maintainers would expect, at the cell to
fix, and nothing else may appear.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from regc import pipeline
from regc.lint import LintResult, run
from regc.lint.policy import EMPTY, Policy, parse_policy
from regc.model.config import load_config
from regc.model.providers import providers
from tests.conftest import FIXTURES, GOOD, ROOT, run_regc

SEED = FIXTURES / "good/seed-000.md"
TODAY = datetime.date(2026, 11, 22)

# The policy file lists the retirements the catalogs date (policy.yaml `retired:`): grok-code-fast-1 (seed 001)
# and five more retired by 2026-11-22, and o3 / gpt-5 / gpt-5-mini (2026-12-11) and whisper-1 (2027-02-26) ahead.
RETIRED = [
    # line, col, alias, model: every retired model the seed still routes to, at the cell that names it
    (19, 67, "reasoning", "deepseek/deepseek-reasoner"),
    (36, 17, "code-fast", "xai/grok-code-fast-1"),  # code-fast's primary (the example)
    (37, 50, "code-fast", "deepseek/deepseek-chat"),
    (53, 17, "cheap", "deepseek/deepseek-chat"),
    (63, 85, "vision", "kimi/moonshot-v1-128k-vision-preview"),
    (88, 48, "image", "xai/grok-imagine-image-pro"),
    (105, 63, "long-context", "kimi/moonshot-v1-128k"),
]
DEPRECATED = [
    (19, 22, "reasoning", "openai/o3"),
    (29, 22, "code-arch", "openai/o3"),
    (29, 35, "code-arch", "openai/gpt-5"),
    (37, 76, "code-fast", "openai/gpt-5-mini"),
    (45, 17, "general", "openai/gpt-5"),
]
NO_FALLBACK = [  # local, search, audio and the four legacy shortcuts
    (71, 22, "audio"),  # koder-ai-voice has no provider
    (96, 22, "search"),  # perplexity is pending
    (113, 22, "local"),  # "future ollama models pulled on demand" is prose
    (122, 12, "fast"),
    (123, 13, "smart"),
    (124, 12, "best"),
    (125, 14, "claude"),
]
# The seed has no Models table: every routed model that is not local has no price (ollama/qwen2.5:3b is local).
# One finding per model, where it is first routed.
PRICELESS = [
    (18, 17, "anthropic/claude-opus-4-7"), (19, 22, "openai/o3"), (19, 35, "xai/grok-4.20-0309-reasoning"),
    (19, 67, "deepseek/deepseek-reasoner"), (19, 97, "kimi/kimi-k2.6"), (29, 35, "openai/gpt-5"), (29, 51, "xai/grok-4.3"),
    (36, 17, "xai/grok-code-fast-1"), (37, 22, "mistral/codestral-latest"), (37, 50, "deepseek/deepseek-chat"),
    (37, 76, "openai/gpt-5-mini"), (46, 22, "anthropic/claude-sonnet-4-6"), (54, 22, "google/gemini-2.0-flash"),
    (54, 49, "openai/gpt-4o-mini"), (54, 71, "mistral/mistral-small-latest"), (62, 17, "openai/gpt-4o"),
    (63, 53, "mistral/pixtral-large-latest"), (63, 85, "kimi/moonshot-v1-128k-vision-preview"), (70, 17, "openai/whisper-1"),
    (79, 17, "openai/text-embedding-3-large"), (80, 22, "mistral/mistral-embed"), (80, 47, "google/embedding-001"),
    (87, 17, "openai/dall-e-3"), (88, 22, "xai/grok-imagine-image"), (88, 48, "xai/grok-imagine-image-pro"),
    (95, 17, "xai/grok-3"), (104, 17, "google/gemini-2.5-pro"), (105, 63, "kimi/moonshot-v1-128k"),
    (122, 12, "anthropic/claude-haiku-4-5-20251001"),
]


def lint_file(path: Path, policy: Policy | None = None, today: datetime.date = TODAY) -> LintResult:
    registry = pipeline.load(path, display=path.name)
    if policy is None:
        policy = parse_policy((ROOT / "policy.yaml").read_text(encoding="utf-8"), "policy.yaml")
    # This repository's providers: regc's table and its own `koder` ([tool.regc.providers] in pyproject.toml).
    return run(registry, policy=policy, today=today, providers=load_config(ROOT / "pyproject.toml").providers(),
               text=path.read_text(encoding="utf-8"))


def keys(result: LintResult) -> set[tuple[Any, ...]]:
    return {(f.line, f.col, f.severity, f.rule, f.alias, f.model) for f in result.findings}


def test_the_seed_registry_gives_exactly_the_expected_findings() -> None:
    result = lint_file(SEED)

    expected = {
        *((line, col, "error", "retired-model", alias, model) for line, col, alias, model in RETIRED),
        *((line, col, "warning", "deprecated-model", alias, model) for line, col, alias, model in DEPRECATED),
        *((line, col, "error", "alias-has-fallback", alias, None) for line, col, alias in NO_FALLBACK),
        *((line, col, "error", "price-present", None, model) for line, col, model in PRICELESS),
        (71, 22, "error", "model-ref-form", "audio", "koder-ai-voice"),
    }
    assert keys(result) == expected
    assert len(result.findings) == len(expected)
    # whisper-1's deprecation is accepted by this repository's policy until the next review.
    waiver_line = 1 + (ROOT / "policy.yaml").read_text().splitlines().index("  - rule: deprecated-model")
    assert [(f.line, f.rule, f.model, f.waiver_source) for f in result.waived] == [
        (70, "deprecated-model", "openai/whisper-1", f"policy.yaml:{waiver_line}")]
    assert result.counts == {"error": 44, "warning": 5, "info": 0, "waived": 1}
    assert result.failed("error")


def test_seed_messages_say_what_to_do() -> None:
    by_key = {(f.line, f.rule): f.message for f in lint_file(SEED).findings}
    assert by_key[(36, "retired-model")] == (
        "`xai/grok-code-fast-1` (primary of `code-fast`) was retired on 2026-05-15 (policy.yaml:7); route to `xai/grok-4.3` instead")
    assert by_key[(96, "alias-has-fallback")] == (
        "`search` has no routable fallback (`perplexity/sonar-pro` is pending: when key added); it needs one besides `xai/grok-3`")
    assert by_key[(71, "model-ref-form")].startswith("`koder-ai-voice` has no provider: write it as `provider/koder-ai-voice`")
    assert by_key[(19, "deprecated-model")] == (
        "`openai/o3` (fallback of `reasoning`) retires on 2026-12-11, in 19 days (policy.yaml:31); plan the move to `openai/gpt-5.5`")


def test_this_repository_lints_clean_with_its_policy() -> None:
    """What CI keeps: `regc lint` on registry.md exits 0 with no finding in force."""
    result = run_regc("lint", "--today", "2026-11-22", cwd=ROOT)
    assert (result.code, result.out) == (0, "")
    assert "registry.md: 0 errors, 0 warnings, 0 info (16 waived)" in result.err


def test_this_repository_lints_clean_today() -> None:
    """The same on the real date, so an expired waiver or a new retirement shows up in CI."""
    result = run_regc("lint", cwd=ROOT)
    assert result.code == 0, result.out


def test_every_waiver_of_this_repository_is_used() -> None:
    """A waiver that matches nothing is stale policy: each one here accepts a finding the registry really has."""
    result = lint_file(ROOT / "registry.md")
    policy = parse_policy((ROOT / "policy.yaml").read_text(encoding="utf-8"), "policy.yaml")
    used = {f.waiver_source for f in result.waived}
    assert {f"policy.yaml:{policy.line('waivers', index)}" for index in range(len(policy.file.waivers))} == used


def test_the_repository_registry_findings_are_the_ones_the_review_predicted() -> None:
    waived = {(f.rule, f.alias, f.model) for f in lint_file(ROOT / "registry.md").waived}
    assert waived == {
        ("deprecated-model", "audio", "openai/whisper-1"),
        ("fallback-provider", "local", None),
        ("fallback-context", "reasoning", "kimi/kimi-k2.6"),
        ("fallback-context", "code-fast", "mistral/codestral-latest"),
        ("fallback-context", "code-fast", "openai/gpt-5.4-mini"),
        ("fallback-context", "general", "kimi/kimi-k2.6"),
        ("fallback-context", "cheap", "openai/gpt-4o-mini"),
        ("fallback-context", "cheap", "mistral/mistral-small-latest"),
        ("fallback-context", "search", "openai/gpt-5-search-api"),
        *(("revision-trigger", alias, primary) for alias, primary in [
            ("reasoning", "anthropic/claude-opus-4-7"), ("code-arch", "anthropic/claude-opus-4-7"), ("code-fast", "xai/grok-4.3"),
            ("general", "openai/gpt-5.4"), ("cheap", "deepseek/deepseek-v4-flash"), ("vision", "openai/gpt-4o"),
            ("audio", "openai/whisper-1"),
        ]),
    }


def test_after_the_next_review_date_the_waivers_expire_and_say_so() -> None:
    result = lint_file(ROOT / "registry.md", today=datetime.date(2027, 2, 23))
    expired = [f for f in result.findings if f.rule == "expired-waiver"]
    assert len(expired) == 8  # whisper-1 and the seven revision triggers
    assert all(f.file == "policy.yaml" for f in expired)
    assert {f.rule for f in result.findings} == {"expired-waiver", "revision-trigger", "deprecated-model", "review-stale"}


# --- semantics, on small registries -------------------------------------------------------------------

HEAD = "| | |\n|---|---|\n"


def registry(*sections: str, models: str = "", front: str = "---\nreviewed: 2026-11-01\n---\n") -> str:
    table = f"\n## Models\n\n{models}" if models else ""
    return front + "\n".join(sections) + table


def alias(name: str, primary: str, alternatives: str = "") -> str:
    alt = f"| **Alternatives** | {alternatives} |\n" if alternatives else ""
    return f"## {name} · alias `{name}`\n\n{HEAD}| **Primary** | {primary} |\n{alt}"


def findings(text: str, policy: str = "", today: datetime.date = TODAY) -> list[tuple[str, int, str | None, str | None]]:
    resolved = pipeline.load_text(text, "r.md")
    loaded = parse_policy(policy, "policy.yaml") if policy else EMPTY
    result = run(resolved, policy=loaded, today=today, providers=providers(), text=text)
    return [(f.rule, f.line, f.alias, f.model) for f in result.findings]


def rules_of(text: str, policy: str = "", today: datetime.date = TODAY) -> list[str]:
    return [rule for rule, *_ in findings(text, policy, today)]


MODELS = """| Model | Kind | Input $/MTok | Output $/MTok | Context | Status |
|---|---|---|---|---|---|
| `openai/big` | chat | $10.00 | $40.00 | 1M | active |
| `mistral/small` | chat | $1.00 | $4.00 | 128K | active |
| `anthropic/same` | chat | $8.00 | $30.00 | 1M | active |
| `deepseek/old` | chat | $1.00 | $4.00 | 1M | deprecated 2026-12-01 → `anthropic/same` |
| `xai/gone` | chat | $1.00 | $4.00 | 1M | retired 2027-06-01 |
| `google/vec` | embedding (1024) | $0.10 | n/a | 8K | active |
"""


def test_a_deprecated_status_whose_date_has_passed_is_retired() -> None:
    text = registry(alias("x", "`deepseek/old`", "`anthropic/same`"), models=MODELS)
    assert "deprecated-model" in rules_of(text, today=datetime.date(2026, 11, 30))
    after = findings(text, today=datetime.date(2026, 12, 1))
    assert ("retired-model", 8, "x", "deepseek/old") in after
    assert "deprecated-model" not in [r for r, *_ in after]


def test_a_future_retirement_date_is_a_deprecation_within_the_window() -> None:
    text = registry(alias("x", "`xai/gone`", "`anthropic/same`"), models=MODELS)
    assert "deprecated-model" not in rules_of(text)  # 2027-06-01 is 191 days after 2026-11-22
    assert "deprecated-model" in rules_of(text, today=datetime.date(2026, 12, 3))
    assert "deprecated-model" in rules_of(text, policy="rules: {deprecated-model: {notice_days: 200}}")


def test_the_policy_and_the_registry_dates_combine_earliest_first() -> None:
    text = registry(alias("x", "`xai/gone`", "`anthropic/same`"), models=MODELS)
    policy = "retired:\n  - {model: xai/gone, date: 2026-10-01, replacement: anthropic/same}\n"
    [(_rule, line, alias_name, model)] = [f for f in findings(text, policy) if f[0] == "retired-model"]
    assert (line, alias_name, model) == (8, "x", "xai/gone")


def test_unknown_status_is_not_retired() -> None:
    text = registry(alias("x", "`openai/big`", "`anthropic/same`"), models="| Model | Status |\n|---|---|\n| `openai/big` | |\n")
    assert not {"retired-model", "deprecated-model"} & set(rules_of(text))


def test_an_alias_that_only_names_another_alias_is_judged_there() -> None:
    legacy = "## Tier shortcuts\n\n| Alias | Resolves to |\n|---|---|\n| `best` | `x` |\n"
    text = registry(alias("x", "`openai/big`"), legacy, models=MODELS)
    assert [f for f in findings(text) if f[0] == "alias-has-fallback"] == [("alias-has-fallback", 8, "x", None)]


def test_fallback_context_kind_and_provider() -> None:
    text = registry(alias("x", "`openai/big`", "`mistral/small`, `google/vec`"), alias("y", "`openai/big`", "`openai/other`"),
                    models=MODELS)
    found = findings(text)
    assert ("fallback-context", 9, "x", "mistral/small") in found
    assert ("fallback-kind", 9, "x", "google/vec") in found
    assert ("fallback-provider", 16, "y", None) in found
    assert ("fallback-context", 9, "x", "google/vec") in found  # 8K < 1M: kind and window are both wrong
    assert ("fallback-context", 9, "x", "mistral/small") not in findings(text, "rules: {fallback-context: {min_ratio: 0.1}}")


def test_fallbacks_reached_through_an_alias_are_judged_at_the_reference() -> None:
    text = registry(alias("small", "`mistral/small`"), alias("x", "`openai/big`", "`small`"), models=MODELS)
    assert ("fallback-context", 15, "x", "mistral/small") in findings(text)


def test_revision_trigger_compares_like_with_like() -> None:
    text = registry(alias("x", "`openai/big`", "`anthropic/same`, `mistral/small`, `google/vec`"), models=MODELS)
    [(_rule, line, name, model)] = [f for f in findings(text) if f[0] == "revision-trigger"]
    # mistral/small is 10× cheaper; google/vec is another kind; anthropic/same is not 2× cheaper
    assert (line, name, model) == (8, "x", "openai/big")
    assert "revision-trigger" not in rules_of(text, "rules: {revision-trigger: {factor: 11}}")
    assert "revision-trigger" not in rules_of(text, "rules: {revision-trigger: off}")


def test_review_stale_missing_future_and_overdue() -> None:
    body = alias("x", "`openai/big`", "`anthropic/same`")
    assert ("review-stale", 1, None, None) in findings(registry(body, front=""))
    assert ("review-stale", 2, None, None) in findings(registry(body, front="---\nreviewed: 2026-12-01\n---\n"))
    assert ("review-stale", 2, None, None) in findings(registry(body, front="---\nreviewed: 2026-08-01\n---\n"))
    assert "review-stale" not in rules_of(registry(body, front="---\nreviewed: 2026-08-22\n---\n"))  # 92 days: due today


@pytest.mark.parametrize("secret", [
    "sk-proj-4f9Qz8LmN2xR7tY1uV3wK5pS6dA0bC9eH",
    "sk-ant-api03-Zx81mQ9vB2nL7kR4tY6uW0pS3dF5gH8jK",
    "xai-A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6",
    "AIzaSyD1x2Y3z4A5b6C7d8E9f0G1h2I3j4K5l6M",
    "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl",
    "gsk_8Hj2Kl4Mn6Pq8Rs0Tu2Vw4Xy6Za8Bc0De",
])
def test_no_inline_secret_finds_keys_anywhere(secret: str) -> None:
    text = registry(alias("x", "`openai/big`", "`anthropic/same`"), models=MODELS) + f"\nSome prose that leaks {secret} by accident.\n"
    [(_rule, line, *_)] = [f for f in findings(text) if f[0] == "no-inline-secret"]
    assert line == len(text.splitlines())


@pytest.mark.parametrize("prose", [
    "see the task-categories-and-subcategories-table", "xai/grok-4.20-0309-reasoning", "sk-learn-is-a-python-library-for-ml",
    "Bearer tokens are read from the environment variable", "openrouter/anthropic/claude-sonnet-4.6",
])
def test_no_inline_secret_ignores_prose_and_model_ids(prose: str) -> None:
    text = registry(alias("x", "`openai/big`", "`anthropic/same`"), models=MODELS) + f"\n{prose}\n"
    assert "no-inline-secret" not in rules_of(text)


def test_the_secret_is_not_printed_whole() -> None:
    secret = "sk-proj-4f9Qz8LmN2xR7tY1uV3wK5pS6dA0bC9eH"
    text = registry(alias("x", "`openai/big`", "`anthropic/same`"), models=MODELS) + f"\n{secret}\n"
    resolved = pipeline.load_text(text, "r.md")
    result = run(resolved, policy=EMPTY, today=TODAY, providers=providers(), text=text)
    message = next(f.message for f in result.findings if f.rule == "no-inline-secret")
    assert secret not in message and "sk-proj-" in message


def test_model_ref_form_knows_configured_providers(tmp_path: Path) -> None:
    text = registry(alias("x", "`openai/big`", "`opneai/gpt-5.4`"), models=MODELS)
    found = [f for f in findings(text) if f[0] == "model-ref-form"]
    assert ("model-ref-form", 9, "x", "opneai/gpt-5.4") in found
    (tmp_path / "regc.toml").write_text('[providers.opneai]\napi_base = "https://example.invalid/v1"\n')
    (tmp_path / "registry.md").write_text(text)
    config = load_config(tmp_path / "regc.toml")
    result = pipeline.lint(pipeline.load(tmp_path / "registry.md", display="registry.md"), config, today=TODAY)
    assert "opneai/gpt-5.4" not in {f.model for f in result.findings if f.rule == "model-ref-form"}


@pytest.mark.parametrize(("file", "content", "expected"), [
    ("regc.toml", 'registry = "registry.md"\n', "add it under [providers.opneai] in regc.toml if it is real"),
    ("pyproject.toml", '[tool.regc]\nregistry = "registry.md"\n', "add it under [tool.regc.providers.opneai] in pyproject.toml"),
])
def test_a_message_that_asks_for_configuration_speaks_the_syntax_of_the_file_in_use(
        tmp_path: Path, file: str, content: str, expected: str) -> None:
    (tmp_path / file).write_text(content)
    (tmp_path / "registry.md").write_text(registry(alias("x", "`openai/big`", "`opneai/gpt-5.4`"), models=MODELS))
    config = load_config(tmp_path / file)
    result = pipeline.lint(pipeline.load(tmp_path / "registry.md", display="registry.md"), config, today=TODAY)
    (message,) = [f.message for f in result.findings if f.rule == "model-ref-form"]
    assert expected in message and "did you mean `openai/gpt-5.4`?" in message


def test_price_present_accepts_local_free_and_na() -> None:
    models = ("| Model | Kind | Input | Output |\n|---|---|---|---|\n| `openai/big` | chat | $1 | $2 |\n"
              "| `groq/free` | chat | free | free |\n| `google/vec` | embedding | $0.10 | n/a |\n")
    text = registry(alias("x", "`openai/big`", "`groq/free`, `google/vec`, `ollama/any`"), models=models)
    assert "price-present" not in rules_of(text)


def test_price_present_names_the_models_row_one_edit_away() -> None:
    """New-user trial 3: `openai/gpt-5.4-mnii` got "add one" with no did-you-mean although a row was one edit away."""
    text = registry(alias("x", "`openai/big`", "`mistral/smlal`, `anthropic/other`"), models=MODELS)
    resolved = pipeline.load_text(text, "r.md")
    result = run(resolved, policy=EMPTY, today=TODAY, providers=providers(), text=text)
    messages = {f.model: f.message for f in result.findings if f.rule == "price-present"}
    row = text.splitlines().index("| `mistral/small` | chat | $1.00 | $4.00 | 128K | active |") + 1
    assert messages["mistral/smlal"].endswith(f"did you mean `mistral/small` (line {row})? If not, add a row with its prices")
    assert messages["anthropic/other"].endswith("so no input or output price; add one with its prices")


# --- waivers -----------------------------------------------------------------------------------------

def test_inline_waivers_apply_to_their_alias_or_row_and_are_counted() -> None:
    text = registry("<!-- regc:ignore alias-has-fallback reason=\"one model on purpose\" -->\n" + alias("x", "`openai/big`"), models=MODELS)
    resolved = pipeline.load_text(text, "r.md")
    result = run(resolved, policy=EMPTY, today=TODAY, providers=providers(), text=text)
    assert [(f.rule, f.waiver_reason, f.waiver_source) for f in result.waived] == [("alias-has-fallback", "one model on purpose", "r.md:4")]
    assert result.counts["waived"] == 1 and not result.findings


def test_a_policy_waiver_narrows_by_alias_and_model() -> None:
    text = registry(alias("x", "`openai/big`", "`mistral/small`"), alias("y", "`openai/big`", "`mistral/small`"), models=MODELS)
    policy = "waivers:\n  - {rule: fallback-context, alias: x, model: mistral/small, reason: short prompts}\n"
    assert [f for f in findings(text, policy) if f[0] == "fallback-context"] == [("fallback-context", 16, "y", "mistral/small")]


def test_an_expired_waiver_no_longer_applies_and_is_reported() -> None:
    text = registry(alias("x", "`openai/big`"), models=MODELS)
    policy = "waivers:\n  - {rule: alias-has-fallback, alias: x, reason: later, until: 2026-11-21}\n"
    found = findings(text, policy)
    assert ("alias-has-fallback", 8, "x", None) in found
    assert ("expired-waiver", 2, "x", None) in found
    assert "expired-waiver" not in rules_of(text, policy, today=datetime.date(2026, 11, 21))  # the last day still counts


def test_json_findings_carry_rule_severity_message_file_line_alias_model(tmp_path: Path) -> None:
    (tmp_path / "registry.md").write_text(SEED.read_text())
    (tmp_path / "policy.yaml").write_text((ROOT / "policy.yaml").read_text())
    result = run_regc("lint", "--format", "json", "--today", "2026-11-22", cwd=tmp_path)
    assert result.code == 1
    data = json.loads(result.out)
    first = next(f for f in data["findings"] if f["rule"] == "retired-model" and f["alias"] == "code-fast" and f["line"] == 36)
    assert first == {
        "rule": "retired-model", "severity": "error", "file": "registry.md", "line": 36, "col": 17, "alias": "code-fast",
        "model": "xai/grok-code-fast-1", "waived": False,
        "message": "`xai/grok-code-fast-1` (primary of `code-fast`) was retired on 2026-05-15 (policy.yaml:7); "
                   "route to `xai/grok-4.3` instead",
    }
    waived = [f for f in data["findings"] if f["waived"]]
    assert [w["waiver"]["source"] for w in waived] == ["policy.yaml:61"]
    assert waived[0]["waiver"]["reason"].startswith("still served until 2027-02-26")
    assert data["summary"] == {"error": 44, "warning": 5, "info": 0, "waived": 1, "fail_severity": "error", "failed": True}


def test_lint_loads_no_template_schema_or_git_library(tmp_path: Path) -> None:
    """Speed: `regc lint` imports jinja2, jsonschema and GitPython only for a feature that needs them."""
    import subprocess
    import sys

    script = ("import sys\nfrom regc.cli import main\ncode = main(['-q', 'lint', '--today', '2026-11-22'])\n"
              "print(code, sorted({m.split('.')[0] for m in sys.modules} & {'jinja2', 'jsonschema', 'git'}))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout == "0 []\n"
    (tmp_path / "registry.md").write_text(SEED.read_text())
    (tmp_path / "policy.yaml").write_text("custom_rules:\n  - {id: any-alias, applies_to: alias, message: m, schema: {}}\n")
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n')
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "1 ['jsonschema']"  # a declarative rule is the feature that needs it


def test_markdown_and_yaml_forms_give_the_same_findings() -> None:
    def what(path: Path) -> list[tuple[str, str | None, str | None, bool]]:
        result = lint_file(path, policy=EMPTY)
        return sorted(((f.rule, f.alias, f.model, f.waived) for f in (*result.findings, *result.waived)), key=str)

    found = what(FIXTURES / "good/features.md")
    assert found == what(FIXTURES / "good/features.yaml")
    assert ("fallback-provider", "local", None, True) in found  # waived inline in markdown, in `waivers:` in YAML


@pytest.mark.parametrize(("row", "expected"), [
    ("| `openai/x` | 0.000005 | $15.00 | | |", "input price $0.000005 per 1M tokens is below $0.001: a per-token price"),
    ("| `openai/x` | $2.50 | $1,500.00 | | |", "output price $1500.00 per 1M tokens is above $1000"),
    ("| `openai/x` | $125 | $10.00 | | |", "output price $10.00 is 0.08× its input price $125.00"),
    ("| `openai/x` | $1.25 | $1000 | | |", "output price $1000.00 is 800× its input price $1.25"),
    ("| `openai/x` | $1.25 | $10.00 | $12.50 | |", "cache-read price $12.50 is 10× its input price $1.25"),
    ("| `openai/x` | $1.25 | $10.00 | | $625 |", "cache-write price $625.00 is 500× its input price $1.25"),
    ("| `openai/x` | $40/image | n/a | | |", "input price $40.00 per image is above $10"),
    ("| `openai/x` | $0.5/s | n/a | | |", "input price $30.00 per minute is above $10"),
])
def test_price_plausible_catches_unit_slips_at_their_cell(row: str, expected: str) -> None:
    models = "| Model | Input $/MTok | Output $/MTok | Cache read $/MTok | Cache write $/MTok |\n|---|---|---|---|---|\n" + row + "\n"
    text = registry(alias("x", "`openai/x`"), models=models)
    resolved = pipeline.load_text(text, "r.md")
    result = run(resolved, policy=EMPTY, today=TODAY, providers=providers(), text=text)
    (finding,) = [f for f in result.findings if f.rule == "price-plausible"]
    assert expected in finding.message
    from regc.parse.document import split_row

    column = ["input", "output", "cache-read", "cache-write"].index(expected.split(" price ", maxsplit=1)[0]) + 1
    assert (finding.line, finding.col) == (text.splitlines().index(row) + 1, split_row(row)[column].col)  # at the cell to fix


def test_price_plausible_bounds_are_options_and_real_registries_pass() -> None:
    models = "| Model | Input $/MTok | Output $/MTok |\n|---|---|---|\n| `openai/x` | $2.50 | $1,500.00 |\n"
    text = registry(alias("x", "`openai/x`"), models=models)
    assert [f for f in findings(text) if f[0] == "price-plausible"]
    policy = "rules:\n  price-plausible: {max_per_mtok: 2000, max_output_ratio: 1000}\n"
    assert not [f for f in findings(text, policy) if f[0] == "price-plausible"]
    for path in (ROOT / "registry.md", *GOOD, FIXTURES / "prices" / "registry.md"):
        if path.suffix == ".md":
            source = path.read_text(encoding="utf-8")
            assert not [f for f in findings(source) if f[0] == "price-plausible"], path


def test_model_ref_form_names_a_slip_between_a_reference_and_a_models_row() -> None:
    models = "| Model | Kind | Input | Output |\n|---|---|---|---|\n| `ollama/qwen2.5:3b` | chat | free | free |\n" \
             "| `openai/gpt-5.4` | chat | $2.50 | $15.00 |\n"
    text = registry(alias("x", "`ollama/qwen25:3b`", "`openai/gpt-54`"), models=models)
    found = {(f[1], f[3]) for f in findings(text) if f[0] == "model-ref-form"}
    # each reference at its cell (the primary is local: no other rule would say a word), and each row no alias names
    assert found == {(8, "ollama/qwen25:3b"), (9, "openai/gpt-54"), (15, "ollama/qwen2.5:3b"), (16, "openai/gpt-5.4")}
    # a reference that is another model, not a slip (a digit replaced), is not reported
    other = registry(alias("x", "`ollama/qwen2.5:7b`"), models=models)
    assert not [f for f in findings(other) if f[0] == "model-ref-form"]


@pytest.mark.parametrize(("written", "flagged"), [("1M", False), ("1K", True), ("200", True), ("200K", False), ("4,096", False)])
def test_a_context_window_slipped_by_a_thousand_is_flagged(tmp_path: Path, written: str, flagged: bool) -> None:
    """The number slip the strict reader cannot refuse (both are valid numbers): `context-plausible` reports it."""
    (tmp_path / "registry.md").write_text(
        "# R\n\n## Chat · alias `chat`\n\n| | |\n|---|---|\n| **Primary** | `openai/gpt-5.4` |\n\n## Models\n\n"
        "| Model | Kind | Input $/MTok | Output $/MTok | Context |\n|---|---|---|---|---|\n"
        f"| `openai/gpt-5.4` | chat | $2.50 | $15.00 | {written} |\n", encoding="utf-8")
    result = run_regc("lint", "--registry", "registry.md", "--format", "json", cwd=tmp_path)
    found = [f for f in json.loads(result.out)["findings"] if f["rule"] == "context-plausible"]
    assert bool(found) is flagged, result.out
    if flagged:
        assert result.code == 1 and (found[0]["line"], found[0]["col"]) == (13, 46)  # the Context cell


@pytest.mark.parametrize(("written", "flagged"), [("$0.006/min", False), ("$0.006", True), ("$2.50", False)])
def test_a_per_minute_price_that_lost_its_unit_is_flagged(tmp_path: Path, written: str, flagged: bool) -> None:
    """`$0.006/min` with `/min` deleted reads as $0.006 per 1M tokens: valid, and for a transcription model implausible."""
    (tmp_path / "registry.md").write_text(
        "# R\n\n## Ears · alias `ears`\n\n| | |\n|---|---|\n| **Primary** | `openai/whisper-1` |\n\n## Models\n\n"
        "| Model | Kind | Input $/MTok | Output $/MTok |\n|---|---|---|---|\n"
        f"| `openai/whisper-1` | transcription | {written} | n/a |\n", encoding="utf-8")
    result = run_regc("lint", "--registry", "registry.md", "--format", "json", cwd=tmp_path)
    found = [f for f in json.loads(result.out)["findings"] if f["rule"] == "price-plausible"]
    assert bool(found) is flagged, result.out
    if flagged:
        assert "a per-minute price that lost its unit" in found[0]["message"]
