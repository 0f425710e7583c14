"""Shared fixtures: the fixture corpus, and running regc's CLI in-process."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib
import io
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import pytest

from regc.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD = sorted(p for p in (FIXTURES / "good").iterdir() if p.suffix in {".md", ".yaml"})
BAD = sorted(p for p in (FIXTURES / "bad").iterdir() if p.suffix in {".md", ".yaml"})


@dataclasses.dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run_regc(*args: str | os.PathLike[str], cwd: Path | None = None) -> Run:
    """Run ``regc ARGS`` in this process (as the console script does) and capture its output."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        stack.enter_context(contextlib.redirect_stdout(stdout))
        stack.enter_context(contextlib.redirect_stderr(stderr))
        code = main([str(a) for a in args])
    return Run(code, stdout.getvalue(), stderr.getvalue())


def shared_reference(*parts: str) -> Path | None:
    """``shared/reference/PARTS`` (the real data tests read, never copied in) beside this checkout or a
    directory above it (a git worktree), else beside the local repository this checkout was cloned from
    (CI may clone main into a scratch directory); None when there is none."""
    for base in _reference_bases():
        candidate = base.joinpath("shared", "reference", *parts)
        if candidate.exists():
            return candidate
    return None


@functools.cache
def _reference_bases() -> tuple[Path, ...]:
    bases = [ROOT, *ROOT.parents]
    origin = subprocess.run(["git", "config", "--get", "remote.origin.url"], cwd=ROOT, capture_output=True, text=True,
                            check=False).stdout.strip().removeprefix("file://")
    if origin and Path(origin).is_dir():
        source = Path(origin).resolve()
        bases += [source, *source.parents]
    return tuple(bases)


def require_tool(name: str) -> str:
    """The path of program ``name`` (a real consumer such as ``go``); without it the test skips,
    or fails when ``REGC_CONFORMANCE=required`` (set by .ci/run)."""
    path = shutil.which(name)
    if path is None:
        missing_tool(f"{name} is not installed; this conformance test runs the real program")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project directory with a regc.toml building the json and schema targets."""
    (tmp_path / "regc.toml").write_text(
        'registry = "registry.md"\n\n[targets.json]\npath = "targets/json/registry.json"\n\n[targets.schema]\npath = "schema"\n'
    )
    return tmp_path


def copy_fixture(name: str, dest: Path, as_name: str | None = None) -> Path:
    source = FIXTURES / name
    target = dest / (as_name or source.name)
    shutil.copyfile(source, target)
    return target


def file_snapshot(suffix: str) -> type:
    """A syrupy extension that stores one output as one file with its own suffix, so a
    reviewer reads a snapshot of ``config.go`` as Go and of ``registry.json`` as JSON."""
    from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

    return type(
        f"{suffix.title()}FileSnapshot",
        (SingleFileSnapshotExtension,),
        {"file_extension": suffix, "_write_mode": WriteMode.BINARY},
    )


def missing_tool(reason: str) -> NoReturn:
    """A real consumer this test needs is missing: skip with ``reason``, or fail under
    ``REGC_CONFORMANCE=required`` (set by .ci/run), where every real consumer must run."""
    if os.environ.get("REGC_CONFORMANCE") == "required":
        pytest.fail(f"{reason} (REGC_CONFORMANCE=required: real consumers may not be skipped)", pytrace=False)
    pytest.skip(reason)


def require_module(name: str) -> ModuleType:
    """Import the real consumer ``name`` (``litellm``, ``cel_expr_python``), or ``missing_tool``."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        missing_tool(f"{name} is not installed ({exc}); install it with: pip install -e '.[conformance]'")


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1 (a free port) in a thread for the block; yields its base URL and stops the
    server, its socket and its thread when the block ends (the fake upstreams of the gateway tests)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class JsonHandler(BaseHTTPRequestHandler):
    """A fake upstream's request handler that answers JSON (the gateway tests' handlers derive from it)."""

    def _json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def stop(process: subprocess.Popen[Any], timeout: float) -> None:
    """End a server a test started: SIGTERM, then SIGKILL if it is still there after ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)

