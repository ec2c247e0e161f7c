"""The latency breakdown and model comparison routes on the real API server (OIDC auth,
chDB beside the config DB): the numbers of the records sent, the caller's namespaces only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_harness import running_api, settings_for, until
from api_objects import served_issuer

from auth_oidc_issuer import AUDIENCE
from inference_panel_fixtures import (
    LLAMA_BREAKDOWN,
    LLAMA_COMPARISON,
    MISTRAL_BREAKDOWN,
    MISTRAL_COMPARISON,
    WINDOW_SECONDS,
    panel_records,
    without_labels,
)
from ngf_console.api.auth import AuthSettings
from otlp_fixtures import BASE, request

PROTOBUF = {"content-type": "application/x-protobuf"}
SINCE = BASE - dt.timedelta(minutes=1)
WINDOW = {
    "since": SINCE.isoformat(),
    "until": (SINCE + dt.timedelta(seconds=WINDOW_SECONDS)).isoformat(),
}
BREAKDOWN = "/api/v1/inference/metrics/latency-breakdown"
COMPARISON = "/api/v1/inference/metrics/model-comparison"


@pytest.fixture(scope="module")
def served(
    kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[httpx.Client, dict[str, dict[str, str]]]]:
    """The API with OIDC auth (admins everywhere, team-a operators in team-a) and the
    panel records ingested; the client and a token header per group."""
    db = tmp_path_factory.mktemp("inference-panels") / "console.db"
    with served_issuer() as issuer:
        auth = AuthSettings.model_validate(
            {
                "mode": "oidc",
                "oidc": {
                    "issuer": issuer.url,
                    "audience": AUDIENCE,
                    "role_bindings": [
                        {"group": "admins", "role": "admin", "namespaces": ["*"]},
                        {"group": "team-a", "role": "operator", "namespaces": ["team-a"]},
                    ],
                },
            }
        )
        tokens = {
            g: {"Authorization": f"Bearer {issuer.token(groups=[g])}"} for g in ("admins", "team-a")
        }
        with (
            running_api(settings_for(kubeconfig, db, auth=auth)) as url,
            httpx.Client(base_url=url, timeout=60) as http,
        ):
            sent = http.post(
                "/v1/logs",
                content=request(panel_records(), cluster=None).SerializeToString(),
                headers={**PROTOBUF, **tokens["admins"]},
            )
            assert sent.status_code == 200, sent.text

            def ingested() -> bool:
                got = http.get(COMPARISON, params=WINDOW, headers=tokens["admins"])
                return got.status_code == 200 and len(got.json()["items"]) == 2

            until(ingested, timeout=60, what="the inference logs to be queryable")
            yield http, tokens


def _get(http: httpx.Client, path: str, headers: dict[str, str], **params: Any) -> Any:
    response = http.get(path, params={**WINDOW, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_every_pool_for_an_admin(
    served: tuple[httpx.Client, dict[str, dict[str, str]]],
) -> None:
    http, tokens = served
    breakdown = _get(http, BREAKDOWN, tokens["admins"])
    assert [without_labels(i) for i in breakdown["items"]] == [LLAMA_BREAKDOWN, MISTRAL_BREAKDOWN]
    assert breakdown["since"].startswith(SINCE.strftime("%Y-%m-%dT%H:%M"))
    comparison = _get(http, COMPARISON, tokens["admins"])
    assert comparison["items"] == [LLAMA_COMPARISON, MISTRAL_COMPARISON]
    # The same under the cluster's own prefix; pool and model filters narrow.
    scoped = _get(
        http,
        "/api/v1/clusters/default/inference/metrics/model-comparison",
        tokens["admins"],
        model="mistral-7b",
    )
    assert scoped["items"] == [MISTRAL_COMPARISON]
    by_pool = _get(http, BREAKDOWN, tokens["admins"], pool="llama-pool")
    assert [i["pool"] for i in by_pool["items"]] == ["llama-pool"]


def test_only_the_callers_namespaces(
    served: tuple[httpx.Client, dict[str, dict[str, str]]],
) -> None:
    http, tokens = served
    team = tokens["team-a"]
    assert [i["pool"] for i in _get(http, BREAKDOWN, team)["items"]] == ["llama-pool"]
    assert _get(http, COMPARISON, team)["items"] == [LLAMA_COMPARISON]
    for path in (BREAKDOWN, COMPARISON):
        refused = http.get(path, params={**WINDOW, "namespace": "team-b"}, headers=team)
        assert refused.status_code == 403, refused.text
        assert http.get(path, params=WINDOW).status_code == 401


def test_a_window_ending_before_it_starts_is_a_400(
    served: tuple[httpx.Client, dict[str, dict[str, str]]],
) -> None:
    http, tokens = served
    backwards = {"since": WINDOW["until"], "until": WINDOW["since"]}
    response = http.get(BREAKDOWN, params=backwards, headers=tokens["admins"])
    assert response.status_code == 400
    assert "since must be before until" in response.json()["detail"]["message"]
