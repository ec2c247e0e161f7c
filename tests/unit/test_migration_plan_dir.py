"""A plan directory as a MigrationPlan (migration/plan_dir.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ngf_console.crd import MigrationPlan
from ngf_console.migration.plan_dir import PlanDirError, plan_from_directory


def write(path: Path, body: dict[str, object]) -> None:
    path.write_text(yaml.safe_dump(body))


def test_a_plan_directory_becomes_a_valid_migration_plan(tmp_path: Path) -> None:
    plan_dir = tmp_path / "Shop Plan"
    plan_dir.mkdir()
    route = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "web", "namespace": "shop"},
    }
    gateway = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "ngf-migrated", "namespace": "shop"},
    }
    other = {**gateway, "metadata": {"name": "ngf-migrated", "namespace": "other"}}
    write(plan_dir / "a_httproute_web.yaml", route)
    write(plan_dir / "b_gateway.yaml", gateway)
    write(plan_dir / "c_gateway.yaml", other)
    (plan_dir / "report.json").write_text(
        json.dumps(
            {
                "resources": [
                    {
                        "source": "Ingress/shop/web",
                        "kind": "Ingress",
                        "confidence": "medium",
                        "reason": "1 item(s) needs review",
                        "generated": ["HTTPRoute/shop/web", "Gateway/shop/ngf-migrated"],
                    }
                ]
            }
        )
    )
    doc = plan_from_directory(plan_dir)
    MigrationPlan.model_validate(doc)
    assert doc["metadata"] == {"name": "shop-plan", "namespace": "shop"}
    resources = doc["spec"]["resources"]
    # Gateways before routes, whatever the file order
    assert [r["kind"] for r in resources] == ["Gateway", "Gateway", "HTTPRoute"]
    assert resources[0]["sourceRef"] == "Ingress/shop/web"
    assert resources[0]["confidence"] == "medium"
    assert [r["enabled"] for r in resources] == [True, False, True]
    assert "own namespace only" in resources[1]["warnings"][-1]
    assert doc["spec"]["source"]["type"] == "ingress" and doc["spec"]["apply"] is True


def test_not_a_plan_directory(tmp_path: Path) -> None:
    with pytest.raises(PlanDirError):
        plan_from_directory(tmp_path / "missing")
    with pytest.raises(PlanDirError, match="no generated manifests"):
        plan_from_directory(tmp_path)
