"""Alerting through the real API on the real control plane: a certificate about to expire
fires a cert_expiry rule once to a generic webhook and a PagerDuty-shaped receiver (with a
retry after a 500), a renewed certificate resolves it once; CRUD keeps channel secrets
redacted; a Viewer cannot write."""

from __future__ import annotations

import base64
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_harness import running_api, settings_for, until
from api_objects import served_issuer
from lightkube import Client, codecs
from lightkube.resources.core_v1 import Secret

from alert_receiver import Receiver, serve
from auth_oidc_issuer import AUDIENCE
from ngf_console.api.auth import AuthSettings
from readmodel_factories import certificate, ec_key, pem

ROUTING_KEY = "pd-routing-key-0123456789"


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[Receiver, str]]:
    got = Receiver()
    with serve(got) as url:
        yield got, url


@pytest.fixture(scope="module")
def api(kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    db = tmp_path_factory.mktemp("alerts-db") / "console.db"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NGF_ALERTS_INTERVAL_SECONDS", "1")
        with (
            running_api(settings_for(kubeconfig, db)) as url,
            httpx.Client(base_url=url, timeout=30) as client,
        ):
            yield client


def _tls_data(days: float) -> dict[str, str]:
    now = dt.datetime.now(dt.UTC)
    key = ec_key()
    cert = certificate(
        key,
        cn="shop.example.com",
        not_before=now - dt.timedelta(days=1),
        not_after=now + dt.timedelta(days=days),
    )
    return {
        "tls.crt": base64.b64encode(pem(cert)).decode(),
        "tls.key": base64.b64encode(b"not-a-real-key").decode(),
    }


def _rule(namespace: str, base: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": f"certificates in {namespace} expiring",
        "description": "Renew before it is too late.",
        "config": {
            "source": "cert_expiry",
            "params": {"namespace": namespace},
            "operator": "<",
            "threshold": 7,
            "for": 0,
            "severity": "critical",
            "labels": {"team": "shop"},
        },
        "notification_channels": [
            {"type": "webhook", "url": f"{base}/hook/{namespace}"},
            {
                "type": "pagerduty",
                "routing_key": ROUTING_KEY,
                "url": f"{base}/pagerduty/{namespace}",
            },
        ],
        **extra,
    }


def _events(got: Receiver, path: str) -> list[str]:
    out = []
    for body in got.bodies(path):
        out.append(body.get("event") or body.get("event_action"))
    return out


def test_expiring_certificate_fires_once_and_a_renewal_resolves_once(
    api: httpx.Client, kube: Client, namespace: str, receiver: tuple[Receiver, str]
) -> None:
    got, base = receiver
    hook, pd = f"/hook/{namespace}", f"/pagerduty/{namespace}"
    got.script(hook, 500)  # the first delivery fails; the retry (after ~1 s) succeeds
    kube.create(
        codecs.from_dict(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "kubernetes.io/tls",
                "metadata": {"name": "shop-tls", "namespace": namespace},
                "data": _tls_data(days=3),
            }
        )
    )
    created = api.post("/api/v1/alerts/rules", json=_rule(namespace, base))
    assert created.status_code == 201, created.text
    rule_id = created.json()["id"]

    until(lambda: len(got.bodies(pd)) >= 1 and len(got.bodies(hook)) >= 2, what="firing")
    fired = got.bodies(hook)[-1]
    assert fired["event"] == "firing"
    assert fired["labels"] == {
        "cluster": "default",
        "namespace": namespace,
        "secret": "shop-tls",
        "team": "shop",
    }
    assert fired["value"] in (2, 3)
    assert fired["annotations"]["common_name"] == "shop.example.com"
    (trigger,) = got.bodies(pd)
    assert trigger["routing_key"] == ROUTING_KEY
    assert trigger["event_action"] == "trigger"
    assert trigger["payload"]["severity"] == "critical"
    assert trigger["dedup_key"] == fired["dedup_key"]

    (active,) = api.get("/api/v1/alerts/active", params={"rule_id": rule_id}).json()
    assert active["state"] == "firing"
    assert active["labels"]["secret"] == "shop-tls"
    assert active["value"] in (2, 3)
    assert active["since"] == active["firing_since"]
    deliveries = api.get("/api/v1/alerts/deliveries", params={"rule_id": rule_id}).json()
    outcomes = {(d["channel_type"], d["event"], d["outcome"], d["attempts"]) for d in deliveries}
    assert outcomes == {
        ("webhook", "firing", "delivered", 2),
        ("pagerduty", "firing", "delivered", 1),
    }
    assert all(ROUTING_KEY not in str(d) for d in deliveries)
    assert {d["target"] for d in deliveries} == {"http://127.0.0.1/***"}

    time.sleep(3)  # three more evaluations: still one notification each
    assert _events(got, hook) == ["firing", "firing"]  # the 500 and its retry
    assert _events(got, pd) == ["trigger"]

    kube.patch(Secret, "shop-tls", {"data": _tls_data(days=90)}, namespace=namespace)
    until(lambda: len(got.bodies(pd)) >= 2 and len(got.bodies(hook)) >= 3, what="resolved")
    assert got.bodies(hook)[-1]["event"] == "resolved"
    assert got.bodies(pd)[-1] == {
        "routing_key": ROUTING_KEY,
        "event_action": "resolve",
        "dedup_key": trigger["dedup_key"],
    }
    assert api.get("/api/v1/alerts/active", params={"rule_id": rule_id}).json() == []
    time.sleep(3)
    assert _events(got, hook) == ["firing", "firing", "resolved"]
    assert _events(got, pd) == ["trigger", "resolve"]
    assert api.delete(f"/api/v1/alerts/rules/{rule_id}").status_code == 204


def test_crud_keeps_channel_secrets_redacted(
    api: httpx.Client, namespace: str, receiver: tuple[Receiver, str]
) -> None:
    got, base = receiver
    slack = f"/slack/{namespace}/T000/B000/XXXXhush"
    body = _rule(namespace, base, enabled=False)
    body["notification_channels"] = [
        {"type": "slack", "webhook": f"{base}{slack}"},
        {"type": "pagerduty", "routing_key": ROUTING_KEY, "url": f"{base}/pagerduty/{namespace}"},
    ]
    created = api.post("/api/v1/alerts/rules", json=body)
    assert created.status_code == 201, created.text
    rule = created.json()
    assert rule["rule_type"] == "cert_expiry"
    assert rule["config"]["for"] == 0
    assert rule["notification_channels"] == [
        {"type": "slack", "webhook_url": "http://127.0.0.1/***"},
        {"type": "pagerduty", "routing_key": "***", "url": "http://127.0.0.1/***"},
    ]
    listed = api.get("/api/v1/alerts/rules").json()
    assert rule["id"] in {r["id"] for r in listed}
    assert "XXXXhush" not in str(listed) and ROUTING_KEY not in str(listed)

    # Send back what GET gave (masks included) with one change: the secrets are kept.
    edit = {k: rule[k] for k in ("name", "description", "enabled", "notification_channels")}
    edit["config"] = {**rule["config"], "threshold": 14}
    replaced = api.put(f"/api/v1/alerts/rules/{rule['id']}", json=edit)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["config"]["threshold"] == 14
    tested = api.post(f"/api/v1/alerts/rules/{rule['id']}/test")
    assert tested.status_code == 200, tested.text
    assert [(d["channel_type"], d["outcome"]) for d in tested.json()] == [
        ("slack", "delivered"),
        ("pagerduty", "delivered"),
    ]
    (message,) = got.bodies(slack)
    assert message["text"].startswith("[TEST]")
    (test_event,) = got.bodies(f"/pagerduty/{namespace}")
    assert test_event["routing_key"] == ROUTING_KEY
    assert test_event["dedup_key"].endswith("/test")

    # A mask where nothing is stored is refused rather than saved as the secret.
    swapped = {**edit, "notification_channels": list(reversed(edit["notification_channels"]))}
    refused = api.put(f"/api/v1/alerts/rules/{rule['id']}", json=swapped)
    assert refused.status_code == 422
    fields = {c["field"] for c in refused.json()["detail"]["causes"]}
    assert "body.notification_channels.0.routing_key" in fields

    gone = api.delete(f"/api/v1/alerts/rules/{rule['id']}")
    assert gone.status_code == 204
    assert api.get(f"/api/v1/alerts/rules/{rule['id']}").status_code == 404
    audit = api.get("/api/v1/audit", params={"kind": "AlertRule"}).json()["entries"]
    mine = [e for e in audit if e["resource_name"] == rule["name"]]
    assert [e["action"] for e in mine][:3] == ["delete", "update", "create"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"operator": "!="}, "body.config.operator"),
        ({"threshold": "soon"}, "body.config.threshold"),
        ({"for": "a while"}, "body.config.for"),
        ({"source": "prometheus"}, "body.config.source"),
        ({"params": {"namespac": "x"}}, "body.config.params.namespac"),
    ],
)
def test_invalid_rules_name_the_field(
    api: httpx.Client, change: dict[str, Any], field: str
) -> None:
    body = _rule("ns", "http://127.0.0.1:9")
    body["config"].update(change)
    response = api.post("/api/v1/alerts/rules", json=body)
    assert response.status_code == 422, response.text
    assert field in {c["field"] for c in response.json()["detail"]["causes"]}


def test_a_viewer_reads_rules_but_cannot_write(
    kubeconfig: Path, tmp_path: Path, receiver: tuple[Receiver, str]
) -> None:
    _, base = receiver
    with served_issuer() as issuer:
        auth = AuthSettings.model_validate(
            {
                "mode": "oidc",
                "oidc": {
                    "issuer": issuer.url,
                    "audience": AUDIENCE,
                    "role_bindings": [
                        {"group": "admins", "role": "admin", "namespaces": ["*"]},
                        {"group": "viewers", "role": "viewer", "namespaces": ["*"]},
                        {"group": "team-a", "role": "operator", "namespaces": ["team-a"]},
                    ],
                },
            }
        )
        tokens = {
            g: {"Authorization": f"Bearer {issuer.token(groups=[g])}"}
            for g in ("admins", "viewers", "team-a")
        }
        settings = settings_for(kubeconfig, tmp_path / "console.db", auth=auth)
        with running_api(settings) as url, httpx.Client(base_url=url, timeout=30) as http:
            body = _rule("team-a", base, enabled=False)
            assert http.post("/api/v1/alerts/rules", json=body).status_code == 401
            for group in ("viewers", "team-a"):
                refused = http.post("/api/v1/alerts/rules", json=body, headers=tokens[group])
                assert refused.status_code == 403, refused.text
            created = http.post("/api/v1/alerts/rules", json=body, headers=tokens["admins"])
            assert created.status_code == 201, created.text
            rule = f"/api/v1/alerts/rules/{created.json()['id']}"
            for group in ("viewers", "team-a"):
                headers = tokens[group]
                assert http.get(rule, headers=headers).status_code == 200
                assert http.get("/api/v1/alerts/active", headers=headers).status_code == 200
                assert http.get("/api/v1/alerts/deliveries", headers=headers).status_code == 200
                assert http.put(rule, json=body, headers=headers).status_code == 403
                assert http.post(f"{rule}/test", headers=headers).status_code == 403
                assert http.delete(rule, headers=headers).status_code == 403
            assert http.delete(rule, headers=tokens["admins"]).status_code == 204
