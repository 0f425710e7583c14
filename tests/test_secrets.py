"""Secrets: `no-inline-secret` knows real key shapes and ignores look-alikes; no generated file holds a key.

The keys are generated here at run time in the shapes providers issue them (prefix, alphabet, length):
a committed file holding anything a secret scanner takes for a live key would be flagged, or worse.
"""

from __future__ import annotations

import datetime
import random
import shutil
import string
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from regc import pipeline
from regc.lint import run
from regc.lint.policy import EMPTY
from regc.model.providers import providers
from regc.rules.no_inline_secret import find_secrets
from tests.conftest import FIXTURES, GOOD, ROOT, run_regc

TODAY = datetime.date(2026, 11, 22)
ALNUM = string.ascii_letters + string.digits
BASE64URL = ALNUM + "-_"
HEX = "0123456789abcdef"


def _random(alphabet: str, length: int, rng: random.Random) -> str:
    while True:  # a key always mixes letters and digits; so does every draw kept here
        text = "".join(rng.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in text) and any(c.isalpha() for c in text):
            return text


def _shapes() -> dict[str, tuple[str, str]]:
    """Name -> (the kind the finding names, a key of that shape)."""
    rng = random.Random(20261122)
    jwt = ".".join(["eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9", "eyJ" + _random(BASE64URL, 60, rng), _random(BASE64URL, 43, rng)])
    return {
        "openai-legacy": ("an OpenAI API key", "sk-" + _random(ALNUM, 20, rng) + "T3BlbkFJ" + _random(ALNUM, 20, rng)),
        "openai-project": ("an OpenAI API key", "sk-proj-" + _random(BASE64URL, 156, rng)),
        "openai-service-account": ("an OpenAI API key", "sk-svcacct-" + _random(BASE64URL, 120, rng)),
        "openai-admin": ("an OpenAI API key", "sk-admin-" + _random(BASE64URL, 80, rng)),
        "deepseek": ("an OpenAI API key", "sk-" + _random(HEX, 32, rng)),
        "anthropic": ("an Anthropic API key", "sk-ant-api03-" + _random(BASE64URL, 93, rng) + "AA"),
        "anthropic-admin": ("an Anthropic API key", "sk-ant-admin01-" + _random(BASE64URL, 93, rng) + "AA"),
        "xai": ("an xAI API key", "xai-" + _random(ALNUM, 80, rng)),
        "google": ("a Google API key", "AIza" + _random(BASE64URL, 35, rng)),
        "groq": ("a Groq API key", "gsk_" + _random(ALNUM, 52, rng)),
        "openrouter": ("an OpenRouter API key", "sk-or-v1-" + _random(HEX, 64, rng)),
        "perplexity": ("a Perplexity API key", "pplx-" + _random(ALNUM, 48, rng)),
        "hugging-face": ("a Hugging Face token", "hf_" + _random(ALNUM, 34, rng)),
        "replicate": ("a Replicate API token", "r8_" + _random(ALNUM, 37, rng)),
        "github": ("a GitHub token", "ghp_" + _random(ALNUM, 36, rng)),
        "aws": ("an AWS access key id", "AKIA" + _random(string.ascii_uppercase + string.digits, 16, rng)),
        "jwt": ("a JSON Web Token", jwt),
        "bearer-jwt": ("a bearer token", "Bearer " + jwt),
        "bearer-opaque": ("a bearer token", "Bearer " + _random(ALNUM + "._~+/-", 40, rng)),
        "private-key": ("a private key", "-----BEGIN OPENSSH PRIVATE KEY-----"),
    }


SHAPES = _shapes()

# Where a key may be pasted: each place is a registry with a {key} hole, the line it lands on, and the format.
PLACES = {
    "prose": ("# R\n\nWe test with {key} for now.\n\n{alias}", 3, "md"),
    "rationale": ("# R\n\n## General · alias `general`\n\n| | |\n|---|---|\n| **Primary** | `openai/gpt-4o` |\n"
                  "| **Why primary** | key: {key} |\n", 8, "md"),
    "front-matter": ("---\nreviewed: 2026-11-01\nnote: \"{key}\"\n---\n# R\n\n{alias}", 3, "md"),
    "comment": ("# R\n\n<!-- old key {key} -->\n\n{alias}", 3, "md"),
    "models-source": ("# R\n\n{alias}\n## Models\n\n| Model | Kind | Source |\n|---|---|---|\n| `openai/gpt-4o` | chat | {key} |\n",
                      13, "md"),
    "yaml": ("aliases:\n  general:\n    primary: openai/gpt-4o\n    rationale:\n      Why: \"{key}\"\n", 5, "yaml"),
}
ALIAS = "## General · alias `general`\n\n| | |\n|---|---|\n| **Primary** | `openai/gpt-4o` |\n"


def _findings(text: str, fmt: str) -> list[tuple[int, str]]:
    resolved = pipeline.load_text(text, f"registry.{fmt}")
    result = run(resolved, policy=EMPTY, today=TODAY, providers=providers(), text=text)
    return [(f.line, f.message) for f in result.findings if f.rule == "no-inline-secret"]


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("shape", SHAPES)
def test_every_key_shape_is_found_wherever_it_is_pasted(shape: str, place: str) -> None:
    kind, key = SHAPES[shape]
    template, line, fmt = PLACES[place]
    if fmt == "yaml" and "\\" in key:
        pytest.skip("not a YAML string as written")
    text = template.format(key=key, alias=ALIAS)
    [(found_line, message)] = _findings(text, fmt)
    assert found_line == line
    assert f"this looks like {kind} ({key[:8]}…)" in message
    assert key[8:] not in message  # never echoed


@pytest.mark.parametrize("text", [
    "sk-learn-0-24-compatible-pipeline-v2",  # a hyphenated name, not a key
    "sk-proj-example-deployment-2024-eu-west-1",
    "risk-assessment-2024-model-v3-final-draft",
    "task-categories-and-subcategories-table-2026",
    "xai-grok-4-fast-reasoning-0309-latest-preview",  # an xAI key is alphanumeric after xai-
    "huggingface/xai-org/grok-1",
    "openrouter/x-ai/grok-4.20-0309-reasoning",
    "openai/gpt-5.4-mini-2026-03-05",
    "AIzaBestPractices",  # too short for a Google key
    "Bearer tokens are read from the OPENAI_API_KEY environment variable",
    "bearer-token-rotation-policy-2026-quarterly",
    "see https://platform.openai.com/api-keys and https://console.x.ai",
    "the gateway reads sk-… keys from OPENAI_API_KEY",
    "-----BEGIN CERTIFICATE-----",
    "ghp_ is GitHub's prefix for personal tokens",
    "eyJ is how a JSON Web Token starts",
])
def test_look_alikes_are_not_keys(text: str) -> None:
    assert _findings(f"# R\n\n{text}\n\n{ALIAS}", "md") == []


def test_the_cli_never_prints_a_key_whole(tmp_path: Path) -> None:
    keys = [key for _kind, key in SHAPES.values()]
    (tmp_path / "registry.md").write_text("# R\n\n" + "".join(f"- {key}\n" for key in keys) + "\n" + ALIAS)
    for fmt in ("text", "json", "sarif", "github", "junit"):
        result = run_regc("lint", "--format", fmt, cwd=tmp_path)
        assert result.code == 1
        for key in keys:
            if len(key) > 24:
                assert key[8:24] not in result.out + result.err, (fmt, key[:8])


def _every_registry() -> list[Path]:
    return [ROOT / "registry.md", *GOOD, *sorted((FIXTURES / "hostile").iterdir())]


def _build_everything(registry: Path, directory: Path) -> list[Path]:
    """Every built-in target (the sqlite database too) for ``registry``; the generated files."""
    shutil.copyfile(registry, directory / registry.name)
    targets = "".join(f"\n[targets.{name}]\n" for name in ("envoy", "go", "json", "litellm", "schema"))
    (directory / "regc.toml").write_text(f'registry = "{registry.name}"\n{targets}\n[targets.sqlite]\ndatabase = "out.db"\n')
    result = run_regc("build", cwd=directory)
    assert result.code == 0, result.err
    return [p for p in directory.rglob("*") if p.is_file() and p.name not in {registry.name, "regc.toml"}]


@pytest.mark.parametrize("registry", _every_registry(), ids=lambda p: p.name)
def test_no_generated_file_of_any_fixture_holds_a_key(registry: Path, tmp_path: Path) -> None:
    files = _build_everything(registry, tmp_path)
    assert len(files) >= 10
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        assert find_secrets(text) == [], path.relative_to(tmp_path)
    yaml = YAML(typ="safe", pure=True)
    litellm = yaml.load((tmp_path / "targets/litellm/config.yaml").read_text())
    for deployment in litellm["model_list"]:
        key = deployment["litellm_params"].get("api_key")
        assert key is None or key.startswith("os.environ/"), key
    assert litellm["general_settings"]["master_key"].startswith("os.environ/")
    documents = [d for d in yaml.load_all((tmp_path / "targets/envoy/ai-gateway.yaml").read_text()) if d]
    assert not any(d["kind"] == "Secret" for d in documents)
    for policy in (d for d in documents if d["kind"] == "BackendSecurityPolicy"):
        assert set(policy["spec"]["apiKey"]) == {"secretRef"}, policy


def test_a_key_pasted_into_the_registry_never_reaches_the_gateway_configs(tmp_path: Path) -> None:
    """Titles, notes, rationale and sources stay out of the LiteLLM, Envoy and Go files; the lint stops the commit."""
    keys = [key for _kind, key in SHAPES.values()]
    source = (FIXTURES / "good/features.md").read_text()
    lines = source.splitlines(keepends=True)
    rationale = next(i for i, line in enumerate(lines) if line.startswith("| **Why"))
    lines.insert(rationale + 1, "".join(f"| **Key {n}** | {key} |\n" for n, key in enumerate(keys)))
    lines.insert(1, "secret: \"" + keys[0] + "\"\n" if lines[0].startswith("---") else "")
    leaking = tmp_path / "features.md"
    leaking.write_text("".join(lines))
    directory = tmp_path / "project"
    directory.mkdir()
    for path in _build_everything(leaking, directory):
        if path.name in {"config.yaml", "ai-gateway.yaml", "config.go"}:
            assert find_secrets(path.read_text()) == [], path.name
    lint = run_regc("lint", cwd=directory)
    assert lint.code == 1
    assert lint.out.count("no-inline-secret") >= len(keys)
