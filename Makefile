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
FUZZMINIMIZE ?= 10s
SOAKTIME     ?= 10m
BENCHCOUNT   ?= 6
IS_ROOT      := $(shell [ "$$(id -u)" = 0 ] && echo yes)
# Every go test run goes through hack/skipreport: it prints what go test
# prints, saves the events under $(TESTOUT), and the summary at the end of
# `make test` lists every skipped test and why. As root (as CI runs), an
# end-to-end or systems test that skipped fails the run.
TESTOUT      := $(BIN)/test
SKIPREPORT   := $(CURDIR)/$(BIN)/skipreport
STRICT       := $(if $(IS_ROOT),-strict)
# $(call gotest,RUN,ENV,GO TEST ARGS,SKIPREPORT ARGS): go test -json, with
# ENV set, piped through skipreport into $(TESTOUT)/RUN.json; fails if
# either fails.
gotest = set -o pipefail; $(2) $(GO) test -json $(3) | $(SKIPREPORT) run -o $(CURDIR)/$(TESTOUT)/$(1).json $(4)


.PHONY: crio-port soak cluster cluster-down anchors anchors-check runtimes
.PHONY: help build demo test unit browser lint e2e bench bench-smoke fuzz systems deploy-validate kind-up clean skipreport skip-summary

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## build bin/crio-trace and bin/crio-trace-demo
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/crio-trace ./cmd/crio-trace
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/crio-trace-demo ./cmd/crio-trace-demo

demo: ## run the one-command demo (embedded runtime, in-process collector)
	$(GO) run ./cmd/crio-trace-demo $(DEMO_ARGS)

# test runs every stage even when one fails, so that the summary of skipped
# tests at the end covers all of them; it fails if any stage failed.
TEST_STAGES  := lint unit bench-smoke deploy-validate $(if $(IS_ROOT),e2e anchors-check systems)

test: ## everything: lint, unit and integration tests; e2e and systems when root; then every skipped test and why
	@rm -rf $(TESTOUT); failed=""; \
	for stage in $(TEST_STAGES); do \
	  $(MAKE) --no-print-directory $$stage || failed="$$failed $$stage"; \
	done; \
	$(MAKE) --no-print-directory skip-summary || failed="$$failed skip-summary"; \
	if [ "$(IS_ROOT)" != yes ]; then \
	  echo "!!! make test: NOT ROOT — the end-to-end tests (containerd, crictl, critest, kubelet, collector," >&2; \
	  echo "!!! Jaeger, Prometheus) were NOT run. Run 'sudo make e2e systems' to run them." >&2; \
	fi; \
	if [ -n "$$failed" ]; then echo "!!! make test FAILED in:$$failed" >&2; exit 1; fi

skipreport: ## build hack/skipreport, which every test target pipes go test -json through
	@$(GO) build -o $(SKIPREPORT) ./hack/skipreport

skip-summary: skipreport ## every test skipped by the runs saved in bin/test, and why (fails as root if an end-to-end test skipped)
	@ls $(TESTOUT)/*.json >/dev/null 2>&1 || { echo "skip-summary: no test runs saved in $(TESTOUT)"; exit 1; }
	$(SKIPREPORT) summary $(STRICT) $(TESTOUT)/*.json

lint: ## gofmt, go vet, go mod tidy check
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff

unit: browser skipreport ## go test -race over every package; tests that need root and real runtimes are left to `make e2e`
	$(call gotest,unit,CRIO_TRACE_E2E=skip,-race -count=1 -timeout 20m ./...)

browser: ## Debian's chromium for the HTML waterfall tests (installed when root; the tests say how otherwise)
	@if ! command -v chromium >/dev/null; then \
	  if [ "$(IS_ROOT)" = yes ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "!!! chromium missing: the browser tests will fail; install it with: sudo apt-get install -y chromium" >&2; fi; \
	fi

runtimes: ## install and build the real runtimes the root targets run against: containerd + runc, crictl, critest, CRI-O v1.34.0, crio-kit, upstream containerd (root; cached)
	@[ "$(IS_ROOT)" = yes ] || { echo "make $@ (for $(or $(MAKECMDGOALS),test)): must run as root (containerd, CRI-O, mounts)"; exit 1; }
	./hack/install-e2e-deps.sh
	./hack/install-crio.sh                     # CRI-O v1.34.0, pinns, the runc wrapper (~4.5 min of CPU cold)
	./hack/crio-port.sh                        # crio-kit: CRI-O + kit (~4.5 min of CPU cold)
	./hack/systems/build-tools.sh containerd   # upstream containerd with its tracing plugins (~1.5 min cold)

e2e: skipreport runtimes ## end-to-end: containerd and CRI-O + runc, crictl, critest parity, forward mode, BenchmarkForward, BenchmarkCrio and BenchmarkPprofCrio once (root; installs what it needs)
	$(call gotest,e2e,CRIO_TRACE_E2E=run,-count=1 -timeout 90m -p 1 ./test/harness/... ./test/daemon/... ./test/forward/...,-strict)
	$(call gotest,bench-forward,CRIO_TRACE_E2E=run CRIO_TRACE_PPROF_SECONDS=1,-run '^$$' -bench '^(BenchmarkForward|BenchmarkCrio|BenchmarkPprofCrio)$$' -benchtime 1x -count=1 -timeout 15m ./test/bench/,-strict)

anchors: skipreport runtimes ## measure crio-trace and CRI-O + kit against stock CRI-O and upstream containerd on the same checks; writes docs/anchors.md (root)
	$(call gotest,anchors,ANCHORS_OUT=$(CURDIR)/docs/anchors.md CRIO_TRACE_E2E=run,-count=1 -timeout 60m -run TestAnchors ./test/anchors/,-v -strict)

anchors-check: skipreport runtimes ## the anchors' checks with 20 s collector windows, failing where crio-trace or CRI-O + kit is behind; writes nothing (root; part of make test)
	$(call gotest,anchors-check,ANCHORS_WINDOW=20s CRIO_TRACE_E2E=run,-count=1 -timeout 40m -run TestAnchors ./test/anchors/,-v -strict)

systems: skipreport runtimes ## real kubelet + upstream containerd or CRI-O (stock, behind crio-trace, and with the kit) + collector + Jaeger + Prometheus, and a real cluster (root; cold build ~30-60 min, cached)
	./hack/systems/build-tools.sh              # kubelet and the rest of the cluster, the collector, Jaeger, Prometheus
	$(call gotest,systems,CRIO_TRACE_E2E=run,-count=1 -timeout 50m ./test/systems/...,-v -strict)

cluster: ## a one-node cluster on 127.0.0.1 (etcd, API server, scheduler, controller manager, kubelet, crio-trace, containerd), all tracing (root)
	./hack/cluster/up.sh

cluster-down: ## stop what make cluster started and check the host is as it was
	./hack/cluster/down.sh

soak: skipreport ## the daemon under 8 clients for 10 min while the collector flaps: RSS, goroutines, fds must stay flat (60 s of it runs in make test)
	$(call gotest,soak,CRIO_TRACE_SOAK=$(SOAKTIME),-count=1 -v -run '^TestSoak$$' -timeout 30m ./test/soak/)

crio-port: ## port the tracing kit into CRI-O v1.34.0 (hack/crio-port), build it as crio-kit, run CRI-O's unit tests of what it touches; diff in bin/crio-port.diff
	./hack/crio-port.sh --test

bench: $(if $(IS_ROOT),runtimes) ## the benchmark suite, side by side, with ratios; rewrites the results in docs/performance.md and docs/perf-scaling.svg (as root also real containerd and CRI-O)
	mkdir -p $(BIN)
	set -o pipefail; $(if $(IS_ROOT),CRIO_TRACE_E2E=run) $(GO) test -v -run '^$$' -bench . -skip '^BenchmarkPprofCrio$$' -benchmem -count $(BENCHCOUNT) -timeout 90m ./test/bench/ | tee $(BIN)/bench.txt
	$(GO) run ./test/bench/summarize -svg docs/perf-scaling.svg -doc docs/performance.md -command "make bench BENCHCOUNT=$(BENCHCOUNT)" < $(BIN)/bench.txt
	$(GO) run $(BENCHSTAT) -col /stack $(BIN)/bench.txt || echo "benchstat could not run; the summary above stands on its own"

bench-smoke: skipreport ## every benchmark once, so none can rot (no timing is asserted; BenchmarkForward runs in make e2e)
	$(call gotest,bench-smoke,CRIO_TRACE_E2E=skip,-run '^$$' -bench . -benchtime 1x -timeout 15m ./...)

fuzz: ## run every fuzz target (or those matching FUZZTARGETS) for FUZZTIME each, e.g. make fuzz FUZZTIME=10m; prints exec counts, fails on a crasher
	./hack/fuzz.sh $(FUZZTIME) $(FUZZMINIMIZE) $(FUZZTARGETS)

deploy-validate: skipreport ## decode every YAML of deploy/ strictly with the real Kubernetes and kind types
	@if [ -f deploy/validate/go.mod ]; then cd deploy/validate && $(call gotest,deploy-validate,,-count=1 ./...); \
	 else echo "!!! deploy/validate missing"; exit 1; fi

kind-up: ## bring up the kind recipe (needs Docker and kind; not possible on the CI machine)
	./deploy/kind/up.sh

clean: ## remove build output (the tool cache in $(CACHE) is kept; rm -rf it to rebuild tools)
	rm -rf $(BIN)
