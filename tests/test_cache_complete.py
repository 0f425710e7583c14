"""The run cache cannot lie: its record holds every file and environment variable a cacheable run reads.

Enforced, not remembered. Each cacheable command runs in a child process, as the console script runs it,
under an audit hook (``sys.addaudithook``: every ``open`` of a file) and a recording ``os.environ`` (every
variable read, and by whom). The test fails when the run opened a file its stored record lacks, or read a
variable that ``regc.io.cache.ENVIRONMENT`` does not list. Allowed without a record, each for a reason:

- code and package metadata that Python imports (``.py``, ``.pyc``, extension modules, ``.pth``,
  ``*.dist-info``, a zip on ``sys.path``): ``cache.fingerprint`` covers them (regc's files by size and mtime, site-packages by
  mtime, ``sys.path`` itself), and a run that loads a plugin is not recorded;
- regc's own templates: part of the fingerprint (``*.jinja``);
- directories (opened to take a lock, or to fsync a rename): not content;
- the cache's own directory.

Then the replay: a full run and a replay agree whatever happens between runs (a hypothesis property
over random edits of inputs, outputs, the catalog, the configuration and the environment), and the
replay reads recorded files with the full run's guards (a FIFO, a link to /dev/zero, an output linked
out of the project: each a full run, never a hang or a stale exit 0).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from regc.io import cache
from tests.conftest import FIXTURES, ROOT

PACKAGE = ROOT / "compiler" / "regc"
CATALOG = FIXTURES / "catalogs" / "litellm-small.json"
MODELS_DEV = FIXTURES / "catalogs" / "modelsdev-small.json"

AUDITED = '''
import json, os, sys
opened = []
def audit(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)):
        opened.append(os.path.abspath(os.fsdecode(args[0])))
sys.addaudithook(audit)
from regc.__main__ import main
code = main(sys.argv[2:])
sys.stdout.flush()
done = list(opened)
with open(sys.argv[1], "w") as report:
    json.dump({"code": code, "opened": done}, report)
'''

ENVIRON = '''
import json, os, sys
reads = []
def note(key):
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.endswith(("os.py", "_collections_abc.py", "<frozen os>",
                                                                   "<frozen _collections_abc>", "<frozen posixpath>", "<string>")):
        frame = frame.f_back
    reads.append([key, frame.f_code.co_filename if frame is not None else "?"])
class Recording(type(os.environ)):
    def __getitem__(self, key):
        note(key)
        return super().__getitem__(key)
    def __contains__(self, key):
        note(key)
        return super().__contains__(key)
    def __iter__(self):
        note("*")
        return super().__iter__()
os.environ.__class__ = Recording
from regc.__main__ import main
code = main(sys.argv[2:])
sys.stdout.flush()
os.environ.__class__ = Recording.__mro__[1]
with open(sys.argv[1], "w") as report:
    json.dump({"code": code, "reads": reads}, report)
'''

#: Variables library code reads in a cacheable run (found by this test), and why none needs to be in the key.
LIBRARY_VARIABLES = {
    **dict.fromkeys(["LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"], "gettext, for click's messages: no catalog ships for them, "
                    "and what they translate is usage errors (exit 2: never recorded)"),
    **dict.fromkeys(["HOME", "PYTHONUSERBASE", "_PYTHON_PROJECT_BASE", "_PYTHON_SYSCONFIGDATA_NAME"], "sysconfig, placing "
                    "site-packages: where Python finds packages is sys.path, which is in the fingerprint"),
    "PYTHONTZPATH": "zoneinfo, loaded with pydantic's date types: regc's dates carry no time zone",
    "PYDANTIC_DISABLE_PLUGINS": "pydantic's own plugins: installing one changes site-packages (the fingerprint)",
    "RUAMEL_DEBUG": "ruamel.yaml's debugging output, for ruamel's developers",
    "_REGC_COMPLETE": "click's shell completion: when set, regc's cache is off (cache.SWITCHES)",
}


def _environment(**extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith(("REGC_", "GITHUB_", "GIT_"))}, **extra}


def _child(script: str, project: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    report = project.parent / f"{project.name}-report.json"
    done = subprocess.run([sys.executable, "-c", script, str(report), *args], cwd=project, env=env or _environment(),
                          capture_output=True, text=True, check=False, timeout=120)
    assert report.exists(), done.stderr
    result: dict[str, object] = json.loads(report.read_text())
    report.unlink()
    return result


def _record(project: Path) -> dict[str, object]:
    (entry,) = sorted((project / ".regc-cache").glob("*.json"), key=lambda p: p.stat().st_mtime_ns)[-1:]
    recorded: dict[str, object] = json.loads(entry.read_text())
    return recorded


def _exempt(path: str, project: Path) -> bool:
    p = Path(path)
    return (p.suffix in {".py", ".pyc", ".so", ".pth", ".typed", ".jinja"} or any(part.endswith((".dist-info", ".egg-info"))
            for part in p.parts) or "__pycache__" in p.parts or path in sys.path  # an import looking in a zip on the path
            or p.is_dir() or p.is_relative_to(project / ".regc-cache"))


def _projects(tmp_path: Path) -> Iterator[tuple[str, Path, dict[str, str]]]:
    """Projects that make a cacheable run read every kind of file: a catalog the policy names (a path, and
    models.dev through its variable), a hand-written file a target edits, a worktree's `.git` file, an output
    under an option other than `path` (sqlite's database)."""
    plain = tmp_path / "plain"
    plain.mkdir()
    shutil.copyfile(FIXTURES / "good/features.md", plain / "registry.md")
    (plain / "regc.toml").write_text('[targets.json]\npath = "out/registry.json"\n\n[targets.sqlite]\npath = "out/t.sql"\n'
                                     'database = "out/t.db"\n')
    (plain / "policy.yaml").write_text(f"catalog: {CATALOG}\nrules:\n  model-ref-form: off\n")
    yield "catalog path", plain, _environment()

    modelsdev = tmp_path / "modelsdev"
    shutil.copytree(plain, modelsdev)
    (modelsdev / "policy.yaml").write_text("catalog: models.dev\n")
    yield "models.dev", modelsdev, _environment(REGC_MODELS_DEV=str(MODELS_DEV))

    block = tmp_path / "block"
    block.mkdir()
    shutil.copyfile(FIXTURES / "good/features.md", block / "registry.md")
    (block / "gateway").mkdir()
    shutil.copyfile(FIXTURES / "go/gateway/config.go", block / "gateway/config.go")
    (block / "regc.toml").write_text('[targets.go]\npath = "gateway/config.go"\nmode = "block"\n')
    (block / ".git").write_text(f"gitdir: {tmp_path / 'elsewhere.git'}\n")  # a worktree's: read to find git's directory
    (tmp_path / "elsewhere.git").mkdir()
    (tmp_path / "elsewhere.git" / "commondir").write_text("../common.git\n")
    yield "block mode, worktree", block, _environment()


COMMANDS = [("check",), ("lint",), ("build", "--check"), ("build",)]


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Path, dict[str, str]]]:
    """``_projects``, built (their outputs up to date, so a ``build`` writes nothing and is recorded)."""
    found = list(_projects(tmp_path_factory.mktemp("complete")))
    for _, project, env in found:
        subprocess.run([sys.executable, "-m", "regc", "--no-cache", "build"], cwd=project, env=env, capture_output=True, check=True)
    return found


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_file_a_cacheable_run_opens_is_in_its_record(projects: list[tuple[str, Path, dict[str, str]]],
                                                           command: tuple[str, ...]) -> None:
    for label, project, env in projects:
        shutil.rmtree(project / ".regc-cache", ignore_errors=True)
        report = _child(AUDITED, project, *command, env=env)
        assert report["code"] in (0, 1), (label, report)
        record = _record(project)
        reads = record["reads"]
        assert isinstance(reads, dict)
        opened = report["opened"]
        assert isinstance(opened, list)
        missing = sorted({path for path in opened if path not in reads and not _exempt(path, project)})
        assert missing == [], f"{label}: `regc {' '.join(command)}` opened files its cache record lacks: {missing}"
        if label != "block mode, worktree":
            catalog = str(MODELS_DEV if label == "models.dev" else CATALOG)
            assert catalog in reads or command[0] == "build", label  # the control: the audit sees what the record holds


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_variable_a_cacheable_run_reads_is_in_the_cache_key(projects: list[tuple[str, Path, dict[str, str]]],
                                                                  command: tuple[str, ...]) -> None:
    for label, project, env in projects:
        shutil.rmtree(project / ".regc-cache", ignore_errors=True)
        report = _child(ENVIRON, project, *command, env={**env, "GITHUB_ACTIONS": "true", "NO_COLOR": "1"})
        reads = report["reads"]
        assert isinstance(reads, list)
        ours = {key for key, where in reads if Path(where).is_relative_to(PACKAGE)}
        theirs = {key for key, where in reads if not Path(where).is_relative_to(PACKAGE)}
        assert "GITHUB_ACTIONS" in ours, label  # the control: the recording sees regc's reads
        assert ours - set(cache.SWITCHES) <= set(cache.ENVIRONMENT), (label, sorted(ours - set(cache.ENVIRONMENT)))
        assert theirs <= LIBRARY_VARIABLES.keys(), (label, sorted(theirs - LIBRARY_VARIABLES.keys()))


# --- the replay: never a stale green, never a hang ---------------------------------------------------------


def _run(project: Path, *args: str) -> tuple[int, str, str]:
    """``regc ARGS`` in this process, through the console script's entry point (so the cache replays and records)."""
    from regc.__main__ import main

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.chdir(project), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(list(args))
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in [*cache.ENVIRONMENT, "REGC_NO_CACHE"]:
        monkeypatch.delenv(name, raising=False)
    project = tmp_path / "project"
    project.mkdir()
    shutil.copyfile(FIXTURES / "good/features.md", project / "registry.md")
    (project / "regc.toml").write_text('[targets.json]\npath = "out/registry.json"\n')
    (project / "policy.yaml").write_text(f"catalog: {CATALOG}\n")
    assert _run(project, "build")[0] == 0
    return project


def _replay_equals_full_run(project: Path, *args: str) -> tuple[int, str, str]:
    replayed = _run(project, *args)
    full = _run(project, "--no-cache", *args)
    assert replayed == full
    return replayed


def test_a_changed_catalog_is_never_replayed_as_the_old_verdict(recorded: Path, tmp_path: Path) -> None:
    """The issue's case: the policy names a catalog; it changes; `regc lint` replayed exit 0 where a full run gave 1."""
    catalog = tmp_path / "catalog.json"
    catalog.write_text(CATALOG.read_text())
    (recorded / "policy.yaml").write_text(f"catalog: {catalog}\nrules:\n  model-ref-form: off\n")
    first = _replay_equals_full_run(recorded, "lint", "--today", "2026-11-22")
    data = json.loads(catalog.read_text())
    data["claude-opus-4-7"] = {"litellm_provider": "anthropic", "deprecation_date": "2026-01-01"}
    catalog.write_text(json.dumps(data))

    second = _replay_equals_full_run(recorded, "lint", "--today", "2026-11-22")

    assert "retired-model" in second[1] and "retired-model" not in first[1]


def test_the_models_dev_variable_is_part_of_the_key(recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (recorded / "policy.yaml").write_text("catalog: models.dev\n")
    other = tmp_path / "other.json"
    data = json.loads(MODELS_DEV.read_text())
    data["anthropic"]["models"]["claude-opus-4-7"] = {"status": "deprecated"}
    other.write_text(json.dumps(data))
    monkeypatch.setenv("REGC_MODELS_DEV", str(MODELS_DEV))
    first = _replay_equals_full_run(recorded, "lint", "--today", "2026-11-22")
    assert _run(recorded, "lint", "--today", "2026-11-22") == first  # recorded, and replayed

    monkeypatch.setenv("REGC_MODELS_DEV", str(other))  # another file, itself unchanged

    second = _replay_equals_full_run(recorded, "lint", "--today", "2026-11-22")
    assert second != first


@pytest.mark.parametrize("trap", ["fifo", "dev-zero", "output linked out", "output directory linked in"])
def test_the_replay_reads_with_the_full_runs_guards(recorded: Path, tmp_path: Path, trap: str) -> None:
    """What the replay used to do: hang on a FIFO, read /dev/zero until memory ran out, replay 0 for an output that
    is a link out of the project (the full run refuses it, exit 2). Each is now a full run, in a child with a guard."""
    for _ in range(2):
        subprocess.run([sys.executable, "-m", "regc", "check"], cwd=recorded, env=_environment(), capture_output=True, check=False)
    assert list((recorded / ".regc-cache").glob("*.json"))
    registry, output = recorded / "registry.md", recorded / "out/registry.json"
    if trap == "fifo":
        registry.unlink()
        os.mkfifo(registry)
    elif trap == "dev-zero":
        registry.unlink()
        registry.symlink_to("/dev/zero")
    elif trap == "output linked out":
        outside = tmp_path / "outside.json"
        outside.write_bytes(output.read_bytes())
        output.unlink()
        output.symlink_to(outside)
    else:
        shutil.move(recorded / "out", recorded / "real")
        (recorded / "out").symlink_to("real", target_is_directory=True)

    done = subprocess.run([sys.executable, "-m", "regc", "check"], cwd=recorded, env=_environment(), capture_output=True, text=True,
                          check=False, timeout=60)

    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr


def test_a_directory_where_a_missing_file_was_recorded_is_a_change(recorded: Path) -> None:
    (recorded / "policy.yaml").unlink()
    _replay_equals_full_run(recorded, "check")
    (recorded / "policy.yaml").mkdir()
    assert _replay_equals_full_run(recorded, "check")[0] == 2


def test_a_run_that_loads_a_plugin_is_never_recorded(recorded: Path, tmp_path: Path) -> None:
    from tests.test_custom_rules import install_plugin

    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site)
    env = {**_environment(), "PYTHONPATH": os.pathsep.join([str(site), str(ROOT / "compiler")])}
    shutil.rmtree(recorded / ".regc-cache", ignore_errors=True)
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "regc", "lint"], cwd=recorded, env=env, capture_output=True, text=True, check=False)
        assert "primary-listed" in done.stdout + done.stderr or done.returncode in (0, 1), done.stderr
    assert not list((recorded / ".regc-cache").glob("*.json"))


# --- the property: whatever changes between runs, a replay says what a full run says -------------------------

EDITS = st.sampled_from([
    "registry: drop a fallback", "registry: break it", "registry: restore", "output: hand edit", "output: delete",
    "output: link out", "output: restore", "catalog: date a model", "catalog: restore", "config: move the output",
    "config: restore", "policy: waive", "policy: models.dev", "policy: restore", "env: github", "env: no colour",
    "env: models.dev", "env: models.dev dated", "env: clear", "build",
])
COMMAND = st.sampled_from([("check",), ("lint",), ("build", "--check"), ("check", "--format", "json"), ("build",)])


def _apply(edit: str, project: Path, state: dict[str, bytes], catalog: Path) -> None:
    registry, output, config, policy = (project / "registry.md", project / "out/registry.json", project / "regc.toml",
                                        project / "policy.yaml")
    if edit == "registry: drop a fallback":
        registry.write_text(state["registry"].decode().replace("`openai/o3`, ", ""))
    elif edit == "registry: break it":
        registry.write_text("# no aliases\n")
    elif edit == "registry: restore":
        registry.write_bytes(state["registry"])
    if edit.startswith("output:") and edit != "output: link out" and output.is_symlink():
        output.unlink()
    if edit == "output: hand edit" and output.is_file():
        output.write_text(output.read_text().replace("flagship", "flagshiP"))
    elif edit == "output: delete":
        output.unlink(missing_ok=True)
    elif edit == "output: link out":  # the same bytes, through a link out of the project: only the link is new
        (catalog.parent / "outside.json").write_bytes(output.read_bytes() if output.is_file() else state["output"])
        output.unlink(missing_ok=True)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.symlink_to(catalog.parent / "outside.json")
    elif edit == "output: restore":
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(state["output"])
    elif edit == "catalog: date a model":
        data = json.loads(state["catalog"])
        data["claude-opus-4-7"] = {"litellm_provider": "anthropic", "deprecation_date": "2026-01-01"}
        catalog.write_text(json.dumps(data))
    elif edit == "catalog: restore":
        catalog.write_bytes(state["catalog"])
    elif edit == "config: move the output":
        config.write_text('[targets.json]\npath = "out/moved.json"\n')
    elif edit == "config: restore":
        config.write_bytes(state["config"])
    elif edit == "policy: waive":
        policy.write_text(state["policy"].decode() + "waivers:\n  - {rule: retired-model, reason: testing}\n")
    elif edit == "policy: models.dev":
        policy.write_text("catalog: models.dev\nrules:\n  model-ref-form: off\n")
    elif edit == "policy: restore":
        policy.write_bytes(state["policy"])
    elif edit == "env: github":
        os.environ["GITHUB_ACTIONS"] = "true"
    elif edit == "env: no colour":
        os.environ["NO_COLOR"] = "1"
    elif edit == "env: models.dev":
        os.environ["REGC_MODELS_DEV"] = str(MODELS_DEV)
    elif edit == "env: models.dev dated":
        os.environ["REGC_MODELS_DEV"] = str(catalog.parent / "modelsdev-dated.json")
    elif edit == "env: clear":
        for name in ("GITHUB_ACTIONS", "NO_COLOR", "REGC_MODELS_DEV"):
            os.environ.pop(name, None)
    elif edit == "build":
        _run(project, "--no-cache", "build")


def _snapshot(project: Path) -> dict[str, bytes | str]:
    """Every file of the project but the cache: bytes, or a link's target."""
    found: dict[str, bytes | str] = {}
    for path in sorted(project.rglob("*")):
        if ".regc-cache" in path.parts:
            continue
        if path.is_symlink():
            found[path.relative_to(project).as_posix()] = os.readlink(path)
        elif path.is_file():
            found[path.relative_to(project).as_posix()] = path.read_bytes()
    return found


def _restore(project: Path, files: dict[str, bytes | str]) -> None:
    for path in sorted(project.rglob("*"), reverse=True):
        if ".regc-cache" in path.parts or path == project / ".regc-cache":
            continue
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            path.rmdir()
    for relative, data in files.items():
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.symlink_to(data)
        else:
            path.write_bytes(data)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.lists(EDITS, max_size=2), COMMAND), min_size=1, max_size=6))
# The cases, always tried first: a catalog changed under a recorded lint; the models.dev file swapped by its
# variable; an output linked out of the project; an output no target generates any more.
@example(steps=[([], ("lint",)), (["catalog: date a model"], ("lint",))])
@example(steps=[(["policy: models.dev", "env: models.dev"], ("check",)), (["env: models.dev dated"], ("check",))])
@example(steps=[([], ("check",)), (["output: link out"], ("check",))])
@example(steps=[([], ("build",)), (["config: move the output"], ("build", "--check")), ([], ("build",))])
def test_whatever_changes_between_runs_a_replay_says_what_a_full_run_says(
        tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[list[str], tuple[str, ...]]]) -> None:
    """Random sequences of edits to the registry, an output, the catalog, the configuration, the policy and the
    environment, with a cacheable command after each: the cached run (replayed or recorded) prints and exits exactly
    as `--no-cache` does on the same files, and leaves the same files behind."""
    base = tmp_path_factory.mktemp("property")
    project = base / "project"
    project.mkdir()
    catalog = base / "catalog.json"
    catalog.write_bytes(CATALOG.read_bytes())
    (base / "outside.json").write_text("{}\n")
    dated = json.loads(MODELS_DEV.read_text())
    dated["anthropic"]["models"]["claude-opus-4-7"] = {"status": "deprecated"}
    (base / "modelsdev-dated.json").write_text(json.dumps(dated))
    shutil.copyfile(FIXTURES / "good/features.md", project / "registry.md")
    (project / "regc.toml").write_text('[targets.json]\npath = "out/registry.json"\n')
    (project / "policy.yaml").write_text(f"catalog: {catalog}\nrules:\n  model-ref-form: off\n")
    saved = {name: os.environ.get(name) for name in [*cache.ENVIRONMENT, "REGC_NO_CACHE"]}
    for name in saved:
        os.environ.pop(name, None)
    try:
        _run(project, "build")
        state = {"registry": (project / "registry.md").read_bytes(), "output": (project / "out/registry.json").read_bytes(),
                 "catalog": catalog.read_bytes(), "config": (project / "regc.toml").read_bytes(),
                 "policy": (project / "policy.yaml").read_bytes()}
        for edits, command in steps:
            args = (*command, "--today", "2026-11-22") if command[0] in ("check", "lint") else command
            _run(project, *args)  # recorded (or replayed) before the edits: after them, a replay is tempting
            for edit in edits:
                _apply(edit, project, state, catalog)
            before = _snapshot(project)
            full = _run(project, "--no-cache", *args)
            after_full = _snapshot(project)
            _restore(project, before)
            cached = _run(project, *args)
            assert cached == full, (edits, args)
            assert _snapshot(project) == after_full, (edits, args)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
