"""Faults: a build killed with SIGKILL at any point, and builds that run at the same time.

Every test here runs real ``regc build`` processes and kills them with SIGKILL, the one signal
a process cannot clean up after. ``tests/pausing_regc.py`` runs regc's normal code and stops
before each step of each atomic write, so a process can be killed at an exact point:
after its temporary file is created, halfway through its bytes, before the fsync, before
and after the rename. Whatever the point, every output is the whole old file or the whole
new one, and the next build leaves no temporary file behind. Every process a test starts
is killed in a ``finally``.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from regc.io import atomic
from tests.conftest import FIXTURES, ROOT, run_regc

CONFIG = '[targets.json]\npath = "out/registry.json"\n\n[targets.sqlite]\npath = "out/task_categories.sql"\n'
OLD = FIXTURES / "good" / "features.md"
NEW = FIXTURES / "hostile" / "hostile.md"
PAUSING = ROOT / "tests" / "pausing_regc.py"
TIMEOUT = 60  # seconds: a hang guard, never a measurement
#: Every regc process runs this checkout's code, not whichever regc the interpreter has installed.
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "compiler")}


def outputs(project: Path) -> dict[str, bytes]:
    """The outputs on disk (temporary files are not outputs: see ``leftovers``)."""
    return {p.relative_to(project).as_posix(): p.read_bytes() for p in sorted((project / "out").rglob("*"))
            if p.is_file() and atomic.TMP_MARK not in p.name}


def leftovers(project: Path) -> list[Path]:
    return sorted(p for p in project.rglob(f"*{atomic.TMP_MARK}*"))


def built(tmp: Path, registry: Path, name: str, as_name: str = "registry.md") -> dict[str, bytes]:
    """The outputs a clean build of ``registry`` (named ``as_name``) gives, built in a directory of their own."""
    project = tmp / name
    project.mkdir()
    (project / "regc.toml").write_text(CONFIG)
    shutil.copyfile(registry, project / as_name)
    assert run_regc("build", "--registry", as_name, cwd=project).code == 0
    found = {k: v for k, v in outputs(project).items()}
    assert found
    return found


def reset(project: Path, old: dict[str, bytes], registry: Path) -> None:
    """The project as it was before the build: the old outputs on disk, the new registry to build."""
    shutil.rmtree(project / "out", ignore_errors=True)
    (project / "regc.outputs").unlink(missing_ok=True)  # the manifest is written on every reset build, as a step like the others
    for relative, data in old.items():
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_bytes(data)
    shutil.copyfile(registry, project / "registry.md")


class Paused:
    """A ``regc`` process that stops before each step of each atomic write until told to go on."""

    def __init__(self, project: Path, *args: str) -> None:
        read, self._write = os.pipe()
        env = {**ENV, "REGC_PAUSE_FD": str(self._write)}
        self.process = subprocess.Popen(
            [sys.executable, str(PAUSING), "--no-cache", *args], cwd=project, env=env, pass_fds=(self._write,),
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        os.close(self._write)
        self._steps = os.fdopen(read, "r")

    def next_step(self) -> str | None:
        """The next step the process stopped at; None when it finished (its last line is ``EXIT code``)."""
        ready, _, _ = select.select([self._steps], [], [], TIMEOUT)
        assert ready, "the paused regc process neither stopped at a step nor finished"
        line = self._steps.readline().strip()
        return line.removeprefix("STEP ") if line.startswith("STEP ") else None

    def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"\n")
        self.process.stdin.flush()

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(TIMEOUT)

    def finish(self) -> int:
        """Let every remaining step through; the exit code."""
        while self.next_step() is not None:
            self.go()
        return self.process.wait(TIMEOUT)

    def close(self) -> None:
        if self.process.poll() is None:
            self.kill()
        self._steps.close()
        if self.process.stdin is not None:
            self.process.stdin.close()
        if self.process.stderr is not None:
            self.process.stderr.close()


@contextlib.contextmanager
def paused(project: Path, *args: str) -> Iterator[Paused]:
    child = Paused(project, *args)
    try:
        yield child
    finally:
        child.close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "regc.toml").write_text(CONFIG)
    return project


def all_steps(project: Path) -> list[str]:
    """Every step of a whole build of the new registry over the old outputs."""
    steps = []
    with paused(project, "build") as child:
        while (step := child.next_step()) is not None:
            steps.append(step)
            child.go()
        assert child.process.wait(TIMEOUT) == 0
    return steps


def test_a_build_killed_at_any_step_leaves_every_output_whole_old_or_whole_new(project: Path, tmp_path: Path) -> None:
    old, new = built(tmp_path, OLD, "old"), built(tmp_path, NEW, "new")
    assert old.keys() == new.keys() and all(old[k] != new[k] for k in old)
    reset(project, old, NEW)
    steps = all_steps(project)
    names = {step.split()[0] for step in steps}
    assert {"created", "half-written", "fsync", "rename", "renamed"} <= names, steps
    assert outputs(project) == new

    for index, step in enumerate(steps):
        reset(project, old, NEW)
        with paused(project, "build") as child:
            for _ in range(index):
                assert child.next_step() is not None
                child.go()
            assert child.next_step() == step
            child.kill()  # SIGKILL exactly here

        on_disk = outputs(project)
        assert on_disk.keys() == old.keys(), step
        for relative, data in on_disk.items():
            assert data in (old[relative], new[relative]), f"killed at step {index} ({step}): {relative} is neither old nor new"
        if step.split()[0] in ("created", "half-written", "fsync", "rename"):
            assert leftovers(project), f"killed at {step}: the temporary file should still be there"

        result = run_regc("build", cwd=project)  # the next run
        assert result.code == 0, result.err
        assert outputs(project) == new
        assert leftovers(project) == [], f"killed at {step}: the next build left {leftovers(project)}"


def test_the_console_script_killed_at_increasing_delays_never_leaves_a_partial_output(project: Path, tmp_path: Path) -> None:
    """The same without any test hook: the installed ``regc`` process, killed after 0 to 100% of its run time."""
    old, new = built(tmp_path, OLD, "old"), built(tmp_path, NEW, "new")
    regc = [sys.executable, "-m", "regc", "--no-cache", "build"]
    reset(project, old, NEW)
    start = time.perf_counter()
    subprocess.run(regc, cwd=project, env=ENV, check=True, capture_output=True, timeout=TIMEOUT)
    whole = time.perf_counter() - start
    for fraction in (0.5, 0.7, 0.8, 0.9, 0.95, 1.0):
        reset(project, old, NEW)
        process = subprocess.Popen(regc, cwd=project, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(whole * fraction)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
            process.wait(TIMEOUT)
        for relative, data in outputs(project).items():
            assert data in (old[relative], new[relative]), f"killed after {fraction:.0%}: {relative} is partial"
        assert run_regc("build", cwd=project).code == 0
        assert outputs(project) == new and leftovers(project) == []


def test_a_concurrent_writers_temporary_file_is_never_removed(project: Path, tmp_path: Path) -> None:
    """The race this fixes: cleaning leftovers used to delete the file another build was about to rename."""
    reset(project, built(tmp_path, OLD, "old"), NEW)
    with paused(project, "build") as child:
        while not (child.next_step() or "").startswith("rename"):
            child.go()
        # The child holds its temporary file, about to rename it. Another process cleans up beside it:
        temporary = leftovers(project)
        assert len(temporary) == 1
        atomic.remove_leftovers(project / "out" / temporary[0].name.split(atomic.TMP_MARK)[0].lstrip("."))
        assert temporary[0].exists(), "a live writer's temporary file was removed"
        child.go()
        assert child.finish() == 0
    assert leftovers(project) == []


def test_leftovers_are_judged_by_their_writer(tmp_path: Path) -> None:
    """Removed: a dead writer's, an old-style name's, one named after this process. Kept: a live or locking writer's."""
    import fcntl

    target = tmp_path / "registry.json"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
        names = {
            "dead": f".registry.json{atomic.TMP_MARK}{dead.stdout.strip()}-abc",
            "old-style": f".registry.json{atomic.TMP_MARK}k2j4h5",
            "this process": f".registry.json{atomic.TMP_MARK}{os.getpid()}-abc",
            "live": f".registry.json{atomic.TMP_MARK}{sleeper.pid}-abc",
            "locked": f".registry.json{atomic.TMP_MARK}{dead.stdout.strip()}-locked",
        }
        for name in names.values():
            (tmp_path / name).write_bytes(b"half")
        holder = os.open(tmp_path / names["locked"], os.O_RDONLY)
        try:
            fcntl.flock(holder, fcntl.LOCK_EX)
            atomic.remove_leftovers(target)
        finally:
            os.close(holder)
        present = {label for label, name in names.items() if (tmp_path / name).exists()}
        assert present == {"live", "locked"}
    finally:
        sleeper.kill()
        sleeper.wait(TIMEOUT)
    atomic.remove_leftovers(target)
    assert list(tmp_path.iterdir()) == []


def test_a_second_build_waits_for_the_first_so_outputs_never_mix(project: Path, tmp_path: Path) -> None:
    """Build A stops after its first output; build B (another registry) starts; B waits, then wins whole."""
    third = FIXTURES / "good" / "seed-000.md"
    old, from_a, from_b = built(tmp_path, OLD, "old"), built(tmp_path, NEW, "a"), built(tmp_path, third, "b", "other.md")
    assert all(from_b[k] not in (old[k], from_a[k]) for k in old)
    reset(project, old, NEW)
    shutil.copyfile(third, project / "other.md")
    with paused(project, "build") as a:
        while not (a.next_step() or "").startswith("renamed"):
            a.go()
        # A has renamed one output and holds the project's lock for the rest.
        b = subprocess.Popen([sys.executable, "-m", "regc", "--no-cache", "build", "--registry", "other.md"], cwd=project, env=ENV,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            with contextlib.suppress(subprocess.TimeoutExpired):
                b.wait(1.0)
            assert b.poll() is None, "B did not wait for A"
            assert all(outputs(project)[k] in (old[k], from_a[k]) for k in old), "B wrote while A held the lock"
            a.go()
            assert a.finish() == 0
            assert b.wait(TIMEOUT) == 0
        finally:
            if b.poll() is None:
                b.kill()
                b.wait(TIMEOUT)
            assert b.stderr is not None
            b.stderr.close()
    assert outputs(project) == from_b


@pytest.mark.parametrize("same", [False, True], ids=["different-registries", "same-registry"])
def test_builds_started_together_leave_one_whole_set_of_outputs(project: Path, tmp_path: Path, same: bool) -> None:
    expected = {"registry.md": built(tmp_path, OLD, "a"), "other.md": built(tmp_path, OLD if same else NEW, "b", "other.md")}
    shutil.copyfile(OLD, project / "registry.md")
    shutil.copyfile(OLD if same else NEW, project / "other.md")
    for _ in range(3):
        shutil.rmtree(project / "out", ignore_errors=True)
        processes = [
            subprocess.Popen([sys.executable, "-m", "regc", "--no-cache", "build", "--registry", registry], cwd=project, env=ENV,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for registry in expected
        ]
        try:
            codes = [p.wait(TIMEOUT) for p in processes]
            errors = [p.stderr.read().decode() for p in processes if p.stderr is not None]
        finally:
            for p in processes:
                if p.poll() is None:
                    p.kill()
                    p.wait(TIMEOUT)
                if p.stderr is not None:
                    p.stderr.close()
        assert codes == [0, 0], errors
        assert outputs(project) in list(expected.values()), "the outputs mix two builds"
        assert leftovers(project) == []


def test_a_replayed_build_still_removes_what_a_killed_build_left(project: Path) -> None:
    """The run cache replays a build that wrote nothing; not while a temporary file lies beside an output."""
    shutil.copyfile(OLD, project / "registry.md")
    regc = [sys.executable, "-m", "regc", "build"]  # the console script's path: the cache is on
    for _ in range(2):  # the second run writes nothing and is recorded
        subprocess.run(regc, cwd=project, env=ENV, check=True, capture_output=True, timeout=TIMEOUT)
    assert list((project / ".regc-cache").glob("*.json"))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    leftover = project / "out" / f".registry.json{atomic.TMP_MARK}{dead.stdout.strip()}-killed"
    leftover.write_bytes(b'{"half": ')
    done = subprocess.run(regc, cwd=project, env=ENV, check=True, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.stderr.startswith("regc: 0 written, 3 unchanged")
    assert not leftover.exists()
