"""Time to interactive of the console's dashboard in a real browser, and the shell's weight.

    uv run ngf-console demo &                       # or any running console
    uv run python bench/ui_bench.py --url http://127.0.0.1:8080 [--runs 10] [--json FILE]

Each run opens `/` in a fresh browser context (empty cache, headless Debian chromium) and
records, from the page's own clock (ms since navigation start):

- first contentful paint, DOMContentLoaded and load;
- interactive: the dashboard is usable — its heading is drawn, the API answered
  ("Connected"), and the Gateways/Routes/Inference counts replaced their "…" placeholders
  (observed by a MutationObserver installed before any script runs, so polling adds nothing);
- total blocking time: the part of each long task (> 50 ms) beyond 50 ms, up to interactive;
- JS bytes transferred for that load.

It also reports the built shell's size: the entry script and its module preloads from
`frontend/dist/index.html`, gzipped (the lazily loaded pages are not part of it).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import statistics
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

DIST = Path(__file__).resolve().parents[1] / "frontend" / "dist"

# Runs before the app's scripts: marks the moment the dashboard is usable, and sums the
# long tasks' blocking time until then.
PROBE = """
(() => {
  const t = { tbt: 0, interactive: null };
  window.__bench = t;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (t.interactive === null) t.tbt += Math.max(0, e.duration - 50);
    }
  }).observe({ type: 'longtask', buffered: true });
  const ready = () => {
    const h1 = [...document.querySelectorAll('h1')].some((h) => h.textContent === 'Dashboard');
    const text = document.body ? document.body.innerText : '';
    const counts = [...document.querySelectorAll('a h2')].map((h) => h.nextElementSibling);
    const loaded = counts.length >= 3 && counts.every((p) => p && p.textContent !== '…');
    return h1 && text.includes('Connected') && loaded;
  };
  const observer = new MutationObserver(() => {
    if (t.interactive === null && ready()) {
      t.interactive = performance.now();
      observer.disconnect();
    }
  });
  document.addEventListener('DOMContentLoaded', () =>
    observer.observe(document.body, { childList: true, subtree: true, characterData: true }));
})();
"""


def shell_size(dist: Path) -> dict[str, int] | None:
    """Gzipped bytes of the entry script and its module preloads (None: UI not built)."""
    index = dist / "index.html"
    if not index.is_file():
        return None
    html = index.read_text()
    scripts = re.findall(r'<script[^>]+src="([^"]+\.js)"', html)
    preloads = re.findall(r'<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"', html)
    css = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+\.css)"', html)

    def gz(paths: list[str]) -> int:
        return sum(len(gzip.compress((dist / p.lstrip("/")).read_bytes(), 9)) for p in paths)

    return {
        "js_gzip": gz(scripts + preloads),
        "css_gzip": gz(css),
        "files": len(scripts + preloads),
    }


def one_run(browser: Any, url: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(PROBE)
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.wait_for_function(
        "() => window.__bench && window.__bench.interactive !== null", timeout=60_000
    )
    result: dict[str, float] = page.evaluate(
        """() => {
          const nav = performance.getEntriesByType('navigation')[0];
          const fcp = performance.getEntriesByName('first-contentful-paint')[0];
          const js = performance.getEntriesByType('resource')
            .filter((r) => r.name.endsWith('.js'))
            .reduce((sum, r) => sum + r.transferSize, 0) + 0;
          return {
            fcp: fcp ? fcp.startTime : NaN,
            dom_content_loaded: nav.domContentLoadedEventEnd,
            load: nav.loadEventEnd,
            interactive: window.__bench.interactive,
            tbt: window.__bench.tbt,
            js_bytes: js,
          };
        }"""
    )
    context.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080/")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--dist", type=Path, default=DIST, help="the built UI (for its size)")
    args = parser.parse_args()
    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("chromium is missing (hack/setup-system.sh installs it)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        one_run(browser, args.url)  # warm the server side (caches, first SQL), not measured
        runs = [one_run(browser, args.url) for _ in range(args.runs)]
        browser.close()
    summary = {
        key: {
            "median": statistics.median(r[key] for r in runs),
            "max": max(r[key] for r in runs),
        }
        for key in runs[0]
    }
    shell = shell_size(args.dist)
    print(f"{args.runs} cold loads of {args.url} (ms from navigation start, median / max)")
    for key in ("fcp", "dom_content_loaded", "load", "interactive", "tbt"):
        print(f"  {key:20s} {summary[key]['median']:8.0f} / {summary[key]['max']:8.0f}")
    print(f"  JS transferred       {summary['js_bytes']['median'] / 1024:8.0f} KiB")
    if shell:
        print(
            f"shell: {shell['files']} JS files, {shell['js_gzip'] / 1024:.0f} KiB gzipped JS, "
            f"{shell['css_gzip'] / 1024:.0f} KiB gzipped CSS"
        )
    if args.json:
        args.json.write_text(
            json.dumps({"runs": runs, "summary": summary, "shell": shell}, indent=2)
        )


if __name__ == "__main__":
    main()
