"""How the analytics store is configured (a field of the API settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_DIR_NAME = "analytics"


class AnalyticsSettings(BaseModel):
    """Which ClickHouse the console uses for logs and inference telemetry, and its limits."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: Literal["chdb", "clickhouse"] = Field(
        default="chdb",
        description="chdb: embedded ClickHouse persisted to `dir`; clickhouse: a server at `url`.",
    )
    dir: Path | None = Field(
        default=None,
        description="chDB data directory (default: `analytics/` beside a SQLite config DB, "
        "so the demo's state dir; else ./ngf-console-analytics).",
    )
    url: str | None = Field(
        default=None,
        description="ClickHouse HTTP(S) URL for backend clickhouse, e.g. "
        "http://user:password@clickhouse:8123.",
    )
    database: str = Field(
        default="ngf_console", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="Database name."
    )
    queue_rows: int = Field(
        default=200_000, ge=1, description="Rows waiting for insertion before ingest answers 429."
    )
    batch_rows: int = Field(default=50_000, ge=1, description="Largest insert batch per table.")
    flush_seconds: float = Field(
        default=0.5, gt=0, description="Longest time an accepted row waits before its insert."
    )
    sql_timeout_seconds: float = Field(
        default=10.0, gt=0, description="max_execution_time of custom SQL."
    )
    sql_max_rows: int = Field(default=10_000, ge=1, description="max_result_rows of custom SQL.")
    enabled: bool = Field(
        default=True, description="False: no analytics store (its routes answer 503)."
    )

    def resolved_dir(self, database_url: str) -> Path:
        """The chDB directory: ``dir``, else beside the SQLite config DB, else ./."""
        if self.dir is not None:
            return self.dir
        for prefix in ("sqlite+aiosqlite:///", "sqlite:///"):
            if database_url.startswith(prefix):
                db_path = Path(database_url.removeprefix(prefix).split("?", 1)[0])
                return db_path.parent / DEFAULT_DIR_NAME
        return Path("ngf-console-analytics")
