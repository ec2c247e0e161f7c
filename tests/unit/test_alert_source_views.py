"""GET /alerts/sources' answer: every source the console knows, unavailable ones with why."""

from __future__ import annotations

from ngf_console.api.routers.alerts import source_views


def test_sources_missing_from_the_runner_are_listed_unavailable_with_the_reason() -> None:
    views = {v.name: v for v in source_views({"cert_expiry", "clickhouse_query"})}
    assert list(views) == ["cert_expiry", "prometheus_query", "clickhouse_query"]
    assert views["cert_expiry"].available and views["cert_expiry"].query_language is None
    assert views["clickhouse_query"].available and views["clickhouse_query"].reason is None
    assert views["clickhouse_query"].query_language == "sql"
    promql = views["prometheus_query"]
    assert (promql.available, promql.query_language) == (False, "promql")
    assert promql.reason is not None and "no Prometheus is configured" in promql.reason


def test_a_source_the_console_does_not_know_is_listed_as_available() -> None:
    views = source_views({"cert_expiry", "prometheus_query", "clickhouse_query", "gpu_temp"})
    assert all(v.available for v in views)
    assert views[-1].name == "gpu_temp" and views[-1].query_language is None
