"""Hostile input: generated pathological files, hostile strings in every output, and the user's terminal.

The small hostile registries live in ``tests/fixtures/bad/`` with their exact stderr
(``tests/test_bad_input.py``); the large ones are generated here (``tests/pathological.py``), never committed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from regc import escape
from regc.io import atomic, write
from tests import pathological
from tests.conftest import FIXTURES, GOOD, ROOT, run_regc

HOSTILE = sorted((FIXTURES / "hostile").iterdir())
#: Cases that could block for ever if a guard broke: run in a child process with a hang guard.
BLOCKING = {"fifo", "device"}


@pytest.mark.parametrize("name", sorted(pathological.CASES))
def test_pathological_input_is_refused_at_once_with_the_limit_named(name: str, tmp_path: Path) -> None:
    case = pathological.CASES[name]
    registry = case.make(tmp_path)
    (tmp_path / "regc.toml").write_text("")  # a configuration (every built-in target): without one, build writes nothing anyway
    if name in BLOCKING:
        done = subprocess.run([sys.executable, "-m", "regc", "--no-cache", "build", "--registry", registry], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60, check=False)
        code, out, err = done.returncode, done.stdout, done.stderr
    else:
        result = run_regc("build", "--registry", registry, cwd=tmp_path)
        code, out, err = result.code, result.out, result.err
    assert code == case.code, err
    assert err.startswith(case.stderr), err[:300]
    assert "Traceback" not in err and "internal error" not in err
    if case.code == 2:
        assert out == "" and not (tmp_path / "targets").exists()
        assert re.match(r"^[\w./-]+:\d+:\d+: error: ", err), err[:200]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_the_cell_limit_names_its_line_whatever_the_line_ends(ending: str) -> None:
    """The `|` limit's line was counted at \\n only: a file of \\r line ends was refused at line 1."""
    from regc.errors import InputError
    from regc.io.source import check_document

    text = ending.join(["# R", "", *["|a|b|c|d|e|"] * 110_000])  # 6 a row: row 83,334 (line 83,336) passes 500,000
    with pytest.raises(InputError) as refused:
        check_document(text, "registry.md")
    assert str(refused.value).startswith("registry.md:83336:1: error: the file has 660,000 `|` characters"), str(refused.value)


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


@pytest.mark.parametrize("path", [*GOOD, *HOSTILE, ROOT / "registry.md"], ids=lambda p: p.name)
@pytest.mark.parametrize("variant", ["crlf", "bom", "bom-crlf", "cr"])
def test_line_endings_and_a_bom_change_no_output(path: Path, variant: str, tmp_path: Path) -> None:
    """A registry saved on Windows (CRLF, a byte-order mark) or with old Mac line ends builds the same bytes."""
    text = path.read_text(encoding="utf-8")
    changed = {"crlf": _crlf(text), "bom": "\ufeff" + text, "bom-crlf": "\ufeff" + _crlf(text),
               "cr": text.replace("\r\n", "\n").replace("\n", "\r")}[variant]
    builds = []
    for name, content in (("plain", text), (variant, changed)):
        project = tmp_path / name
        project.mkdir()
        (project / path.name).write_bytes(content.encode("utf-8"))
        (project / "regc.toml").write_text(f'registry = "{path.name}"\n')
        result = run_regc("build", cwd=project)
        assert result.code == 0, result.err
        builds.append({p.relative_to(project): p.read_bytes() for p in sorted(project.rglob("*"))
                       if p.is_file() and p.parent != project and ".regc-cache" not in p.parts})
    assert builds[0] == builds[1]


def test_outputs_are_written_only_where_configured(tmp_path: Path) -> None:
    """No alias name, model id or note becomes a path: the files written are exactly the configured ones."""
    for registry in [*GOOD, *HOSTILE]:
        project = tmp_path / registry.stem / registry.suffix[1:]
        project.mkdir(parents=True)
        shutil.copyfile(registry, project / registry.name)
        names = ("bifrost", "envoy", "go", "json", "litellm", "openrouter", "portkey", "schema")
        (project / "regc.toml").write_text(f'registry = "{registry.name}"\n\n[targets.sqlite]\ndatabase = "db/routing.db"\n'
                                           + "".join(f"\n[targets.{n}]\n" for n in names))
        before = set(tmp_path.rglob("*"))
        assert run_regc("build", cwd=project).code == 0
        written = {p.relative_to(project).as_posix() for p in set(tmp_path.rglob("*")) - before if p.is_file()}
        assert written == {"targets/bifrost/config.json", "targets/envoy/ai-gateway.yaml", "targets/go/config.go",
                           "targets/json/registry.json", "targets/litellm/config.yaml", "targets/openrouter/presets.json",
                           "targets/portkey/configs.json",
                           "targets/sqlite/task_categories.sql",
                           "db/routing.db",
                           "schema/config.schema.json", "schema/policy.schema.json", "schema/registry.schema.json",
                           "schema/resolved-registry.schema.json", "regc.outputs"}


def test_no_generated_file_holds_a_bidirectional_or_control_character(tmp_path: Path) -> None:
    """Titles and notes with RLO, LRM, ESC, C1 controls and line separators are written as escapes in every output."""
    raw = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{escape.BIDI}]")
    source = tmp_path / "hostile.yaml"
    source.write_text(_insert_alias((FIXTURES / "hostile" / "hostile.yaml").read_text(encoding="utf-8")))
    (tmp_path / "regc.toml").write_text('registry = "hostile.yaml"\n\n[targets.sqlite]\ndatabase = "routing.db"\n'
                                        + "".join(f"\n[targets.{n}]\n"
                                                for n in ("bifrost", "envoy", "go", "json", "litellm", "openrouter", "portkey")))
    assert run_regc("build", cwd=tmp_path).code == 0
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix in {".yaml", ".json", ".sql", ".go"} and path != source:
            found = raw.findall(path.read_text(encoding="utf-8").replace("\t", ""))
            assert found == [], (path.name, found)
    import json
    import sqlite3

    document = json.loads((tmp_path / "targets/json/registry.json").read_text(encoding="utf-8"))
    assert document["aliases"]["esc"]["title"] == "\x1b[2J\x1b]0;pwned\x07 \u202e evil \u2066 \x9b"
    connection = sqlite3.connect(tmp_path / "routing.db")
    try:
        [(title,)] = connection.execute("SELECT title FROM task_categories WHERE alias = 'esc'").fetchall()
    finally:
        connection.close()
    assert title == "\x1b[2J\x1b]0;pwned\x07 \u202e evil \u2066 \x9b"


def _insert_alias(text: str) -> str:
    alias = ('  "esc":\n    title: "\\e[2J\\e]0;pwned\\a \\u202e evil \\u2066 \\x9b"\n    primary: openai/gpt-4o\n'
             '    rationale:\n      Why: "\\u200f\\u061c \\u2029 end"\n')
    return text.replace("legacy:\n", alias + "legacy:\n", 1)


def test_the_terminal_gets_no_control_sequence_from_the_registry(tmp_path: Path) -> None:
    """`regc explain`, `regc diff` and findings print registry text with controls and bidi controls escaped."""
    (tmp_path / "registry.yaml").write_text(_insert_alias((FIXTURES / "hostile" / "hostile.yaml").read_text(encoding="utf-8")))
    (tmp_path / "regc.toml").write_text('registry = "registry.yaml"\n\n[targets.json]\n')
    explained = run_regc("explain", "esc", cwd=tmp_path)
    assert explained.code == 0, explained.err
    assert "\x1b" not in explained.out and "\u202e" not in explained.out and "\u200f" not in explained.out
    assert "\\x1b[2J" in explained.out and "\\u202e evil" in explained.out
    assert escape.terminal("a\tb\nc\x1b[31m\u202ed\x85") == "a\tb\nc\\x1b[31m\\u202ed\\x85"


def test_a_write_that_fails_is_an_input_error_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk or a read-only file system: exit 2 naming the output; what was not written is untouched."""
    import errno
    import os

    shutil.copyfile(FIXTURES / "good/features.md", tmp_path / "registry.md")
    (tmp_path / "regc.toml").write_text('[targets.json]\npath = "a.json"\n\n[targets.go]\npath = "b.go"\n')

    def full(source: object, target: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(write.os, "replace", full)
    result = run_regc("build", cwd=tmp_path)
    assert result.code == 2
    assert result.err.startswith("error: cannot write a.json: No space left on device; 0 of the changed outputs were written")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["regc.toml", "registry.md"]  # no output, no temporary file


def test_output_paths_that_are_not_files_are_errors_at_the_config_line(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A directory, a FIFO, a path below a file, a symlinked file out of the root: regc.toml:LINE, nothing written."""
    import os

    outside = tmp_path_factory.mktemp("outside") / "stolen.json"
    outside.write_text("precious")
    shutil.copyfile(FIXTURES / "good/features.md", tmp_path / "registry.md")
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n\n[targets.json]\npath = "out/registry.json"\n')
    cases = {
        "directory": (lambda: (tmp_path / "out/registry.json").mkdir(parents=True), "is a directory; give the target a file path"),
        "fifo": (lambda: ((tmp_path / "out").mkdir(), os.mkfifo(tmp_path / "out/registry.json")), "is not a regular file"),
        "below a file": (lambda: (tmp_path / "out").write_text("x"), "cannot be written: 'out' is a file, not a directory"),
        "symlink out": (lambda: ((tmp_path / "out").mkdir(), (tmp_path / "out/registry.json").symlink_to(outside)),
                        "is a symbolic link; regc writes plain files in plain directories, never through a link"),
    }
    for label, (arrange, message) in cases.items():
        shutil.rmtree(tmp_path / "out", ignore_errors=True)
        (tmp_path / "out").unlink(missing_ok=True)
        arrange()
        result = run_regc("build", cwd=tmp_path)
        assert result.code == 2, label
        assert result.err.startswith("regc.toml:4:1: error: output path 'out/registry.json' "), (label, result.err)
        assert message in result.err, (label, result.err)
    assert outside.read_text() == "precious"
    assert not list(tmp_path.rglob(f"*{atomic.TMP_MARK}*"))


@pytest.mark.parametrize(("schema", "expected"), [
    ('{"$ref": "#/nope"}', "policy.yaml:6:22: error: custom_rules.0.schema (my-rule): $ref '#/nope' points nowhere in the schema"),
    ('{"$ref": "https://example.com/s.json"}', "policy.yaml:6:22: error: custom_rules.0.schema (my-rule): $ref "
                                               "'https://example.com/s.json' points nowhere in the schema; refer to a part of it"),
    ('{"properties": {"name": {"pattern": "(unclosed"}}}', "policy.yaml:6:49: error: custom_rules.0.schema (my-rule): not a valid "
                                                            "JSON Schema: '(unclosed' is not a 'regex'"),
    ('{"$ref": "#"}', "policy.yaml:6:13: error: custom rule my-rule: its schema cannot be applied (it refers to itself without end)"),
    ('{"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}', "policy.yaml:6:13: error: custom rule my-rule: its schema "
                                                                      "cannot be applied (it refers to itself without end)"),
])
def test_a_custom_rule_schema_that_cannot_be_applied_is_an_input_error(tmp_path: Path, schema: str, expected: str) -> None:
    """Found by the fuzzer: a $ref to nowhere or to itself made jsonschema raise, an internal error (exit 3)."""
    shutil.copyfile(FIXTURES / "good/features.md", tmp_path / "registry.md")
    (tmp_path / "policy.yaml").write_text("custom_rules:\n  - id: my-rule\n    applies_to: alias\n    severity: error\n"
                                          f"    message: m\n    schema: {schema}\n")
    result = run_regc("lint", cwd=tmp_path)
    assert result.code == 2, result.err
    assert result.err.startswith(expected), result.err


def test_a_fifo_where_the_go_target_reads_its_hand_written_file_is_an_error_not_a_hang(tmp_path: Path) -> None:
    """Block mode reads the existing Go file before it renders; a FIFO there would block the read for ever."""
    import os

    shutil.copyfile(FIXTURES / "good/features.md", tmp_path / "registry.md")
    (tmp_path / "regc.toml").write_text('[targets.go]\npath = "config.go"\nmode = "block"\n')
    os.mkfifo(tmp_path / "config.go")
    done = subprocess.run([sys.executable, "-m", "regc", "--no-cache", "build"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith("config.go:1:1: error: is not a regular file"), done.stderr


@pytest.mark.parametrize("form", ["md", "yaml"])
def test_an_alias_name_longer_than_gateways_keep_is_refused(tmp_path: Path, form: str) -> None:
    """Gateways keep an alias in columns of bounded length (Bifrost: varchar(255), with `regc-` before it): a name of
    101 characters is exit 2 at the alias, in both forms; 100 is fine."""
    from regc.parse.cells import MAX_ALIAS_NAME

    for length, code in ((MAX_ALIAS_NAME, 0), (MAX_ALIAS_NAME + 1, 2)):
        name = "a" * length
        if form == "md":
            text = (f"# R\n\n## Chat · alias `{name}`\n\n| | |\n|---|---|\n| **Primary** | `openai/gpt-5.4` |\n\n"
                    "## Models\n\n| Model | Input $/MTok | Output $/MTok |\n|---|---|---|\n| `openai/gpt-5.4` | $2.50 | $15.00 |\n")
        else:
            text = (f"aliases:\n  {name}:\n    title: Chat\n    primary: openai/gpt-5.4\n"
                    "models:\n  openai/gpt-5.4:\n    input: $2.50\n    output: $15.00\n")
        (tmp_path / f"registry.{form}").write_text(text, encoding="utf-8")
        result = run_regc("explain", "--registry", str(tmp_path / f"registry.{form}"), name[:10] if code else name, cwd=tmp_path)
        if code:
            assert result.code == 2, result.err
            assert f"is {length} characters long; at most {MAX_ALIAS_NAME}" in result.err and "Traceback" not in result.err
            assert result.err.startswith(f"{tmp_path / f'registry.{form}'}:") or result.err.startswith(f"registry.{form}:")
        else:
            assert result.code == 0, result.err
