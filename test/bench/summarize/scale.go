package main

import (
	"fmt"
	"strconv"
)

// Parameters of the growth benchmarks as the suite spells them
// (test/bench/scale_bench_test.go, exportclients_bench_test.go).
var (
	scaleSizes   = []int{10, 100, 1000}
	scaleRPCs    = []string{"ListContainers", "ListPodSandbox"}
	clientCounts = []int{1, 4, 8}
)

// scaleName is BenchmarkScale's result name for size and rpc; its units
// are per stack letter (b: tracing off, c: on), as BenchmarkPair's.
func scaleName(size int, rpc string) string {
	return fmt.Sprintf("Scale/containers=%d/rpc=%s", size, rpc)
}

// clientsName is BenchmarkExportClients's result name for n clients.
func clientsName(n int) string { return "ExportClients/clients=" + strconv.Itoa(n) }

// scaleSection reports how the list calls grow with the node, tracing off
// and on, and what tracing adds per call at each size: the figure that must
// stay flat.
func (r *reporter) scaleSection() {
	if !r.has("Scale/") {
		return
	}
	r.printf("## How cost grows with the node (BenchmarkScale)\n\n")
	r.printf("kubelet's list calls (no filter) with 10, 100 and 1,000 pods of one container each, on crio-trace with tracing off (b) and on (c, sampled, exporting), ")
	r.printf("each server its own process holding the same pods, one loop, call for call; \"index\" is what the attribute index held (one sandbox and one container per pod). ")
	r.printf("Server figures include exporting the loop's spans. \"c−b allocs\" is what tracing adds per call in the server: flat across sizes means O(1) per call, not per container.\n\n")
	r.printf("| rpc | containers | index | b wall | c wall | c/b wall | b server CPU | c server CPU | b allocs | c allocs | c−b allocs | c−b B |\n")
	r.printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, rpc := range scaleRPCs {
		for _, n := range scaleSizes {
			x := scaleName(n, rpc)
			u := r.res[x]
			if u == nil {
				continue
			}
			r.printf("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", rpc, n, num(r.med(x, "index-containers")),
				r.timed(x, "b-ns/op"), r.timed(x, "c-ns/op"), ranged(ratios(u["c-ns/op"], u["b-ns/op"]), 0),
				r.timed(x, "b-cpu-ns/op"), r.timed(x, "c-cpu-ns/op"),
				num(r.med(x, "b-allocs/op")), num(r.med(x, "c-allocs/op")),
				signed(median(differences(u["c-allocs/op"], u["b-allocs/op"]))),
				signed(median(differences(u["c-B/op"], u["b-B/op"]))))
		}
	}
	r.printf("\n")
}

// exportClientsSection reports the spans per second that reach the
// receiver as kubelet clients are added.
func (r *reporter) exportClientsSection() {
	if !r.has("ExportClients/") {
		return
	}
	r.printf("## Export throughput with concurrent clients (BenchmarkExportClients)\n\n")
	r.printf("crio-trace with tracing on (c), its own process; 1, 4 and 8 kubelet clients call Version as fast as they are answered; ")
	r.printf("a receiver that only counts, in the benchmark's process. Spans/s counts from the first call to the end of the server's final flush.\n\n")
	r.printf("| clients | spans/s at the receiver | calls/s | spans lost | server CPU/call | server allocs/call |\n|---:|---:|---:|---:|---:|---:|\n")
	for _, n := range clientCounts {
		name := clientsName(n)
		if r.res[name] == nil {
			continue
		}
		r.printf("| %d | %s | %s | %s | %s | %s |\n", n, num(r.med(name, "received-spans/s")), num(r.med(name, "calls/s")),
			pct(r.med(name, "lost-%")), r.timed(name, "server-cpu-ns/op"), num(r.med(name, "server-allocs/op")))
	}
	r.printf("\n")
}

// churnSection reports the server after many pods came and went.
func (r *reporter) churnSection() {
	n := "Churn"
	if r.res[n] == nil {
		return
	}
	r.printf("## Pods created and removed (BenchmarkChurn)\n\n")
	r.printf("crio-trace with tracing on (c), its own process; each pod is RunPodSandbox, CreateContainer, StopPodSandbox, RemovePodSandbox, 4 pods at a time.\n\n")
	r.printf("| pods | time per pod | RSS at 10%% | RSS at end | live heap at end | index at end (sandboxes, containers) |\n|---:|---:|---:|---:|---:|---:|\n")
	r.printf("| %s | %s | %s | %s | %s | %s, %s |\n\n", num(r.med(n, unitIterations)), r.timed(n, "ns/op"),
		mb(r.med(n, "rss-start-B")), mb(r.med(n, "rss-end-B")), mb(r.med(n, "heap-end-B")),
		num(r.med(n, "index-sandboxes")), num(r.med(n, "index-containers")))
}

// startupTargets are the goals: serving within 100 ms of the exec,
// and an idle resident set of at most 30 MB.
const (
	startupTarget = 100e6 // ns
	idleRSSTarget = 30e6  // bytes
)

// startupSection reports start-up time and idle resident set of the real
// binary, tracing off and on.
func (r *reporter) startupSection() {
	if !r.has("Startup/") && r.res["Idle"] == nil {
		return
	}
	r.printf("## Start-up and idle (BenchmarkStartup, BenchmarkIdle)\n\n")
	r.printf("The real crio-trace binary (embedded runtime): time from its exec to its first CRI Version answer (goal ≤ 100 ms), ")
	r.printf("its RSS then, and its RSS and CPU after 5 s idle (goal ≤ 30 MB); tracing on exports to a receiver on 127.0.0.1.\n\n")
	r.printf("| tracing | exec → Version | CPU used until then | RSS at serve | RSS after 5 s idle | CPU while idle |\n|---|---:|---:|---:|---:|---:|\n")
	for _, mode := range []string{"off", "on"} {
		s := "Startup/tracing=" + mode
		serve := r.med(s, "serve-ns")
		rss := r.med("Idle", mode+"-rss-B")
		r.printf("| %s | %s%s | %s | %s | %s%s | %s |\n", mode, r.timed(s, "serve-ns"), mark(serve, startupTarget), r.timed(s, "cpu-to-serve-ns"),
			mb(r.med(s, "rss-at-serve-B")), mb(rss), mark(rss, idleRSSTarget), cpuShare(r.med("Idle", mode+"-idle-cpu-ns/s")))
	}
	r.printf("\n")
}

// mb formats bytes in MB (10^6), as the goals are stated.
func mb(x float64) string {
	if x != x { // NaN
		return "–"
	}
	return fmt.Sprintf("%.1f MB", x/1e6)
}

// pct formats a percentage.
func pct(x float64) string {
	if x != x {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", x)
}

// cpuShare formats CPU nanoseconds per second as a share of one core.
func cpuShare(x float64) string {
	if x != x {
		return "–"
	}
	return fmt.Sprintf("%.3f%%", x/1e7)
}
