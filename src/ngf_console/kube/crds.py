"""Install CustomResourceDefinitions with server-side apply and wait until they serve."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from lightkube import Client, codecs
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition

FIELD_MANAGER = "ngf-console"


class CrdNotEstablishedError(RuntimeError):
    """A CRD was applied but did not become Established in time."""


def _established(crd: CustomResourceDefinition) -> bool:
    conditions = (crd.status.conditions if crd.status else None) or []
    return any(c.type == "Established" and c.status == "True" for c in conditions)


def install_crds(
    client: Client, documents: Iterable[Mapping[str, Any]], timeout: float = 60.0
) -> list[str]:
    """Server-side apply every CRD document, wait until all are Established, return names."""
    names: list[str] = []
    for doc in documents:
        crd = codecs.from_dict(dict(doc))
        assert isinstance(crd, CustomResourceDefinition), doc.get("kind")
        assert crd.metadata is not None and crd.metadata.name is not None
        client.apply(crd, field_manager=FIELD_MANAGER, force=True)
        names.append(crd.metadata.name)

    deadline = time.monotonic() + timeout
    pending = set(names)
    while pending:
        pending = {n for n in pending if not _established(client.get(CustomResourceDefinition, n))}
        if not pending:
            break
        if time.monotonic() > deadline:
            raise CrdNotEstablishedError(
                f"CRDs not Established after {timeout}s: {sorted(pending)}"
            )
        time.sleep(0.2)
    return names
