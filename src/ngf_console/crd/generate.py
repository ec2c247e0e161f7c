"""Write the parent CRD manifests: ``python -m ngf_console.crd.generate [--check] [DIR]``.

The manifests under ``ngf_console/crd/manifests/`` are generated from the pydantic models and
committed; a unit test fails when they are stale. Regenerate after changing a model.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final

from ngf_console.crd.kinds import PARENT_KINDS, ParentKind
from ngf_console.crd.schema import crd_manifest, dump_manifest

__all__ = [
    "MANIFEST_DIR",
    "default_manifest_dir",
    "main",
    "manifest_filename",
    "render_manifests",
    "stale_manifests",
    "write_manifests",
]

MANIFEST_DIR: Final = Path(__file__).parent / "manifests"


def default_manifest_dir() -> Path:
    """Directory of the committed manifests, inside the installed package."""
    return MANIFEST_DIR


def manifest_filename(kind: ParentKind) -> str:
    """File name of a kind's CRD manifest: ``<plural>.<group>.yaml``."""
    return f"{kind.crd_name}.yaml"


def render_manifests() -> dict[str, str]:
    """File name -> YAML text of every parent CRD, sorted by file name."""
    rendered = {manifest_filename(k): dump_manifest(crd_manifest(k)) for k in PARENT_KINDS}
    return dict(sorted(rendered.items()))


def write_manifests(directory: Path) -> list[Path]:
    """Write one CRD manifest per parent kind into ``directory``; return the paths, sorted."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in render_manifests().items():
        path = directory / name
        # Bytes, so that the platform never rewrites the newlines.
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def stale_manifests(directory: Path) -> list[str]:
    """Names of manifests in ``directory`` that are missing or differ from the models."""
    return [
        name
        for name, text in render_manifests().items()
        if not (directory / name).is_file() or (directory / name).read_bytes() != text.encode()
    ]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: write the manifests, or with --check report stale ones."""
    parser = argparse.ArgumentParser(prog="python -m ngf_console.crd.generate")
    parser.add_argument("directory", nargs="?", type=Path, default=MANIFEST_DIR)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the manifests are out of date"
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_manifests(args.directory)
        for name in stale:
            print(f"stale: {args.directory / name}", file=sys.stderr)
        return 1 if stale else 0
    for path in write_manifests(args.directory):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
