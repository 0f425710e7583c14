"""Pathological inputs, generated (never committed): each is refused quickly with an error that names the limit.

``tests/test_hostile.py`` runs every case; ``python -m tests.pathological`` times them (wall time and the
process's peak memory), which README's Guarantees quote. Before the limits of ``regc.io.source`` the
million-row table took 53-85 s and 3.2-3.5 GB, a 30,000-column table 106 s and 8.4 GB.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path

HEAD = "## General · alias `general`\n\n| | |\n|---|---|\n| **Primary** | `openai/gpt-4o` |\n\n"


@dataclasses.dataclass(frozen=True)
class Case:
    """``make(directory)`` writes the input and returns the registry's file name; regc must exit ``code``
    and print ``stderr`` (the start of it: numbers that depend on the input are part of the message)."""

    make: Callable[[Path], str]
    stderr: str
    code: int = 2


def _lazy(name: str, build: Callable[[], str]) -> Callable[[Path], str]:
    def make(directory: Path) -> str:
        (directory / name).write_text(build(), encoding="utf-8", newline="")
        return name

    return make


def _fifo(directory: Path) -> str:
    import os

    os.mkfifo(directory / "registry.md")  # nobody ever writes to it: reading it would block for ever
    return "registry.md"


def _device(directory: Path) -> str:
    (directory / "registry.md").symlink_to("/dev/zero")  # reading it would never end
    return "registry.md"


def _too_big(directory: Path) -> str:
    line = "x" * 999 + "\n"
    with (directory / "registry.md").open("w", encoding="utf-8") as handle:
        handle.write(HEAD)
        for _ in range(17_000):
            handle.write(line)
    return "registry.md"


def _models_table(rows: int) -> str:
    return HEAD + "## Models\n\n| Model | Kind |\n|---|---|\n" + "".join(f"| `p/m{i}` | chat |\n" for i in range(rows))


def _many_cells() -> str:
    return HEAD + "## Models\n\n| Model | Kind | Input | Output | Context |\n|---|---|---|---|---|\n" + "|a|b|c|d|e|\n" * 110_000


def _wide_table() -> str:
    columns = 30_000
    return (HEAD + "## Models\n\n|" + "Model|" + "a|" * (columns - 1) + "\n|" + "-|" * columns + "\n"
            + ("|`p/m`" + "|x" * (columns - 1) + "|\n") * 250)


def _billion_laughs_front_matter() -> str:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    return "---\n" + "\n".join(levels) + "\n---\n# R\n\n" + HEAD


CASES: dict[str, Case] = {
    "million-row-models-table": Case(_lazy("registry.md", lambda: _models_table(1_000_000)),
                                     "registry.md:1:1: error: file is 22,889,010 bytes; regc reads files up to 16,777,216 bytes"),
    "million-short-rows": Case(_lazy("registry.md", lambda: HEAD + "| a |\n|---|\n" + "|x|\n" * 1_000_000),
                               "registry.md:200001:1: error: the file has 1,000,009 lines; regc reads registries of up to 200,000 lines"),
    "half-million-cells": Case(_lazy("registry.md", _many_cells),
                               "registry.md:83340:1: error: the file has 660,021 `|` characters (table cells), past the limit of "
                               "500,000 on this line"),
    "wide-table": Case(_lazy("registry.md", _wide_table),  # 30,000 columns, 250 rows: 7.5 million cells
                       "registry.md:25:1: error: the file has 7,560,261 `|` characters (table cells)"),
    "ten-megabyte-line": Case(_lazy("registry.md", lambda: HEAD + "x" * 10_000_000 + "\n"),
                              "registry.md:7:1: error: line is 10,000,000 characters long; regc reads lines of up to 65,536 characters"),
    "ten-megabyte-yaml-scalar": Case(_lazy("registry.yaml", lambda: "aliases:\n  a:\n    primary: a/b\n    title: " + "t" * 10**7 + "\n"),
                                     "registry.yaml:4:1: error: line is 10,000,011 characters long"),
    "seventeen-megabytes": Case(_too_big, "registry.md:1:1: error: file is 17,000,082 bytes; regc reads files up to 16,777,216 bytes"),
    "yaml-nested-10000-deep": Case(_lazy("registry.yaml", lambda: "aliases: " + "[" * 10_000 + "]" * 10_000 + "\n"),
                                   "registry.yaml:1:74: error: YAML nested deeper than 64 levels; a regc file needs a few: flatten it"),
    "yaml-block-nested-1000-deep": Case(_lazy("registry.yaml", lambda: "aliases:\n" + "".join(f"{'  ' * i}  k{i}:\n" for i in range(1000))),
                                        "registry.yaml:66:131: error: YAML nested deeper than 64 levels"),
    "markdown-list-2000-deep": Case(_lazy("registry.md", lambda: "".join("  " * i + "- x\n" for i in range(2000)) + "\n" + HEAD),
                                    "registry.md:10:1: error: lists or block quotes nested past markdown-it's limit of 20 levels"),
    "markdown-quote-60000-deep": Case(_lazy("registry.md", lambda: ">" * 60_000 + " x\n\n" + HEAD),
                                      "registry.md:1:1: error: lists or block quotes nested past markdown-it's limit of 20 levels"),
    "billion-laughs-front-matter": Case(_lazy("registry.md", _billion_laughs_front_matter),
                                        "registry.md:2:4: error: YAML anchors and aliases (&name, *name) are not allowed in regc files"),
    "front-matter-5000-lines": Case(_lazy("registry.md", lambda: "---\n" + "".join(f"k{i}: v\n" for i in range(5000)) + "---\n" + HEAD),
                                    "registry.md:2:1: error: front matter is 5,000 lines; regc reads up to 1,000"),
    "unclosed-comments": Case(_lazy("registry.md", lambda: HEAD + "<!-- regc:ignore x\n" * 100_000),
                              "registry.md:7:1: error: this HTML comment (<!--) is never closed"),
    "fifo": Case(_fifo, "registry.md:1:1: error: is not a regular file (a pipe, socket or device)"),
    "device": Case(_device, "/dev/zero:1:1: error: is not a regular file (a pipe, socket or device)"),  # named as resolved
    # Patterns that were quadratic: now linear, or capped. These registries are valid or refused at once.
    "heading-of-60000-separators": Case(_lazy("registry.md", lambda: "## " + "·" * 60_000 + "x\n\n" + HEAD), "", code=0),
    "status-cell-of-60000-spaces": Case(_lazy("registry.md", lambda: HEAD + "## Models\n\n| Model | Status |\n|---|---|\n| `p/m` | active"
                                              + " " * 60_000 + "! |\n"),
                                        "registry.md:11:11: error: `p/m` status: cannot read status: the cell is 60,007 characters"),
}


def main() -> int:
    """Time each case as a user meets it: a cold ``regc build`` process, its wall time and peak memory."""
    import subprocess
    import tempfile
    import time

    child = ("import resource, sys\nfrom regc.__main__ import main\ncode = main(sys.argv[1:])\n"
             "print(f'MAXRSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr)\nsys.exit(code)")
    print(f"{'case':32} {'exit':>4} {'seconds':>8} {'peak MiB':>9}")
    for name, case in CASES.items():
        with tempfile.TemporaryDirectory() as directory:
            registry = case.make(Path(directory))
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", child, "--no-cache", "build", "--check", "--registry", registry],
                                  cwd=directory, capture_output=True, text=True, timeout=600, check=False)
            seconds = time.perf_counter() - start
            peak = next((int(line.split()[1]) / 1024 for line in done.stderr.splitlines() if line.startswith("MAXRSS ")), 0.0)
            print(f"{name:32} {done.returncode:>4} {seconds:>8.2f} {peak:>9.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
