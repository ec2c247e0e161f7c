# NGF Console. `make demo` and `make test` work on a fresh machine: each installs what it needs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
UV := uv
PYTEST_ARGS ?=

.PHONY: demo test setup deps tools ui check api-types lint typecheck crds pytest vitest clean

demo: setup deps tools ui ## Local control plane + API + UI on http://127.0.0.1:8080
	$(UV) run ngf-console demo

test: setup deps tools ui check vitest pytest ## Every check and every test tier

setup: ## System packages and uv
	bash hack/setup-system.sh

deps: ## Python (uv.lock) and npm (package-lock.json) dependencies
	$(UV) sync --frozen
	cd frontend && npm ci --no-audit --no-fund --loglevel=error

tools: ## etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok (cached)
	bash hack/build-tools.sh

ui: ## Build the UI into frontend/dist
	cd frontend && npm run build

check: lint typecheck api-types ## Lint and type checks (Python and TypeScript), CRD manifests fresh, UI API types fresh

api-types: ## The UI's OpenAPI copy and generated TypeScript types match the server's routes
	$(UV) run python -m ngf_console.api.openapi_dump | diff -q - frontend/src/api/openapi.json > /dev/null || { echo 'frontend/src/api/openapi.json is stale: uv run python -m ngf_console.api.openapi_dump > frontend/src/api/openapi.json && (cd frontend && npm run gen:api)'; exit 1; }
	cd frontend && npm run gen:api:check

lint:
	$(UV) run ruff check src tests
	$(UV) run ruff format --check src tests
	cd frontend && npm run lint

typecheck:
	$(UV) run mypy
	cd frontend && npm run typecheck

crds: ## Regenerate the parent CRD manifests from the pydantic models
	$(UV) run ngf-console crd generate

pytest: ## All tiers: unit, integration, storage, browser
	$(UV) run pytest $(PYTEST_ARGS)

vitest:
	cd frontend && npm test

clean:
	rm -rf frontend/dist .pytest_cache .mypy_cache .ruff_cache
