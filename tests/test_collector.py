"""The build pauses CPython's cyclic collector where it would only rescan live objects, and nowhere else.

Why and what it saves: ``regc.pipeline.collector_paused`` and README "Performance".
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from regc import pipeline
from regc.model.config import load_config
from tests.conftest import FIXTURES, copy_fixture


@pytest.fixture
def collector_state() -> Iterator[None]:
    was_enabled = gc.isenabled()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.usefixtures("collector_state")
@pytest.mark.parametrize("enabled", [True, False])
def test_loading_and_building_leave_the_collector_as_they_found_it(enabled: bool, tmp_path: Path) -> None:
    copy_fixture("good/features.md", tmp_path, "registry.md")
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n', encoding="utf-8")
    if not enabled:
        gc.disable()
    registry = pipeline.load(tmp_path / "registry.md")
    assert gc.isenabled() is enabled
    result = pipeline.build(load_config(tmp_path / "regc.toml"))
    assert gc.isenabled() is enabled
    assert [a.name for a in result.registry.aliases] == [a.name for a in registry.aliases]
    assert result.written  # a real build: every target rendered and written with the collector paused


@pytest.mark.usefixtures("collector_state")
@pytest.mark.parametrize("name", ["features.md", "features.yaml"])
def test_the_collector_is_paused_for_markdown_and_running_for_yaml(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """ruamel.yaml's nodes hold reference cycles: its parse runs with the collector even inside a paused build."""
    import regc.parse.markdown
    import regc.parse.yaml

    seen: list[bool] = []
    for module, function in ((regc.parse.markdown, "parse_markdown"), (regc.parse.yaml, "parse_yaml")):
        real = getattr(module, function)
        monkeypatch.setattr(module, function, lambda *args, real=real: seen.append(gc.isenabled()) or real(*args))
    with pipeline.collector_paused():
        pipeline.load(FIXTURES / "good" / name)
        assert not gc.isenabled()
    assert seen == [name.endswith(".yaml")]


def test_the_console_script_runs_with_the_collector_off_and_freezes_what_is_left(tmp_path: Path) -> None:
    """``regc.__main__.run`` (the console script) owns its process: no automatic collection, and a frozen heap at exit.

    ``main``, which a library or a test calls, leaves the collector as it found it.
    """
    import importlib.metadata
    import subprocess
    import sys

    scripts = {entry.name: entry.value for entry in importlib.metadata.entry_points(group="console_scripts")}
    assert scripts["regc"] == "regc.__main__:run"
    probe = ("import gc, sys\nfrom regc.__main__ import main, run\n"
             "sys.argv = ['regc', '--version']\n"
             "main([ '--version'])\nprint(gc.isenabled(), gc.get_freeze_count())\n"
             "code = run()\nprint(gc.isenabled(), gc.get_freeze_count() > 0, code)\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True)
    assert [line for line in done.stdout.splitlines() if not line.startswith("regc")] == ["True 0", "False True 0"]
