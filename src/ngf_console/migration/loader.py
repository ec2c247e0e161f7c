"""Read migration inputs: YAML files and directories (multi-document, ``List`` kinds) and
exported nginx.conf files. Malformed documents become report errors with file and line; the
rest of the input is still read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ngf_console.migration.context import SourceDoc

SOURCE_KINDS = {
    "Ingress",
    "VirtualServer",
    "VirtualServerRoute",
    "TransportServer",
    "Policy",
    "GlobalConfiguration",
    "ConfigMap",
}
# Read for lookups (named Service ports), never converted.
CONTEXT_KINDS = {"Service", "Secret", "Namespace", "IngressClass", "Endpoints", "EndpointSlice"}
# libyaml's loader when present: the pure-Python one dominates plan() time on big bundles.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)


@dataclass
class LoadError:
    """A document or file that could not be read."""

    file: str
    line: int | None
    message: str


@dataclass
class LoadedInput:
    """Everything read from the inputs."""

    docs: list[SourceDoc] = field(default_factory=list)
    context: list[SourceDoc] = field(default_factory=list)
    nginx_confs: list[Path] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)


def _is_nginx_conf(path: Path, text: str) -> bool:
    if path.suffix in (".conf",) or path.name.startswith("nginx"):
        return not text.lstrip().startswith(("apiVersion", "kind", "---", "items"))
    return False


def load_text(text: str, file: str, out: LoadedInput) -> None:
    """Read a YAML stream; each document is parsed on its own so one bad one is contained."""
    offset = 0
    chunks: list[tuple[int, str]] = []
    last = 0
    for m in _SEPARATOR.finditer(text):
        chunks.append((offset, text[last : m.start()]))
        # Lines before this separator: counted incrementally (the text may be large).
        offset += text.count("\n", last, m.end())
        last = m.end()
    chunks.append((offset, text[last:]))
    for start, chunk in chunks:
        if not chunk.strip():
            continue
        try:
            obj = yaml.load(chunk, Loader=_LOADER)  # a safe loader (CSafeLoader/SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = start + (mark.line if mark is not None else 0) + 1
            out.errors.append(
                LoadError(file, line, f"invalid YAML: {getattr(exc, 'problem', exc)}")
            )
            continue
        line = start + chunk[: len(chunk) - len(chunk.lstrip())].count("\n") + 1
        _add(obj, file, line, out)


def _add(obj: Any, file: str, line: int, out: LoadedInput) -> None:
    if obj is None:
        return
    if not isinstance(obj, dict):
        out.errors.append(LoadError(file, line, "document is not a mapping"))
        return
    kind = str(obj.get("kind") or "")
    if kind.endswith("List") and isinstance(obj.get("items"), list):
        for item in obj["items"]:
            _add(item, file, line, out)
        return
    if kind in SOURCE_KINDS:
        out.docs.append(SourceDoc(obj=obj, file=file, line=line))
    elif kind in CONTEXT_KINDS:
        out.context.append(SourceDoc(obj=obj, file=file, line=line))
    else:
        out.errors.append(
            LoadError(file, line, f"unknown kind {kind or '(none)'!r}: not converted")
        )


def load_paths(paths: list[Path]) -> LoadedInput:
    """Read files and directories (recursively: *.yaml, *.yml, *.json, *.conf)."""
    out = LoadedInput()
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if path.is_dir() and file.suffix not in (".yaml", ".yml", ".json", ".conf"):
                continue
            try:
                text = file.read_text()
            except (OSError, UnicodeDecodeError) as exc:
                out.errors.append(LoadError(str(file), None, f"cannot read: {exc}"))
                continue
            if _is_nginx_conf(file, text):
                out.nginx_confs.append(file)
            else:
                load_text(text, str(file), out)
    return out
