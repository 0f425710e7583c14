"""regc's benchmark: cold-process figures against DESIGN.md's bars, with peers side by side.

    .venv/bin/python bench/run.py [--runs 7] [--sizes 100,1000,10000] [--only check,hook,build,peers]

Every figure is a fresh process (what a user's shell or pre-commit starts),
run N times: the table gives the median, min and max wall time and the peak
RSS of the process (from wait4's rusage, so it is that child's own peak).
Nothing here is a test: timings vary with the machine, so they are printed,
compared with the bars, and never asserted in CI.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "bench"))

from synth import registry as synthetic_registry  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


@dataclass(frozen=True)
class Figure:
    name: str
    times: list[float]
    peak_kib: int
    cpu: list[float]
    bar_seconds: float | None = None
    bar_mib: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def row(self) -> str:
        bar = f"≤ {self.bar_seconds * 1000:.0f} ms" if self.bar_seconds and self.bar_seconds < 1 else (
            f"≤ {self.bar_seconds:.1f} s" if self.bar_seconds else "")
        if self.bar_mib:
            bar += f", ≤ {self.bar_mib:.0f} MB"
        ok = ""
        if self.bar_seconds:
            ok = "ok" if self.median <= self.bar_seconds and (not self.bar_mib or self.peak_kib / 1024 <= self.bar_mib) else "OVER"
        return (f"| {self.name} | {_ms(self.median)} | {_ms(min(self.times))} | {_ms(max(self.times))} "
                f"| {_ms(statistics.median(self.cpu))} | {self.peak_kib / 1024:.0f} MB | {bar} | {ok} |")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def measure(name: str, argv: Sequence[str], *, cwd: Path, runs: int, env: dict[str, str] | None = None,
            bar_seconds: float | None = None, bar_mib: float | None = None, ok_codes: tuple[int, ...] = (0,),
            before: Callable[[], None] | None = None) -> Figure:
    """Run ``argv`` ``runs`` times as a cold process (after one warm-up for the OS file cache);
    ``before`` runs ahead of each, untimed (e.g. removing the outputs of the previous build)."""
    times: list[float] = []
    cpu: list[float] = []
    peak = 0
    for attempt in range(runs + 1):
        if before is not None:
            before()
        # stderr goes to a file, not a pipe: nothing reads a pipe until the process has ended, so a command
        # that printed more than the pipe holds (64 KiB: a failing build's errors) would never end.
        with tempfile.TemporaryFile() as stderr:
            start = time.perf_counter()
            process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
            _, status, usage = os.wait4(process.pid, 0)
            elapsed = time.perf_counter() - start
            code = os.waitstatus_to_exitcode(status)
            if code not in ok_codes:
                stderr.seek(0)
                raise SystemExit(f"{name}: {' '.join(argv)} exited {code}\n{stderr.read().decode(errors='replace')}")
        if attempt == 0:
            continue  # warm-up: page cache, .pyc files
        times.append(elapsed)
        cpu.append(usage.ru_utime + usage.ru_stime)  # the process's own CPU: what a busy machine does not inflate
        peak = max(peak, usage.ru_maxrss)
    return Figure(name, times, peak, cpu, bar_seconds, bar_mib)


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def hook_repository(workdir: Path) -> Path:
    """A clone of this repository's inputs and outputs in which only an unrelated file is staged."""
    repo = workdir / "hook-repo"
    repo.mkdir()
    for name in ("registry.md", "policy.yaml", "pyproject.toml"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, repo / name)
    for folder in ("targets", "schema"):
        if (ROOT / folder).exists():
            shutil.copytree(ROOT / folder, repo / folder)
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-qm", "base", cwd=repo)
    (repo / "NOTES.txt").write_text("unrelated change\n")
    git("add", "NOTES.txt", cwd=repo)
    return repo


def scale_project(workdir: Path, size: int) -> Path:
    project = workdir / f"scale-{size}"
    project.mkdir()
    (project / "registry.md").write_text(synthetic_registry(size), encoding="utf-8")
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (project / "pyproject.toml").write_text(config[config.index("[tool.regc]"):].split("\n[tool.pytest", 1)[0], encoding="utf-8")
    return project


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (median of these); at least 5")
    parser.add_argument("--sizes", default="100,1000,10000", help="synthetic registry sizes, in aliases")
    parser.add_argument("--only", default="check,hook,build,peers", help="which groups to run")
    args = parser.parse_args(argv)
    runs = max(args.runs, 5)
    only = set(args.only.split(","))
    regc = str(BIN / "regc")
    figures: list[Figure] = []
    ratios: list[str] = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGC_")} | {"NO_COLOR": "1"}

    with tempfile.TemporaryDirectory(prefix="regc-bench-") as tmp:
        workdir = Path(tmp)
        if "check" in only:
            # The warm-up run records it; every measured run is a fresh process that replays it (regc.io.cache).
            figures.append(measure("`regc check` on registry.md", [regc, "check"], cwd=ROOT, runs=runs, env=env, bar_seconds=0.150))
            figures.append(measure("`regc check` on registry.md, cache off (full run)", [regc, "--no-cache", "check"],
                                   cwd=ROOT, runs=runs, env=env))
            figures.append(measure("`regc lint` on registry.md, cache off", [regc, "--no-cache", "lint"], cwd=ROOT, runs=runs, env=env))
        if "hook" in only:
            repo = hook_repository(workdir)
            figures.append(measure("`regc hook`, nothing relevant staged", [regc, "hook"], cwd=repo, runs=runs, env=env, bar_seconds=0.060))
        build_times: dict[int, Figure] = {}
        if "build" in only:
            for size in (int(s) for s in args.sizes.split(",")):
                project = scale_project(workdir, size)
                out = project / "out"
                # A real build every time: no cache (a build that writes nothing would be replayed) and no
                # outputs left from the previous run, so every target is rendered and every file written.
                figure = measure(
                    f"`regc build`, {size:,} aliases, every target", [regc, "--no-cache", "-q", "build", "--output-dir", str(out)],
                    cwd=project, runs=runs, env=env, bar_seconds=3.0 if size == 10_000 else None, bar_mib=300 if size == 10_000 else None,
                    before=lambda out=out: shutil.rmtree(out, ignore_errors=True),
                )
                build_times[size] = figure
                figures.append(figure)
            if 1000 in build_times and 10_000 in build_times:
                ratio = build_times[10_000].median / build_times[1000].median
                ratios.append(f"build time 10,000 / 1,000 aliases: ×{ratio:.1f} (bar ≤ ×12: {'ok' if ratio <= 12 else 'OVER'})")
        if "peers" in only:
            figures.extend(peers(runs, env, figures, ratios))

    print("| what | median | min | max | CPU (median) | peak RSS | bar | |")
    print("|---|---|---|---|---|---|---|---|")
    for figure in figures:
        print(figure.row())
    print()
    for line in ratios:
        print(f"- {line}")
    print(f"\n{runs} runs each (after one warm-up), cold processes; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}.")
    return 0


def peers(runs: int, env: dict[str, str], figures: list[Figure], ratios: list[str]) -> list[Figure]:
    """The tools a user would otherwise run for a part of the same job, on the same files."""
    found: list[Figure] = []
    check = next((f for f in figures if f.name.startswith("`regc check`")), None)
    schema_checker = BIN / "check-jsonschema"
    if schema_checker.exists():
        figure = measure(
            "peer: `check-jsonschema` on targets/json/registry.json",
            [str(schema_checker), "--schemafile", "schema/resolved-registry.schema.json", "targets/json/registry.json"],
            cwd=ROOT, runs=runs, env=env,
        )
        found.append(figure)
        if check:
            ratio = check.median / figure.median
            ratios.append(f"`regc check` (parse + lint + every target + drift) / `check-jsonschema` (one file): ×{ratio:.2f}")
    else:
        ratios.append("check-jsonschema not installed (pip install check-jsonschema): peer skipped")
    yamllint = BIN / "yamllint"
    litellm_config = ROOT / "targets/litellm/config.yaml"
    if yamllint.exists() and litellm_config.exists():
        figure = measure("peer: `yamllint` on targets/litellm/config.yaml", [str(yamllint), "-d", "relaxed", str(litellm_config)],
                         cwd=ROOT, runs=runs, env=env)
        found.append(figure)
        if check:
            ratios.append(f"`regc check` / `yamllint` (one file): ×{check.median / figure.median:.2f}")
    else:
        ratios.append("yamllint or targets/litellm/config.yaml missing: peer skipped")
    return found


if __name__ == "__main__":
    sys.exit(main())
