"""Saved views and /me through the real API (OIDC mode, two users): own views are private,
shared ones visible to all but changed only by their owner; preferences round-trip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_harness import running_api, settings_for
from api_objects import served_issuer

from auth_oidc_issuer import AUDIENCE
from ngf_console.api.auth import AuthSettings


@pytest.fixture(scope="module")
def users(
    kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[httpx.Client, dict[str, dict[str, str]]]]:
    with served_issuer() as issuer:
        auth = AuthSettings.model_validate(
            {
                "mode": "oidc",
                "oidc": {
                    "issuer": issuer.url,
                    "audience": AUDIENCE,
                    "role_bindings": [{"group": "viewers", "role": "viewer", "namespaces": ["*"]}],
                },
            }
        )
        headers = {
            name: {
                "Authorization": "Bearer "
                + issuer.token(sub=name, email=f"{name}@example.com", groups=["viewers"])
            }
            for name in ("alice", "bob")
        }
        db = tmp_path_factory.mktemp("views-db") / "console.db"
        with (
            running_api(settings_for(kubeconfig, db, auth=auth)) as url,
            httpx.Client(base_url=url, timeout=30) as http,
        ):
            yield http, headers


def test_own_views_are_private_and_shared_ones_read_only_to_others(
    users: tuple[httpx.Client, dict[str, dict[str, str]]],
) -> None:
    http, h = users
    view = {"name": "5xx by route", "view_type": "dashboard", "config": {"panels": [1, 2]}}
    private = http.post("/api/v1/views", json=view, headers=h["alice"])
    assert private.status_code == 201, private.text
    shared = http.post(
        "/api/v1/views", json={**view, "name": "team board", "shared": True}, headers=h["alice"]
    ).json()
    private_url, shared_url = (
        f"/api/v1/views/{private.json()['id']}",
        f"/api/v1/views/{shared['id']}",
    )

    assert [v["name"] for v in http.get("/api/v1/views", headers=h["alice"]).json()] == [
        "5xx by route",
        "team board",
    ]
    assert [v["name"] for v in http.get("/api/v1/views", headers=h["bob"]).json()] == ["team board"]
    assert http.get(private_url, headers=h["bob"]).status_code == 404
    assert http.get(shared_url, headers=h["bob"]).json()["config"] == {"panels": [1, 2]}
    assert http.put(shared_url, json=view, headers=h["bob"]).status_code == 403
    assert http.delete(shared_url, headers=h["bob"]).status_code == 403
    assert http.delete(private_url, headers=h["bob"]).status_code == 404

    renamed = http.put(
        shared_url, json={**view, "name": "board", "shared": True}, headers=h["alice"]
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "board"
    only = http.get("/api/v1/views", params={"view_type": "query"}, headers=h["alice"]).json()
    assert only == []
    assert http.delete(private_url, headers=h["alice"]).status_code == 204
    assert http.get(private_url, headers=h["alice"]).status_code == 404
    assert http.delete(shared_url, headers=h["alice"]).status_code == 204
    assert http.get("/api/v1/views", headers=h["bob"]).json() == []


def test_views_need_a_caller_and_a_valid_body(
    users: tuple[httpx.Client, dict[str, dict[str, str]]],
) -> None:
    http, h = users
    assert http.get("/api/v1/views").status_code == 401
    bad = http.post("/api/v1/views", json={"name": "", "view_type": "dashboard"}, headers=h["bob"])
    assert bad.status_code == 422
    assert "body.name" in {c["field"] for c in bad.json()["detail"]["causes"]}
    assert http.get("/api/v1/views/not-a-uuid", headers=h["bob"]).status_code == 422


def test_me_and_preferences(users: tuple[httpx.Client, dict[str, dict[str, str]]]) -> None:
    http, h = users
    me = http.get("/api/v1/me", headers=h["bob"]).json()
    assert me["username"] == "bob@example.com"
    assert me["subject"] == "bob@example.com"
    assert me["groups"] == ["viewers"]
    assert me["auth_mode"] == "oidc"
    assert me["preferences"] == {}
    prefs = {"theme": "dark", "namespaces": ["shop"], "refresh": 30}
    put = http.put("/api/v1/me", json={"preferences": prefs}, headers=h["bob"])
    assert put.status_code == 200, put.text
    assert put.json()["preferences"] == prefs
    assert http.get("/api/v1/me", headers=h["bob"]).json()["preferences"] == prefs
    assert http.get("/api/v1/me", headers=h["alice"]).json()["preferences"] == {}
    # PUT replaces: a key left out is gone
    http.put("/api/v1/me", json={"preferences": {"theme": "light"}}, headers=h["bob"])
    assert http.get("/api/v1/me", headers=h["bob"]).json()["preferences"] == {"theme": "light"}
    assert http.put("/api/v1/me", json={"theme": "x"}, headers=h["bob"]).status_code == 422
