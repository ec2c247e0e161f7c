"""Print the API server's OpenAPI document as JSON, for the UI's generated TypeScript types.

``uv run python -m ngf_console.api.openapi_dump > frontend/src/api/openapi.json``

The document is built from the app's routes alone: no cluster, database or lifespan is needed
(FastAPI builds it from the route declarations), so this runs anywhere, CI included.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ngf_console.api.app import create_app
from ngf_console.api.settings import ApiSettings


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document the API server serves at /api/openapi.json."""
    return create_app(ApiSettings()).openapi()


def main() -> None:
    """Write the document to stdout, keys sorted so that a diff shows real changes only."""
    json.dump(openapi_document(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
