"""The MigrationPlan controller against the real control plane (spec §2.5.4, §3.9.3).

The operator runs as a process; the tests play NGINX Gateway Fabric by accepting the
Gateways and routes it applies (there is no gateway controller in the local cluster).
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from lightkube import Client
from lightkube.core.exceptions import ApiError
from lightkube.core.resource_registry import resource_registry
from lightkube.resources.core_v1 import Event
from lightkube.types import PatchType
from operator_harness import (
    PARENTS,
    OperatorProcess,
    accept_route_like,
    eventually,
    exists,
    get,
    parent_status,
    ready_condition,
)

from ngf_console.operator.migration_steps import PLAN_ANNOTATION, STEP_ANNOTATION

GW_API = "gateway.networking.k8s.io/v1"
GATEWAY = "ngf-migrated"


@pytest.fixture
def operator(kubeconfig: Path, tmp_path: Path) -> Iterator[OperatorProcess]:
    proc = OperatorProcess(kubeconfig, tmp_path / "operator.log", resync=5.0)
    proc.wait_healthy()
    yield proc
    proc.stop()


class PlayNgf:
    """Accepts every Gateway and HTTPRoute in a namespace that has no status yet."""

    def __init__(self, kube: Client, namespace: str, skip: frozenset[str] = frozenset()) -> None:
        self.kube, self.namespace, self.skip = kube, namespace, skip
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PlayNgf:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(0.3):
            for kind in ("Gateway", "HTTPRoute"):
                try:
                    items = list(
                        self.kube.list(
                            resource_registry.load(GW_API, kind), namespace=self.namespace
                        )
                    )
                except ApiError:
                    continue
                for item in items:
                    obj = item.to_dict()
                    name = obj["metadata"]["name"]
                    if name in self.skip or _accepted(obj):
                        continue
                    try:
                        if kind == "Gateway":
                            ready_condition(
                                self.kube, GW_API, kind, name, self.namespace, "Accepted"
                            )
                        else:
                            accept_route_like(
                                self.kube, GW_API, kind, name, self.namespace, GATEWAY
                            )
                    except ApiError:
                        pass


def _accepted(obj: dict[str, Any]) -> bool:
    status = obj.get("status") or {}
    conditions = [c for p in status.get("parents") or [] for c in p.get("conditions") or []]
    conditions += status.get("conditions") or []  # a Gateway's (Unknown until accepted)
    return any(c["type"] == "Accepted" and c["status"] == "True" for c in conditions)


def route(name: str, namespace: str, host: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "apiVersion": GW_API,
        "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "parentRefs": [{"name": GATEWAY}],
            "hostnames": [host],
            "rules": [{"backendRefs": [{"name": "web", "port": 80}]}],
        },
    }
    body["spec"].update(extra)
    return body


def resource(body: dict[str, Any], source: str = "Ingress/x/web") -> dict[str, Any]:
    return {
        "sourceRef": source,
        "generatedYAML": yaml.safe_dump(body),
        "kind": body["kind"],
        "confidence": "high",
        "enabled": True,
    }


def plan_doc(
    name: str,
    namespace: str,
    resources: list[dict[str, Any]] | None = None,
    *,
    source: dict[str, Any] | None = None,
    apply: bool = False,
    strategy: dict[str, Any] | None = None,
    validate_timeout: str = "30s",
) -> dict[str, Any]:
    spec: dict[str, Any] = {"source": source or {"type": "ingress", "namespaces": [namespace]}}
    if resources is not None:
        spec["resources"] = resources
    if strategy is not None:
        spec["strategy"] = strategy
    spec["apply"] = apply
    return {
        "apiVersion": "ngf-console.f5.com/v1alpha1",
        "kind": "MigrationPlan",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "annotations": {"ngf-console.f5.com/validate-timeout": validate_timeout},
        },
        "spec": spec,
    }


def create_plan(kube: Client, doc: dict[str, Any]) -> None:
    kube.create(
        PARENTS["MigrationPlan"](**copy.deepcopy(doc)), namespace=doc["metadata"]["namespace"]
    )


def patch_spec(kube: Client, name: str, namespace: str, spec: dict[str, Any]) -> None:
    kube.patch(
        PARENTS["MigrationPlan"],
        name,
        {"spec": spec},
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )


def phase_is(kube: Client, name: str, namespace: str, *phases: str) -> dict[str, Any] | None:
    status = parent_status(kube, "MigrationPlan", name, namespace)
    return status if status.get("phase") in phases else None


def wait_phase(
    kube: Client, name: str, namespace: str, *phases: str, timeout: float = 60
) -> dict[str, Any]:
    try:
        return eventually(
            lambda: phase_is(kube, name, namespace, *phases),
            timeout=timeout,
            what=f"MigrationPlan {name} in {phases}",
        )
    except pytest.fail.Exception:
        status = parent_status(kube, "MigrationPlan", name, namespace)
        pytest.fail(f"MigrationPlan {name} not in {phases}: {yaml.safe_dump(status)}")


def live_routes(kube: Client, namespace: str) -> dict[str, dict[str, Any]]:
    res = resource_registry.load(GW_API, "HTTPRoute")
    return {r.metadata.name: r.to_dict() for r in kube.list(res, namespace=namespace)}


def created_at(obj: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(obj["metadata"]["creationTimestamp"].replace("Z", "+00:00"))


def applied_events(kube: Client, namespace: str, plan: str) -> list[str]:
    return [
        e.message or ""
        for e in kube.list(Event, namespace=namespace)
        if e.involvedObject.name == plan and e.reason == "ResourceApplied"
    ]


INGRESS = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: {ns}
  annotations:
    nginx.org/proxy-read-timeout: 30s
spec:
  ingressClassName: nginx
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {{service: {{name: web, port: {{number: 80}}}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: other
  namespace: elsewhere
spec:
  rules:
  - host: other.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {{service: {{name: other, port: {{number: 80}}}}}}
"""


@pytest.mark.usefixtures("operator")
def test_analysis_then_phased_apply_with_pauses(kube: Client, namespace: str) -> None:
    source = {"type": "ingress", "sourceYAML": INGRESS.format(ns=namespace)}
    create_plan(kube, plan_doc("shop", namespace, source=source, strategy={"pauseBetween": "3s"}))
    status = wait_phase(kube, "shop", namespace, "Reviewed")
    assert status["analysis"]["totalSourceResources"] == 2
    assert status["analysis"]["overallConfidence"] in ("medium", "low")
    plan = kube.get(PARENTS["MigrationPlan"], "shop", namespace=namespace).to_dict()
    resources = plan["spec"]["resources"]
    kinds = [(r["kind"], r["enabled"]) for r in resources]
    assert ("Gateway", True) in kinds and ("HTTPRoute", True) in kinds
    # the other namespace's resources are proposed, disabled, with the reason
    elsewhere = [r for r in resources if "namespace: elsewhere" in r["generatedYAML"]]
    assert elsewhere and all(not r["enabled"] for r in elsewhere)
    assert all("own namespace only" in " ".join(r["warnings"]) for r in elsewhere)
    # nothing applied before spec.apply
    assert live_routes(kube, namespace) == {}

    enabled = [r for r in resources if r["enabled"]]
    with PlayNgf(kube, namespace):
        patch_spec(kube, "shop", namespace, {"apply": True})
        status = wait_phase(kube, "shop", namespace, "Completed", timeout=90)
    entries = status["resourceStatuses"]
    assert [(e["kind"], e["applied"], e["healthy"]) for e in entries] == [
        (r["kind"], True, True) for r in enabled
    ]
    assert status["appliedResources"] == len(enabled) and status["failedResources"] == 0
    # one at a time, pauseBetween apart (creation times have one-second precision)
    objects = [
        get(kube, yaml.safe_load(r["generatedYAML"])["apiVersion"], e["kind"], e["name"], namespace)
        for r, e in zip(enabled, entries, strict=True)
    ]
    times = [created_at(o) for o in objects]
    assert all(
        later - earlier >= dt.timedelta(seconds=2) for earlier, later in itertools.pairwise(times)
    )
    for index, obj in zip((resources.index(r) for r in enabled), objects, strict=True):
        annotations = obj["metadata"]["annotations"]
        assert annotations[PLAN_ANNOTATION] == f"{namespace}/shop"
        assert annotations[STEP_ANNOTATION] == str(index)


@pytest.mark.usefixtures("operator")
def test_a_failed_resource_is_recorded_and_the_rest_continue(kube: Client, namespace: str) -> None:
    bad_path = route("bad", namespace, "bad.example.com")
    bad_path["spec"]["rules"][0]["matches"] = [{"path": {"type": "Bogus", "value": "/"}}]
    rate_limit = {
        "apiVersion": "gateway.nginx.org/v1alpha1",
        "kind": "RateLimitPolicy",  # not served by the local cluster's NGF CRDs
        "metadata": {"name": "limit", "namespace": namespace},
        "spec": {
            "targetRefs": [
                {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": "first"}
            ]
        },
    }
    foreign = route("foreign", "kube-system", "foreign.example.com")
    resources = [
        resource(route("first", namespace, "a.example.com")),
        resource(bad_path),
        resource(rate_limit),
        resource(foreign),
        resource(route("unaccepted", namespace, "u.example.com")),
        resource(route("last", namespace, "b.example.com")),
    ]
    doc = plan_doc(
        "partial",
        namespace,
        resources,
        apply=True,
        strategy={"phased": True, "pauseBetween": "0s"},
        validate_timeout="2s",
    )
    with PlayNgf(kube, namespace, skip=frozenset({"unaccepted"})):
        create_plan(kube, doc)
        status = wait_phase(kube, "partial", namespace, "Failed", timeout=90)
    by_name = {e["name"]: e for e in status["resourceStatuses"]}
    assert [e["name"] for e in status["resourceStatuses"]] == [
        "first",
        "bad",
        "limit",
        "foreign",
        "unaccepted",
        "last",
    ]
    assert by_name["first"]["applied"] and by_name["first"]["healthy"]
    assert by_name["last"]["applied"] and by_name["last"]["healthy"]
    assert not by_name["bad"]["applied"] and "422" in by_name["bad"]["error"]
    assert not by_name["limit"]["applied"] and "not served" in by_name["limit"]["error"]
    assert not by_name["foreign"]["applied"]
    assert "own namespace" in by_name["foreign"]["error"]
    assert by_name["unaccepted"]["applied"] and not by_name["unaccepted"]["healthy"]
    assert "within 2s" in by_name["unaccepted"]["error"]
    assert status["appliedResources"] == 3 and status["failedResources"] == 4
    assert set(live_routes(kube, namespace)) == {"first", "unaccepted", "last"}
    assert not exists(kube, GW_API, "HTTPRoute", "foreign", "kube-system")


@pytest.mark.usefixtures("operator")
def test_rollback_leaves_the_namespace_as_before(kube: Client, namespace: str) -> None:
    # A route the user made before the migration, with a name the plan also generates.
    mine = route("taken", namespace, "mine.example.com")
    kube.create(resource_registry.load(GW_API, "HTTPRoute")(**mine), namespace=namespace)
    before = {n: r["spec"] for n, r in live_routes(kube, namespace).items()}
    resources = [
        resource(route(name, namespace, f"{name}.example.com"))
        for name in ("one", "taken", "two", "three")
    ]
    doc = plan_doc("undo", namespace, resources, apply=True, strategy={"pauseBetween": "0s"})
    with PlayNgf(kube, namespace):
        create_plan(kube, doc)
        status = wait_phase(kube, "undo", namespace, "Failed", timeout=60)
    taken = next(e for e in status["resourceStatuses"] if e["name"] == "taken")
    assert "already exists" in taken["error"]
    assert set(live_routes(kube, namespace)) == {"one", "taken", "two", "three"}

    patch_spec(kube, "undo", namespace, {"rollback": True})
    status = wait_phase(kube, "undo", namespace, "Reviewed")
    assert status["resourceStatuses"] == [] and status["appliedResources"] == 0
    assert {n: r["spec"] for n, r in live_routes(kube, namespace).items()} == before
    deleted = sorted(
        (
            int(e.metadata.resourceVersion or 0),
            (e.message or "").split()[1],
        )
        for e in kube.list(Event, namespace=namespace)
        if e.involvedObject.name == "undo" and e.reason == "ResourceDeleted"
    )
    assert [name for _, name in deleted] == ["three", "two", "one"]  # newest first


def test_restart_mid_apply_applies_nothing_twice(
    kube: Client, kubeconfig: Path, namespace: str, tmp_path: Path
) -> None:
    names = ("r1", "r2", "r3")
    resources = [resource(route(n, namespace, f"{n}.example.com")) for n in names]
    doc = plan_doc(
        "restart",
        namespace,
        resources,
        apply=True,
        strategy={"pauseBetween": "4s", "validateAfterApply": False},
    )
    first = OperatorProcess(kubeconfig, tmp_path / "first.log", resync=5.0)
    try:
        first.wait_healthy()
        create_plan(kube, doc)
        eventually(
            lambda: (
                len(
                    parent_status(kube, "MigrationPlan", "restart", namespace).get(
                        "resourceStatuses"
                    )
                    or []
                )
                == 1
            ),
            what="the first resource applied",
        )
    finally:
        first.stop(kill=True)
    assert set(live_routes(kube, namespace)) == {"r1"}

    # Someone edits r1 meanwhile: a second apply of step 0 would take the field back.
    kube.patch(
        resource_registry.load(GW_API, "HTTPRoute"),
        "r1",
        {"spec": {"hostnames": ["edited.example.com"]}},
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )
    # As if the killed operator had applied r2 and died before recording it.
    r2 = route("r2", namespace, "crashed.example.com")
    r2["metadata"]["annotations"] = {PLAN_ANNOTATION: f"{namespace}/restart", STEP_ANNOTATION: "1"}
    r2["metadata"]["labels"] = {"ngf-console.f5.com/migration-plan": "restart"}
    kube.create(resource_registry.load(GW_API, "HTTPRoute")(**r2), namespace=namespace)

    second = OperatorProcess(kubeconfig, tmp_path / "second.log", resync=5.0)
    try:
        second.wait_healthy()
        status = wait_phase(kube, "restart", namespace, "Completed", timeout=60)
    finally:
        second.stop()
    assert [e["name"] for e in status["resourceStatuses"]] == list(names)
    routes = live_routes(kube, namespace)
    assert routes["r1"]["spec"]["hostnames"] == ["edited.example.com"]
    assert routes["r2"]["spec"]["hostnames"] == ["crashed.example.com"]
    assert routes["r3"]["spec"]["hostnames"] == ["r3.example.com"]
    applied = applied_events(kube, namespace, "restart")
    assert sorted(m.split(":")[0] for m in applied) == [f"HTTPRoute {n}" for n in names]


def test_cli_apply_creates_a_plan_and_follows_it(
    kube: Client, kubeconfig: Path, namespace: str, tmp_path: Path, operator: OperatorProcess
) -> None:
    from typer.testing import CliRunner

    from ngf_console.migration.cli import app

    source = tmp_path / "scan.yaml"
    source.write_text(INGRESS.format(ns=namespace).split("---")[0])
    runner = CliRunner()
    planned = runner.invoke(app, ["plan", "--input", str(source), "--output", str(tmp_path / "p")])
    assert planned.exit_code == 2, planned.output  # converted, with an item to review
    args = ["apply", "--plan", str(tmp_path / "p"), "--kubeconfig", str(kubeconfig)]

    dry = runner.invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "accepted" in dry.output
    with pytest.raises(ApiError):
        kube.get(PARENTS["MigrationPlan"], "p", namespace=namespace)
    assert live_routes(kube, namespace) == {}

    with PlayNgf(kube, namespace):
        done = runner.invoke(app, [*args, "--pause-between", "1s", "--timeout", "60"])
    assert done.exit_code == 0, done.output
    assert "Completed: 2 applied, 0 failed" in done.output
    assert "HTTPRoute/web-shop-example-com: accepted" in done.output
    status = parent_status(kube, "MigrationPlan", "p", namespace)
    assert [e["kind"] for e in status["resourceStatuses"]] == ["Gateway", "HTTPRoute"]


@pytest.mark.usefixtures("operator")
def test_a_plan_without_embedded_source_scans_this_cluster(kube: Client, namespace: str) -> None:
    from lightkube import codecs

    body = yaml.safe_load(INGRESS.format(ns=namespace).split("---")[0])
    kube.create(codecs.from_dict(body))
    create_plan(kube, plan_doc("scan", namespace))  # source: type ingress, namespaces [ns]
    status = wait_phase(kube, "scan", namespace, "Reviewed")
    assert status["analysis"]["totalSourceResources"] == 1
    plan = kube.get(PARENTS["MigrationPlan"], "scan", namespace=namespace).to_dict()
    assert [r["sourceRef"] for r in plan["spec"]["resources"]] == [f"Ingress/{namespace}/web"] * 2
