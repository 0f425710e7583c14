"""``regc``, the console script (and ``python -m regc``): the fast paths first, then the full command line.

Standard library only until it hands over: a ``regc hook`` with nothing staged that regc
watches exits here (``regc.git.hook_fast``), and a run recorded in the cache replays here
(``regc.io.cache``), both before click, pydantic, GitPython, jinja2 or jsonschema are imported.
Everything else is ``regc.cli.main``.
"""

from __future__ import annotations

import sys

from regc.git.hook_fast import fast_hook_exit

# Not `from typing import TYPE_CHECKING`: importing typing costs ~10 ms, a sixth of a replayed `regc check`.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """``regc``: the fast path when it applies, else the full command line (``regc.cli.main``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if fast_hook_exit(args):
        return 0
    from regc.io import cache

    replayed = cache.replay(args)
    if replayed is not None:
        return replayed
    from regc.cli import main as full_main

    if not cache.enabled(args):
        return full_main(args)
    cache.start()
    try:
        code = full_main(args)
        cache.store(args, code)
    finally:
        cache.stop()
    return code


def run() -> int:
    """The console script (and ``python -m regc``): ``main`` in a process that is regc's alone.

    A command's objects live until the process ends, so CPython's cyclic collector would only
    rescan them: after a 10,000-alias build its first pass walked some 260,000 live objects, and
    the interpreter's exit scanned them all once more (together ~0.2 s of a 3 s build, measured with
    bench/run.py). So the process runs with automatic collection off (the steps that do make cyclic
    garbage, such as YAML parsing, turn it on: ``regc.pipeline.collector_running``), and what is left
    at the end is frozen, so that the exit's collection skips it. ``main`` itself, as a library or a
    test calls it, leaves the collector as it found it.
    """
    import gc

    gc.disable()
    try:
        return main()
    finally:
        gc.freeze()


if __name__ == "__main__":
    sys.exit(run())
