"""require_tool: a missing real consumer skips its test, or fails it under REGC_CONFORMANCE=required."""

from __future__ import annotations

import pytest

from tests.conftest import require_tool

MISSING = "regc-test-no-such-program"


def test_a_present_tool_gives_its_path() -> None:
    assert require_tool("python3").endswith("python3")


def test_a_missing_tool_skips_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGC_CONFORMANCE", raising=False)
    with pytest.raises(pytest.skip.Exception, match=f"{MISSING} is not installed"):
        require_tool(MISSING)


def test_a_missing_tool_fails_when_conformance_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGC_CONFORMANCE", "required")
    with pytest.raises(pytest.fail.Exception, match=f"{MISSING} is not installed.*REGC_CONFORMANCE=required"):
        require_tool(MISSING)
