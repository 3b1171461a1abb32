package main

import "fmt"

// hopOps are the operations of BenchmarkHop, in report order.
var hopOps = []string{"Version", "ListContainers10", "ListContainers100", "PodStart", "StreamFirst"}

// hopTargets are the goals for crio-trace's added latency over the
// raw proxy's, tracing off and on.
var hopTargets = map[string]float64{"off": 1.10, "on": 1.25}

// hopSection reports forward mode against the floor of one hop: the wall
// time of each path, the latency each adds over calling the runtime
// directly, crio-trace's added latency over the raw proxy's (run by run),
// and the CPU and allocations of each process in the middle.
func (r *reporter) hopSection() {
	if !r.has("Hop/") && !r.has("HopThroughput") {
		return
	}
	r.printf("## Forward mode against the floor of one gRPC hop (BenchmarkHop)\n\n")
	r.printf("The same runtime process (the embedded runtime on a bare grpc.Server) reached directly, through the raw proxy ")
	r.printf("(bytes in, bytes out, no decode), and through crio-trace in forward mode, tracing off and on; each server its own process, ")
	r.printf("one loop, call for call. \"added\" is a path's wall time minus direct; the ratios divide crio-trace's added time by the raw proxy's, run by run (median, min–max).\n\n")
	r.printf("| op | direct | raw proxy | crio-trace off | crio-trace on | added: raw | added: off | added: on | off/raw added | on/raw added |\n")
	r.printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, op := range hopOps {
		n := "Hop/op=" + op
		u := r.res[n]
		if u == nil {
			continue
		}
		added := func(p string) string { return dur(r.med(n, p+"-ns/op") - r.med(n, "direct-ns/op")) }
		ratioOf := func(p string) string {
			return ranged(overheads(u[p+"-ns/op"], u["raw-ns/op"], u["direct-ns/op"]), hopTargets[p])
		}
		r.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", op,
			r.timed(n, "direct-ns/op"), r.timed(n, "raw-ns/op"), r.timed(n, "off-ns/op"), r.timed(n, "on-ns/op"),
			added("raw"), added("off"), added("on"), ratioOf("off"), ratioOf("on"))
	}
	r.printf("\nWhat the process in the middle spent per call: CPU time, and heap allocations (ratios run by run against the raw proxy).\n\n")
	r.printf("| op | raw proxy CPU | off CPU | on CPU | off/raw CPU | on/raw CPU | allocs raw / off / on |\n|---|---:|---:|---:|---:|---:|---:|\n")
	rows := append([]string{}, hopOps...)
	for _, op := range rows {
		n := "Hop/op=" + op
		u := r.res[n]
		if u == nil {
			continue
		}
		r.printf("| %s | %s | %s | %s | %s | %s | %s / %s / %s |\n", op,
			r.timed(n, "raw-cpu-ns/op"), r.timed(n, "off-cpu-ns/op"), r.timed(n, "on-cpu-ns/op"),
			ranged(ratios(u["off-cpu-ns/op"], u["raw-cpu-ns/op"]), 0), ranged(ratios(u["on-cpu-ns/op"], u["raw-cpu-ns/op"]), 0),
			num(r.med(n, "raw-allocs/op")), num(r.med(n, "off-allocs/op")), num(r.med(n, "on-allocs/op")))
	}
	r.printf("\n")
	r.hopThroughput()
}

// hopThroughput reports BenchmarkHopThroughput: calls per second through
// each path under 8 clients, and the time per call each path adds at that
// load, crio-trace's against the raw proxy's.
func (r *reporter) hopThroughput() {
	n := "HopThroughput"
	u := r.res[n]
	if u == nil {
		return
	}
	perCall := func(p string) []float64 {
		out := make([]float64, 0, len(u[p+"-calls/s"]))
		for _, x := range u[p+"-calls/s"] {
			out = append(out, 1e9/x)
		}
		return out
	}
	r.printf("### Throughput, 8 clients, Version (BenchmarkHopThroughput)\n\n")
	r.printf("| path | calls/s | time per call | added per call | added / raw proxy's | CPU per call |\n|---|---:|---:|---:|---:|---:|\n")
	direct := perCall("direct")
	for _, p := range []string{"direct", "raw", "off", "on"} {
		pc := perCall(p)
		addedCell, ratioCell, cpu := "–", "–", "–"
		if p != "direct" {
			addedCell = dur(median(differences(pc, direct)))
			cpu = r.timed(n, p+"-cpu-ns/op")
		}
		if p == "off" || p == "on" {
			ratioCell = ranged(overheads(pc, perCall("raw"), direct), hopTargets[p])
		}
		r.printf("| %s | %s | %s | %s | %s | %s |\n", p, fmt.Sprintf("%s ±%.0f%%", num(r.med(n, p+"-calls/s")), spread(u[p+"-calls/s"])),
			dur(median(pc)), addedCell, ratioCell, cpu)
	}
	r.printf("\n")
}
