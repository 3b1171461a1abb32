// Package bench is crio-trace's performance suite: one set of Go benchmarks
// that serves the same CRI server code (server.New over the embedded
// runtime) through several stacks side by side, over a real unix socket,
// and drives it with kubelet's own CRI client (k8s.io/cri-client) carrying
// a sampled W3C traceparent, as kubelet does inside syncPod.
//
// The stacks:
//
//	a-baseline     no instrumentation at all: the CRI server on a plain grpc.Server
//	b-off          crio-trace, tracing disabled (tracing.NewProvider + tracing.NewServer)
//	c-on           crio-trace, enabled, sampled, exporting to an in-process OTLP receiver
//	d-down         crio-trace, enabled, collector down (nothing listens on the endpoint)
//	e-unsampled    crio-trace, enabled, kubelet's parent not sampled, rate 0
//	f-criostyle    CRI-O's wiring rebuilt from the public otel/otelgrpc APIs, exporting like c
//	g-criostyle-off the same with tracing disabled (CRI-O keeps the otelgrpc handler)
//
// The benchmarks (all under test/bench, all runnable with -benchtime=1x so
// CI keeps them from rotting; no test asserts a timing):
//
//	BenchmarkPair            two stacks call for call in one loop: the ratios of the targets
//	BenchmarkRPC             ns/op, cpu-ns/op, B/op, allocs/op per stack and RPC
//	BenchmarkLatency         p50/p99 under 8 concurrent clients (b.ReportMetric)
//	BenchmarkOverload        RPC latency and lost spans with a collector too slow to keep up
//	BenchmarkExport          spans/s the exporter sustains to a local receiver, and drops past it
//	BenchmarkHeapCollectorDown heap growth over many RPCs with the collector down
//	BenchmarkForward         forward mode against a real containerd (root; skips loudly otherwise)
//	BenchmarkScale           ListContainers/ListPodSandbox with 10, 100, 1,000 pods, tracing off vs on
//	BenchmarkExportClients   spans/s reaching the receiver with 1, 4 and 8 kubelet clients
//	BenchmarkChurn           server RSS and attribute index after b.N pods created and removed
//	BenchmarkStartup         exec of the real crio-trace binary to its first Version answer
//	BenchmarkIdle            the real binary's RSS and CPU after 5 s idle, tracing off and on
//
// TestStacks checks each stack is wired as its name says, so the ratios
// compare what they claim to. Run the whole suite and the ratio tables with
// `make bench`, which is
//
//	go test -run '^$' -bench . -benchmem -count 6 -timeout 60m ./test/bench/ | tee bin/bench.txt
//	go run ./test/bench/summarize -svg docs/perf-scaling.svg < bin/bench.txt
//
// docs/performance.md holds the numbers measured on the project's machine
// and what they mean for an operator.
package bench
