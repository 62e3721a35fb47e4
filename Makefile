# wxpay — every target runs from a fresh clone with only Go (and Node/npm for the spec tools).
GO      ?= go
PKGS    ?= ./...
GOFILES := $(shell git ls-files '*.go' 2>/dev/null)

.PHONY: all generate check-generated test lint bench fuzz ci

all: lint test

## generate: rebuild generated/ from openapi.yaml and oapi-codegen.yaml.
generate:
	$(GO) generate ./generated/...

## check-generated: regenerate into a temp dir and fail when generated/ differs.
check-generated:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	cp -R . "$$tmp/src"; \
	( cd "$$tmp/src" && find generated -name '*.gen.go' -delete && $(GO) generate ./generated/... ); \
	if ! diff -ru generated "$$tmp/src/generated"; then \
		echo "generated/ is stale: run 'make generate' and commit the result" >&2; exit 1; \
	fi; echo "generated/ is up to date"

## test: the project's test command (README.md).
test:
	$(GO) test -race $(PKGS)

## lint: go vet plus a gofmt check.
lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## bench: benchmarks with enough repetitions for benchstat.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 $(PKGS)

# ---- spec tooling (issue 7): lint-spec, docs, docs-screenshot, ts-check ----
.PHONY: lint-spec docs docs-screenshot ts-check
lint-spec:
	@echo "lint-spec: not yet implemented"
docs:
	@echo "docs: not yet implemented"
docs-screenshot:
	@echo "docs-screenshot: not yet implemented"
ts-check:
	@echo "ts-check: not yet implemented"
# ---- end spec tooling ----

# ---- spec diff (issue 8) ----
.PHONY: spec-diff
SEEDS ?= ../shared/seeds
spec-diff:
	@echo "spec-diff: not yet implemented"
# ---- end spec diff ----
