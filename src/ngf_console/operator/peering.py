"""kopf peering: several operator replicas, exactly one active.

Every replica records itself in a ClusterKopfPeering object with a lifetime; the replica
with the highest priority works and the others pause. Equal priorities pause each other,
so each replica needs a distinct one (the CLI draws a random one). When the active replica
dies, its record expires after ``LIFETIME_SECONDS`` and the next one resumes.
"""

from __future__ import annotations

from typing import Any

from lightkube import Client
from lightkube.core.exceptions import ApiError
from lightkube.generic_resource import create_global_resource
from lightkube.models.meta_v1 import ObjectMeta

PEERING_NAME = "ngf-console-operator"
LIFETIME_SECONDS = 10

ClusterKopfPeering = create_global_resource(
    "kopf.dev", "v1", "ClusterKopfPeering", "clusterkopfpeerings"
)


def peering_crd() -> dict[str, Any]:
    """The CRD kopf stores cluster-wide peering records in."""
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "clusterkopfpeerings.kopf.dev"},
        "spec": {
            "scope": "Cluster",
            "group": "kopf.dev",
            "names": {
                "kind": "ClusterKopfPeering",
                "plural": "clusterkopfpeerings",
                "singular": "clusterkopfpeering",
            },
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "status": {
                                    "type": "object",
                                    "x-kubernetes-preserve-unknown-fields": True,
                                }
                            },
                        }
                    },
                }
            ],
        },
    }


def ensure_peering_object(client: Client) -> None:
    """Create the operator's ClusterKopfPeering if it does not exist yet."""
    try:
        client.create(ClusterKopfPeering(metadata=ObjectMeta(name=PEERING_NAME)))
    except ApiError as err:
        if err.status.code != 409:
            raise
