"""TransportServer (k8s.nginx.org/v1) → TCPRoute, UDPRoute or TLSRoute (passthrough).

The built-in ``tls-passthrough`` listener becomes a TLS passthrough Gateway listener on 443 and
a TLSRoute for ``spec.host``; any other listener is looked up in the GlobalConfiguration and
becomes a TCP or UDP listener with a TCPRoute / UDPRoute.
"""

from __future__ import annotations

from ngf_console.migration.context import ConversionContext, SourceDoc, dns_name
from ngf_console.migration.ir import Backend, Listener, RouteIR, Rule

HANDLED = {"listener", "host", "tls", "upstreams", "action", "ingressClassName"}
UPSTREAM_UNSUPPORTED = {
    "failTimeout",
    "maxFails",
    "maxConns",
    "loadBalancingMethod",
    "backup",
    "backupPort",
}


def convert(ctx: ConversionContext, docs: list[SourceDoc]) -> None:
    """Translate TransportServers."""
    for doc in docs:
        ref = ctx.register(doc)
        spec, ns = doc.spec, doc.namespace
        listener = spec.get("listener") or {}
        lname = str(listener.get("name", ""))
        protocol = str(listener.get("protocol", "TCP")).upper()
        upstreams = {str(u.get("name")): u for u in spec.get("upstreams") or []}
        for i, up in enumerate(spec.get("upstreams") or []):
            where = f"spec.upstreams[{i}]"
            for key in sorted(set(up) & UPSTREAM_UNSUPPORTED):
                ctx.unsupported(
                    ref, f"{where}.{key}", "no Gateway API/NGF equivalent for L4 upstreams"
                )
            if "healthCheck" in up:
                ctx.enterprise(
                    ref, f"{where}.healthCheck", "NGINX Plus health checks; not carried over"
                )
            ctx.leftovers(
                ref, up, {"name", "service", "port", "healthCheck", *UPSTREAM_UNSUPPORTED}, where
            )
        target = str((spec.get("action") or {}).get("pass", ""))
        up = upstreams.get(target)
        if up is None:
            ctx.unsupported(
                ref, "spec.action.pass", f"upstream {target!r} not defined; nothing converted"
            )
            continue
        backend = Backend(name=str(up.get("service")), port=int(up.get("port", 0)) or None)
        ctx.mapped(ref, "spec.action.pass", f"→ backendRef {backend.name}", "backendRef")
        gw = ctx.gateway(ns)
        if lname == "tls-passthrough":
            host = str(spec.get("host") or "")
            section = ctx.listener(
                ns,
                Listener(
                    name=dns_name("tls-passthrough", host or "any"),
                    port=443,
                    protocol="TLS",
                    hostname=host or None,
                    tls_passthrough=True,
                    source=ref,
                ),
            )
            kind = "TLSRoute"
            hostnames = [host] if host else []
            ctx.mapped(
                ref,
                "spec.listener",
                "tls-passthrough → TLS listener (Passthrough) + TLSRoute",
                "TLSRoute",
            )
        else:
            port, gproto = ctx.global_listeners.get(lname, (0, protocol))
            if not port:
                ctx.review(
                    ref,
                    "spec.listener.name",
                    f"listener {lname!r} not in a GlobalConfiguration of the input; "
                    "port set to 0: fix it",
                )
            gproto = "UDP" if (gproto or protocol) == "UDP" else "TCP"
            section = ctx.listener(
                ns,
                Listener(
                    name=dns_name(lname or "tcp"), port=port or 1, protocol=gproto, source=ref
                ),
            )
            kind = "UDPRoute" if gproto == "UDP" else "TCPRoute"
            hostnames = []
            ctx.mapped(ref, "spec.listener", f"→ {gproto} listener {port} + {kind}", kind)
            if spec.get("host"):
                ctx.unsupported(ref, "spec.host", "TCP/UDP routes have no hostnames")
        if (spec.get("tls") or {}).get("secret"):
            ctx.unsupported(
                ref,
                "spec.tls.secret",
                "TLS termination for TCP: NGF has no TLS-terminating L4 route",
            )
        ctx.route(
            RouteIR(
                kind=kind,
                name=dns_name(doc.name),
                namespace=ns,
                hostnames=hostnames,
                gateway=gw.name,
                gateway_namespace=ns,
                section_names=[section],
                rules=[Rule(backends=[backend], source_path="spec.action")],
                source=ref,
            )
        )
        for key in ("upstreamParameters", "sessionParameters", "serverSnippets", "streamSnippets"):
            if key in spec:
                ctx.unsupported(
                    ref, f"spec.{key}", "no Gateway API/NGF equivalent for stream settings"
                )
        ctx.leftovers(
            ref,
            spec,
            HANDLED
            | {"upstreamParameters", "sessionParameters", "serverSnippets", "streamSnippets"},
            "spec",
        )
