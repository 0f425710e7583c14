"""The go target, proven by Go itself: gofmt, go vet, go test, and Go's type checker.

One Go module is built per test session (in a temporary directory, with its
own GOCACHE, no network): a package per registry (this repository's
committed ``targets/go/config.go``, every good and hostile fixture, a custom-
options case and the hand-written gateway file in block mode), and a
generated test package that imports them all and compares every alias with
the values ``regc.load`` gives. The property tests use ``gocheck``
(tests/go/gocheck), a small program built once per session on go/parser and
go/types, and the real ``gofmt``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from syrupy.assertion import SnapshotAssertion

import regc
from regc import targets
from regc.model.config import load_config
from regc.targets.go import GoOptions, GoTarget, go_string, gofmt_layout, printable
from tests.conftest import FIXTURES, GOOD, ROOT, file_snapshot, require_tool, run_regc
from tests.registries import load_text, yaml_registries

GO_TESTS = Path(__file__).resolve().parent / "go"
HOSTILE = sorted((FIXTURES / "hostile").iterdir())
PROVIDERS = FIXTURES / "providers" / "registry.md"  # Bedrock ids with `:`, Azure deployments, a vLLM model id with `/`
GATEWAY = FIXTURES / "go" / "gateway"
GENERATED_LINE = re.compile(r"^// Code generated .* DO NOT EDIT\.$")
TIMEOUT = 600


@dataclasses.dataclass(frozen=True)
class Go:
    """The Go toolchain, isolated in a temporary directory for this session."""

    env: dict[str, str]
    root: Path
    gocheck: Path

    def run(self, *args: str | Path, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([str(a) for a in args], cwd=cwd, env=self.env, input=stdin, capture_output=True, timeout=TIMEOUT, check=False)

    def gofmt(self, source: bytes) -> bytes:
        """What ``gofmt`` prints for ``source``; an AssertionError if gofmt cannot parse it."""
        done = self.run("gofmt", cwd=self.root, stdin=source)
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout

    def check(self, source: bytes) -> dict[str, Any]:
        """The package name and map values that Go's parser and type checker read from ``source``."""
        done = self.run(self.gocheck, cwd=self.root, stdin=source)
        assert done.returncode == 0, f"go/types rejects the file: {done.stderr.decode()}\n{source.decode()}"
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    def quote(self, texts: list[str]) -> list[str]:
        """``strconv.Quote`` of each text."""
        done = self.run(self.gocheck, "-quote", cwd=self.root, stdin=json.dumps(texts).encode())
        assert done.returncode == 0, done.stderr.decode()
        quoted: list[str] = json.loads(done.stdout)
        return quoted


@pytest.fixture(scope="session")
def go(tmp_path_factory: pytest.TempPathFactory) -> Go:
    require_tool("go")
    require_tool("gofmt")
    root = tmp_path_factory.mktemp("go")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO") or k == "GOROOT"}  # no user GOFLAGS, GOPATH, proxy
    env.update(
        GOCACHE=str(root / "cache"), GOPATH=str(root / "gopath"), GOFLAGS="-mod=mod", GOPROXY="off", GOSUMDB="off",
        GOTOOLCHAIN="local", GO111MODULE="on", GOWORK="off", CGO_ENABLED="0", GOTELEMETRY="off",
    )
    tools = root / "tools"
    shutil.copytree(GO_TESTS, tools)
    (tools / "go.mod").write_text("module regctools\n\ngo 1.19\n")
    toolchain = Go(env, root, root / "gocheck")
    done = toolchain.run("go", "build", "-o", toolchain.gocheck, "./gocheck", cwd=tools)
    assert done.returncode == 0, done.stderr.decode()
    return toolchain


# --- the session's Go module: every registry as a package, one test that checks them all ----------


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    registry: Path
    source: bytes
    variable: str = "Aliases"
    fallbacks: str | None = "Fallbacks"


def _render(path: Path, **options: Any) -> bytes:
    validated = GoOptions.model_validate(options)
    return GoTarget().render(regc.load(path), validated)[validated.path]


def _case_name(path: Path) -> str:
    return f"{path.parent.name}_{path.name}".replace(".", "_")


def _block_source(registry: Path) -> bytes:
    target = GoTarget(read=lambda _path: (GATEWAY / "config.go").read_bytes())
    options = GoOptions(mode="block", path="gateway/config.go")
    return target.render(regc.load(registry), options)["gateway/config.go"]


def _cases() -> list[Case]:
    committed = ROOT / "targets/go/config.go"
    cases = [Case("repo", ROOT / "registry.md", committed.read_bytes() if committed.exists() else b"")]
    cases += [Case(_case_name(path), path, _render(path)) for path in [*GOOD, *HOSTILE, PROVIDERS]]
    features = FIXTURES / "good/features.md"
    cases.append(Case("custom", features, _render(features, package="routing", variable="Models", fallbacks="Chains"), "Models", "Chains"))
    cases.append(Case("nofallbacks", features, _render(features, fallbacks=""), "Aliases", None))
    cases.append(Case("block", ROOT / "registry.md", _block_source(ROOT / "registry.md")))
    return cases


CASES = _cases()


def _expected(path: Path) -> dict[str, Any]:
    """What every alias must map to, from the library (regc.load), not from the target."""
    registry = regc.load(path)
    return {
        "aliases": {a.name: str(registry.resolve(a.name).primary) for a in registry.aliases},
        "fallbacks": {a.name: [str(ref) for ref in registry.resolve(a.name).fallbacks] for a in registry.aliases},
    }


CHECK_TEST = """\
package check

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"

{imports}
)

type maps struct {{
	Aliases   map[string]string
	Fallbacks map[string][]string
}}

var generated = map[string]maps{{
{entries}
}}

func TestEveryAlias(t *testing.T) {{
	data, err := os.ReadFile("expected.json")
	if err != nil {{
		t.Fatal(err)
	}}
	var expected map[string]struct {{
		Aliases   map[string]string   `json:"aliases"`
		Fallbacks map[string][]string `json:"fallbacks"`
	}}
	if err := json.Unmarshal(data, &expected); err != nil {{
		t.Fatal(err)
	}}
	if len(expected) != len(generated) {{
		t.Fatalf("%d expected cases, %d generated packages", len(expected), len(generated))
	}}
	for name, want := range expected {{
		got, want := generated[name], want
		t.Run(name, func(t *testing.T) {{
			if len(got.Aliases) != len(want.Aliases) {{
				t.Errorf("%d aliases, want %d", len(got.Aliases), len(want.Aliases))
			}}
			for alias, primary := range want.Aliases {{
				if value, ok := got.Aliases[alias]; !ok || value != primary {{
					t.Errorf("Aliases[%q] = %q (present: %v), want %q", alias, value, ok, primary)
				}}
			}}
			if want.Fallbacks == nil {{
				if got.Fallbacks != nil {{
					t.Errorf("a fallbacks map was generated, none expected")
				}}
			}} else {{
				if len(got.Fallbacks) != len(want.Fallbacks) {{
					t.Errorf("%d fallback chains, want %d", len(got.Fallbacks), len(want.Fallbacks))
				}}
				for alias, chain := range want.Fallbacks {{
					value, ok := got.Fallbacks[alias]
					if !ok || len(value) != len(chain) || (len(chain) > 0 && !reflect.DeepEqual(value, chain)) {{
						t.Errorf("Fallbacks[%q] = %q (present: %v), want %q", alias, value, ok, chain)
					}}
				}}
			}}
			t.Logf("checked %d aliases", len(want.Aliases))
		}})
	}}
}}
"""


@dataclasses.dataclass(frozen=True)
class ModuleResults:
    module: Path
    vet: subprocess.CompletedProcess[bytes]
    tests: dict[tuple[str, str], str]  # (package, test) -> pass/fail/skip
    output: dict[tuple[str, str], str]


@pytest.fixture(scope="session")
def module(go: Go) -> ModuleResults:
    """Build the module once, run ``go vet ./...`` and ``go test ./...`` once, keep the results."""
    root = go.root / "module"
    (root / "check").mkdir(parents=True)
    (root / "go.mod").write_text("module regctest\n\ngo 1.19\n")
    imports, entries, expected = [], [], {}
    for index, case in enumerate(CASES):
        package = root / "cases" / case.name
        package.mkdir(parents=True)
        (package / "config.go").write_bytes(case.source)
        imports.append(f'\tc{index} "regctest/cases/{case.name}"')
        fallbacks = f"c{index}.{case.fallbacks}" if case.fallbacks else "nil"
        entries.append(f'\t"{case.name}": {{c{index}.{case.variable}, {fallbacks}}},')
        expected[case.name] = _expected(case.registry)
        if case.fallbacks is None:
            expected[case.name]["fallbacks"] = None
    shutil.copyfile(GATEWAY / "config_test.go", root / "cases/block/config_test.go")
    (root / "check/check_test.go").write_text(CHECK_TEST.format(imports="\n".join(imports), entries="\n".join(entries)))
    (root / "check/expected.json").write_text(json.dumps(expected, ensure_ascii=False))
    vet = go.run("go", "vet", "./...", cwd=root)
    run = go.run("go", "test", "-count=1", "-json", "./...", cwd=root)
    tests: dict[tuple[str, str], str] = {}
    output: dict[tuple[str, str], str] = {}
    for line in run.stdout.decode().splitlines():
        event = json.loads(line)
        key = (event.get("Package", ""), event.get("Test", ""))
        if event["Action"] in {"pass", "fail", "skip"}:
            tests[key] = event["Action"]
        elif event["Action"] == "output":
            output[key] = output.get(key, "") + event["Output"]
    assert tests, f"go test ran nothing: {run.stderr.decode()}"
    return ModuleResults(root, vet, tests, output)


# --- real gofmt, go vet, go test ------------------------------------------------------------


def test_this_repository_builds_its_go_output() -> None:
    config = load_config(ROOT / "pyproject.toml")
    assert config.settings.targets is not None and "go" in config.settings.targets
    assert CASES[0].source, "targets/go/config.go is missing: run `regc build`"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_output_is_byte_for_byte_what_gofmt_prints(go: Go, case: Case) -> None:
    assert go.gofmt(case.source) == case.source


def test_gofmt_l_lists_nothing(go: Go, module: ModuleResults) -> None:
    done = go.run("gofmt", "-l", module.module / "cases", ROOT / "targets/go", GATEWAY, GO_TESTS, cwd=module.module)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b""


def test_go_vet_passes(module: ModuleResults) -> None:
    assert module.vet.returncode == 0, module.vet.stderr.decode()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_go_test_finds_every_alias_with_its_registry_value(module: ModuleResults, case: Case) -> None:
    key = ("regctest/check", f"TestEveryAlias/{case.name}")
    assert module.tests.get(key) == "pass", module.output.get(key, "") + module.output.get(("regctest/check", "TestEveryAlias"), "")
    count = len(regc.load(case.registry).aliases)
    assert f"checked {count} aliases" in module.output[key]


def test_hand_written_code_around_the_block_compiles_and_uses_the_generated_maps(module: ModuleResults) -> None:
    key = ("regctest/cases/block", "TestResolveServesTheGeneratedAliases")
    assert module.tests.get(key) == "pass", module.output.get(key)


@pytest.mark.parametrize("case", [c for c in CASES if c.name != "block"], ids=lambda c: c.name)
def test_go_tools_recognise_the_file_as_generated(case: Case) -> None:
    lines = case.source.decode().splitlines()
    package = next(i for i, line in enumerate(lines) if line.startswith("package "))
    assert any(GENERATED_LINE.match(line) for line in lines[:package])


def test_block_mode_writes_no_generated_notice() -> None:
    """A `Code generated` line would make Go's tools treat the whole hand-written file as generated."""
    source = _block_source(ROOT / "registry.md").decode()
    assert not any(GENERATED_LINE.match(line) for line in source.splitlines())
    assert "Generated by regc from registry.md" in source


# --- the output itself ----------------------------------------------------------------------


def test_every_alias_maps_to_its_full_primary_reference_legacy_ones_included() -> None:
    source = _render(ROOT / "registry.md").decode()
    registry = regc.load(ROOT / "registry.md")
    legacy = [a.name for a in registry.aliases if a.section == "legacy"]
    assert legacy
    for alias in registry.aliases:
        assert re.search(rf'^\t"{re.escape(alias.name)}":\s+"{re.escape(str(registry.resolve(alias.name).primary))}",$', source, re.M)


def test_keys_are_sorted_and_output_is_identical_on_every_run() -> None:
    first, second = _render(ROOT / "registry.md"), _render(ROOT / "registry.md")
    assert first == second
    keys = re.findall(r'^\t("[^"]*"):', first.decode().split("var Fallbacks")[0], re.M)
    assert keys == sorted(keys) and len(keys) == len(regc.load(ROOT / "registry.md").aliases)


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.name)
def test_hostile_fixture_outputs(path: Path, snapshot: SnapshotAssertion) -> None:
    assert _render(path) == snapshot(extension_class=file_snapshot("go"))


def test_a_hostile_registry_file_name_stays_inside_the_header_comment(go: Go, tmp_path: Path) -> None:
    path = tmp_path / 'evil\npackage main "x" `y`.md'
    shutil.copyfile(FIXTURES / "good/features.md", path)
    source = _render(path)
    lines = source.decode().splitlines()
    assert GENERATED_LINE.match(lines[0]) and lines[1] == "" and lines[2] == "package config"
    assert lines[0] == '// Code generated by regc from evil?package main "x" `y`.md. DO NOT EDIT.'
    assert go.gofmt(source) == source


# --- property tests: hostile registries, Go's own parser and type checker ----------------------

identifier = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=yaml_registries(), package=identifier, variable=identifier, fallbacks=identifier)
def test_hostile_registries_give_gofmt_clean_go_with_the_same_values(
    go: Go, text: str, package: str, variable: str, fallbacks: str
) -> None:
    registry = load_text(text)
    if registry is None:
        return  # not a registry (e.g. two aliases of the same name): nothing to generate
    try:
        options = GoOptions(package=package, variable=variable, fallbacks=fallbacks)
    except ValidationError:
        options = GoOptions()
    source = GoTarget().render(registry, options)[options.path]

    assert GoTarget().render(registry, options)[options.path] == source
    assert go.gofmt(source) == source
    assert GENERATED_LINE.match(source.decode().splitlines()[0])
    result = go.check(source)
    assert result["package"] == options.package
    assert result["vars"] == {
        options.variable: {a.name: str(registry.resolve(a.name).primary) for a in registry.aliases},
        options.fallbacks: {a.name: [str(r) for r in registry.resolve(a.name).fallbacks] for a in registry.aliases},
    }
    # The same declarations spliced into the hand-written gateway file: still what gofmt prints, the rest untouched.
    block = GoTarget(read=lambda _path: (GATEWAY / "config.go").read_bytes()).render(registry, GoOptions(mode="block"))
    spliced = block[GoOptions().path]
    assert go.gofmt(spliced) == spliced
    assert _outside_block(spliced) == _outside_block((GATEWAY / "config.go").read_bytes())


@pytest.mark.parametrize(
    "options",
    [{"variable": "string"}, {"variable": "init"}, {"fallbacks": "nil"}, {"variable": "map"}, {"variable": "_"}, {"variable": "1x"},
     {"variable": "Ünï"}, {"package": "func"}, {"package": "_"}, {"fallbacks": "Aliases"}, {"marker": "a b"}, {"mode": "patch"}],
    ids=str,
)
def test_names_go_cannot_use_are_rejected(options: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        GoOptions.model_validate(options)


# --- go_string: Go's string literal rules ------------------------------------------------------

CURATED = [
    "", "plain", 'say "hi"', "back\\slash", "tab\there", "new\nline", "cr\r", "nul\x00", "bell\a\b\f\v", "esc\x1b", "del\x7f",
    "c1\x85\x9f", "nbsp\xa0", "soft\xadhyphen", "zero\u200bwidth", "ls\u2028ps\u2029", "bom\ufeff", "private\ue000",
    "noncharacter\uffff", "max\U0010ffff", "emoji 😀", "日本語", "עברית", "e\u0301", "*/ /* {{ }} %s `x`",
]


def test_go_string_is_strconv_quote(go: Go) -> None:
    assert [go_string(text) for text in CURATED] == go.quote(CURATED)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(st.characters(max_codepoint=0x5FF, blacklist_categories=("Cs",))), max_size=20))
def test_go_string_is_strconv_quote_on_generated_text(go: Go, texts: list[str]) -> None:
    assert [go_string(text) for text in texts] == go.quote(texts)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=20))
def test_go_string_literals_hold_exactly_the_text(go: Go, texts: list[str]) -> None:
    literals = [go_string(text) for text in texts]
    for literal in literals:
        assert "\n" not in literal and all(printable(char) for char in literal)
    keys = [go_string(str(i)) for i in range(len(texts))]
    body = "".join(f"\t{key}:{' ' * pad}{literal},\n" for key, (pad, _), literal in zip(keys, gofmt_layout(keys), literals, strict=True))
    source = f"package p\n\nvar S = map[string]string{{\n{body}}}\n".encode()
    assert go.gofmt(source) == source
    assert go.check(source)["vars"]["S"] == {str(i): text for i, text in enumerate(texts)}


def test_a_lone_surrogate_cannot_be_a_go_string() -> None:
    with pytest.raises(ValueError, match="surrogate"):
        go_string("a\ud800")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.text(min_size=1, max_size=8), st.text(min_size=38, max_size=130)), min_size=1, max_size=12, unique=True))
def test_the_alignment_is_gofmt_s_for_keys_of_any_length(go: Go, keys: list[str]) -> None:
    literals = sorted(go_string(key) for key in keys)
    lines = []
    for literal, (pad, blank) in zip(literals, gofmt_layout(literals), strict=True):
        lines += [""] if blank else []
        lines.append(f"\t{literal}:{' ' * pad}\"v\",")
    source = ("package p\n\nvar M = map[string]string{\n" + "\n".join(lines) + "\n}\n").encode()
    assert go.gofmt(source) == source


# --- block mode -----------------------------------------------------------------------------


def _block_project(tmp_path: Path, source: bytes | None = None, **options: str) -> Path:
    shutil.copyfile(ROOT / "registry.md", tmp_path / "registry.md")
    table = "".join(f'{key} = "{value}"\n' for key, value in {"path": "gateway/config.go", "mode": "block", **options}.items())
    # koder: the registry's own local provider (this repository's pyproject.toml has it)
    (tmp_path / "regc.toml").write_text(f'registry = "registry.md"\n\n[targets.go]\n{table}\n[providers.koder]\nlocal = true\n')
    (tmp_path / "gateway").mkdir()
    if source is not None:
        (tmp_path / "gateway/config.go").write_bytes(source)
    return tmp_path


def _outside_block(text: bytes) -> tuple[bytes, bytes]:
    head, _, rest = text.partition(b"// regc:begin aliases\n")
    _, _, tail = rest.partition(b"// regc:end aliases\n")
    return head, tail


def test_block_mode_rewrites_only_the_block_and_leaves_every_other_byte(tmp_path: Path) -> None:
    original = (GATEWAY / "config.go").read_bytes()
    project = _block_project(tmp_path, original)

    result = run_regc("build", cwd=project)

    assert result.code == 0, result.err
    written = (project / "gateway/config.go").read_bytes()
    assert _outside_block(written) == _outside_block(original)
    assert written != original
    assert written == _block_source(ROOT / "registry.md")
    assert b'"code-fast":    "xai/grok-4.3",' in written
    assert b"openai/o3" not in written  # the hand-written chain inside the block is gone


def test_block_mode_is_drift_checked_inside_the_block_only(tmp_path: Path) -> None:
    project = _block_project(tmp_path, (GATEWAY / "config.go").read_bytes())
    assert run_regc("build", cwd=project).code == 0
    assert run_regc("build", cwd=project).out == ""  # nothing to rewrite
    path = project / "gateway/config.go"

    path.write_bytes(path.read_bytes().replace(b'return name, nil', b'return name, nil // hand-written, kept'))
    assert run_regc("check", cwd=project).code == 0
    assert run_regc("build", cwd=project).out == ""
    assert b"// hand-written, kept" in path.read_bytes()

    path.write_bytes(path.read_bytes().replace(b'"xai/grok-4.3",', b'"xai/grok-3",', 1))
    check = run_regc("build", "--check", cwd=project)
    assert check.code == 1
    assert '-\t"code-fast":    "xai/grok-3",\n+\t"code-fast":    "xai/grok-4.3",' in check.out
    assert run_regc("check", cwd=project).code == 1
    assert run_regc("build", cwd=project).code == 0
    assert run_regc("check", cwd=project).code == 0


GATEWAY_TEXT = (GATEWAY / "config.go").read_text()
BEGIN_LINE = GATEWAY_TEXT.splitlines().index("// regc:begin aliases") + 1
END_LINE = GATEWAY_TEXT.splitlines().index("// regc:end aliases") + 1
MARKERS = "`// regc:begin aliases` … `// regc:end aliases`"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            GATEWAY_TEXT.replace("// regc:begin aliases\n", "").replace("// regc:end aliases\n", ""),
            [f'gateway/config.go:1:1: error: no {MARKERS} marker lines; the go target in mode = "block" rewrites only the lines '
             "between them: add the two lines, at the top level, where the generated declarations belong"],
            id="no-markers",
        ),
        pytest.param(
            GATEWAY_TEXT + "\n// regc:begin aliases\n",
            [f"gateway/config.go:{len(GATEWAY_TEXT.splitlines()) + 2}:1: error: duplicate `// regc:begin aliases` (first at line "
             f"{BEGIN_LINE}); keep exactly one begin marker"],
            id="duplicate-begin",
        ),
        pytest.param(
            GATEWAY_TEXT + "// regc:end aliases\n",
            [f"gateway/config.go:{len(GATEWAY_TEXT.splitlines()) + 1}:1: error: duplicate `// regc:end aliases` (first at line "
             f"{END_LINE}); keep exactly one end marker"],
            id="duplicate-end",
        ),
        pytest.param(
            GATEWAY_TEXT.replace("// regc:end aliases\n", ""),
            [f"gateway/config.go:{BEGIN_LINE}:1: error: `// regc:begin aliases` has no matching `// regc:end aliases` line after it"],
            id="no-end",
        ),
        pytest.param(
            GATEWAY_TEXT.replace("// regc:begin aliases\n", "//\n"),
            [f"gateway/config.go:{END_LINE}:1: error: `// regc:end aliases` has no matching `// regc:begin aliases` line before it"],
            id="no-begin",
        ),
        pytest.param(
            GATEWAY_TEXT.replace("regc:begin", "regc:swap").replace("regc:end", "regc:begin").replace("regc:swap", "regc:end"),
            [f"gateway/config.go:{BEGIN_LINE}:1: error: `// regc:end aliases` comes before `// regc:begin aliases` (line {END_LINE}); "
             "put the block between them"],
            id="end-before-begin",
        ),
        pytest.param(
            GATEWAY_TEXT.replace("// regc:begin aliases\n", "\t// regc:begin aliases\n"),
            [f"gateway/config.go:{BEGIN_LINE}:1: error: `// regc:begin aliases` must start at column 1: the block holds top-level "
             "declarations"],
            id="indented",
        ),
        pytest.param(
            None,
            ['gateway/config.go:1:1: error: no such file; the go target in mode = "block" rewrites the block between '
             '`// regc:begin aliases` and `// regc:end aliases` inside a hand-written Go file: create it with those two lines, '
             'or use mode = "file"'],
            id="no-file",
        ),
    ],
)
def test_block_mode_marker_errors_name_the_file_and_line(tmp_path: Path, source: str | None, expected: list[str]) -> None:
    project = _block_project(tmp_path, source.encode() if source is not None else None)
    before = (project / "gateway/config.go").read_bytes() if source is not None else None

    result = run_regc("build", cwd=project)

    assert (result.code, result.err.splitlines()) == (2, expected)
    assert (project / "gateway/config.go").read_bytes() == before if before is not None else not (project / "gateway/config.go").exists()


def test_block_mode_rejects_a_package_option(tmp_path: Path) -> None:
    project = _block_project(tmp_path, (GATEWAY / "config.go").read_bytes(), package="config")
    result = run_regc("build", cwd=project)
    assert result.code == 2
    assert 'regc.toml:6:1: error: targets.go.package: Value error, package applies to mode = "file" only' in result.err


def test_another_marker_name_selects_another_block(tmp_path: Path) -> None:
    source = GATEWAY_TEXT.replace("regc:begin aliases", "regc:begin routing").replace("regc:end aliases", "regc:end routing")
    project = _block_project(tmp_path, source.encode(), marker="routing")
    assert run_regc("build", cwd=project).code == 0
    assert (project / "gateway/config.go").read_bytes() == _block_source(ROOT / "registry.md").replace(b"aliases\n", b"routing\n")


def test_block_mode_works_through_the_configured_reader() -> None:
    """targets.configured gives targets a reader of the project root; the git hook can pass another one."""
    config = load_config(ROOT / "pyproject.toml")
    [(target, _)] = [(t, o) for t, o in targets.configured(config, read=lambda path: b"index copy of " + path.encode()) if t.name == "go"]
    assert target.read("targets/go/config.go") == b"index copy of targets/go/config.go"
    [(target, _)] = [(t, o) for t, o in targets.configured(config) if t.name == "go"]
    assert target.read("targets/go/config.go") == (ROOT / "targets/go/config.go").read_bytes()
    assert target.read("no/such/file.go") is None


# --- drift --------------------------------------------------------------------------------------


def test_the_committed_go_file_is_current() -> None:
    config = load_config(ROOT / "pyproject.toml")
    [(target, options)] = [(t, o) for t, o in targets.configured(config) if t.name == "go"]
    assert target.render(regc.load(ROOT / "registry.md"), options) == {"targets/go/config.go": (ROOT / "targets/go/config.go").read_bytes()}


def test_a_registry_edit_without_a_rebuild_is_drift(tmp_path: Path) -> None:
    shutil.copyfile(ROOT / "registry.md", tmp_path / "registry.md")
    (tmp_path / "regc.toml").write_text(
        'registry = "registry.md"\n\n[targets.go]\npath = "targets/go/config.go"\n\n'
        '[targets.sqlite]\npath = "targets/sqlite/task_categories.sql"\n'
        '\n[providers.koder]\nlocal = true\n'  # koder: the registry's own provider
    )
    assert run_regc("build", cwd=tmp_path).code == 0
    assert run_regc("check", cwd=tmp_path).code == 0
    registry = tmp_path / "registry.md"
    registry.write_text(registry.read_text().replace("| **Primary** | `xai/grok-4.3` |", "| **Primary** | `mistral/codestral-latest` |", 1))

    result = run_regc("check", cwd=tmp_path)

    assert result.code == 1
    assert "targets/go/config.go: stale (differs from the registry)" in result.err
    assert "targets/sqlite/task_categories.sql: stale (differs from the registry)" in result.err
    assert '-\t"code-fast":    "xai/grok-4.3",\n+\t"code-fast":    "mistral/codestral-latest",' in result.out


def test_a_moved_output_leaves_no_second_map_behind_so_the_package_builds(go: Go, tmp_path: Path) -> None:
    """The orphan case, proven by the Go compiler: the go target's path changed within one package. Before
    regc.outputs, the old file stayed beside the new one and `go build` failed on `Aliases redeclared`; now
    `regc check` reports it and `regc build` removes it, and the package builds."""
    project = tmp_path / "gateway"
    project.mkdir()
    shutil.copyfile(FIXTURES / "good/features.md", project / "registry.md")
    (project / "go.mod").write_text("module example.com/gateway\n\ngo 1.19\n")
    (project / "regc.toml").write_text('[targets.go]\npath = "config/config.go"\n')
    assert run_regc("build", cwd=project).code == 0
    (project / "regc.toml").write_text('[targets.go]\npath = "config/aliases.go"\n')
    checked = run_regc("check", cwd=project)
    assert checked.code == 1 and "config/config.go: no target generates it any more" in checked.err

    leftover = tmp_path / "leftover"  # what the build did before: the new file written, the old one left
    shutil.copytree(project, leftover)
    shutil.copyfile(leftover / "config/config.go", leftover / "config/aliases.go")
    broken = go.run("go", "build", "./...", cwd=leftover)
    assert broken.returncode != 0 and b"Aliases redeclared" in broken.stderr, broken.stderr.decode()

    assert run_regc("build", cwd=project).code == 0
    assert sorted(p.name for p in (project / "config").iterdir()) == ["aliases.go"]
    built = go.run("go", "build", "./...", cwd=project)
    assert built.returncode == 0, built.stderr.decode()


def _package_project(tmp_path: Path) -> Path:
    """A Go module whose package gateway has a hand-written config.go (the path the go target is then pointed at)."""
    project = tmp_path / "gw"
    (project / "gateway").mkdir(parents=True)
    shutil.copyfile(FIXTURES / "good/features.md", project / "registry.md")
    (project / "go.mod").write_text("module example.com/gw\n\ngo 1.19\n")
    (project / "gateway/config.go").write_text("// Package gateway routes requests.\npackage gateway\n\nvar Timeout = 30\n")
    (project / "gateway/lookup.go").write_text(
        "package gateway\n\n// Lookup is the model an alias routes to.\nfunc Lookup(alias string) string { return Aliases[alias] }\n")
    (project / "regc.toml").write_text('[targets.go]\npath = "gateway/config.go"\n')
    return project


def test_the_refusal_of_a_hand_written_go_file_names_the_package_option_and_block_mode(tmp_path: Path) -> None:
    """New-user trial 3, defect 6: the refusal named only --adopt, which then wrote `package config` into package gateway."""
    project = _package_project(tmp_path)

    refused = run_regc("--no-cache", "build", cwd=project)
    checked = run_regc("--no-cache", "check", cwd=project)

    advice = ("; it is Go source of package gateway: to let regc write the whole file, adopt it with `package = \"gateway\"` in "
              "the go target's options (it writes `package config`, which the other files of package gateway would not build "
              "with); to keep its hand-written code, set `mode = \"block\"` and put the lines `// regc:begin aliases` and "
              "`// regc:end aliases` where the maps belong\n")
    assert refused.code == 2 and refused.err.startswith("regc.toml:2:1: error: output path 'gateway/config.go' is an existing file")
    assert refused.err.endswith("`regc build --adopt gateway/config.go`" + advice), refused.err
    assert checked.code == 1 and "`regc build --adopt gateway/config.go`" + advice in checked.err
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")}, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
    for command in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", *command], cwd=project, env=env, check=True, capture_output=True)
    hooked = run_regc("hook", cwd=project)
    assert hooked.code == 1 and "`regc build --adopt gateway/config.go`" + advice in hooked.err, hooked.err
    fixed = run_regc("hook", "--fix", cwd=project)
    assert fixed.code == 2 and fixed.err.endswith(advice), fixed.err


def test_adopting_a_go_file_of_another_package_is_refused_naming_both_packages(go: Go, tmp_path: Path) -> None:
    """`--adopt` would have replaced `package gateway` with the default `package config`, and `go build` failed on
    "found packages config (config.go) and gateway (lookup.go)". Now it is exit 2 with the fix; with the fix, it builds."""
    project = _package_project(tmp_path)
    before = (project / "gateway/config.go").read_bytes()

    refused = run_regc("--no-cache", "build", "--adopt", "gateway/config.go", cwd=project)

    assert refused.code == 2, refused.err
    assert refused.err == (
        "gateway/config.go:2:1: error: `--adopt gateway/config.go` would replace `package gateway` with `package config` (the go "
        "target's `package` option), and the other files of package gateway would no longer build with it: set "
        "`package = \"gateway\"` in the go target's options, or keep this file's own code with `mode = \"block\"` and the lines "
        "`// regc:begin aliases` and `// regc:end aliases` where the maps belong; nothing was written\n")
    assert (project / "gateway/config.go").read_bytes() == before and not (project / "regc.outputs").exists()

    (project / "regc.toml").write_text('[targets.go]\npath = "gateway/config.go"\npackage = "gateway"\n')
    assert run_regc("--no-cache", "build", "--adopt", "gateway/config.go", cwd=project).code == 0
    built = go.run("go", "vet", "./...", cwd=project)
    assert built.returncode == 0, built.stderr.decode()


@pytest.mark.parametrize(("source", "expected"), [
    (b"package main\n", ("main", 1, 1)),
    (b"\xef\xbb\xbf// Copyright\n\n/* a\n package not */  package gw // x\n", ("gw", 4, 18)),
    (b"//go:build linux\n\npackage gw_2\n", ("gw_2", 3, 1)),
    (b'{"json": 1}\n', None),
    (b"/* never closed\npackage x\n", None),
    (b"packaged x\n", None),
    (b"", None),
])
def test_package_clause_is_read_after_comments_only(source: bytes, expected: tuple[str, int, int] | None) -> None:
    from regc.targets.go import package_clause

    assert package_clause(source) == expected
