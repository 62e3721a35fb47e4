# wxpay — every target runs from a fresh clone with only Go (and Node/npm for the spec tools).
GO      ?= go
PKGS    ?= ./...
GOFILES := $(shell git ls-files '*.go' 2>/dev/null)

.PHONY: all generate check-generated test test-short lint bench fuzz ci

all: lint test

## generate: rebuild generated/ from openapi.yaml and oapi-codegen.yaml.
generate:
	$(GO) generate ./generated/...

## check-generated: regenerate into a temp dir and fail when generated/ differs.
check-generated:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$$tmp" --one-top-level=src; \
	( cd "$$tmp/src" && find generated -name '*.gen.go' -delete && $(GO) generate ./generated/... ); \
	if ! diff -ru generated "$$tmp/src/generated"; then \
		echo "generated/ is stale: run 'make generate' and commit the result" >&2; exit 1; \
	fi; echo "generated/ is up to date"

## test: the project's test command (README.md), the full suite CI runs.
test:
	$(GO) test -race $(PKGS)

## test-short: the quick inner loop: no race detector, and every slow case cut down or
## skipped under -short (building binaries, 100k-call and many-worker runs).
test-short:
	$(GO) test -short $(PKGS)

## test-modules: vet and test (-race) each optional module, a Go module of its own inside
## the repository; redislimit's tests start a real redis-server (apt-get install -y redis-server);
## sdkbench holds the comparison with the official Go SDK (tests here, benchmarks in make bench).
MODULES ?= redislimit otelwxpay sdkbench
.PHONY: test-modules
test-modules:
	@set -e; for m in $(MODULES); do echo "== $$m: go vet, go test -race"; (cd $$m && $(GO) vet ./... && $(GO) test -race ./...); done

## lint: go vet plus a gofmt check.
lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## bench: benchmarks with enough repetitions for benchstat.
bench:
	GO=$(GO) ./scripts/bench.sh

## bench-bulk: a bulk CLI run against wxpay mock — calls/s beside the library's loopback
## benchmark, peak RSS for 1,000 vs 100,000 rows — into BENCHMARKS-bulk.md (issue 16).
.PHONY: bench-bulk
bench-bulk:
	GO=$(GO) ./scripts/bench-bulk.sh

# ---- spec tooling (issue 7): lint-spec, docs, docs-screenshot, ts-check ----
# Node tools are pinned in spec/tools/package-lock.json and installed there with `npm ci`
# (nothing global). SPEC selects the spec to check, e.g. a scratch copy:
#   make ts-check SPEC=/tmp/openapi.yaml
.PHONY: lint-spec docs docs-screenshot ts-check spec-tools
SPEC        ?= openapi.yaml
SPEC_TOOLS  := spec/tools
SPEC_STAMP  := $(SPEC_TOOLS)/node_modules/.wxpay-npm-ci.stamp
DOCS_DIR    ?= docs-build
URL         ?= file://$(abspath $(DOCS_DIR))/index.html
SCREENSHOT  ?= $(DOCS_DIR)/screenshot.png
# No usage reports or update checks from the Redocly CLI.
REDOCLY_ENV := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

## spec-tools: install the pinned Node tools when node_modules is missing or older than the lock.
spec-tools: $(SPEC_STAMP)
$(SPEC_STAMP): $(SPEC_TOOLS)/package.json $(SPEC_TOOLS)/package-lock.json
	cd $(SPEC_TOOLS) && npm ci --no-audit --no-fund
	@touch $@

## lint-spec: lint the spec with Redocly CLI and our ruleset (spec/tools/redocly.yaml), then
## check that the ruleset still catches each convention broken on purpose (lint-selftest.mjs).
lint-spec: spec-tools
	cd $(SPEC_TOOLS) && $(REDOCLY_ENV) ./node_modules/.bin/redocly lint --config redocly.yaml $(abspath $(SPEC))
	cd $(SPEC_TOOLS) && $(REDOCLY_ENV) node lint-selftest.mjs $(abspath $(SPEC))

## docs: render the spec as one self-contained HTML page, $(DOCS_DIR)/index.html (Redoc).
docs: spec-tools
	@mkdir -p $(DOCS_DIR)
	cd $(SPEC_TOOLS) && $(REDOCLY_ENV) ./node_modules/.bin/redocly build-docs --config redocly.yaml \
		--disableGoogleFont --output $(abspath $(DOCS_DIR))/index.html $(abspath $(SPEC))
	cd $(SPEC_TOOLS) && node inline-redoc.mjs $(abspath $(DOCS_DIR))/index.html

## docs-screenshot: check URL in headless Chromium (both operations, error tables) and save SCREENSHOT.
##   make docs docs-screenshot   or   make docs-screenshot URL=http://127.0.0.1:8080/docs
docs-screenshot:
	$(SPEC_TOOLS)/screenshot.sh '$(URL)' $(SCREENSHOT)

## ts-check: generate TypeScript types from the spec and compile a typed caller (tsc --noEmit).
ts-check: spec-tools
	cd $(SPEC_TOOLS) && ./node_modules/.bin/openapi-typescript $(abspath $(SPEC)) \
		--redocly ts/redocly.yaml --output ts/generated/wxpay.d.ts
	cd $(SPEC_TOOLS) && ./node_modules/.bin/tsc --noEmit -p ts/tsconfig.json
	@echo "ts-check: the spec's TypeScript types compile with the typed caller"
# ---- end spec tooling ----

# ---- spec diff (issue 8) ----
.PHONY: spec-diff
SEEDS ?= ../shared/seeds
## spec-diff: compare the saved WeChat Pay doc pages in $(SEEDS) with openapi.yaml (README.md, "When the docs change").
spec-diff:
	@if [ -d "$(SEEDS)" ] && ls "$(SEEDS)"/*.txt >/dev/null 2>&1; then \
		$(GO) run ./cmd/specdiff --spec openapi.yaml "$(SEEDS)"/*.txt; \
	else \
		echo "spec-diff: no pages in $(SEEDS), skipped"; \
	fi
# ---- end spec diff ----

# ---- fuzz (issue 6) ----
# Each fuzz target for FUZZTIME beyond its committed seeds (testdata/fuzz), one go test run
# per target (go test takes one -fuzz target per package per run), through scripts/fuzz.sh:
#   go test -run '^$' -fuzz '^FuzzX$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./pkg/
# A crasher is written to pkg/testdata/fuzz/FuzzX/: commit it as a regression seed with the fix.
FUZZTIME    ?= 10s
FUZZ_TARGETS := transport:FuzzVerifyResponse transport:FuzzLoadPrivateKey transport:FuzzLoadPublicKey \
	transport:FuzzLoadCertificate transport:FuzzCompiledSchema wxpaytest:FuzzParseAuthorization \
	transport:FuzzQueryPairsLikeParseQuery transport:FuzzCheckLikeBefore \
	generated:FuzzRequestURLIsTheGeneratorsOwn generated:FuzzPlainJSONIsJSONUnmarshal \
	internal/pkcs1:FuzzAgreesWithCryptoRSA
.PHONY: fuzz
## fuzz: run every fuzz target for FUZZTIME (make fuzz FUZZTIME=60s).
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do GO=$(GO) ./scripts/fuzz.sh $${t%%:*} $${t#*:} $(FUZZTIME); done
# ---- end fuzz ----

# ---- conformance vectors (issue 12) ----
.PHONY: vectors
## vectors: check spec/conformance/vectors.json is what its generator writes, then hold
## transport/ and wxpaytest/ (Go) and spec/conformance/check.mjs (node:crypto, written from
## the spec's text) to it. Regenerate with: go run ./spec/conformance/gen
vectors:
	$(GO) run ./spec/conformance/gen -check
	$(GO) test -race -count=1 -run 'Conformance' ./transport/ ./wxpaytest/
	node spec/conformance/check.mjs
# ---- end conformance vectors ----

# ---- interop (issue 12) ----
# Independent implementations against ours, pinned in interop/package-lock.json (npm ci):
# wechatpay-axios-plugin and wechatpay-node-v3 call `wxpay mock` (built here, free loopback
# port) in public-key and platform-certificate mode; a TypeScript client generated from
# openapi.yaml by @hey-api/openapi-ts does too; a Node server on the SDKs' primitives answers
# our Go client (interop/reverse_test.go). Ends with the matrix and "N passed, M failed".
INTEROP       := interop
INTEROP_STAMP := $(INTEROP)/node_modules/.wxpay-npm-ci.stamp
INTEROP_OUT   := $(abspath $(INTEROP))/.out
.PHONY: interop interop-tools
interop-tools: $(INTEROP_STAMP)
$(INTEROP_STAMP): $(INTEROP)/package.json $(INTEROP)/package-lock.json
	cd $(INTEROP) && npm ci --no-audit --no-fund
	@touch $@

## interop: every client × mode × query against the mock, the reverse direction, then the matrix.
interop: interop-tools
	@mkdir -p $(INTEROP_OUT) && rm -f $(INTEROP_OUT)/results.txt
	$(GO) build -o $(INTEROP_OUT)/wxpay ./cmd/wxpay
	cd $(INTEROP) && rm -rf ts/generated ts/dist && ./node_modules/.bin/openapi-ts -i $(abspath openapi.yaml) -o ts/generated
	cd $(INTEROP) && ./node_modules/.bin/tsc -p ts/tsconfig.json
	cd $(INTEROP) && node run.mjs $(INTEROP_OUT)/wxpay $(INTEROP_OUT)/results.txt
	WXPAY_INTEROP=1 WXPAY_INTEROP_RESULTS=$(INTEROP_OUT)/results.txt $(GO) test -race -count=1 -v ./$(INTEROP)/ \
		|| echo "go-client-vs-node-server - go-test fail" >> $(INTEROP_OUT)/results.txt
	cd $(INTEROP) && node matrix.mjs $(INTEROP_OUT)/results.txt
# ---- end interop ----
