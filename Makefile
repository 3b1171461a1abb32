# crio-trace — the targets people type. `make help` lists them.
#
# Two commands on a fresh machine: `make demo` and `make test`.

SHELL        := /bin/bash
GO           ?= go
BIN          := bin
CACHE        ?= $(HOME)/.cache/crio-trace
VERSION      ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS      := -X main.version=$(VERSION)
# Pinned tools (fetched through the Go module proxy, cached by Go).
BENCHSTAT    := golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
FUZZTIME     ?= 20s
BENCHCOUNT   ?= 6
IS_ROOT      := $(shell [ "$$(id -u)" = 0 ] && echo yes)

.PHONY: help build demo test unit browser lint e2e anchors bench bench-smoke fuzz systems deploy-validate kind-up clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## build bin/crio-trace and bin/crio-trace-demo
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/crio-trace ./cmd/crio-trace
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/crio-trace-demo ./cmd/crio-trace-demo

demo: ## run the one-command demo (embedded runtime, in-process collector)
	$(GO) run ./cmd/crio-trace-demo $(DEMO_ARGS)

test: lint unit bench-smoke deploy-validate ## everything: lint, unit and integration tests; e2e and systems when root
ifeq ($(IS_ROOT),yes)
	$(MAKE) e2e
	$(MAKE) systems
else
	@echo "!!! make test: NOT ROOT — the end-to-end tests (containerd, crictl, critest, kubelet, collector," >&2
	@echo "!!! Jaeger, Prometheus) were NOT run. Run 'sudo make e2e systems' to run them." >&2
endif

lint: ## gofmt, go vet, go mod tidy check
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff

unit: browser ## go test -race over every package; tests that need root and real runtimes are left to `make e2e`
	CRIO_TRACE_E2E=skip $(GO) test -race -count=1 -timeout 20m ./...

browser: ## Debian's chromium for the HTML waterfall tests (installed when root; the tests say how otherwise)
	@if ! command -v chromium >/dev/null; then \
	  if [ "$(IS_ROOT)" = yes ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "!!! chromium missing: the browser tests will fail; install it with: sudo apt-get install -y chromium" >&2; fi; \
	fi

e2e: ## end-to-end: containerd and CRI-O + runc, crictl, critest parity, forward mode (root; installs what it needs)
	@[ "$(IS_ROOT)" = yes ] || { echo "make e2e: must run as root (containerd, CRI-O, mounts)"; exit 1; }
	./hack/install-e2e-deps.sh
	./hack/install-crio.sh                     # CRI-O v1.34.0, pinns, the runc wrapper (~4.5 min of CPU cold)
	./hack/systems/build-tools.sh containerd   # upstream containerd with its tracing plugins (~1.5 min cold)
	CRIO_TRACE_E2E=run $(GO) test -count=1 -timeout 90m -p 1 ./test/harness/... ./test/daemon/... ./test/forward/...

anchors: ## measure crio-trace against stock CRI-O and upstream containerd on the same checks; writes docs/anchors.md (root)
	@[ "$(IS_ROOT)" = yes ] || { echo "make anchors: must run as root (CRI-O, containerd, mounts)"; exit 1; }
	./hack/install-e2e-deps.sh
	./hack/install-crio.sh
	./hack/systems/build-tools.sh containerd
	ANCHORS_OUT=$(CURDIR)/docs/anchors.md CRIO_TRACE_E2E=run $(GO) test -count=1 -timeout 60m -v -run TestAnchors ./test/anchors/

systems: ## real kubelet + upstream containerd + collector + Jaeger + Prometheus (root; cold build ~15-30 min, cached)
	@[ "$(IS_ROOT)" = yes ] || { echo "make systems: must run as root (kubelet, containerd, mounts)"; exit 1; }
	./hack/install-e2e-deps.sh
	./hack/systems/build-tools.sh
	CRIO_TRACE_E2E=run $(GO) test -count=1 -timeout 40m -v ./test/systems/...

bench: ## the benchmark suite, side by side, summarised with ratios
	mkdir -p $(BIN)
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) -timeout 60m ./test/bench/ | tee $(BIN)/bench.txt
	$(GO) run ./test/bench/summarize < $(BIN)/bench.txt
	$(GO) run $(BENCHSTAT) -col /stack $(BIN)/bench.txt || echo "benchstat could not run; the summary above stands on its own"

bench-smoke: ## every benchmark once, so none can rot (no timing is asserted)
	CRIO_TRACE_E2E=skip $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 15m ./...

fuzz: ## run each fuzz target for FUZZTIME
	@set -e; for pkg in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for f in $$(grep -h '^func Fuzz' $$pkg/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; done

deploy-validate: ## decode every YAML of deploy/ strictly with the real Kubernetes and kind types
	@if [ -f deploy/validate/go.mod ]; then cd deploy/validate && $(GO) test -count=1 ./...; \
	 else echo "!!! deploy/validate missing"; exit 1; fi

kind-up: ## bring up the kind recipe (needs Docker and kind; not possible on the CI machine)
	./deploy/kind/up.sh

clean: ## remove build output (the tool cache in $(CACHE) is kept; rm -rf it to rebuild tools)
	rm -rf $(BIN)
