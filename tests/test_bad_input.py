"""Bad input: exit 2, every diagnostic at file:line:col, no traceback, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import BAD, FIXTURES, copy_fixture, run_regc


def test_every_bad_fixture_has_its_expected_output() -> None:
    stems = {p.stem for p in BAD}
    expected = {p.stem for p in (FIXTURES / "bad").glob("*.expected")}
    assert stems == expected


@pytest.mark.parametrize("fixture", BAD, ids=lambda p: p.name)
def test_bad_registry_is_an_input_error(fixture: Path, project: Path) -> None:
    shutil.copyfile(fixture, project / fixture.name)

    result = run_regc("build", "--registry", fixture.name, cwd=project)

    assert result.code == 2
    assert result.err == fixture.with_suffix(".expected").read_text(encoding="utf-8")
    assert result.out == ""
    assert not (project / "targets").exists()
    assert not (project / "schema").exists()


def test_a_broken_registry_leaves_the_previous_outputs_alone(project: Path) -> None:
    copy_fixture("good/features.md", project, "registry.md")
    assert run_regc("build", cwd=project).code == 0
    before = {p: p.read_bytes() for p in project.rglob("*.json")}
    shutil.copyfile(FIXTURES / "bad" / "cycle.md", project / "registry.md")

    result = run_regc("build", cwd=project)

    assert result.code == 2
    assert {p: p.read_bytes() for p in project.rglob("*.json")} == before


def test_missing_registry_names_the_flag(project: Path) -> None:
    result = run_regc("build", cwd=project)
    assert result.code == 2
    assert result.err == "registry.md:1:1: error: no such file; create it or pass --registry PATH\n"


def test_unknown_suffix(project: Path) -> None:
    (project / "registry.txt").write_text("# x\n")
    result = run_regc("build", "--registry", "registry.txt", cwd=project)
    assert result.code == 2
    assert "unknown registry format '.txt'; use .md or .yaml" in result.err


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('registry = "registry.md"\nbogus = 1\n', "regc.toml:2:1: error: bogus: unknown key in regc.toml (its keys: registry, policy, "
                                                "cache_dir, targets, providers)"),
        ('[targets.nope]\npath = "x"\n', "regc.toml:1:1: error: unknown target 'nope'; known targets:"),
        (
            '[targets.json]\npath = "x.json"\nindent = "wide"\n',
            "regc.toml:3:1: error: targets.json.indent: Input should be a valid integer",
        ),
        ('registry = "registry.md\n', "regc.toml:1:"),
        # odd types and hostile values: each at the config file and the line of the setting
        ("registry = 5\n", "regc.toml:1:1: error: registry: Input should be a valid string"),
        ('targets = "all"\n', "regc.toml:1:1: error: targets: Input should be a valid dictionary"),
        ("[[targets]]\nx = 1\n", "regc.toml:1:1: error: targets: Input should be a valid dictionary"),
        ("[targets]\njson = 3\n", "regc.toml:2:1: error: targets.json: Input should be a valid dictionary"),
        ('[targets.json]\npath = ["a"]\n', "regc.toml:2:1: error: targets.json.path: Input should be a valid string"),
        ("[targets.json]\npath = 1.5e400\n", "regc.toml:2:1: error: targets.json.path: Input should be a valid string"),
        ('[targets.json]\npath = "/etc/passwd"\n', "regc.toml:2:1: error: output path '/etc/passwd' must be a relative path"),
        ('[targets.go]\npackage = "main\\nimport"\n', "regc.toml:2:1: error: targets.go.package: Value error, 'main\\nimport' is not"),
        ('cache_dir = "../../tmp/x"\n', "regc.toml:1:1: error: cache_dir: Value error, must be a directory inside the project root"),
        ("cache_dir = true\n", "regc.toml:1:1: error: cache_dir: Input should be a valid string"),
        ('[targets.json]\npath = "out.json"\nenabled = "no"\n',
         "regc.toml:3:1: error: targets.json.enabled: Input should be a valid boolean"),
        ('cache_dir = ".git"\n', "regc.toml:1:1: error: cache_dir: Value error, must be a directory outside git's directory (.git)"),
        ('cache_dir = "sub/.GIT/hooks"\n', "regc.toml:1:1: error: cache_dir: Value error, must be a directory outside git's directory"),
        ('registry = "registry.md"\ncache_dir = "registry.md"\n',
         "regc.toml:2:1: error: cache_dir: 'registry.md' is the registry, which regc reads; set another cache_dir"),
        ('[providers.openai]\napi_key_env = "sk-proj-0123456789abcdefghijKLMNOP"\n',
         "regc.toml:2:1: error: providers.openai.api_key_env: String should match pattern"),
        ('[providers.openai]\napi_base = "https://user:key@api.openai.com/v1"\n',
         "regc.toml:2:1: error: providers.openai.api_base: Value error, api_base may not carry credentials"),
        ('[providers.x]\napi_base = "ftp://x"\n', "regc.toml:2:1: error: providers.x.api_base: Value error, api_base must be an http"),
        ('[providers.azure]\napi_base = "https://contoso.openai.azure.com?x=1"\n',  # Portkey would get ...?x=1/openai
         "regc.toml:2:1: error: providers.azure.api_base: Value error, api_base may not have a query (?...) or a fragment"),
        ('[providers.azure]\napi_base = "https://c.openai.azure.com"\napi_version = "2024-13-45"\n',
         "regc.toml:3:1: error: providers.azure.api_version: Value error, api_version '2024-13-45' is not a date"),
        ('[providers.vllm]\napi_base = "http://vllm.internal:8000/v1#frag"\n',
         "regc.toml:2:1: error: providers.vllm.api_base: Value error, api_base may not have a query (?...) or a fragment"),
        ('\n[providers."a b"]\napi_base = "https://x.example"\n', "regc.toml:2:1: error: providers.a b.[key]: Value error, provider "
         "name 'a b' can never appear in a model reference"),
        ("providers = []\n", "regc.toml:1:1: error: providers: Input should be a valid dictionary"),
        ('registry = "registry.md"\n\n[providers.olama]\napi_base = "http://gpu-box.internal:11434/v1"\n',
         "regc.toml:3:1: error: unknown provider 'olama' in [providers.olama] in regc.toml: no model reference in the registry "
         "uses it, so its settings would apply to nothing; did you mean 'ollama'?\n"),
        # out of range and nested past the parser's recursion: at their place, never an internal error
        ('registry = "registry.md"\n[targets.json]\nx = ' + "{a=" * 3000 + "1" + "}" * 3000 + "\n",
         "regc.toml:3:9002: error: arrays or inline tables nest too deeply for a configuration file"),
        ('registry = "registry.md"\n# [ [ [\nx = ' + "[" * 3000 + "1" + "]" * 3000 + "\n",
         "regc.toml:3:3004: error: arrays or inline tables nest too deeply for a configuration file"),
        ("[targets.litellm]\nnum_retries = " + "1" * 4400 + "\n", "regc.toml:2:15: error: a number of 4,400 digits is out of range"),
        ("[targets.litellm]\nnum_retries = 1e300\n", "regc.toml:2:1: error: targets.litellm.num_retries: "),
        ("[targets.envoy]\nmax_rules_per_route = 5e-324\n", "regc.toml:2:1: error: targets.envoy.max_rules_per_route: Input should be"),
    ],
)
def test_bad_config_is_an_input_error(project: Path, config: str, message: str) -> None:
    copy_fixture("good/features.md", project, "registry.md")
    (project / "regc.toml").write_text(config)

    result = run_regc("build", cwd=project)

    assert result.code == 2
    assert result.err.startswith(message)


@pytest.mark.parametrize("command", ["build", "lint", "check"])
def test_a_provider_table_one_slip_from_a_known_provider_is_refused_unless_the_registry_uses_it(project: Path, command: str) -> None:
    copy_fixture("good/features.md", project, "registry.md")
    (project / "regc.toml").unlink()
    (project / "pyproject.toml").write_text('[tool.regc.providers.opneai]\napi_key_env = "OPENAI_KEY"\n'
                                            '[tool.regc.providers.acme]\napi_base = "https://llm.acme.example/v1"\n')

    result = run_regc(command, cwd=project)

    assert (result.code, result.err) == (2, "pyproject.toml:1:1: error: unknown provider 'opneai' in [tool.regc.providers.opneai] in "
                                             "pyproject.toml: no model reference in the registry uses it, so its settings would apply "
                                             "to nothing; did you mean 'openai'?\n")
    registry = project / "registry.md"
    registry.write_text(registry.read_text(encoding="utf-8").replace("openai/", "opneai/"))  # a provider of its own now
    assert run_regc("build", cwd=project).code == 0


@pytest.mark.parametrize(("name", "config", "message"), [
    ("regc.toml", 'registy = "registry.md"\n',
     "regc.toml:1:1: error: registy: unknown key in regc.toml; did you mean `registry`? (its keys: registry, policy, cache_dir, "
     "targets, providers)\n"),
    ("pyproject.toml", '[tool.regc]\nregisty = "registry.md"\n',
     "pyproject.toml:2:1: error: tool.regc.registy: unknown key in [tool.regc] in pyproject.toml; did you mean `registry`? (its "
     "keys: registry, policy, cache_dir, targets, providers)\n"),
    ("regc.toml", '[providers.openai]\napi_bse = "https://x.example/v1"\n',
     "regc.toml:2:1: error: providers.openai.api_bse: unknown key in [providers.openai] in regc.toml; did you mean `api_base`?"),
    ("pyproject.toml", '[tool.regc.providers.openai]\napi_bse = "https://x.example/v1"\n',
     "pyproject.toml:2:1: error: tool.regc.providers.openai.api_bse: unknown key in [tool.regc.providers.openai] in "
     "pyproject.toml; did you mean `api_base`?"),
    ("regc.toml", '[targets.jsno]\npath = "x.json"\n', "regc.toml:1:1: error: unknown target 'jsno'; did you mean 'json'?"),
    ("pyproject.toml", '[tool.regc.targets.go]\npackge = "x"\n',
     "pyproject.toml:2:1: error: tool.regc.targets.go.packge: unknown key in [tool.regc.targets.go] in pyproject.toml; did you "
     "mean `package`?"),
])
def test_an_unknown_configuration_key_names_the_nearest_one_in_the_files_own_syntax(
        project: Path, name: str, config: str, message: str) -> None:
    copy_fixture("good/features.md", project, "registry.md")
    (project / name).write_text(config)

    result = run_regc("--config", name, "build", cwd=project)

    assert result.code == 2
    assert result.err.startswith(message)


def test_a_config_that_is_not_utf8_is_an_input_error(project: Path) -> None:
    copy_fixture("good/features.md", project, "registry.md")
    (project / "regc.toml").write_bytes(b'registry = "r\xe9gistre.md"\n')
    result = run_regc("build", cwd=project)
    assert result.code == 2
    assert result.err.startswith("regc.toml:1:1: error: not UTF-8")


def test_output_path_outside_the_root_is_refused(project: Path) -> None:
    copy_fixture("good/features.md", project, "registry.md")
    (project / "regc.toml").write_text('[targets.json]\npath = "../escaped.json"\n')

    result = run_regc("build", cwd=project)

    assert result.code == 2
    assert "leaves the project root" in result.err
    assert not (project.parent / "escaped.json").exists()


def test_symlinked_output_directory_outside_the_root_is_refused(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    copy_fixture("good/features.md", project, "registry.md")
    (project / "targets").symlink_to(outside, target_is_directory=True)
    (project / "regc.toml").write_text('[targets.json]\npath = "targets/registry.json"\n')

    result = run_regc("build", cwd=project)

    assert result.code == 2
    assert "output path 'targets/registry.json' cannot be written: 'targets' is a symbolic link" in result.err
    assert list(outside.iterdir()) == []
