"""The plan in the pull request: `regc diff --against REF --usage FILE --format markdown` in a real git repository (the
dollar delta and the Mermaid pictures), and action.yml's opt-in comment, posted once and edited on each push, against a
fake GitHub API on 127.0.0.1 (the REST calls action/plan_comment.py makes, answered as GitHub documents them)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest

from tests.conftest import FIXTURES, ROOT, JsonHandler, serving
from tests.protocol.conftest import Repo, init_repo
from tests.protocol.test_action import ACTION, _run_steps
from tests.test_graph import read_mermaid

sys.path.insert(0, str(ROOT / "action"))
import plan_comment

COST = FIXTURES / "cost"
REGISTRY = (COST / "registry.md").read_text(encoding="utf-8")
#: acme/big's output price $15.00 → $18.00 per 1M; chat's fallbacks swap places.
PRICE_UP = ("| `acme/big` | chat | $3.00 | $15.00 |", "| `acme/big` | chat | $3.00 | $18.00 |")
SWAP = ("| **Alternatives** | `acme/small`, `other/mid` |", "| **Alternatives** | `other/mid`, `acme/small` |")
CONFIG = 'registry = "registry.md"\n\n[targets.json]\npath = "targets/json/registry.json"\n'


def _edit(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _commit(repo: Repo, registry: str, message: str) -> None:
    repo.write("registry.md", registry)
    repo.build()
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", message)


# By hand: chat's traffic in usage.csv is 800,000 output tokens a month (tests/test_cost.py). $3.00 more per 1M output
# tokens: 0.8 × 3.00 = +$2.40; chat $25.92 → $28.32, +2.40 / 25.92 = +9.259…% → +9.3%. The whole bill $29.845 →
# $32.245: shown $29.84 → $32.24 (each rounded once, half to even), +2.40 / 29.845 = +8.04…% → +8.0%.
def test_the_markdown_diff_of_a_price_change_shows_the_dollar_delta_and_the_pictures(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "project", registry=REGISTRY, config=CONFIG)
    _commit(repo, _edit(REGISTRY, PRICE_UP, SWAP), "acme/big costs more; other/mid first")

    result = repo.regc("diff", "--against", "HEAD~1", "--usage", str(COST / "usage.csv"), "--format", "markdown")

    assert result.code == 0, result.err
    assert "| `chat` | $25.92 | $28.32 | +$2.40 | +9.3% |\n" in result.out
    assert "| **total** | **$29.84** | **$32.24** | **+$2.40** | **+8.0%** |\n" in result.out
    pictures = re.findall(r"```mermaid\n(.*?)```", result.out, re.DOTALL)
    assert len(pictures) == 2
    chains = []
    for picture in pictures:
        nodes, edges = read_mermaid(picture)
        chains.append([(nodes[tail][0], label, nodes[head][0]) for tail, head, label, _ in edges])
    assert chains == [
        [("chat", "1", "acme/big"), ("chat", "2", "acme/small"), ("chat", "3", "other/mid")],  # before (HEAD~1)
        [("chat", "1", "acme/big"), ("chat", "2", "other/mid"), ("chat", "3", "acme/small")],  # after
    ]
    assert "**Before (HEAD~1:registry.md)**" in result.out


def test_a_price_only_change_draws_one_picture_of_the_unchanged_routing(tmp_path: Path) -> None:
    """Two identical pictures are noise in a pull request: when the chains did not change, one, marked unchanged."""
    repo = init_repo(tmp_path / "project", registry=REGISTRY, config=CONFIG)
    _commit(repo, _edit(REGISTRY, PRICE_UP), "acme/big costs more")

    result = repo.regc("diff", "--against", "HEAD~1", "--usage", str(COST / "usage.csv"), "--format", "markdown")

    assert result.code == 0, result.err
    (picture,) = re.findall(r"```mermaid\n(.*?)```", result.out, re.DOTALL)
    nodes, edges = read_mermaid(picture)
    assert [(nodes[tail][0], label, nodes[head][0]) for tail, head, label, _ in edges] == [
        ("chat", "1", "acme/big"), ("chat", "2", "acme/small"), ("chat", "3", "other/mid")]
    assert "**Unchanged (HEAD~1:registry.md and " in result.out and "**Before" not in result.out


def test_the_cost_reaches_text_and_json_and_a_removed_alias_costs_nothing(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "project", registry=REGISTRY, config=CONFIG)
    without_draw = REGISTRY[:REGISTRY.index("## 3. Pictures")] + REGISTRY[REGISTRY.index("## 4. Tiny"):]
    _commit(repo, without_draw, "drop draw")

    text = repo.regc("diff", "--against", "HEAD~1", "--usage", str(COST / "usage.csv"))
    document = json.loads(repo.regc("diff", "--against", "HEAD~1", "--usage", str(COST / "usage.csv"), "--format", "json").out)

    assert text.code == 0
    assert "draw: cost $3.00 → (removed) a month (-$3.00)\n" in text.out  # usage.csv: 75 images × $0.04
    assert document["cost"]["aliases"] == [{"alias": "draw", "before_usd": "3.00", "after_usd": None, "change_usd": "-3.00",
                                            "change_percent": None}]
    assert document["cost"]["total"] == {"before_usd": "29.84", "after_usd": "26.84", "change_usd": "-3.00", "change_percent": "-10.1%"}


def test_an_unknown_alias_in_the_usage_is_exit_2(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "project", registry=REGISTRY, config=CONFIG)
    repo.write("usage.csv", "alias,requests,input_tokens,output_tokens\nchta,1,2,3\n")

    result = repo.regc("diff", "--against", "HEAD", "--usage", "usage.csv", "--format", "markdown")

    assert (result.code, result.out) == (2, "")
    assert "usage.csv:2:1: error: unknown alias 'chta': expected an alias of the registry; did you mean `chat`?" in result.err


# --- the comment ----------------------------------------------------------------------------------------------


class FakeGitHub(JsonHandler):
    """Issue comments as GitHub's REST API serves them: two per page with a `Link: rel="next"` header."""

    comments: ClassVar[list[dict[str, Any]]] = []
    calls: ClassVar[list[str]] = []
    lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _path(self) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.path)
        return parts.path, dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") != "Bearer t0ken":
            self._json(401, {"message": "Bad credentials"})
            return False
        return True

    def do_GET(self) -> None:
        path, query = self._path()
        assert path == "/repos/acme/registry/issues/7/comments"
        if not self._authorised():
            return
        page = int(query.get("page", "1"))
        with self.lock:
            self.calls.append(f"GET page {page}")
            items = self.comments[(page - 1) * 2:page * 2]
            more = len(self.comments) > page * 2
        data = json.dumps(items).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        if more:
            self.send_header("Link", f'<http://{self.headers["Host"]}{path}?per_page=100&page={page + 1}>; rel="next"')
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> str:
        payload = json.loads(self.rfile.read(int(self.headers["content-length"])))
        assert set(payload) == {"body"}
        return str(payload["body"])

    def do_POST(self) -> None:
        path, _ = self._path()
        assert path == "/repos/acme/registry/issues/7/comments"
        if not self._authorised():
            return
        with self.lock:
            comment = {"id": 1000 + len(self.comments), "user": {"login": "github-actions[bot]"}, "body": self._body(),
                       "html_url": "https://github.com/acme/registry/pull/7#issuecomment-1"}
            self.comments.append(comment)
            self.calls.append("POST")
        self._json(201, comment)

    def do_PATCH(self) -> None:  # noqa: N802 (http.server dispatches by name)
        path, _ = self._path()
        if not self._authorised():
            return
        number = int(path.rsplit("/", 1)[1])
        assert path == f"/repos/acme/registry/issues/comments/{number}"
        with self.lock:
            comment = next(c for c in self.comments if c["id"] == number)
            comment["body"] = self._body()
            self.calls.append(f"PATCH {number}")
        self._json(200, comment)


@pytest.fixture
def github() -> Any:
    FakeGitHub.comments = [
        {"id": 1, "user": {"login": "alice"}, "body": "Looks good"},
        {"id": 2, "user": {"login": "mallory"}, "body": f"{plan_comment.MARKER}\nnot the bot's"},
        {"id": 3, "user": {"login": "bob"}, "body": "Why the swap?"},
    ]
    FakeGitHub.calls = []
    with serving(FakeGitHub) as url:
        yield url


def test_the_action_posts_one_plan_comment_and_edits_it_on_each_push(tmp_path: Path, github: str) -> None:
    upstream = init_repo(tmp_path / "upstream", registry=REGISTRY, config=CONFIG)
    upstream.write("usage.csv", (COST / "usage.csv").read_text(encoding="utf-8"))
    upstream.git("add", "usage.csv")
    upstream.git("commit", "-q", "-m", "Last month's traffic")
    checkout = Repo(tmp_path / "checkout")
    Repo(tmp_path).git("clone", "-q", str(upstream.path), str(checkout.path))
    checkout.git("checkout", "-q", "-b", "feature")
    inputs = {"${{ inputs.usage }}": "usage.csv", "${{ inputs.github-token }}": "t0ken", "${{ github.event.pull_request.number }}": "7"}
    runner = {"GITHUB_API_URL": github, "GITHUB_REPOSITORY": "acme/registry"}

    _commit(checkout, _edit(REGISTRY, PRICE_UP), "acme/big costs more")
    first = _run_steps(checkout, tmp_path, "main", inputs, runner)
    _commit(checkout, _edit(REGISTRY, PRICE_UP, SWAP), "and other/mid first")  # the second push
    second = _run_steps(checkout, tmp_path, "main", inputs, runner)

    for run in (first, second):  # (`regc check` lints the fixture's made-up providers: not this test's business)
        assert {name: r.returncode for name, r in run.items() if name != "regc check"} == {
            "regc verify-commits": 0, "regc breaking": 0, "regc diff (job summary)": 0, "regc plan comment": 0,
        }, {name: r.stderr for name, r in run.items()}
    assert first["regc plan comment"].stdout.startswith("regc: posted the plan as https://github.com/")
    assert second["regc plan comment"].stdout == "regc: updated the plan comment 1003\n"
    assert FakeGitHub.calls == ["GET page 1", "GET page 2", "POST", "GET page 1", "GET page 2", "PATCH 1003"]
    mine = [c for c in FakeGitHub.comments if c["user"]["login"] == "github-actions[bot]"]
    assert len(mine) == 1  # one comment, edited
    body = mine[0]["body"]
    assert body.startswith(plan_comment.MARKER + "\n### Registry changes: origin/main:registry.md → registry.md\n")
    assert "| `chat` | $25.92 | $28.32 | +$2.40 | +9.3% |" in body
    assert body.count("```mermaid") == 2 and "fallbacks reordered" in body  # the second push's plan
    assert FakeGitHub.comments[1]["body"] == f"{plan_comment.MARKER}\nnot the bot's"  # a person's comment is never touched
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.count("| `chat` | $25.92 | $28.32 | +$2.40 | +9.3% |") == 2  # the job summary of each run


def test_a_refused_token_fails_the_step_with_the_permission_to_give(tmp_path: Path, github: str) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text("### Registry changes\n", encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "GITHUB_API_URL": github, "GITHUB_REPOSITORY": "acme/registry", "PR_NUMBER": "7",
           "GITHUB_TOKEN": "wrong"}
    result = subprocess.run([sys.executable, str(ROOT / "action/plan_comment.py"), str(plan)], env=env, capture_output=True,
                            text=True, check=False, timeout=60)
    assert result.returncode == 1
    assert "GitHub refused the plan comment: 401" in result.stderr and "pull-requests: write" in result.stderr
    missing = subprocess.run([sys.executable, str(ROOT / "action/plan_comment.py"), str(plan)], env={"PATH": "/usr/bin:/bin"},
                             capture_output=True, text=True, check=False, timeout=60)
    assert missing.returncode == 2 and "GITHUB_TOKEN, GITHUB_REPOSITORY, PR_NUMBER" in missing.stderr


def test_a_long_plan_is_cut_to_githubs_limit_without_an_open_fence() -> None:
    plan = "### Registry changes\n" + "| `a` | b |\n" * 3000 + "```mermaid\nflowchart LR\n" + "  a1 --> m1\n" * 5000 + "```\n"
    body = plan_comment.body(plan)
    assert len(body) <= plan_comment.MAX_BODY
    assert body.startswith(plan_comment.MARKER + "\n### Registry changes\n")
    assert body.endswith(plan_comment.TRUNCATED)
    assert body.count("```") % 2 == 0
    assert plan_comment.body("short\n") == plan_comment.MARKER + "\nshort\n"


def test_action_yml_keeps_the_comment_opt_in_and_names_its_permission() -> None:
    inputs = ACTION["inputs"]
    assert inputs["plan-comment"]["default"] == "false"
    assert inputs["usage"]["default"] == ""
    assert inputs["github-token"]["default"] == "${{ github.token }}"
    assert "pull-requests: write" in inputs["plan-comment"]["description"]
    steps = {step.get("name", step.get("uses")): step for step in ACTION["runs"]["steps"]}
    plan, comment = steps["regc diff (job summary)"], steps["regc plan comment"]
    names = list(steps)
    assert names.index("regc plan comment") == names.index("regc diff (job summary)") + 1
    assert plan["id"] == "plan"
    assert "inputs.plan-comment == 'true'" in plan["if"] and "inputs.summary == 'true'" in plan["if"]
    assert comment["if"].startswith("always() && inputs.plan-comment == 'true' && steps.plan.outcome == 'success'")
    assert comment["env"] == {"GITHUB_TOKEN": "${{ inputs.github-token }}", "PR_NUMBER": "${{ github.event.pull_request.number }}"}
    assert comment["run"] == 'python "$GITHUB_ACTION_PATH/action/plan_comment.py" "$RUNNER_TEMP/regc-plan.md"'
    assert (ROOT / "action" / "plan_comment.py").is_file()
