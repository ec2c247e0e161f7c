"""Custom SQL: one SELECT, checked before it runs, run read-only with limits.

Three layers: (1) a lexical check here (comments and string literals skipped) refuses
several statements, anything but SELECT/WITH, and clauses that would leave the result
(INTO OUTFILE, FORMAT, SETTINGS); (2) ClickHouse's own parser (``EXPLAIN AST``) must see a
SELECT; (3) the query runs with ``readonly=1`` (no writes, no settings changes, no
table functions reaching files or URLs), ``max_execution_time`` and ``max_result_rows``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ngf_console.telemetry.analytics.store import AnalyticsStore, QueryResult

_TOKEN = re.compile(
    r"""
    (?P<comment>--[^\n]*|\#[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<semicolon>;)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FORBIDDEN_AFTER_START = {
    "INTO": "INTO OUTFILE is not allowed",
    "FORMAT": "FORMAT is not allowed (results come back as JSON)",
    "SETTINGS": "SETTINGS are not allowed (the console sets read-only limits itself)",
}
_WRITE_WORDS = {
    "INSERT",
    "ALTER",
    "DROP",
    "CREATE",
    "DELETE",
    "UPDATE",
    "TRUNCATE",
    "RENAME",
    "OPTIMIZE",
    "ATTACH",
    "DETACH",
    "GRANT",
    "REVOKE",
    "SYSTEM",
    "KILL",
    "SET",
    "USE",
    "EXCHANGE",
    "UNDROP",
}
_SELECT_AST = ("SelectWithUnionQuery", "SelectIntersectExceptQuery", "SelectQuery")


class RejectedSqlError(ValueError):
    """The SQL is not a single read-only SELECT; the message says why."""


@dataclass(frozen=True)
class SqlLimits:
    """Limits of a custom query."""

    timeout_seconds: float
    max_rows: int

    def settings(self) -> dict[str, object]:
        return {
            "max_execution_time": self.timeout_seconds,
            "max_result_rows": self.max_rows,
            "result_overflow_mode": "throw",
            "readonly": 1,
        }


def check_select(sql: str) -> str:
    """``sql`` without a trailing semicolon if it is one SELECT; RejectedSqlError if not."""
    words: list[str] = []
    statement_ended = False
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup
        if kind in ("comment",) or (kind == "other" and match.group().isspace()):
            continue
        if statement_ended:
            raise RejectedSqlError("only one statement is allowed (found text after ';')")
        if kind == "semicolon":
            statement_ended = True
            continue
        if kind == "word":
            words.append(match.group().upper())
    if not words:
        raise RejectedSqlError("empty query")
    first = words[0]
    if first not in ("SELECT", "WITH"):
        if first in _WRITE_WORDS:
            raise RejectedSqlError(f"only SELECT queries are allowed, not {first}")
        raise RejectedSqlError(f"only SELECT queries are allowed (query starts with {first})")
    for word in words[1:]:
        if word in _FORBIDDEN_AFTER_START:
            raise RejectedSqlError(_FORBIDDEN_AFTER_START[word])
    return sql.strip().rstrip(";").strip()


async def parsed_select(
    store: AnalyticsStore, sql: str, parameters: Mapping[str, Any] | None = None
) -> str:
    """The statement of ``sql`` once both the lexical check and ClickHouse's parser see one
    SELECT (``{name:Type}`` placeholders are bound from ``parameters``). RejectedSqlError
    when it is not one; QueryError when ClickHouse cannot parse it."""
    statement = check_select(sql)
    ast = await store.query(
        f"EXPLAIN AST {statement}", dict(parameters or {}), settings={"readonly": 1}
    )
    top = str(ast.rows[0][0]).strip() if ast.rows else ""
    if not top.startswith(_SELECT_AST):
        raise RejectedSqlError(f"only SELECT queries are allowed (ClickHouse parsed: {top})")
    return statement


async def describe_select(
    store: AnalyticsStore,
    sql: str,
    limits: SqlLimits,
    parameters: Mapping[str, Any] | None = None,
) -> list[tuple[str, str]]:
    """The (name, ClickHouse type) of each result column of a custom SELECT, from
    ``DESCRIBE`` (the query is analysed, not run), under the same read-only limits."""
    statement = await parsed_select(store, sql, parameters)
    result = await store.query(
        f"DESCRIBE ({statement})", dict(parameters or {}), settings=limits.settings()
    )
    return [(str(row[0]), str(row[1])) for row in result.rows]


async def run_select(
    store: AnalyticsStore,
    sql: str,
    limits: SqlLimits,
    parameters: Mapping[str, Any] | None = None,
) -> QueryResult:
    """Check and run a custom SELECT read-only. RejectedSqlError when it is not one;
    QueryError (ClickHouse's text) when ClickHouse refuses or fails it. ``parameters``
    bind ``{name:Type}`` placeholders server-side (the alert source's time window)."""
    statement = await parsed_select(store, sql, parameters)
    return await store.query(statement, dict(parameters or {}), settings=limits.settings())
