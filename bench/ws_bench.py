"""Websocket hub benchmark: delivery lag to N clients at 1 message/s, with stalled clients.

Three processes kinds, all on 127.0.0.1:

- the **server** (``--role server``): uvicorn serving the real ``/api/v1/ws`` router of
  ``ngf_console.api.ws`` and a publisher that, once started, publishes one message per second
  to ``topology`` carrying ``time.time_ns()`` at publish time (plus ``--payload-bytes`` of
  padding), and optionally a firehose of large messages to ``metrics``;
- **client** processes (``--role clients``, ``--client-procs`` of them): each holds its share
  of the N websocket clients (the ``websockets`` library) on ``/api/v1/ws/topology`` and
  records, per message, receive time minus publish time;
- this orchestrator, which also opens the stalled clients: raw sockets with 4 KiB receive
  buffers that complete the handshake and never read again. One is on ``topology`` (the
  measured topic); one is on the ``metrics`` firehose, fast enough to fill its buffers and
  queue, so the hub drops it during the measured window.

Lag is wall clock (one machine, one clock). It includes the server's fan-out, the kernel and
the client process's scheduling, so it is an upper bound of what the hub adds.

    uv run python bench/ws_bench.py                      # 1000 clients, 30 s
    uv run python bench/ws_bench.py --clients 200 --seconds 10 --json /tmp/ws.json
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

TOPIC_PATH = "/api/v1/ws/topology"
FIREHOSE_PATH = "/api/v1/ws/metrics"


# --- server ---------------------------------------------------------------------------------


def run_server(args: argparse.Namespace) -> None:
    """The API's ws router on uvicorn, plus /bench/start and /bench/stats."""
    import uvicorn
    from fastapi import FastAPI
    from prometheus_client import CollectorRegistry

    from ngf_console.api.gc_tuning import settle_heap
    from ngf_console.api.ws.endpoint import WsSettings
    from ngf_console.api.ws.topics import METRICS, TOPOLOGY, new_hub, router

    hub = new_hub(CollectorRegistry())
    app = FastAPI()
    app.include_router(router(hub, WsSettings(queue_size=args.queue_size)))
    publish_seconds: list[float] = []
    drops: dict[str, float] = {}
    tasks: set[asyncio.Task[None]] = set()

    async def publish_steady(seconds: int, payload: str) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        for n in range(seconds):
            started = time.perf_counter()
            hub.publish(TOPOLOGY, {"n": n, "sent_ns": time.time_ns(), "pad": payload})
            publish_seconds.append(time.perf_counter() - started)
            next_at += 1.0
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    async def publish_firehose(seconds: int, rate: int, size: int, started: float) -> None:
        blob = "f" * size
        for n in range(seconds * rate):
            hub.publish(METRICS, {"n": n, "blob": blob})
            if (
                hub.stats().get(METRICS)
                and hub.stats()[METRICS].dropped
                and "firehose" not in drops
            ):
                drops["firehose"] = time.monotonic() - started
            await asyncio.sleep(1 / rate)

    @app.on_event("startup")
    async def settle() -> None:
        # As `ngf-console api` does once started (ApiSettings.settle_heap).
        settle_heap()

    @app.post("/bench/start")
    async def start(
        seconds: int, firehose_rate: int = 0, firehose_bytes: int = 0
    ) -> dict[str, str]:
        now = time.monotonic()
        steady = asyncio.create_task(publish_steady(seconds, "x" * args.payload_bytes))
        tasks.add(steady)
        if firehose_rate:
            hose = asyncio.create_task(
                publish_firehose(seconds, firehose_rate, firehose_bytes, now)
            )
            tasks.add(hose)
        return {"status": "started"}

    @app.get("/bench/stats")
    async def stats() -> dict[str, Any]:
        ordered = sorted(publish_seconds)
        return {
            "topics": hub.topics(),
            "stats": {label: asdict(s) for label, s in hub.stats().items()},
            "firehose_dropped_after_s": drops.get("firehose"),
            "publish_ms": {
                "count": len(ordered),
                "p50": 1000 * percentile(ordered, 50) if ordered else None,
                "max": 1000 * ordered[-1] if ordered else None,
            },
        }

    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        ws_per_message_deflate=not args.no_deflate,
        ws=args.ws,
        backlog=4096,
    )


# --- clients --------------------------------------------------------------------------------


async def run_clients(args: argparse.Namespace) -> None:
    """Hold ``--count`` clients; print READY, then on stdin EOF print the samples as JSON."""
    from websockets.asyncio.client import connect

    lags: list[float] = []
    received: list[int] = [0] * args.count
    closes: list[str] = []

    async def client(index: int, ready: asyncio.Event) -> None:
        try:
            async with connect(args.url, open_timeout=60, max_size=None) as conn:
                ready.set()
                async for frame in conn:
                    now = time.time_ns()
                    envelope = json.loads(frame)
                    if envelope["type"] != "message":
                        continue
                    lags.append((now - envelope["data"]["sent_ns"]) / 1e6)
                    received[index] += 1
        except Exception as err:
            closes.append(repr(err))
        finally:
            ready.set()

    tasks = []
    for start in range(0, args.count, 50):  # connect in waves, not a thundering herd
        wave = []
        for index in range(start, min(start + 50, args.count)):
            ready = asyncio.Event()
            tasks.append(asyncio.create_task(client(index, ready)))
            wave.append(ready.wait())
        await asyncio.gather(*wave)
    print("READY", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(json.dumps({"lags_ms": lags, "received": received, "errors": closes[:20]}), flush=True)


async def run_lean_clients(args: argparse.Namespace) -> None:
    """Like :func:`run_clients`, with a minimal RFC 6455 reader on asyncio streams.

    The websockets library costs tens of microseconds per frame; with 500 clients per
    process on a 2-core machine that queueing in the *clients* dominated the measured lag.
    Server frames are unmasked and unfragmented here (text, < 64 KiB), so reading one is a
    header, a length and the payload.
    """
    from urllib.parse import urlsplit

    url = urlsplit(args.url)
    lags: list[float] = []
    seqs: list[int] = []
    received: list[int] = [0] * args.count
    closes: list[str] = []

    async def client(index: int, ready: asyncio.Event) -> None:
        writer = None
        try:
            reader, writer = await asyncio.open_connection(url.hostname, url.port)
            key = base64.b64encode(os.urandom(16)).decode()
            writer.write(
                f"GET {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n".encode()
            )
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 101"):
                raise RuntimeError(f"handshake refused: {head[:60]!r}")
            ready.set()
            while True:
                b0, b1 = await reader.readexactly(2)
                length = b1 & 0x7F
                if length == 126:
                    length = int.from_bytes(await reader.readexactly(2), "big")
                elif length == 127:
                    length = int.from_bytes(await reader.readexactly(8), "big")
                payload = await reader.readexactly(length)
                now = time.time_ns()
                opcode = b0 & 0x0F
                if opcode == 0x8:  # close
                    break
                if opcode != 0x1:
                    continue
                envelope = json.loads(payload)
                if envelope["type"] != "message":
                    continue
                lag = (now - envelope["data"]["sent_ns"]) / 1e6
                lags.append(lag)
                seqs.append(envelope["seq"])
                received[index] += 1
        except asyncio.CancelledError:
            raise
        except Exception as err:
            closes.append(repr(err))
        finally:
            ready.set()
            if writer is not None:
                writer.close()

    tasks = []
    for start in range(0, args.count, 50):
        wave = []
        for index in range(start, min(start + 50, args.count)):
            ready = asyncio.Event()
            tasks.append(asyncio.create_task(client(index, ready)))
            wave.append(ready.wait())
        await asyncio.gather(*wave)
    print("READY", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(
        json.dumps({"lags_ms": lags, "seqs": seqs, "received": received, "errors": closes[:20]}),
        flush=True,
    )


# --- orchestrator ---------------------------------------------------------------------------


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stalled_client(port: int, path: str) -> socket.socket:
    """Complete a websocket handshake, then never read: 4 KiB receive buffer."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    response = sock.recv(4096)
    if not response.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(f"stalled client handshake failed: {response[:80]!r}")
    return sock


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS/VmHWM in kB and CPU ticks (user+system) of a process."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    fields["ticks"] = int(stat[11]) + int(stat[12])
    return fields


def get_json(port: int, path: str, method: str = "GET") -> Any:
    import httpx

    response = httpx.request(method, f"http://127.0.0.1:{port}{path}", timeout=30)
    response.raise_for_status()
    return response.json()


def orchestrate(args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    me = [sys.executable, str(Path(__file__).resolve())]
    server_cmd = [*me, "--role", "server", "--port", str(port)]
    server_cmd += ["--queue-size", str(args.queue_size), "--payload-bytes", str(args.payload_bytes)]
    if args.no_deflate:
        server_cmd.append("--no-deflate")
    server_cmd += ["--ws", args.ws]
    server = subprocess.Popen(server_cmd)
    clients: list[subprocess.Popen[str]] = []
    stalled: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get_json(port, "/bench/stats")
                break
            except Exception:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.1)
        baseline = proc_status(server.pid)
        share = [args.clients // args.client_procs] * args.client_procs
        share[0] += args.clients - sum(share)
        t0 = time.monotonic()
        for count in share:
            cmd = [*me, "--role", "clients", "--count", str(count), "--client", args.client]
            cmd += ["--url", f"ws://127.0.0.1:{port}{TOPIC_PATH}"]
            clients.append(
                subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            )
        for proc in clients:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if line != "READY":
                raise RuntimeError(f"client process failed: {line!r}")
        connect_s = time.monotonic() - t0
        stalled.append(stalled_client(port, TOPIC_PATH))
        if args.firehose_rate:
            stalled.append(stalled_client(port, FIREHOSE_PATH))
        topics = get_json(port, "/bench/stats")["topics"]
        print(f"connected {args.clients} clients in {connect_s:.1f} s; subscribers {topics}")
        connected = proc_status(server.pid)

        get_json(
            port,
            f"/bench/start?seconds={args.seconds}&firehose_rate={args.firehose_rate}"
            f"&firehose_bytes={args.firehose_bytes}",
            method="POST",
        )
        started_ticks = connected["ticks"]
        rss_samples = []
        run_start = time.monotonic()
        while time.monotonic() - run_start < args.seconds + 2:
            time.sleep(1)
            rss_samples.append(proc_status(server.pid)["VmRSS"])
        end = proc_status(server.pid)
        stats = get_json(port, "/bench/stats")
        cpu_s = (end["ticks"] - started_ticks) / os.sysconf("SC_CLK_TCK")
        results = []
        for proc in clients:
            out, _ = proc.communicate("", timeout=120)
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for sock in stalled:
            sock.close()
        for proc in clients:
            if proc.poll() is None:
                proc.kill()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()

    lags = sorted(lag for r in results for lag in r["lags_ms"])
    # The slowest delivery of each message: a tail from one slow fan-out shows here.
    worst: dict[int, float] = {}
    for r in results:
        for seq, lag in zip(r.get("seqs", []), r["lags_ms"], strict=False):
            worst[seq] = max(worst.get(seq, 0.0), lag)
    received = sorted(count for r in results for count in r["received"])
    published = stats["publish_ms"]["count"]
    topology = stats["stats"].get("topology", {})
    firehose = stats["stats"].get("metrics", {})
    return {
        "clients": args.clients,
        "client_procs": args.client_procs,
        "client": args.client,
        "seconds": args.seconds,
        "deflate": not args.no_deflate,
        "payload_bytes": args.payload_bytes,
        "queue_size": args.queue_size,
        "connect_seconds": round(connect_s, 2),
        "published": published,
        "samples": len(lags),
        "lag_ms": {
            "p50": percentile(lags, 50),
            "p90": percentile(lags, 90),
            "p99": percentile(lags, 99),
            "max": lags[-1],
        }
        if lags
        else None,
        "received_per_client": {
            "min": received[0],
            "median": received[len(received) // 2],
            "max": received[-1],
        }
        if received
        else None,
        "clients_missing_messages": sum(1 for c in received if c < published),
        "worst_lag_per_message_ms": [round(worst[k], 1) for k in sorted(worst)],
        "client_errors": [e for r in results for e in r["errors"]][:5],
        "publish_fanout_ms": stats["publish_ms"],
        "stalled_on_topic_dropped": bool(topology.get("dropped")),
        "stalled_on_firehose_dropped": bool(firehose.get("dropped")),
        "firehose_dropped_after_s": stats["firehose_dropped_after_s"],
        "hub_stats": stats["stats"],
        "server_rss_mb": {
            "idle": baseline["VmRSS"] / 1024,
            "connected": connected["VmRSS"] / 1024,
            "end": end["VmRSS"] / 1024,
            "max": max(rss_samples) / 1024,
            "hwm": end["VmHWM"] / 1024,
        },
        "server_cpu_share_of_one_core": round(cpu_s / (args.seconds + 2), 3),
    }


def report(result: dict[str, Any]) -> None:
    lag = result["lag_ms"]
    rss = result["server_rss_mb"]
    print(
        f"{result['clients']} clients x {result['published']} messages "
        f"(deflate {'on' if result['deflate'] else 'off'}, {result['payload_bytes']} B padding)"
    )
    if lag:
        print(
            f"delivery lag ms: p50 {lag['p50']:.1f}  p90 {lag['p90']:.1f}  "
            f"p99 {lag['p99']:.1f}  max {lag['max']:.1f}  ({result['samples']} samples)"
        )
    print(
        f"received per client: {result['received_per_client']}; "
        f"clients missing messages: {result['clients_missing_messages']}"
    )
    print(f"publish() fan-out: {result['publish_fanout_ms']}")
    print(
        f"stalled client on the measured topic dropped: {result['stalled_on_topic_dropped']}; "
        f"on the firehose: {result['stalled_on_firehose_dropped']} "
        f"(after {result['firehose_dropped_after_s']} s)"
    )
    print(
        f"server RSS MB: idle {rss['idle']:.1f}, {result['clients']} connected "
        f"{rss['connected']:.1f}, end {rss['end']:.1f}, max {rss['max']:.1f}, "
        f"hwm {rss['hwm']:.1f}; "
        f"CPU {100 * result['server_cpu_share_of_one_core']:.0f}% of one core"
    )
    if result["client_errors"]:
        print(f"client errors: {result['client_errors']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--role", choices=["orchestrate", "server", "clients"], default="orchestrate"
    )
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--payload-bytes", type=int, default=512)
    parser.add_argument("--queue-size", type=int, default=256)
    parser.add_argument(
        "--no-deflate", action="store_true", help="server refuses permessage-deflate"
    )
    parser.add_argument(
        "--firehose-rate",
        type=int,
        default=50,
        help="msgs/s to the stalled firehose client; 0: none",
    )
    parser.add_argument("--firehose-bytes", type=int, default=65536)
    parser.add_argument(
        "--client",
        default="lean",
        choices=("lean", "websockets"),
        help="client implementation: a minimal frame reader, or the websockets library",
    )
    parser.add_argument(
        "--ws",
        default="auto",
        choices=("auto", "websockets", "websockets-sansio", "wsproto"),
        help="uvicorn's websocket implementation",
    )
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "server":
        run_server(args)
    elif args.role == "clients":
        asyncio.run(run_lean_clients(args) if args.client == "lean" else run_clients(args))
    else:
        result = orchestrate(args)
        report(result)
        if args.json:
            args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
