"""schemathesis over the OpenAPI document the real API serves: every operation, valid and
invalid inputs, no response with a status of 500 or more, and responses that match the
document.

The API runs in auth mode none (the anonymous admin), so generated writes reach the
shared control plane; they land in namespaces that do not exist (404) or are refused by
validation. Alert rules are not written: a generated rule's channel could point beyond this
machine (PagerDuty's default endpoint), and the alert runner or the test route would call it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import schemathesis
from api_harness import running_api, settings_for
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES_PER_OPERATION = 15
# Writes that could make the server call out beyond this machine (see the module doc).
EXCLUDED = {("POST", "/alerts/rules"), ("PUT", "/alerts/rules/{rule_id}")}
EXCLUDED_SUFFIX = "/alerts/rules/{rule_id}/test"


@dataclass
class Findings:
    server_errors: list[str] = field(default_factory=list)
    nonconforming: dict[str, str] = field(default_factory=dict)
    calls: int = 0


def _excluded(method: str, path: str) -> bool:
    relative = path.split("/api/v1", 1)[-1].removeprefix("/clusters/{cluster}")
    return (method, relative) in EXCLUDED or path.endswith(EXCLUDED_SUFFIX)


@pytest.fixture(scope="module")
def base_url(kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("schemathesis-db") / "console.db"
    with running_api(settings_for(kubeconfig, db)) as url:
        yield url


def test_no_server_errors_and_responses_match_the_document(base_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{base_url}/api/openapi.json", timeout=30)
    findings = Findings()
    session = requests.Session()
    started = time.monotonic()
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) > 100, "the document lists the API's operations"
    tested = 0
    for operation in operations:
        if _excluded(operation.method.upper(), operation.path):
            continue
        tested += 1
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            response = case.call(base_url=base_url, session=session, timeout=30)
            findings.calls += 1
            label = f"{case.method} {case.formatted_path}"
            if response.status_code >= 500:
                findings.server_errors.append(
                    f"{label} -> {response.status_code}: {response.text[:300]}"
                )
                return
            try:
                case.validate_response(response, checks=[response_schema_conformance])
            except (Exception, BaseExceptionGroup) as err:  # a failed check: noted, go on
                name = f"{case.operation.label} ({response.status_code})"
                first = err.exceptions[0] if isinstance(err, BaseExceptionGroup) else err
                findings.nonconforming.setdefault(name, " ".join(str(first).split())[:300])

        run()
    elapsed = time.monotonic() - started
    print(f"schemathesis: {tested} operations, {findings.calls} calls in {elapsed:.0f}s")
    for name, message in sorted(findings.nonconforming.items()):
        print(f"NONCONFORMING {name}: {message}")
    for line in findings.server_errors:
        print(f"SERVER ERROR {line}")
    assert findings.server_errors == []
    assert findings.nonconforming == {}
