"""The operator's own Prometheus metrics (served on its /metrics endpoint)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

RECONCILES = Counter(
    "ngf_console_operator_reconciles_total",
    "Reconcile passes, by parent kind and result (ok, error).",
    ["kind", "result"],
)
RECONCILE_SECONDS = Histogram(
    "ngf_console_operator_reconcile_duration_seconds",
    "Duration of one reconcile pass.",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DRIFT_CORRECTIONS = Counter(
    "ngf_console_operator_drift_corrections_total",
    "Children restored after being changed or deleted outside the operator.",
    ["kind", "child_kind"],
)
