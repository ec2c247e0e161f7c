"""GlobalConfiguration (k8s.nginx.org/v1): the controller's extra listeners.

Its listeners are looked up by name when a TransportServer or VirtualServer names one; their
ports and protocols become Gateway listeners of the namespaces that use them.
"""

from __future__ import annotations

from ngf_console.migration.context import ConversionContext, SourceDoc


def convert(ctx: ConversionContext, docs: list[SourceDoc]) -> None:
    """Index every GlobalConfiguration listener by name."""
    for doc in docs:
        ref = ctx.register(doc)
        for i, listener in enumerate(doc.spec.get("listeners") or []):
            where = f"spec.listeners[{i}]"
            name, port = str(listener.get("name")), int(listener.get("port", 0))
            protocol = str(listener.get("protocol", "TCP")).upper()
            if listener.get("ssl") and protocol == "HTTP":
                protocol = "HTTPS"
            ctx.global_listeners[name] = (port, protocol)
            ctx.mapped(
                ref, where, f"listener {name} → Gateway listener {protocol}/{port} where used"
            )
            for key in ("ipv4", "ipv6"):
                if key in listener:
                    ctx.review(
                        ref, f"{where}.{key}", "listen address: set Gateway spec.addresses by hand"
                    )
            ctx.leftovers(ref, listener, {"name", "port", "protocol", "ssl", "ipv4", "ipv6"}, where)
        ctx.leftovers(ref, doc.spec, {"listeners"}, "spec")
