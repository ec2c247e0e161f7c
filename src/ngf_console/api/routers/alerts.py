"""Alert rules (config DB), the alerts they raise, and the notifications sent.

Any authenticated caller reads; only an Admin (cluster-wide) writes. Notification channels
come back redacted (webhook URLs keep their host, keys become ``***``); a PUT that sends a
redacted value back at the same place keeps the stored secret.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ngf_console.alerts.channels import ChannelConfig, DeliveryRecord
from ngf_console.alerts.evaluator import ActiveAlert
from ngf_console.alerts.query_sources import CLICKHOUSE_QUERY, PROMETHEUS_QUERY
from ngf_console.alerts.rules import RuleConfig
from ngf_console.alerts.runner import AlertRunner
from ngf_console.alerts.sources import (
    CERT_EXPIRY,
    CheckedSource,
    InvalidRuleError,
    SourceError,
)
from ngf_console.api import audit_trail
from ngf_console.api.auth import Action, Guard, ResourceRef, cluster_scoped, get_guard, require
from ngf_console.api.state import StoreDep
from ngf_console.crd import GROUP
from ngf_console.store import AlertRule, AlertRuleInput, restore_redacted

ALERT_RULES = ResourceRef(GROUP, "alertrules")
_GATEWAY_GROUP = "gateway.networking.k8s.io"
# A query rule reads every namespace's data and tells its channels what it found, so who
# writes one must be able to read that data cluster-wide (as for POST /logs/sql).
QUERY_SOURCE_READS: dict[str, tuple[ResourceRef, ...]] = {
    CLICKHOUSE_QUERY: (
        ResourceRef(_GATEWAY_GROUP, "httproutes"),
        ResourceRef("inference.networking.k8s.io", "inferencepools"),
    ),
    PROMETHEUS_QUERY: (
        ResourceRef(_GATEWAY_GROUP, "gateways"),
        ResourceRef("inference.networking.k8s.io", "inferencepools"),
    ),
}
_MASK = "***"


class AlertSourceView(BaseModel):
    """A metric source a rule may name, and whether this server can evaluate it."""

    name: str
    available: bool
    reason: str | None = Field(
        default=None, description="Why this server cannot evaluate the source (not available)."
    )
    query_language: Literal["promql", "sql"] | None = Field(
        default=None, description="The language of the rule's config.query; none: no query."
    )
    description: str


# The sources this console knows, whether or not this server was started with what they
# read; a source missing from the runner is listed as unavailable with the reason.
_KNOWN_SOURCES: tuple[tuple[str, Literal["promql", "sql"] | None, str, str], ...] = (
    (
        CERT_EXPIRY,
        None,
        "Days left per TLS certificate (kubernetes.io/tls Secrets); one alert per Secret.",
        "the certificate expiry source is not running",
    ),
    (
        PROMETHEUS_QUERY,
        "promql",
        "A PromQL instant query; one alert per series of its result.",
        "no Prometheus is configured on this server (the API's prometheus_url)",
    ),
    (
        CLICKHOUSE_QUERY,
        "sql",
        "One SELECT over the analytics store returning a numeric 'value' column; the "
        "other columns are labels, one alert per row.",
        "the analytics store is disabled on this server (analytics.enabled)",
    ),
)


def source_views(available: set[str]) -> list[AlertSourceView]:
    """The known sources (and any other the runner has), each marked available or not."""
    views = [
        AlertSourceView(
            name=name,
            available=name in available,
            reason=None if name in available else reason,
            query_language=language,
            description=description,
        )
        for name, language, description, reason in _KNOWN_SOURCES
    ]
    known = {v.name for v in views}
    views += [
        AlertSourceView(name=name, available=True, description=name)
        for name in sorted(available - known)
    ]
    return views


ReadGuard = Annotated[Guard, Depends(get_guard)]
WriteGuard = Annotated[Guard, Depends(require(Action.WRITE, ALERT_RULES, namespace=cluster_scoped))]


def get_runner(request: Request) -> AlertRunner:
    """The alert runner the lifespan started (``app.state.alerts``)."""
    runner: AlertRunner | None = getattr(request.app.state, "alerts", None)
    if runner is None:
        raise RuntimeError("the API server's lifespan has not started the alert runner")
    return runner


RunnerDep = Annotated[AlertRunner, Depends(get_runner)]


class AlertRuleRequest(BaseModel):
    """A rule as a client creates or replaces it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255)
    description: str = ""
    enabled: bool = True
    config: RuleConfig
    notification_channels: list[ChannelConfig] = Field(default_factory=list)


class AlertRuleView(AlertRule):
    """A stored rule (channels redacted) and how its last evaluation went."""

    last_error: str | None = Field(
        default=None, description="Why the last evaluation could not read the rule's source."
    )


class ActiveAlertView(BaseModel):
    """A pending or firing alert."""

    rule_id: uuid.UUID
    rule_name: str
    state: str
    severity: str
    labels: dict[str, str]
    annotations: dict[str, str]
    value: float
    since: dt.datetime = Field(description="When the alert entered its current state.")
    pending_since: dt.datetime
    firing_since: dt.datetime | None


def _view(rule: AlertRule, runner: AlertRunner) -> AlertRuleView:
    return AlertRuleView(**rule.redacted().model_dump(), last_error=runner.errors.get(rule.id))


def _active(alert: ActiveAlert) -> ActiveAlertView:
    return ActiveAlertView(
        rule_id=alert.rule_id,
        rule_name=alert.rule_name,
        state=alert.state,
        severity=alert.severity,
        labels=alert.labels,
        annotations=alert.annotations,
        value=alert.value,
        since=alert.firing_since or alert.pending_since,
        pending_since=alert.pending_since,
        firing_since=alert.firing_since,
    )


def _invalid(causes: list[dict[str, str]]) -> HTTPException:
    return HTTPException(
        status_code=422, detail={"message": "invalid alert rule", "causes": causes}
    )


def _masks(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _masks(item, f"{path}.{key}")
    elif isinstance(value, str) and value.endswith(_MASK):
        yield path


def _checked_input(
    body: AlertRuleRequest, runner: AlertRunner, stored: AlertRule | None
) -> AlertRuleInput:
    """The store's input for ``body``: source and params checked, redacted secrets restored."""
    source = runner.sources.get(body.config.source)
    if source is None:
        known = ", ".join(sorted(runner.sources)) or "none"
        raise _invalid(
            [
                {
                    "field": "body.config.source",
                    "message": f"unknown metric source (this server has: {known})",
                    "reason": "value_error",
                }
            ]
        )
    try:
        source.params_model.model_validate(body.config.params)
    except ValidationError as err:
        raise _invalid(
            [
                {
                    "field": ".".join(["body.config.params", *(str(p) for p in e["loc"])]),
                    "message": e["msg"],
                    "reason": e["type"],
                }
                for e in err.errors()
            ]
        ) from err
    channels = [c.model_dump(exclude_unset=True) for c in body.notification_channels]
    if stored is not None:
        channels = restore_redacted(channels, stored.notification_channels)
    masked = [
        path
        for i, channel in enumerate(channels)
        for path in _masks(channel, f"body.notification_channels.{i}")
    ]
    if masked:
        raise _invalid(
            [
                {
                    "field": path,
                    "message": "a redacted value with no stored secret at this place; "
                    "send the secret itself",
                    "reason": "value_error",
                }
                for path in masked
            ]
        )
    return AlertRuleInput(
        name=body.name,
        description=body.description,
        rule_type=body.config.source,
        config=body.config.stored(),
        notification_channels=channels,
        enabled=body.enabled,
    )


async def _checked_query(body: AlertRuleRequest, runner: AlertRunner, guard: Guard) -> None:
    """Query rules: the writer may read what the query can reach (every namespace), and
    the source accepts the query (a SELECT with a numeric ``value``; PromQL that parses)."""
    for ref in QUERY_SOURCE_READS.get(body.config.source, ()):
        await guard.authorize(Action.READ, ref, None)
    source = runner.sources.get(body.config.source)
    if isinstance(source, CheckedSource):
        try:
            await source.check(body.config)
        except InvalidRuleError as err:
            raise _invalid(
                [
                    {
                        "field": f"body.config.{err.field}",
                        "message": err.message,
                        "reason": "value_error",
                    }
                ]
            ) from err


def _audit_doc(rule: AlertRule | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return rule.redacted().model_dump(mode="json", exclude={"created_at", "updated_at"})


async def _rule(store: StoreDep, rule_id: uuid.UUID) -> AlertRule:
    rule = await store.alert_rules.get(rule_id)
    if rule is None:
        raise HTTPException(status_code=404, detail={"message": f"no alert rule {rule_id}"})
    return rule


def router() -> APIRouter:
    """``/alerts`` routes."""
    routes = APIRouter(tags=["alerts"])

    @routes.get("/alerts/sources", response_model=list[AlertSourceView])
    async def list_sources(runner: RunnerDep, _: ReadGuard) -> list[AlertSourceView]:
        return source_views(set(runner.sources))

    @routes.get("/alerts/rules", response_model=list[AlertRuleView])
    async def list_rules(
        store: StoreDep,
        runner: RunnerDep,
        _: ReadGuard,
        enabled: bool | None = None,
        source: str | None = None,
    ) -> list[AlertRuleView]:
        rules = await store.alert_rules.list_rules(enabled=enabled, rule_type=source)
        return [_view(r, runner) for r in rules]

    @routes.post("/alerts/rules", response_model=AlertRuleView, status_code=201)
    async def create_rule(
        body: AlertRuleRequest,
        request: Request,
        store: StoreDep,
        runner: RunnerDep,
        guard: WriteGuard,
    ) -> AlertRuleView:
        checked = _checked_input(body, runner, None)
        await _checked_query(body, runner, guard)
        rule = await store.alert_rules.create(checked)
        await _audit(store, request, guard, "create", None, rule)
        runner.wake()
        return _view(rule, runner)

    @routes.get("/alerts/rules/{rule_id}", response_model=AlertRuleView)
    async def get_rule(
        rule_id: uuid.UUID, store: StoreDep, runner: RunnerDep, _: ReadGuard
    ) -> AlertRuleView:
        return _view(await _rule(store, rule_id), runner)

    @routes.put("/alerts/rules/{rule_id}", response_model=AlertRuleView)
    async def replace_rule(
        rule_id: uuid.UUID,
        body: AlertRuleRequest,
        request: Request,
        store: StoreDep,
        runner: RunnerDep,
        guard: WriteGuard,
    ) -> AlertRuleView:
        stored = await _rule(store, rule_id)
        checked = _checked_input(body, runner, stored)
        await _checked_query(body, runner, guard)
        updated = await store.alert_rules.update(rule_id, checked)
        if updated is None:
            raise HTTPException(status_code=404, detail={"message": f"no alert rule {rule_id}"})
        await _audit(store, request, guard, "update", stored, updated)
        runner.wake()
        return _view(updated, runner)

    @routes.delete("/alerts/rules/{rule_id}", status_code=204)
    async def delete_rule(
        rule_id: uuid.UUID,
        request: Request,
        store: StoreDep,
        runner: RunnerDep,
        guard: WriteGuard,
    ) -> Response:
        stored = await _rule(store, rule_id)
        if not await store.alert_rules.delete(rule_id):
            raise HTTPException(status_code=404, detail={"message": f"no alert rule {rule_id}"})
        await _audit(store, request, guard, "delete", stored, None)
        runner.wake()
        return Response(status_code=204)

    @routes.post("/alerts/rules/{rule_id}/test", response_model=list[DeliveryRecord])
    async def send_test_notification(
        rule_id: uuid.UUID, store: StoreDep, runner: RunnerDep, _: WriteGuard
    ) -> list[DeliveryRecord]:
        rule = await _rule(store, rule_id)
        if not rule.notification_channels:
            raise HTTPException(
                status_code=400, detail={"message": "the rule has no notification channels"}
            )
        try:
            return await runner.send_test(rule)
        except SourceError as err:
            # Nothing was sent: a test that reads a broken source would hide the problem.
            raise HTTPException(
                status_code=400,
                detail={
                    "message": f"the rule's source failed, nothing was sent: {err}",
                    "reason": "SourceFailed",
                },
            ) from err

    @routes.get("/alerts/active", response_model=list[ActiveAlertView])
    async def active_alerts(
        request: Request,
        runner: RunnerDep,
        _: ReadGuard,
        rule_id: uuid.UUID | None = None,
        state: Annotated[str | None, Query(pattern="^(pending|firing)$")] = None,
    ) -> list[ActiveAlertView]:
        cluster = request.path_params.get("cluster")
        return [
            _active(a)
            for a in runner.active()
            if (rule_id is None or a.rule_id == rule_id)
            and (state is None or a.state == state)
            # Under /clusters/{cluster}/ only that cluster's alerts (and cluster-less ones).
            and (cluster is None or a.labels.get("cluster", cluster) == cluster)
        ]

    @routes.get("/alerts/deliveries", response_model=list[DeliveryRecord])
    async def deliveries(
        runner: RunnerDep,
        _: ReadGuard,
        rule_id: uuid.UUID | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[DeliveryRecord]:
        return runner.deliveries(limit, rule_id=rule_id)

    return routes


async def _audit(
    store: StoreDep,
    request: Request,
    guard: Guard,
    action: str,
    previous: AlertRule | None,
    new: AlertRule | None,
) -> None:
    """An audit row with both versions redacted: the log must not hold channel secrets."""
    rule = new or previous
    assert rule is not None
    await audit_trail.record(
        store,
        request,
        guard.principal,
        action=action,
        kind="AlertRule",
        namespace=None,
        name=rule.name,
        previous=_audit_doc(previous),
        new=_audit_doc(new),
        metadata={"ruleId": str(rule.id)},
    )


__all__ = [
    "ALERT_RULES",
    "AlertRuleRequest",
    "AlertRuleView",
    "AlertSourceView",
    "get_runner",
    "router",
    "source_views",
]
