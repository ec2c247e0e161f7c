"""child_health: a child's readiness judged from its own controller's status."""

from __future__ import annotations

from typing import Any

import pytest

from ngf_console.operator.health import Health, child_health

pytestmark = pytest.mark.unit


# --- builders ---------------------------------------------------------------------------------


def cond(ctype: str, status: str, reason: str = "", message: str = "") -> dict[str, Any]:
    """A metav1.Condition-shaped dict (empty reason/message left out)."""
    out: dict[str, Any] = {"type": ctype, "status": status}
    if reason:
        out["reason"] = reason
    if message:
        out["message"] = message
    return out


def obj(
    kind: str,
    *,
    spec: dict[str, Any] | None = None,
    status: dict[str, Any] | None = None,
    generation: int | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "child", "namespace": "ns"}
    if generation is not None:
        meta["generation"] = generation
    out: dict[str, Any] = {"kind": kind, "metadata": meta}
    if spec is not None:
        out["spec"] = spec
    if status is not None:
        out["status"] = status
    return out


def deployment(
    replicas: int | None = 1,
    available: int | None = None,
    *,
    generation: int | None = None,
    observed: int | None = None,
    conditions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    spec = {} if replicas is None else {"replicas": replicas}
    status: dict[str, Any] = {}
    if available is not None:
        status["availableReplicas"] = available
    if observed is not None:
        status["observedGeneration"] = observed
    if conditions is not None:
        status["conditions"] = conditions
    return obj("Deployment", spec=spec, status=status, generation=generation)


def daemonset(
    desired: int | None,
    ready: int | None = None,
    *,
    generation: int | None = None,
    observed: int | None = None,
) -> dict[str, Any]:
    status: dict[str, Any] = {}
    if desired is not None:
        status["desiredNumberScheduled"] = desired
    if ready is not None:
        status["numberReady"] = ready
    if observed is not None:
        status["observedGeneration"] = observed
    return obj("DaemonSet", spec={}, status=status, generation=generation)


def parent_status(*conditions: dict[str, Any]) -> dict[str, Any]:
    """One entry of HTTPRoute / InferencePool status.parents."""
    return {
        "parentRef": {"name": "gw"},
        "controllerName": "gateway.nginx.org/nginx-gateway-controller",
        "conditions": list(conditions),
    }


def with_parents(kind: str, *parents: dict[str, Any]) -> dict[str, Any]:
    return obj(kind, spec={}, status={"parents": list(parents)})


def with_conditions(kind: str, *conditions: dict[str, Any]) -> dict[str, Any]:
    return obj(kind, spec={}, status={"conditions": list(conditions)})


def is_ready(health: Health) -> None:
    assert health.ready is True
    assert health.failed is False


def is_waiting(health: Health) -> None:
    assert health.ready is False
    assert health.failed is False


def is_failed(health: Health) -> None:
    assert health.ready is False
    assert health.failed is True


# --- absent children, unknown kinds -----------------------------------------------------------


KNOWN_KINDS = [
    "Deployment",
    "DaemonSet",
    "HTTPRoute",
    "InferencePool",
    "Gateway",
    "ScaledObject",
    "HorizontalPodAutoscaler",
    "DistributedCloudPublish",
    "SnippetsFilter",
]
STATUSLESS_KINDS = [
    "ConfigMap",
    "Service",
    "Secret",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "NginxProxy",
    "WAFPolicy",
    "APPolicy",
]


@pytest.mark.parametrize("kind", KNOWN_KINDS + STATUSLESS_KINDS)
def test_missing_child_does_not_exist_yet(kind: str) -> None:
    health = child_health(kind, None)
    is_waiting(health)
    assert health.message == f"{kind} does not exist yet"


@pytest.mark.parametrize("kind", STATUSLESS_KINDS)
def test_kinds_without_a_check_are_ready_once_they_exist(kind: str) -> None:
    health = child_health(kind, obj(kind))
    assert health == Health(True, "exists")


def test_unknown_kind_ignores_any_status_it_has() -> None:
    live = obj("Widget", status={"conditions": [cond("Ready", "False", "Broken", "no")]})
    assert child_health("Widget", live) == Health(True, "exists")


@pytest.mark.parametrize("kind", KNOWN_KINDS)
def test_known_kinds_without_status_are_not_ready_and_not_failed(kind: str) -> None:
    # Just created: no controller has written status yet.
    health = child_health(kind, obj(kind, spec={"replicas": 1}))
    is_waiting(health)


@pytest.mark.parametrize("kind", KNOWN_KINDS)
def test_known_kinds_tolerate_status_null(kind: str) -> None:
    live = obj(kind, spec={"replicas": 1})
    live["status"] = None
    is_waiting(child_health(kind, live))


def test_health_defaults_to_not_failed() -> None:
    assert Health(False, "x").failed is False


# --- Deployment -------------------------------------------------------------------------------


def test_deployment_ready_when_available_reaches_desired() -> None:
    health = child_health("Deployment", deployment(3, 3))
    is_ready(health)
    assert health.message == "3/3 replicas available"


def test_deployment_ready_with_more_available_than_desired() -> None:
    # Scaling down: surplus pods are still available for a moment.
    health = child_health("Deployment", deployment(2, 3))
    is_ready(health)
    assert health.message == "3/2 replicas available"


def test_deployment_waiting_while_fewer_available() -> None:
    health = child_health("Deployment", deployment(3, 1))
    is_waiting(health)
    assert health.message == "1/3 replicas available"


def test_deployment_without_available_replicas_counts_zero() -> None:
    health = child_health("Deployment", deployment(2, None))
    is_waiting(health)
    assert health.message == "0/2 replicas available"


def test_deployment_replicas_default_to_one() -> None:
    is_waiting(child_health("Deployment", deployment(None, 0)))
    health = child_health("Deployment", deployment(None, 1))
    is_ready(health)
    assert health.message == "1/1 replicas available"


def test_deployment_scaled_to_zero_is_ready() -> None:
    health = child_health("Deployment", deployment(0, None))
    is_ready(health)
    assert health.message == "0/0 replicas available"


def test_deployment_waits_until_the_controller_observes_the_generation() -> None:
    # Replicas from the previous generation are available, but the change is not observed.
    health = child_health("Deployment", deployment(2, 2, generation=5, observed=4))
    is_waiting(health)
    assert health.message == "waiting for the deployment controller to observe the change"


@pytest.mark.parametrize(
    ("generation", "observed"),
    [(5, 5), (5, 6), (None, 3), (5, None), (None, None)],
    ids=["equal", "ahead", "no-generation", "no-observed", "neither"],
)
def test_deployment_generation_observed_or_unknown(
    generation: int | None, observed: int | None
) -> None:
    is_ready(child_health("Deployment", deployment(2, 2, generation=generation, observed=observed)))


def test_deployment_progress_deadline_exceeded_is_failed() -> None:
    stuck = cond(
        "Progressing",
        "False",
        "ProgressDeadlineExceeded",
        'ReplicaSet "epp-5d9" has timed out progressing.',
    )
    health = child_health("Deployment", deployment(2, 1, conditions=[stuck]))
    is_failed(health)
    assert health.message == 'rollout stuck: ReplicaSet "epp-5d9" has timed out progressing.'


def test_deployment_progress_deadline_without_message() -> None:
    stuck = cond("Progressing", "False", "ProgressDeadlineExceeded")
    health = child_health("Deployment", deployment(1, 0, conditions=[stuck]))
    is_failed(health)
    assert health.message == "rollout stuck: "


def test_deployment_progress_deadline_wins_over_available_replicas() -> None:
    # The old ReplicaSet still serves, but the new one never came up: that is a failure.
    stuck = cond("Progressing", "False", "ProgressDeadlineExceeded", "timed out")
    is_failed(child_health("Deployment", deployment(2, 2, conditions=[stuck])))


def test_deployment_generation_lag_checked_before_progress_deadline() -> None:
    # A new generation gets a fresh deadline; the stale condition must not fail it.
    stuck = cond("Progressing", "False", "ProgressDeadlineExceeded", "timed out")
    health = child_health(
        "Deployment", deployment(2, 0, generation=3, observed=2, conditions=[stuck])
    )
    is_waiting(health)


@pytest.mark.parametrize(
    "progressing",
    [
        cond("Progressing", "True", "NewReplicaSetAvailable"),
        cond("Progressing", "True", "ReplicaSetUpdated"),
        cond("Available", "False", "MinimumReplicasUnavailable"),
    ],
    ids=["complete", "updating", "other-condition"],
)
def test_deployment_other_conditions_do_not_fail(progressing: dict[str, Any]) -> None:
    is_waiting(child_health("Deployment", deployment(2, 1, conditions=[progressing])))
    is_ready(child_health("Deployment", deployment(2, 2, conditions=[progressing])))


# --- DaemonSet --------------------------------------------------------------------------------


def test_daemonset_ready_when_every_scheduled_pod_is_ready() -> None:
    health = child_health("DaemonSet", daemonset(3, 3))
    is_ready(health)
    assert health.message == "3/3 pods ready"


def test_daemonset_waiting_while_pods_not_ready() -> None:
    health = child_health("DaemonSet", daemonset(3, 2))
    is_waiting(health)
    assert health.message == "2/3 pods ready"


def test_daemonset_missing_number_ready_counts_zero() -> None:
    health = child_health("DaemonSet", daemonset(2))
    is_waiting(health)
    assert health.message == "0/2 pods ready"


def test_daemonset_without_desired_count_waits_for_controller() -> None:
    health = child_health("DaemonSet", daemonset(None, 0))
    is_waiting(health)
    assert health.message == "waiting for the daemonset controller"


def test_daemonset_generation_lag_waits_for_controller() -> None:
    health = child_health("DaemonSet", daemonset(2, 2, generation=4, observed=3))
    is_waiting(health)
    assert health.message == "waiting for the daemonset controller"


def test_daemonset_generation_observed_is_judged_by_pods() -> None:
    is_ready(child_health("DaemonSet", daemonset(2, 2, generation=4, observed=4)))


def test_daemonset_with_no_matching_node_is_not_ready_but_not_failed() -> None:
    # desiredNumberScheduled is also 0 right after creation, so this is "not yet".
    health = child_health("DaemonSet", daemonset(0, 0))
    is_waiting(health)
    assert health.message == "no node matches the DaemonSet's node selector"


# --- HTTPRoute and InferencePool (status.parents) ---------------------------------------------

ROUTE_KINDS = ["HTTPRoute", "InferencePool"]


@pytest.mark.parametrize("kind", ROUTE_KINDS)
@pytest.mark.parametrize("parents", [None, []], ids=["absent", "empty"])
def test_route_without_parents_waits_for_the_gateway(kind: str, parents: list[Any] | None) -> None:
    status = {} if parents is None else {"parents": parents}
    health = child_health(kind, obj(kind, spec={}, status=status))
    is_waiting(health)
    assert health.message == f"waiting for the gateway controller to accept the {kind}"


@pytest.mark.parametrize("kind", ROUTE_KINDS)
def test_route_accepted_and_resolved_is_ready(kind: str) -> None:
    live = with_parents(
        kind,
        parent_status(cond("Accepted", "True", "Accepted"), cond("ResolvedRefs", "True")),
    )
    health = child_health(kind, live)
    is_ready(health)
    assert health.message == "accepted by 1 parent(s)"


@pytest.mark.parametrize("kind", ROUTE_KINDS)
def test_route_counts_every_accepting_parent(kind: str) -> None:
    ok = parent_status(cond("Accepted", "True"), cond("ResolvedRefs", "True"))
    health = child_health(kind, with_parents(kind, ok, ok, ok))
    is_ready(health)
    assert health.message == "accepted by 3 parent(s)"


@pytest.mark.parametrize("kind", ROUTE_KINDS)
def test_route_accepted_false_is_failed_with_reason(kind: str) -> None:
    live = with_parents(
        kind,
        parent_status(
            cond("Accepted", "False", "NotAllowedByListeners", "no listener allows this route")
        ),
    )
    health = child_health(kind, live)
    is_failed(health)
    assert health.message == "Accepted=False (NotAllowedByListeners): no listener allows this route"


@pytest.mark.parametrize("kind", ROUTE_KINDS)
def test_route_rejection_without_message_drops_the_colon(kind: str) -> None:
    live = with_parents(kind, parent_status(cond("Accepted", "False", "NoMatchingParent")))
    health = child_health(kind, live)
    is_failed(health)
    assert health.message == "Accepted=False (NoMatchingParent)"


@pytest.mark.parametrize("kind", ROUTE_KINDS)
def test_route_resolved_refs_false_is_failed_even_when_accepted(kind: str) -> None:
    live = with_parents(
        kind,
        parent_status(
            cond("Accepted", "True", "Accepted"),
            cond("ResolvedRefs", "False", "BackendNotFound", "service llama-pool not found"),
        ),
    )
    health = child_health(kind, live)
    is_failed(health)
    assert health.message == "ResolvedRefs=False (BackendNotFound): service llama-pool not found"


@pytest.mark.parametrize("kind", ROUTE_KINDS)
def test_route_accepted_is_reported_before_resolved_refs(kind: str) -> None:
    live = with_parents(
        kind,
        parent_status(
            cond("ResolvedRefs", "False", "BackendNotFound", "b"),
            cond("Accepted", "False", "NotAllowedByListeners", "a"),
        ),
    )
    assert child_health(kind, live).message == "Accepted=False (NotAllowedByListeners): a"


@pytest.mark.parametrize("kind", ROUTE_KINDS)
def test_route_gateway_api_default_pending_is_waiting_not_failed(kind: str) -> None:
    # The CRD default: Accepted=Unknown/Pending "Waiting for controller"; some controllers
    # write Accepted=False with reason Pending before they act.
    for status in ("Unknown", "False"):
        live = with_parents(
            kind, parent_status(cond("Accepted", status, "Pending", "Waiting for controller"))
        )
        health = child_health(kind, live)
        is_waiting(health)
        assert health.message == f"waiting for the gateway controller to accept the {kind}"


@pytest.mark.parametrize("kind", ROUTE_KINDS)
def test_route_resolved_refs_pending_is_not_a_failure(kind: str) -> None:
    live = with_parents(
        kind,
        parent_status(cond("Accepted", "True"), cond("ResolvedRefs", "False", "Pending")),
    )
    assert child_health(kind, live).failed is False


@pytest.mark.parametrize("kind", ROUTE_KINDS)
def test_route_parent_without_accepted_condition_waits(kind: str) -> None:
    live = with_parents(kind, parent_status(cond("ResolvedRefs", "True")))
    is_waiting(child_health(kind, live))
    live = with_parents(kind, {"parentRef": {"name": "gw"}})
    is_waiting(child_health(kind, live))


@pytest.mark.parametrize("kind", ROUTE_KINDS)
def test_route_one_parent_still_pending_keeps_it_waiting(kind: str) -> None:
    ok = parent_status(cond("Accepted", "True"), cond("ResolvedRefs", "True"))
    pending = parent_status(cond("Accepted", "Unknown", "Pending"))
    is_waiting(child_health(kind, with_parents(kind, ok, pending)))
    is_waiting(child_health(kind, with_parents(kind, pending, ok)))


@pytest.mark.parametrize("kind", ROUTE_KINDS)
def test_route_failure_on_any_parent_fails_it(kind: str) -> None:
    ok = parent_status(cond("Accepted", "True"), cond("ResolvedRefs", "True"))
    bad = parent_status(cond("Accepted", "False", "NotAllowedByListeners", "nope"))
    health = child_health(kind, with_parents(kind, ok, bad))
    is_failed(health)
    assert "NotAllowedByListeners" in health.message


# --- condition-driven kinds: Gateway, ScaledObject, HPA ---------------------------------------

CONDITION_KINDS = [
    ("Gateway", "Programmed", "the gateway controller"),
    ("ScaledObject", "Ready", "KEDA"),
    ("HorizontalPodAutoscaler", "AbleToScale", "the HPA controller"),
]


@pytest.mark.parametrize(("kind", "ctype", "who"), CONDITION_KINDS)
def test_condition_true_is_ready_with_its_message(kind: str, ctype: str, who: str) -> None:
    live = with_conditions(kind, cond(ctype, "True", "Ok", "all good"))
    assert child_health(kind, live) == Health(True, "all good")


@pytest.mark.parametrize(("kind", "ctype", "who"), CONDITION_KINDS)
def test_condition_true_without_message_names_the_condition(
    kind: str, ctype: str, who: str
) -> None:
    live = with_conditions(kind, cond(ctype, "True"))
    assert child_health(kind, live) == Health(True, ctype)


@pytest.mark.parametrize(("kind", "ctype", "who"), CONDITION_KINDS)
def test_condition_missing_waits_for_its_controller(kind: str, ctype: str, who: str) -> None:
    live = with_conditions(kind, cond("SomethingElse", "True"))
    health = child_health(kind, live)
    is_waiting(health)
    assert health.message == f"waiting for {who} to report {ctype}"


@pytest.mark.parametrize(("kind", "ctype", "who"), CONDITION_KINDS)
def test_condition_unknown_waits(kind: str, ctype: str, who: str) -> None:
    live = with_conditions(kind, cond(ctype, "Unknown", "Initializing", "starting"))
    health = child_health(kind, live)
    is_waiting(health)
    assert health.message == f"waiting for {who} to report {ctype}"


@pytest.mark.parametrize(("kind", "ctype", "who"), CONDITION_KINDS)
def test_condition_pending_is_waiting_not_failed(kind: str, ctype: str, who: str) -> None:
    # Gateway API's CRD default for Programmed: status Unknown (or False), reason Pending.
    for status in ("Unknown", "False"):
        live = with_conditions(kind, cond(ctype, status, "Pending", "Waiting for controller"))
        is_waiting(child_health(kind, live))


@pytest.mark.parametrize(("kind", "ctype", "who"), CONDITION_KINDS)
def test_condition_false_is_failed_with_reason_and_message(kind: str, ctype: str, who: str) -> None:
    live = with_conditions(kind, cond(ctype, "False", "Invalid", "listener http is invalid"))
    health = child_health(kind, live)
    is_failed(health)
    assert health.message == f"{ctype}=False (Invalid): listener http is invalid"


@pytest.mark.parametrize(("kind", "ctype", "who"), CONDITION_KINDS)
def test_condition_false_without_message(kind: str, ctype: str, who: str) -> None:
    health = child_health(kind, with_conditions(kind, cond(ctype, "False", "Invalid")))
    is_failed(health)
    assert health.message == f"{ctype}=False (Invalid)"


def test_gateway_judged_by_programmed_not_accepted() -> None:
    live = with_conditions(
        "Gateway",
        cond("Accepted", "True", "Accepted"),
        cond("Programmed", "False", "AddressNotAssigned", "no address"),
    )
    health = child_health("Gateway", live)
    is_failed(health)
    assert health.message == "Programmed=False (AddressNotAssigned): no address"


def test_gateway_accepted_alone_is_not_ready() -> None:
    is_waiting(child_health("Gateway", with_conditions("Gateway", cond("Accepted", "True"))))


def test_scaled_object_ready_ignores_active() -> None:
    # Active=False only means "scaled to the minimum"; Ready is what matters.
    live = with_conditions(
        "ScaledObject",
        cond("Ready", "True", "ScaledObjectReady", "ScaledObject is defined correctly"),
        cond("Active", "False", "ScalerNotActive"),
    )
    assert child_health("ScaledObject", live) == Health(True, "ScaledObject is defined correctly")


def test_hpa_judged_by_able_to_scale() -> None:
    live = with_conditions(
        "HorizontalPodAutoscaler",
        cond("AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get"),
    )
    is_ready(child_health("HorizontalPodAutoscaler", live))
    live = with_conditions(
        "HorizontalPodAutoscaler",
        cond("AbleToScale", "False", "FailedGetScale", "deployments.apps not found"),
    )
    health = child_health("HorizontalPodAutoscaler", live)
    is_failed(health)
    assert health.message == "AbleToScale=False (FailedGetScale): deployments.apps not found"


# --- DistributedCloudPublish ------------------------------------------------------------------


def dcp(state: str | None) -> dict[str, Any]:
    return obj("DistributedCloudPublish", spec={}, status={} if state is None else {"state": state})


def test_distributed_cloud_published_is_ready() -> None:
    assert child_health("DistributedCloudPublish", dcp("Published")) == Health(
        True, "published to F5 Distributed Cloud"
    )


@pytest.mark.parametrize("state", ["Error", "Degraded"])
def test_distributed_cloud_error_or_degraded_is_failed(state: str) -> None:
    health = child_health("DistributedCloudPublish", dcp(state))
    is_failed(health)
    assert health.message == f"F5 Distributed Cloud publication is {state}"


@pytest.mark.parametrize("state", [None, "Pending", "Something"])
def test_distributed_cloud_other_states_wait(state: str | None) -> None:
    health = child_health("DistributedCloudPublish", dcp(state))
    is_waiting(health)
    assert health.message == "waiting for the Distributed Cloud controller to publish"


# --- SnippetsFilter ---------------------------------------------------------------------------


def snippets(*controllers: list[dict[str, Any]]) -> dict[str, Any]:
    return obj(
        "SnippetsFilter",
        spec={},
        status={
            "controllers": [
                {"controllerName": "gateway.nginx.org/nginx-gateway-controller", "conditions": c}
                for c in controllers
            ]
        },
    )


def test_snippets_filter_accepted_is_ready() -> None:
    live = snippets([cond("Accepted", "True", "Accepted")])
    assert child_health("SnippetsFilter", live) == Health(True, "accepted by NGINX Gateway Fabric")


def test_snippets_filter_rejected_is_failed_with_message() -> None:
    live = snippets([cond("Accepted", "False", "Invalid", "snippet context main not allowed")])
    health = child_health("SnippetsFilter", live)
    is_failed(health)
    assert health.message == "rejected: snippet context main not allowed"


@pytest.mark.parametrize(
    "live",
    [
        obj("SnippetsFilter", spec={}, status={}),
        obj("SnippetsFilter", spec={}, status={"controllers": []}),
        snippets([]),
        snippets([cond("Programmed", "True")]),
        snippets([cond("Accepted", "Unknown", "Pending")]),
    ],
    ids=["no-controllers", "empty-controllers", "no-conditions", "other-condition", "unknown"],
)
def test_snippets_filter_waits_until_a_controller_decides(live: dict[str, Any]) -> None:
    health = child_health("SnippetsFilter", live)
    is_waiting(health)
    assert health.message == "waiting for NGINX Gateway Fabric to accept the SnippetsFilter"


def test_snippets_filter_first_deciding_controller_wins() -> None:
    undecided = [cond("Accepted", "Unknown")]
    is_ready(
        child_health("SnippetsFilter", snippets(undecided, [cond("Accepted", "True")])),
    )
    is_failed(
        child_health("SnippetsFilter", snippets(undecided, [cond("Accepted", "False", "X")])),
    )


@pytest.mark.parametrize(
    ("status", "ready", "message"),
    [
        pytest.param(
            {"replicas": 3, "updatedReplicas": 3, "availableReplicas": 3},
            True,
            "3/3 replicas available",
            id="rolled-out",
        ),
        pytest.param(
            {"replicas": 4, "updatedReplicas": 1, "availableReplicas": 3},
            False,
            "rolling out: 1/3 replicas updated",
            id="surge-old-pods-still-serving",
        ),
        pytest.param(
            {"replicas": 4, "updatedReplicas": 3, "availableReplicas": 3},
            False,
            "rolling out: 3/3 replicas updated",
            id="old-replica-not-yet-gone",
        ),
        pytest.param(
            {"replicas": 3, "updatedReplicas": 3, "availableReplicas": 2},
            False,
            "2/3 replicas available",
            id="updated-not-all-available",
        ),
    ],
)
def test_deployment_rollout_is_not_ready_until_every_replica_runs_the_new_template(
    status: dict[str, Any], ready: bool, message: str
) -> None:
    health = child_health("Deployment", obj("Deployment", spec={"replicas": 3}, status=status))
    assert (health.ready, health.message, health.failed) == (ready, message, False)


def test_daemonset_rollout_waits_for_updated_pods() -> None:
    status = {"desiredNumberScheduled": 3, "numberReady": 3, "updatedNumberScheduled": 1}
    health = child_health("DaemonSet", obj("DaemonSet", spec={}, status=status))
    assert (health.ready, health.message) == (False, "rolling out: 1/3 pods updated")


def _hpa(*conditions: tuple[str, str, str]) -> dict[str, Any]:
    return obj(
        "HorizontalPodAutoscaler",
        spec={},
        status={
            "conditions": [
                {"type": t, "status": s, "reason": r, "message": f"{t} says {r}"}
                for t, s, r in conditions
            ]
        },
    )


def test_hpa_that_cannot_read_its_metrics_has_failed() -> None:
    health = child_health(
        "HorizontalPodAutoscaler",
        _hpa(
            ("AbleToScale", "True", "ReadyForNewScale"),
            ("ScalingActive", "False", "FailedGetExternalMetric"),
        ),
    )
    assert health.failed
    assert health.message.startswith("ScalingActive=False (FailedGetExternalMetric)")


@pytest.mark.parametrize(
    "active",
    [("ScalingActive", "True", "ValidMetricFound"), ("ScalingActive", "False", "ScalingDisabled")],
    ids=["metrics-read", "scaled-to-zero-on-purpose"],
)
def test_hpa_ready_when_able_to_scale_and_not_failing_its_metrics(
    active: tuple[str, str, str],
) -> None:
    health = child_health(
        "HorizontalPodAutoscaler", _hpa(("AbleToScale", "True", "ReadyForNewScale"), active)
    )
    assert health.ready and not health.failed
