"""What a renderer produces: children to apply, children withheld (and why), warnings."""

from __future__ import annotations

from dataclasses import dataclass, field

from ngf_console.render.common import Manifest


@dataclass(frozen=True)
class Withheld:
    """A child the bundle asks for that was deliberately not rendered, and why."""

    kind: str
    name: str
    api_version: str
    reason: str
    """Human-readable, e.g. ``requires NGINX Gateway Fabric Enterprise``."""
    code: str
    """CamelCase, for a condition reason: EnterpriseRequired, EditionUnknown, NotServed."""


@dataclass(frozen=True)
class RenderResult:
    """What :func:`render` produces.

    ``manifests`` are the children to apply, in apply order. ``withheld`` are children the
    bundle asks for that the edition or the installed NGF cannot take (the operator reports
    them in status; the UI greys them out). ``warnings`` are human-readable notes about
    settings that were ignored or look wrong, each prefixed with the bundle field path.
    """

    manifests: list[Manifest] = field(default_factory=list)
    withheld: list[Withheld] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
