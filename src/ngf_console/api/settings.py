"""How the API server is configured: clusters, database, auth, UI, limits."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ngf_console.api.auth import AuthSettings
from ngf_console.store import DEFAULT_DATABASE_URL
from ngf_console.telemetry.analytics.config import AnalyticsSettings


class ApiSettings(BaseModel):
    """Everything ``ngf-console api`` can be told (flags and environment map onto this)."""

    model_config = ConfigDict(frozen=True)

    kubeconfig: Path | None = Field(
        default=None, description="The default cluster (ignored when clusters_file is set)."
    )
    clusters_file: Path | None = Field(
        default=None, description="YAML list of clusters (kubeconfig contexts, in-cluster)."
    )
    database_url: str = Field(default=DEFAULT_DATABASE_URL, description="Config DB URL.")
    analytics: AnalyticsSettings = Field(
        default_factory=AnalyticsSettings,
        description="Logs/inference analytics store (chDB beside a SQLite config DB by default).",
    )
    auth: AuthSettings = Field(default_factory=AuthSettings)
    ui_dir: Path | None = Field(default=None, description="The built UI (default: frontend/dist).")
    allowed_origins: frozenset[str] = Field(
        default=frozenset(), description="Origins allowed besides the API's own (CORS, websockets)."
    )
    max_body_bytes: int = Field(default=1024 * 1024, description="Largest request body accepted.")
    settle_heap: bool = Field(
        default=False,
        description="Freeze the heap when start-up is done (api/gc_tuning.py): for a process "
        "that runs one server (the CLI sets it), not for tests running many.",
    )
    cache_sync_timeout: float = Field(
        default=30.0, description="Seconds to wait for the watch caches at start-up."
    )
    prometheus_url: str | None = Field(
        default=None,
        description="Prometheus for the metrics routes (unset: those routes answer 503).",
    )
    grafana_url: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="Grafana base URL: the UI links each metrics panel to Grafana Explore.",
    )
    prometheus_scrape_interval: float = Field(
        default=15.0, description="Prometheus's scrape interval (rate windows span 4 scrapes)."
    )
    gpu_pricing: dict[str, float] = Field(
        default_factory=lambda: {"A100": 3.67, "H100": 8.10, "L40S": 1.84, "T4": 0.53},
        description="GPU price per hour by GPU type, for the inference cost estimate.",
    )
    telemetry_interval: float = Field(
        default=2.0, description="Seconds between pushes of the gpu-metrics/scaling-events feeds."
    )
