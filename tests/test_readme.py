"""README.md opens with the two commands that set up and run regc, and set up and pass the tests."""

from __future__ import annotations

import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = re.findall(r"```sh\n(.+?)\n```", README)


def test_readme_opens_with_the_build_and_test_commands() -> None:
    build, test = COMMANDS[:2]
    assert README.index(build) < README.index("## ")
    assert build.endswith("regc build") and "pip install -e ." in build
    assert "'.[test]'" in test and "pytest" in test


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert COMMANDS[1] in ci.splitlines()
