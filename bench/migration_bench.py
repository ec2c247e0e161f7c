"""plan() for 1,000 Ingresses + 500 VirtualServers: wall time and peak memory.

    uv run python bench/migration_bench.py [--ingresses 1000] [--virtualservers 500]

The input is written to one YAML file first (as `ngf-migrate plan` would read a scan bundle)
and the timing covers reading, converting, emitting and building the report. Ingresses
alternate nginx.org annotations, community annotations (every tenth a canary) and none, over
50 namespaces; VirtualServers have TLS, three upstreams, a split, a header match and a
rate-limit Policy. Peak memory: ``ru_maxrss`` of the process and tracemalloc's peak during a
second, traced run.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import yaml

from ngf_console.migration import plan


def _ingress(i: int) -> dict[str, Any]:
    ns, host = f"team{i % 50}", f"app{i}.example.com"
    ann: dict[str, str] = {}
    if i % 3 == 0:
        ann = {
            "nginx.org/client-max-body-size": "4m",
            "nginx.org/proxy-read-timeout": "30s",
            "nginx.org/rewrites": f"serviceName=api{i} rewrite=/",
        }
    elif i % 3 == 1:
        ann = {
            "nginx.ingress.kubernetes.io/enable-cors": "true",
            "nginx.ingress.kubernetes.io/limit-rps": "10",
            "nginx.ingress.kubernetes.io/ssl-redirect": "true",
        }
    paths = [
        {
            "path": p,
            "pathType": "Prefix",
            "backend": {"service": {"name": s, "port": {"number": 80}}},
        }
        for p, s in (("/", f"web{i}"), ("/api", f"api{i}"))
    ]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": f"ing{i}", "namespace": ns, "annotations": ann},
        "spec": {
            "tls": [{"hosts": [host], "secretName": f"tls{i}"}],
            "rules": [{"host": host, "http": {"paths": paths}}],
        },
    }


def _canary(i: int) -> dict[str, Any]:
    doc = _ingress(i)
    doc["metadata"] = {
        "name": f"ing{i}-canary",
        "namespace": doc["metadata"]["namespace"],
        "annotations": {
            "nginx.ingress.kubernetes.io/canary": "true",
            "nginx.ingress.kubernetes.io/canary-weight": "10",
        },
    }
    doc["spec"].pop("tls")
    return doc


def _vs(i: int) -> list[dict[str, Any]]:
    ns = f"vs{i % 50}"
    ups = [{"name": n, "service": f"{n}{i}", "port": 80} for n in ("a", "b", "c")]
    return [
        {
            "apiVersion": "k8s.nginx.org/v1",
            "kind": "Policy",
            "metadata": {"name": f"rl{i}", "namespace": ns},
            "spec": {
                "rateLimit": {"rate": "10r/s", "key": "$binary_remote_addr", "zoneSize": "10m"}
            },
        },
        {
            "apiVersion": "k8s.nginx.org/v1",
            "kind": "VirtualServer",
            "metadata": {"name": f"vs{i}", "namespace": ns},
            "spec": {
                "host": f"vs{i}.example.com",
                "tls": {"secret": f"vs{i}-tls", "redirect": {"enable": True}},
                "policies": [{"name": f"rl{i}"}],
                "upstreams": ups,
                "routes": [
                    {
                        "path": "/",
                        "splits": [
                            {"weight": 80, "action": {"pass": "a"}},
                            {"weight": 20, "action": {"pass": "b"}},
                        ],
                    },
                    {
                        "path": "/api",
                        "matches": [
                            {
                                "conditions": [{"header": "X-V", "value": "2"}],
                                "action": {"pass": "c"},
                            }
                        ],
                        "action": {"proxy": {"upstream": "a", "rewritePath": "/v1"}},
                    },
                ],
            },
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ingresses", type=int, default=1000)
    parser.add_argument("--virtualservers", type=int, default=500)
    args = parser.parse_args()
    docs: list[dict[str, Any]] = []
    for i in range(args.ingresses):
        docs.append(_canary(i - 1) if i % 10 == 9 else _ingress(i))
    for i in range(args.virtualservers):
        docs += _vs(i)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.yaml"
        path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
        size = path.stat().st_size
        start = time.perf_counter()
        result = plan([path])
        elapsed = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tracemalloc.start()
        plan([path])
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(
        f"input: {args.ingresses} Ingresses + {args.virtualservers} VirtualServers "
        f"(+{args.virtualservers} Policies), {len(docs)} documents, {size / 1e6:.1f} MB YAML"
    )
    print(
        f"plan: {elapsed:.2f} s; {len(result.manifests)} manifests; "
        f"{len(result.report.resources)} report entries"
    )
    print(f"peak memory: ru_maxrss {rss:.0f} MiB; tracemalloc peak {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
