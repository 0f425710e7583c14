"""The sqlite target, proven by SQLite: the SQL text is loaded with Python's sqlite3 and the sqlite3 CLI and queried.

Every expected value comes from ``regc.load`` (the alias, its chain, its
primary's Models row), never from the target's own code path.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from syrupy.assertion import SnapshotAssertion

import regc
from regc.model import Price
from regc.model.resolve import ResolvedRegistry
from regc.targets.sqlite import SqliteOptions, SqliteTarget, database, sql_literal
from tests.conftest import FIXTURES, GOOD, ROOT, file_snapshot, require_tool, run_regc
from tests.registries import load_text, yaml_registries

HOSTILE = sorted((FIXTURES / "hostile").iterdir())
REGISTRIES = [ROOT / "registry.md", *GOOD, *HOSTILE, FIXTURES / "providers" / "registry.md"]
SQL_PATH = "targets/sqlite/task_categories.sql"
CATEGORY_COLUMNS = "alias, title, section, kind, primary_model, input_usd, input_unit, output_usd, output_unit"


def _id(path: Path) -> str:
    return "repo-registry" if path == ROOT / "registry.md" else path.name


def _sql(registry: ResolvedRegistry, **options: Any) -> str:
    return SqliteTarget().render(registry, SqliteOptions.model_validate(options))[SQL_PATH].decode("utf-8")


def _price(cell: object) -> tuple[float | None, str | None]:
    return (float(cell.usd), cell.unit) if isinstance(cell, Price) else (None, None)


def expected_categories(registry: ResolvedRegistry) -> dict[str, tuple[Any, ...]]:
    rows = {}
    for alias in registry.aliases:
        chain = registry.resolve(alias.name)
        model = registry.model(chain.primary)
        rows[alias.name] = (
            alias.title, alias.section, model.kind if model else None, str(chain.primary),
            *_price(model.input if model else None), *_price(model.output if model else None),
        )
    return rows


def expected_fallbacks(registry: ResolvedRegistry) -> dict[str, list[str]]:
    return {alias.name: [str(ref) for ref in registry.resolve(alias.name).fallbacks] for alias in registry.aliases}


def load(sql: str, connection: sqlite3.Connection | None = None) -> sqlite3.Connection:
    connection = connection or sqlite3.connect(":memory:")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.executescript(sql)
    return connection


def read_back(connection: sqlite3.Connection) -> tuple[dict[str, tuple[Any, ...]], dict[str, list[str]], dict[str, list[str]]]:
    categories = {row[0]: tuple(row[1:]) for row in connection.execute(f"SELECT {CATEGORY_COLUMNS} FROM task_categories")}
    fallbacks: dict[str, list[str]] = {name: [] for name in categories}
    for alias, position, model in connection.execute("SELECT alias, position, model FROM task_category_fallbacks ORDER BY alias, position"):
        assert position == len(fallbacks[alias]) + 1
        fallbacks[alias].append(model)
    chains: dict[str, list[str]] = {name: [] for name in categories}
    for alias, _position, model in connection.execute("SELECT alias, position, model FROM task_category_chain ORDER BY alias, position"):
        chains[alias].append(model)
    return categories, fallbacks, chains


def assert_same_data(connection: sqlite3.Connection, registry: ResolvedRegistry) -> None:
    categories, fallbacks, chains = read_back(connection)
    assert categories == expected_categories(registry)
    assert fallbacks == expected_fallbacks(registry)
    assert chains == {a.name: [str(ref) for ref in registry.resolve(a.name).models] for a in registry.aliases}
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


# --- Python's sqlite3 -------------------------------------------------------------------------


@pytest.mark.parametrize("path", REGISTRIES, ids=_id)
def test_loaded_sql_holds_every_alias_with_its_chain_and_prices(path: Path) -> None:
    registry = regc.load(path)
    assert_same_data(load(_sql(registry)), registry)


def test_this_repository_commits_the_sql_it_builds() -> None:
    registry = regc.load(ROOT / "registry.md")
    committed = (ROOT / SQL_PATH).read_text(encoding="utf-8")
    assert committed == _sql(registry)
    connection = load(committed)
    assert_same_data(connection, registry)
    # The queries the smart router will run: an alias's pick, its whole chain in order, the aliases a model serves.
    assert connection.execute("SELECT primary_model, input_usd, output_usd FROM task_categories WHERE alias = 'reasoning'").fetchone() == (
        str(registry.resolve("reasoning").primary), 5.0, 25.0,
    )
    chain = [m for (m,) in connection.execute("SELECT model FROM task_category_chain WHERE alias = 'best' ORDER BY position")]
    assert chain == [str(ref) for ref in registry.resolve("best").models]
    served = {a for (a,) in connection.execute("SELECT alias FROM task_category_chain WHERE model = 'kimi/kimi-k2.6'")}
    assert served == {a.name for a in registry.aliases if "kimi/kimi-k2.6" in map(str, registry.resolve(a.name).models)}


def test_loading_again_replaces_the_tables_and_touches_nothing_else() -> None:
    registry = regc.load(ROOT / "registry.md")
    connection = sqlite3.connect(":memory:")
    connection.executescript("CREATE TABLE kbench_runs (model TEXT, score REAL); INSERT INTO kbench_runs VALUES ('openai/gpt-4o', 0.9);")
    load(_sql(regc.load(FIXTURES / "good/features.md")), connection)
    load(_sql(registry), connection)
    assert_same_data(connection, registry)
    assert connection.execute("SELECT * FROM kbench_runs").fetchall() == [("openai/gpt-4o", 0.9)]


def test_the_script_is_one_transaction() -> None:
    """A script that fails half-way leaves the previous tables as they were."""
    registry = regc.load(ROOT / "registry.md")
    connection = load(_sql(registry))
    broken = _sql(regc.load(FIXTURES / "good/features.md")).replace("COMMIT;", "INSERT INTO no_such_table VALUES (1);\nCOMMIT;")
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        connection.executescript(broken)
    connection.rollback()
    assert connection.execute("SELECT count(*) FROM task_categories").fetchone() == (len(registry.aliases),)


@pytest.mark.parametrize("path", REGISTRIES, ids=_id)
def test_the_text_is_deterministic_sorted_and_one_statement_per_line(path: Path) -> None:
    registry = regc.load(path)
    sql = _sql(registry)
    assert sql == _sql(registry)
    lines = sql.splitlines()
    assert len(lines) == sql.count("\n")  # no other character any reader takes for a line break
    assert re.fullmatch(r"-- Code generated .* DO NOT EDIT\.", lines[0])
    inserts = [line for line in lines if line.startswith("INSERT INTO task_categories ")]
    assert len(inserts) == len(registry.aliases)
    # sorted: the inserts come in the order of their aliases, as SQLite's BINARY collation sorts them
    connection = load(sql)
    rowids = [row[0] for row in connection.execute("SELECT alias FROM task_categories ORDER BY rowid")]
    assert rowids == sorted(rowids, key=lambda name: name.encode("utf-8"))
    # every statement is on one line: no literal spans lines, whatever the registry's text holds
    assert all(line.endswith((";", "(", ")", ",", "AS")) or line.startswith("--") or not line.strip()
               or line.startswith(("  SELECT", "  UNION")) for line in lines)


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.name)
def test_hostile_fixture_outputs(path: Path, snapshot: SnapshotAssertion) -> None:
    assert _sql(regc.load(path)).encode() == snapshot(extension_class=file_snapshot("sql"))


def test_a_hostile_registry_file_name_stays_inside_the_header_comment(tmp_path: Path) -> None:
    path = tmp_path / "evil\n; DROP TABLE x; --.md"
    shutil.copyfile(FIXTURES / "good/features.md", path)
    registry = regc.load(path)
    sql = _sql(registry)
    assert sql.splitlines()[0] == "-- Code generated by regc from evil?; DROP TABLE x; --.md. DO NOT EDIT."
    assert_same_data(load(sql), registry)


# --- the sqlite3 command-line shell -----------------------------------------------------------


def _cli(sql: str, query: str, db: str = ":memory:") -> list[dict[str, Any]]:
    done = subprocess.run([require_tool("sqlite3"), "-bail", "-json", db], input=(sql + "\n" + query + "\n").encode(),
                          capture_output=True, timeout=60, check=False)
    assert done.returncode == 0 and not done.stderr, done.stderr.decode()
    rows: list[dict[str, Any]] = json.loads(done.stdout) if done.stdout.strip() else []
    return rows


def _hex(text: str | None) -> str | None:
    return None if text is None else text.encode("utf-8").hex().upper()


@pytest.mark.parametrize("path", REGISTRIES, ids=_id)
def test_the_sqlite3_shell_reads_the_same_bytes(path: Path) -> None:
    registry = regc.load(path)
    sql = _sql(registry)
    categories = _cli(sql, "SELECT hex(alias) AS a, hex(title) AS t, section, kind, hex(primary_model) AS p, "
                           "input_usd, input_unit, output_usd, output_unit FROM task_categories;")
    got = {row["a"]: (row["t"], row["section"], row["kind"], row["p"], row["input_usd"], row["input_unit"], row["output_usd"],
                      row["output_unit"]) for row in categories}
    expected = {_hex(name): (_hex(title), section, kind, _hex(primary), *rest)
                for name, (title, section, kind, primary, *rest) in expected_categories(registry).items()}
    assert got == expected
    chain = _cli(sql, "SELECT hex(alias) AS a, position, hex(model) AS m FROM task_category_chain ORDER BY alias, position;")
    got_chains: dict[str, list[str]] = {}
    for row in chain:
        got_chains.setdefault(row["a"], []).append(row["m"])
    assert got_chains == {_hex(a.name): [_hex(str(ref)) for ref in registry.resolve(a.name).models] for a in registry.aliases}


# --- the .db option ---------------------------------------------------------------------------


def test_build_can_also_write_the_database(tmp_path: Path) -> None:
    shutil.copyfile(ROOT / "registry.md", tmp_path / "registry.md")
    (tmp_path / "regc.toml").write_text(
        'registry = "registry.md"\n\n[targets.sqlite]\npath = "out/task_categories.sql"\ndatabase = "out/task_categories.db"\n'
        '\n[providers.koder]\nlocal = true\n'  # koder: the registry's own provider
    )
    result = run_regc("build", cwd=tmp_path)
    assert result.code == 0, result.err
    assert result.out.splitlines() == ["created out/task_categories.db", "created out/task_categories.sql", "created regc.outputs"]
    registry = regc.load(tmp_path / "registry.md")
    connection = sqlite3.connect(tmp_path / "out/task_categories.db")
    try:
        assert_same_data(connection, registry)
    finally:
        connection.close()
    rows = _cli("", "SELECT alias FROM task_categories ORDER BY alias;", str(tmp_path / "out/task_categories.db"))
    assert [row["alias"] for row in rows] == sorted(a.name for a in registry.aliases)
    assert run_regc("build", cwd=tmp_path).out == ""  # byte-identical: nothing rewritten
    assert run_regc("check", cwd=tmp_path).code == 0


@pytest.mark.parametrize("database", ["", SQL_PATH])
def test_the_database_needs_a_path_of_its_own(tmp_path: Path, database: str) -> None:
    shutil.copyfile(ROOT / "registry.md", tmp_path / "registry.md")
    (tmp_path / "regc.toml").write_text(f'registry = "registry.md"\n\n[targets.sqlite]\ndatabase = "{database}"\n')
    result = run_regc("build", cwd=tmp_path)
    assert (result.code, result.err) == (2, "regc.toml:4:1: error: targets.sqlite.database: Value error, database needs a path of its "
                                            "own, not empty and not the SQL file's\n")


#: The database another Python process's SQLite makes from the SQL on stdin, with no regc code involved.
SERIALIZE = "import sqlite3, sys; c = sqlite3.connect(':memory:'); c.executescript(sys.stdin.buffer.read().decode()); " \
            "sys.stdout.buffer.write(c.serialize())"


def test_the_database_bytes_are_the_same_on_every_build() -> None:
    """The same bytes on every build: equal to what a fresh process's SQLite makes from the same SQL."""
    sql = _sql(regc.load(ROOT / "registry.md"))
    fresh = subprocess.run([sys.executable, "-c", SERIALIZE], input=sql.encode(), capture_output=True, timeout=60, check=True).stdout
    assert fresh.startswith(b"SQLite format 3\x00")
    assert database(sql) == fresh
    outputs = SqliteTarget().render(regc.load(ROOT / "registry.md"), SqliteOptions(database="x.db"))
    assert outputs["x.db"] == fresh and outputs[SQL_PATH].decode() == sql


# --- properties -------------------------------------------------------------------------------


@settings(max_examples=300)
@given(st.one_of(st.text(), st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
                 st.decimals(min_value=0, max_value=10**6, places=6)))
def test_sql_literals_read_back_as_the_value(value: str | int | Decimal | None) -> None:
    literal = sql_literal(value)
    assert len(literal.splitlines()) == 1
    (got,) = sqlite3.connect(":memory:").execute(f"SELECT {literal}").fetchone()
    assert got == (float(value) if isinstance(value, Decimal) else value)


def test_a_lone_surrogate_cannot_be_written() -> None:
    with pytest.raises(ValueError, match="surrogate"):
        sql_literal("a\udc80")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_registries())
def test_hostile_registries_reload_to_the_same_data(text: str) -> None:
    registry = load_text(text)
    if registry is None:
        return  # not a registry (e.g. two aliases of the same name): nothing to generate
    sql = _sql(registry)
    assert sql == _sql(registry)
    assert sql.count("\nINSERT INTO task_categories ") == len(registry.aliases)
    assert_same_data(load(sql), registry)
