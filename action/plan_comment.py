"""Post the registry plan (``regc diff --format markdown``) as ONE pull-request comment, updated on each push.

Run by action.yml's ``plan-comment`` step with the Python that set-up-python installed (the standard library only):
``python plan_comment.py PLAN.md``. The comment is found by the hidden marker ``<!-- regc-plan -->`` at the start of
its body, among the comments the workflow token's own user wrote (``github-actions[bot]`` by default), and edited in
place; without one, a comment is created. A person's comment that quotes the marker is never touched.

Environment: ``GITHUB_TOKEN`` (the workflow token; ``pull-requests: write``), ``GITHUB_REPOSITORY`` (owner/name),
``PR_NUMBER``, ``GITHUB_API_URL`` (the runner sets it; https://api.github.com by default), ``REGC_COMMENT_AUTHOR``
(default ``github-actions[bot]``). Exit 0 when the comment is posted, 2 on a missing setting, 1 when GitHub refuses.
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.error
import urllib.request
from typing import Any

MARKER = "<!-- regc-plan -->"
#: GitHub refuses a comment body longer than 65,536 characters.
MAX_BODY = 65_536
TRUNCATED = "\n\n*The plan is longer than a comment may be; the job summary has all of it.*\n"
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def body(plan: str) -> str:
    """The comment: the marker, then the plan, cut at a line break to GitHub's limit (with a note) when it is longer."""
    text = f"{MARKER}\n{plan}"
    if len(text) <= MAX_BODY:
        return text
    room = MAX_BODY - len(TRUNCATED)
    cut = text.rfind("\n", 0, room)
    kept = text[:cut if cut > len(MARKER) else room]
    if kept.count("```") % 2:  # never leave a Mermaid (or any) fence open: GitHub would swallow the note
        kept = kept[:kept.rfind("```")].rstrip("\n")
    return kept + TRUNCATED


def find(comments: list[dict[str, Any]], author: str) -> int | None:
    """The id of the first comment by ``author`` whose body starts with the marker."""
    for comment in comments:
        if (comment.get("user") or {}).get("login") == author and str(comment.get("body", "")).startswith(MARKER):
            return int(comment["id"])
    return None


def _call(method: str, url: str, token: str, payload: dict[str, str] | None = None) -> tuple[Any, str]:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Accept": "application/vnd.github+json", "Authorization": f"Bearer {token}", "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "regc-plan-comment", **({"Content-Type": "application/json"} if data is not None else {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null"), response.headers.get("Link", "")


def comments(api: str, repository: str, number: str, token: str) -> list[dict[str, Any]]:
    """Every comment of the pull request, following the ``Link: rel="next"`` pages."""
    url: str | None = f"{api}/repos/{repository}/issues/{number}/comments?per_page=100"
    found: list[dict[str, Any]] = []
    while url:
        page, link = _call("GET", url, token)
        found.extend(page)
        match = _NEXT.search(link)
        url = match.group(1) if match else None
    return found


def main(argv: list[str]) -> int:
    settings = {key: os.environ.get(key, "") for key in ("GITHUB_TOKEN", "GITHUB_REPOSITORY", "PR_NUMBER")}
    missing = [key for key, value in settings.items() if not value]
    if len(argv) != 1 or missing:
        print(f"plan_comment.py PLAN.md: needs {', '.join(missing) or 'the plan file'} (run by regc's action on a pull request)",
              file=sys.stderr)
        return 2
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    author = os.environ.get("REGC_COMMENT_AUTHOR", "github-actions[bot]")
    token, repository, number = settings["GITHUB_TOKEN"], settings["GITHUB_REPOSITORY"], settings["PR_NUMBER"]
    with open(argv[0], encoding="utf-8") as file:
        text = body(file.read())
    try:
        existing = find(comments(api, repository, number, token), author)
        if existing is None:
            created, _ = _call("POST", f"{api}/repos/{repository}/issues/{number}/comments", token, {"body": text})
            print(f"regc: posted the plan as {created.get('html_url', 'a new comment')}")
        else:
            _call("PATCH", f"{api}/repos/{repository}/issues/comments/{existing}", token, {"body": text})
            print(f"regc: updated the plan comment {existing}")
    except urllib.error.HTTPError as exc:
        print(f"regc: GitHub refused the plan comment: {exc.code} {exc.reason} (does the workflow give the token "
              "`pull-requests: write`?)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
