"""Aliases have a lifecycle: deprecated with a sunset date and a replacement, linted, removed, and accepted by `breaking`.

The grammar (markdown `Status` row and legacy column, YAML `status:`) gives one IR from both forms; its mistakes are
input errors (tests/fixtures/bad/alias-status-*, run by test_bad_input.py); `alias-sunset` warns before the sunset
and errors from it; `alias-shadows-model` flags an alias named like a model; the json target carries the lifecycle;
`regc breaking` accepts a removal after the sunset and acknowledged changes, judged in real git repositories.
"""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regc import pipeline
from regc.errors import InputError
from regc.lint import run
from regc.lint.policy import EMPTY, Policy, parse_policy
from regc.model.providers import providers
from regc.parse.cells import CellError, read_alias_status
from regc.parse.document import meaning
from tests.conftest import FIXTURES, ROOT, run_regc

LIFECYCLE = FIXTURES / "good" / "lifecycle.md"


def lint(text: str, today: datetime.date, policy: Policy = EMPTY, rule: str | None = None, **kwargs: Any) -> list[Any]:
    registry = pipeline.load_text(text, "registry.md")
    result = run(registry, policy=policy, today=today, providers=providers(), text=text, **kwargs)
    return [f for f in result.findings if rule is None or f.rule == rule]


def sunset_findings(text: str, today: str, policy: Policy = EMPTY) -> list[tuple[int, str, str]]:
    return [(f.line, f.severity, f.message) for f in lint(text, datetime.date.fromisoformat(today), policy, "alias-sunset")]


# --- the grammar --------------------------------------------------------------------------------------


def test_markdown_and_yaml_give_the_same_lifecycle() -> None:
    from_markdown = meaning(pipeline.load(LIFECYCLE))
    from_yaml = meaning(pipeline.load(LIFECYCLE.with_suffix(".yaml")))
    assert isinstance(from_markdown, dict) and isinstance(from_yaml, dict)
    markdown, yaml = from_markdown["registry"], from_yaml["registry"]
    for key in ("aliases", "models", "waivers", "reviewed", "title"):
        assert markdown[key] == yaml[key], key
    lifecycle = {alias["name"]: alias["deprecated"] for alias in markdown["aliases"]}
    assert lifecycle == {"general": None, "cheap": None, "smart": None,
                         "chat": {"sunset": "2027-01-31", "replacement": "general"},
                         "fast": {"sunset": "2027-03-31", "replacement": "cheap"}}


@pytest.mark.parametrize("arrow", ["→", "->", "=>", ", use", " replaced by"])
@pytest.mark.parametrize("ticks", ["`", ""])
def test_the_status_cell_reads_every_arrow_with_or_without_backticks(arrow: str, ticks: str) -> None:
    status = read_alias_status(f"  deprecated 2027-01-31 {arrow} {ticks}general{ticks} ")
    assert status is not None
    assert (status.sunset, status.replacement) == (datetime.date(2027, 1, 31), "general")
    assert f"  deprecated 2027-01-31 {arrow} {ticks}general{ticks} "[status.replacement_offset:].startswith("general")


@pytest.mark.parametrize("cell", ["", "active", "Active", " - "])
def test_an_active_or_blank_status_is_no_deprecation(cell: str) -> None:
    assert read_alias_status(cell) is None


@pytest.mark.parametrize(("cell", "said"), [
    ("deprecated 2027-02-30 → general", "'2027-02-30' is not a date"),
    ("deprecated → general", "needs its sunset date"),
    ("deprecated 2027-01-31", "needs the alias that replaces it"),
    ("deprecaetd 2027-01-31 → general", "did you mean 'deprecated'?"),
    ("retired 2026-01-01 → general", "an alias is not retired"),
    ("active 2027-01-31", "an active alias has no sunset"),
    ("deprecated 2027-01-31 → openai/gpt-5", "is a model reference"),
    ("x" * 300, "at most 200"),
])
def test_a_status_cell_outside_the_grammar_is_refused_with_the_form(cell: str, said: str) -> None:
    with pytest.raises(CellError) as caught:
        read_alias_status(cell)
    assert said in str(caught.value)


@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_any_status_cell_is_read_or_refused_never_crashes(cell: str) -> None:
    try:
        status = read_alias_status(cell)
    except CellError:
        return
    if status is not None:
        assert cell[status.replacement_offset:].startswith(status.replacement)


@given(st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)),
       st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True), st.sampled_from(["→", "->", "=>", ", use"]))
def test_every_date_and_alias_name_round_trips_through_the_cell(sunset: datetime.date, name: str, arrow: str) -> None:
    status = read_alias_status(f"deprecated {sunset.isoformat()} {arrow} `{name}`")
    assert status is not None and (status.sunset, status.replacement) == (sunset, name)


def test_a_status_in_a_registry_that_names_no_alias_is_an_input_error_at_its_cell() -> None:
    text = LIFECYCLE.read_text(encoding="utf-8").replace("→ `general` |", "→ `generl` |")
    with pytest.raises(InputError) as caught:
        pipeline.load_text(text, "registry.md")
    [diagnostic] = caught.value.diagnostics
    line = next(n for n, row in enumerate(text.split("\n"), 1) if "`generl`" in row)
    assert (diagnostic.line, diagnostic.col) == (line, text.split("\n")[line - 1].index("generl") + 1)
    assert "unknown alias `generl` as its replacement; did you mean `general`?" in diagnostic.message


def test_a_prose_table_with_a_status_row_stays_prose() -> None:
    """`Status` is a key of alias tables only: a two-column table elsewhere that lists statuses is not refused."""
    text = LIFECYCLE.read_text(encoding="utf-8") + "\n## Glossary\n\n| Term | Meaning |\n|---|---|\n| Status | where an alias is |\n"
    assert [a.name for a in pipeline.load_text(text, "registry.md").aliases] == ["general", "cheap", "chat", "fast", "smart"]


def test_a_bad_status_through_the_cli_is_exit_2_and_writes_nothing(project: Path) -> None:
    text = LIFECYCLE.read_text(encoding="utf-8").replace("deprecated 2027-01-31", "deprecated 2027-01-32")
    (project / "registry.md").write_text(text, encoding="utf-8")
    result = run_regc("build", cwd=project)
    line = next(n for n, row in enumerate(text.split("\n"), 1) if "2027-01-32" in row)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"registry.md:{line}:16: error: Status of `chat`: '2027-01-32' is not a date; write YYYY-MM-DD\n"
    assert "Traceback" not in result.err and not (project / "targets").exists()


# --- alias-sunset ------------------------------------------------------------------------------------


def test_alias_sunset_is_silent_before_the_window_warns_in_it_and_errors_from_the_sunset() -> None:
    text = LIFECYCLE.read_text(encoding="utf-8")
    chat = next(n for n, row in enumerate(text.split("\n"), 1) if "→ `general`" in row)
    fast = next(n for n, row in enumerate(text.split("\n"), 1) if "→ `cheap`" in row)
    assert sunset_findings(text, "2026-10-01") == []  # 122 and 181 days before
    assert sunset_findings(text, "2026-11-02") == [
        (chat, "warning", "`chat` is deprecated and sunsets on 2027-01-31, in 90 days: tell its clients to move to `general`")]
    assert sunset_findings(text, "2027-01-31") == [
        (chat, "error", "`chat` reached its sunset (2027-01-31, today) and is still in the registry: remove it (clients move "
                        "to `general`; `regc breaking` accepts the removal)"),
        (fast, "warning", "`fast` is deprecated and sunsets on 2027-03-31, in 59 days: tell its clients to move to `cheap`")]
    assert [(line, severity) for line, severity, _ in sunset_findings(text, "2027-04-01")] == [(chat, "error"), (fast, "error")]
    assert "2 days ago" in sunset_findings(text, "2027-02-02")[0][2]


def test_warn_days_and_a_policy_level_apply() -> None:
    text = LIFECYCLE.read_text(encoding="utf-8")
    wide = parse_policy("rules:\n  alias-sunset: {warn_days: 200}\n", "policy.yaml")
    assert [severity for _, severity, _ in sunset_findings(text, "2026-10-01", wide)] == ["warning", "warning"]
    # a level set in the policy is every finding's level, before and after the sunset
    lowered = parse_policy("rules:\n  alias-sunset: info\n", "policy.yaml")
    assert [severity for _, severity, _ in sunset_findings(text, "2027-02-01", lowered)] == ["info", "info"]
    raised = parse_policy("rules:\n  alias-sunset: {severity: error}\n", "policy.yaml")
    assert [severity for _, severity, _ in sunset_findings(text, "2027-01-01", raised)] == ["error", "error"]
    with pytest.raises(InputError, match=r"warn_dyas: unknown key.*did you mean `warn_days`"):
        lint(text, datetime.date(2027, 1, 1), parse_policy("rules:\n  alias-sunset: {warn_dyas: 3}\n", "policy.yaml"))


@given(st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 1, 1)),
       st.integers(min_value=-400, max_value=400), st.integers(min_value=0, max_value=365))
@settings(max_examples=60, deadline=None)
def test_the_severity_is_a_function_of_days_to_the_sunset(today: datetime.date, days: int, warn_days: int) -> None:
    sunset = today + datetime.timedelta(days=days)
    text = LIFECYCLE.read_text(encoding="utf-8").replace("deprecated 2027-03-31", "active 2027-03-31").replace(
        "| active 2027-03-31 → `cheap` |", "| active |").replace("2027-01-31", sunset.isoformat())
    policy = parse_policy(f"rules:\n  alias-sunset: {{warn_days: {warn_days}}}\n", "policy.yaml")
    severities = [severity for _, severity, _ in sunset_findings(text, today.isoformat(), policy)]
    assert severities == (["error"] if days <= 0 else ["warning"] if days <= warn_days else [])


def test_a_deprecated_replacement_and_an_alias_naming_a_deprecated_one_are_reported() -> None:
    text = LIFECYCLE.read_text(encoding="utf-8")
    text = text.replace("| **Status** | active |", "| **Status** | deprecated 2027-06-30 → `general` |")
    text = text.replace("| `smart` | `general` |", "| `smart` | `chat` |")
    found = sunset_findings(text, "2026-12-01")
    messages = [message for _, _, message in found]
    assert ("the replacement of `fast`, `cheap`, is itself deprecated (sunset 2027-06-30, replaced by `general`): name a live "
            "alias") in messages
    assert any(m.startswith("`smart` names `chat` (primary), which sunsets on 2027-01-31, in 61 days: name `general` instead")
               for m in messages)
    assert {severity for _, severity, message in found if "itself deprecated" in message} == {"error"}


def test_lint_with_today_is_reproducible_from_the_cli(tmp_path: Path) -> None:
    shutil.copyfile(LIFECYCLE, tmp_path / "registry.md")
    before = run_regc("lint", "--today", "2027-01-30", cwd=tmp_path)
    after = run_regc("lint", "--today", "2027-02-01", "--format", "json", cwd=tmp_path)
    assert before.code == 0 and "warning alias-sunset `chat` is deprecated and sunsets on 2027-01-31, in 1 day" in before.out
    assert after.code == 1
    [finding] = [f for f in json.loads(after.out)["findings"] if f["rule"] == "alias-sunset" and f["severity"] == "error"]
    assert (finding["alias"], finding["line"], finding["col"]) == ("chat", 31, 16)


# --- alias-shadows-model -----------------------------------------------------------------------------


SHADOW = """# Registry

## Vision · alias `{name}`

| | |
|---|---|
| **Primary** | `{primary}` |
| **Alternatives** | `openai/gpt-4o` |

## Models

| Model | Kind |
|---|---|
| `anthropic/claude-sonnet-4-6` | chat |
| `openai/gpt-4o` | chat |
| `openrouter/anthropic/claude-haiku-4.5` | chat |
"""


@pytest.mark.parametrize(("name", "primary", "severity"), [
    ("gpt-4o", "anthropic/claude-sonnet-4-6", "error"),
    ("GPT-4o", "anthropic/claude-sonnet-4-6", "error"),
    ("claude-haiku-4.5", "openai/gpt-4o", "error"),  # the last segment of an OpenRouter id
    ("claude-sonnet-4-6", "anthropic/claude-sonnet-4-6", "warning"),  # a pass-through: warned
    ("vision", "anthropic/claude-sonnet-4-6", None),
])
def test_an_alias_named_like_a_models_row_is_flagged(name: str, primary: str, severity: str | None) -> None:
    found = lint(SHADOW.format(name=name, primary=primary), datetime.date(2026, 11, 22), rule="alias-shadows-model")
    assert [f.severity for f in found] == ([severity] if severity else [])
    if found:
        assert (found[0].line, found[0].col, found[0].alias) == (3, 1, name)
        assert "the Models table's" in found[0].message


def test_the_policys_catalog_is_the_second_source_and_plain_words_are_not_model_ids(tmp_path: Path) -> None:
    from regc.catalogs import load_catalog

    catalog_file = tmp_path / "catalog.json"
    catalog_file.write_text(json.dumps({
        "claude-opus-4-7": {"litellm_provider": "anthropic", "mode": "chat"},
        "assemblyai/best": {"litellm_provider": "assemblyai", "mode": "audio_transcription"},
        "perplexity/search": {"litellm_provider": "perplexity", "mode": "search"},
    }), encoding="utf-8")
    catalog = load_catalog(str(catalog_file))
    for name, flagged in (("claude-opus-4-7", True), ("best", False), ("search", False)):
        text = SHADOW.format(name=name, primary="openai/gpt-4o")
        found = lint(text, datetime.date(2026, 11, 22), rule="alias-shadows-model", catalog=catalog)
        assert bool(found) is flagged, name
        if flagged:
            assert f"lists `{name}`" in found[0].message
        off = parse_policy("rules:\n  alias-shadows-model: {catalog: false}\n", "policy.yaml")
        assert lint(text, datetime.date(2026, 11, 22), off, rule="alias-shadows-model", catalog=catalog) == []


def test_no_alias_of_this_repository_shadows_a_model_of_either_real_catalog() -> None:
    """With the real LiteLLM cost map and models.dev (tests/conftest.py shared_reference), the rule is silent here and
    flags a real id such as gpt-4o."""
    from regc.catalogs import load_catalog
    from tests.conftest import shared_reference

    text = (ROOT / "registry.md").read_text(encoding="utf-8")
    for name in ("litellm_model_prices_and_context_window.json", "modelsdev_models.json"):
        path = shared_reference("catalogs", name)
        if path is None:
            pytest.skip("the shared reference catalogs are not here")
        catalog = load_catalog(str(path))
        assert lint(text, datetime.date(2026, 11, 22), rule="alias-shadows-model", catalog=catalog) == []
        shadow = text.replace("alias `cheap`", "alias `gpt-5`").replace("`best` | `reasoning`", "`best` | `gpt-5`")
        found = lint(shadow, datetime.date(2026, 11, 22), rule="alias-shadows-model", catalog=catalog)
        assert [f.alias for f in found] == ["gpt-5"], name


# --- the json target ---------------------------------------------------------------------------------


def test_the_json_target_carries_the_lifecycle_only_for_deprecated_aliases(project: Path) -> None:
    import jsonschema

    shutil.copyfile(LIFECYCLE, project / "registry.md")
    assert run_regc("build", cwd=project).code == 0
    document = json.loads((project / "targets/json/registry.json").read_text(encoding="utf-8"))
    assert {k: document["aliases"]["chat"][k] for k in ("deprecated", "sunset", "replacement")} == {
        "deprecated": True, "sunset": "2027-01-31", "replacement": "general"}
    assert document["aliases"]["fast"]["sunset"] == "2027-03-31"
    assert not {"deprecated", "sunset", "replacement"} & set(document["aliases"]["general"])
    schema = json.loads((ROOT / "schema/resolved-registry.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    broken = json.loads(json.dumps(document))
    del broken["aliases"]["chat"]["replacement"]  # the three fields come together
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
    broken["aliases"]["chat"]["replacement"] = None
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


# --- regc breaking in real git repositories ----------------------------------------------------------


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                               "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin", "HOME": str(cwd)})
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose first commit holds lifecycle.md as registry.md and a regc.toml."""
    shutil.copyfile(LIFECYCLE, tmp_path / "registry.md")
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n', encoding="utf-8")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "registry")
    return tmp_path


def remove_alias(repo: Path, name: str) -> None:
    text = (repo / "registry.md").read_text(encoding="utf-8")
    if f"| `{name}` |" in text:
        text = "\n".join(line for line in text.split("\n") if not line.startswith(f"| `{name}` |"))
    else:
        start = text.index(f"## Chat (old name) · alias `{name}`")
        text = text[:start] + text[text.index("## Tier shortcuts", start):]
    (repo / "registry.md").write_text(text, encoding="utf-8")


def test_removing_an_alias_after_its_sunset_passes_and_before_it_fails(repo: Path) -> None:
    remove_alias(repo, "chat")
    early = run_regc("breaking", "--against", "HEAD", "--today", "2027-01-30", cwd=repo)
    assert early.code == 1
    assert early.out == "chat: removed: clients that send `chat` will get an error  [breaking]\n"
    assert "regc: chat: its sunset is 2027-01-31: remove it then, or acknowledge it in the policy (breaking: acknowledge:" in early.err
    on_time = run_regc("breaking", "--against", "HEAD", "--today", "2027-01-31", cwd=repo)
    assert on_time.code == 0, on_time.out + on_time.err
    assert on_time.out == ("chat: removed: clients that send `chat` will get an error (accepted: its sunset 2027-01-31 has "
                           "passed; clients move to `general`)\n")
    data = json.loads(run_regc("breaking", "--against", "HEAD", "--today", "2027-02-01", "--format", "json", cwd=repo).out)
    assert data["breaking"] is False and data["changes"][0]["breaking"] is False


def test_a_deprecation_written_with_the_removal_does_not_count(repo: Path) -> None:
    """The sunset that counts is the one clients could read at REF: back-dating it in the same change is no sunset."""
    text = (repo / "registry.md").read_text(encoding="utf-8")
    (repo / "registry.md").write_text(text.replace("| `smart` | `general` | | |", "| `smart` | `general` | | deprecated "
                                                   "2020-01-01 → `general` |"), encoding="utf-8")
    remove_alias(repo, "smart")
    result = run_regc("breaking", "--against", "HEAD", "--today", "2027-01-31", cwd=repo)
    assert result.code == 1
    assert "smart: legacy alias removed: clients that send `smart` will get an error  [breaking]" in result.out
    assert "regc: smart: deprecate it first (Status: deprecated YYYY-MM-DD → replacement), or acknowledge it" in result.err


ACK = """breaking:
  acknowledge:
    - change: alias-removed
      alias: smart
      reason: "every client moved to general in October; checked in the gateway's logs"
      until: {until}
"""


def test_an_acknowledged_removal_passes_until_its_last_day(repo: Path) -> None:
    remove_alias(repo, "smart")
    (repo / "policy.yaml").write_text(ACK.format(until="2026-12-31"), encoding="utf-8")
    result = run_regc("breaking", "--against", "HEAD", "--today", "2026-12-31", cwd=repo)
    assert result.code == 0, result.out + result.err
    assert result.out == ("smart: legacy alias removed: clients that send `smart` will get an error (accepted: acknowledged in "
                          "policy.yaml:3 until 2026-12-31: every client moved to general in October; checked in the gateway's "
                          "logs)\n")
    late = run_regc("breaking", "--against", "HEAD", "--today", "2027-01-01", cwd=repo)
    assert late.code == 1
    assert "regc: policy.yaml:3: the acknowledgement of alias-removed `smart` ended on 2026-12-31; it no longer applies" in late.err


def test_an_acknowledgement_of_a_kind_change_and_an_unused_one(repo: Path) -> None:
    text = (repo / "registry.md").read_text(encoding="utf-8")
    text = text.replace("| `deepseek/deepseek-v4-flash` | chat |", "| `deepseek/deepseek-v4-flash` | embedding (1024) |")
    (repo / "registry.md").write_text(text, encoding="utf-8")
    policy = ACK.format(until="2027-01-01") + ("    - {change: kind-changed, alias: cheap, reason: \"no chat client left\", "
                                               "until: 2027-01-01}\n")
    (repo / "policy.yaml").write_text(policy, encoding="utf-8")
    result = run_regc("breaking", "--against", "HEAD", "--today", "2026-12-01", cwd=repo)
    # cheap is acknowledged; fast (a legacy alias with the same primary) is not
    assert result.code == 1
    assert "cheap: kind chat → embedding (1024): clients get a different kind of answer (accepted: acknowledged" in result.out
    assert "fast: kind chat → embedding (1024): clients get a different kind of answer  [breaking]" in result.out
    assert "regc: fast: acknowledge it in the policy if clients can take it (breaking: acknowledge: [{change: kind-changed, " \
           "alias: fast, reason: \"...\", until: YYYY-MM-DD}])" in result.err
    assert "regc: policy.yaml:3: the acknowledgement of alias-removed `smart` matches no change; remove it" in result.err


@pytest.mark.parametrize(("policy", "said"), [
    ("breaking:\n  acknowledge:\n    - {change: alias-removed, alias: smart, resaon: x, until: 2027-01-01}\n",
     "policy.yaml:3:53: error: breaking.acknowledge.0.resaon: unknown key in breaking.acknowledge.0; did you mean `reason`?"),
    ("breaking:\n  acknowledge:\n    - {change: alias-removed, alias: smart, reason: \" \", until: 2027-01-01}\n",
     "a reason is required"),
    ("breaking:\n  acknowledge:\n    - {change: alias-removed, alias: smart, reason: x}\n", "until"),
    ("breaking:\n  acknowledge:\n    - {change: alias-deleted, alias: smart, reason: x, until: 2027-01-01}\n", "change"),
    ("breaking:\n  acknowledge:\n    - {change: alias-removed, alias: smart, reason: x, until: 2027-02-30}\n",
     "policy.yaml:3:63: error: cannot read YAML value '2027-02-30'"),
    ("breaking:\n  acknowlege: []\n", "did you mean `acknowledge`?"),
])
def test_a_bad_acknowledgement_is_exit_2_at_its_line(repo: Path, policy: str, said: str) -> None:
    remove_alias(repo, "smart")
    (repo / "policy.yaml").write_text(policy, encoding="utf-8")
    result = run_regc("breaking", "--against", "HEAD", "--today", "2026-12-01", cwd=repo)
    assert result.code == 2 and "Traceback" not in result.err
    assert said in result.err and result.err.startswith("policy.yaml:"), result.err


def test_staged_uses_the_staged_policy(repo: Path) -> None:
    remove_alias(repo, "smart")
    (repo / "policy.yaml").write_text(ACK.format(until="2027-01-01"), encoding="utf-8")
    git(repo, "add", "registry.md")
    assert run_regc("breaking", "--against", "HEAD", "--staged", "--today", "2026-12-01", cwd=repo).code == 1
    git(repo, "add", "policy.yaml")
    assert run_regc("breaking", "--against", "HEAD", "--staged", "--today", "2026-12-01", cwd=repo).code == 0


def test_diff_reports_an_alias_being_deprecated(repo: Path) -> None:
    text = (repo / "registry.md").read_text(encoding="utf-8")
    (repo / "registry.md").write_text(text.replace("| **Status** | active |", "| **Status** | deprecated 2027-06-30 → `general` |"),
                                      encoding="utf-8")
    result = run_regc("diff", "--against", "HEAD", cwd=repo)
    assert result.out == "cheap: status active → deprecated, sunset 2027-06-30 → general\n"


def test_explain_shows_the_lifecycle(tmp_path: Path) -> None:
    shutil.copyfile(LIFECYCLE, tmp_path / "registry.md")
    text = run_regc("explain", "chat", "--today", "2026-12-01", cwd=tmp_path).out
    assert "\n  status: deprecated, sunset 2027-01-31; clients move to `general`\n" in text
    data = json.loads(run_regc("explain", "chat", "--today", "2026-12-01", "--format", "json", cwd=tmp_path).out)
    assert data["deprecated"] == {"sunset": "2027-01-31", "replacement": "general", "line": 31}
    assert "deprecated" not in json.loads(run_regc("explain", "general", "--format", "json", cwd=tmp_path).out)


@given(st.lists(st.tuples(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True),
                          st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,12}(/[A-Za-z0-9][A-Za-z0-9._-]{0,12})?", fullmatch=True)),
                min_size=1, max_size=4, unique_by="/".join),
       st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,12}", fullmatch=True))
@settings(max_examples=80, deadline=None)
def test_an_alias_is_flagged_exactly_when_its_name_is_a_models_rows_id(rows: list[tuple[str, str]], name: str) -> None:
    refs = [f"{provider}/{model}" for provider, model in rows]
    ids = {part.casefold() for _, model in rows for part in (model, model.rpartition("/")[2])}
    text = (f"## Use · alias `{name}`\n\n| | |\n|---|---|\n| **Primary** | `{refs[0]}` |\n\n## Models\n\n| Model | Kind |\n"
            "|---|---|\n" + "".join(f"| `{ref}` | chat |\n" for ref in refs))
    try:
        found = lint(text, datetime.date(2026, 11, 22), rule="alias-shadows-model")
    except InputError:
        return  # an id the grammar refuses (`a/..`): not this rule's question
    assert bool(found) is (name.casefold() in ids)
