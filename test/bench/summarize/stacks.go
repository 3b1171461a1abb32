package main

import "strings"

// pairRatio is one ratio of BenchmarkPair: num over den, by stack letter,
// in the set of stacks that measured both.
type pairRatio struct {
	label, set, num, den string
	// over, when set, makes the ratio (num−over)/(den−over): one stack's
	// cost above a baseline against another's.
	over string
	// cpuTarget and wallTarget are the targets (0: none).
	cpuTarget, wallTarget float64
}

// pairRatios are the comparisons the performance targets are stated in.
var pairRatios = []pairRatio{
	{label: "b/a", set: "b,a", num: "b", den: "a", cpuTarget: 1.01, wallTarget: 1.01},
	{label: "c/a", set: "c,a,f", num: "c", den: "a", cpuTarget: 1.10},
	{label: "(c−a)/(f−a)", set: "c,a,f", num: "c", den: "f", over: "a", cpuTarget: 0.5},
	{label: "c/f", set: "c,a,f", num: "c", den: "f", cpuTarget: 0.8},
	{label: "d/b", set: "d,b", num: "d", den: "b"},
}

func (r *reporter) pairSection() {
	if !r.has("Pair/") {
		return
	}
	r.printf("## Stacks side by side, call for call (BenchmarkPair, five-call mix)\n\n")
	r.printf("Each server in a process of its own; CPU and allocations are the server process's alone. ")
	r.printf("Ratios are taken run by run between stacks of the same loop: median (min–max over runs).\n\n")
	r.printf("| ratio | server CPU per call | wall time per call | server allocs/op | server B/op |\n|---|---:|---:|---:|---:|\n")
	for _, q := range pairRatios {
		units := r.res["Pair/set="+q.set]
		if units == nil {
			continue
		}
		cell := func(unit string, target float64) string {
			x, y := units[q.num+"-"+unit], units[q.den+"-"+unit]
			if q.over != "" {
				return ranged(overheads(x, y, units[q.over+"-"+unit]), target)
			}
			return ranged(ratios(x, y), target)
		}
		count := func(unit string) string {
			x, y := median(units[q.num+"-"+unit]), median(units[q.den+"-"+unit])
			if q.over != "" {
				o := median(units[q.over+"-"+unit])
				return signed(x-o) + " vs " + signed(y-o)
			}
			return num(x) + " vs " + num(y)
		}
		r.printf("| %s | %s | %s | %s | %s |\n", q.label, cell("cpu-ns/op", q.cpuTarget), cell("ns/op", q.wallTarget),
			count("allocs/op"), count("B/op"))
	}
	r.printf("\n| set | stack | wall per call | server CPU per call | server allocs/op | server B/op |\n|---|---|---:|---:|---:|---:|\n")
	for _, set := range []string{"b,a", "c,a,f", "d,b"} {
		n := "Pair/set=" + set
		if r.res[n] == nil {
			continue
		}
		for _, l := range strings.Split(set, ",") {
			r.printf("| %s | %s | %s | %s | %s | %s |\n", set, stackName(l), r.timed(n, l+"-ns/op"), r.timed(n, l+"-cpu-ns/op"),
				num(r.med(n, l+"-allocs/op")), num(r.med(n, l+"-B/op")))
		}
	}
	r.printf("\n")
}

// stackName is the full name of the stack with letter l.
func stackName(l string) string {
	for _, s := range stackNames {
		if strings.HasPrefix(s, l+"-") {
			return s
		}
	}
	return l
}

// rpcRatio is a ratio reported per RPC between separate benchmarks.
type rpcRatio struct {
	label    string
	num, den string
	target   float64 // 0: no target
}

// rpcRatios are the ratios reported per RPC, with the targets of the
// performance issue.
var rpcRatios = []rpcRatio{
	{label: "b/a", num: "b-off", den: "a-baseline", target: 1.01},
	{label: "c/a", num: "c-on", den: "a-baseline", target: 1.10},
	{label: "c/f", num: "c-on", den: "f-criostyle", target: 0.8},
	{label: "d/b", num: "d-down", den: "b-off"},
	{label: "e/a", num: "e-unsampled", den: "a-baseline"},
	{label: "g/a", num: "g-criostyle-off", den: "a-baseline"},
}

func (r *reporter) rpcSection() {
	if !r.has("RPC/") {
		return
	}
	r.printf("## One call, end to end (BenchmarkRPC)\n\n")
	r.printf("| rpc | stack | ns/op | server CPU/op | server B/op | server allocs/op |\n|---|---|---:|---:|---:|---:|\n")
	for _, rpc := range rpcNames {
		for _, st := range stackNames {
			n := "RPC/rpc=" + rpc + "/stack=" + st
			if r.res[n] == nil {
				continue
			}
			r.printf("| %s | %s | %s | %s | %s | %s |\n", rpc, st, r.timed(n, "ns/op"), r.timed(n, "server-cpu-ns/op"),
				num(r.med(n, "server-B/op")), num(r.med(n, "server-allocs/op")))
		}
	}
	r.printf("\nRatios per RPC: server CPU time per call (wall time in brackets); server allocs/op difference in the last columns.\n\n")
	r.printf("| rpc |")
	for _, q := range rpcRatios {
		r.printf(" %s |", q.label)
	}
	r.printf(" allocs b−a | allocs c−a | allocs f−a |\n|---|")
	for range rpcRatios {
		r.printf("---:|")
	}
	r.printf("---:|---:|---:|\n")
	for _, rpc := range rpcNames {
		n := func(st string) string { return "RPC/rpc=" + rpc + "/stack=" + st }
		if r.res[n("a-baseline")] == nil {
			continue
		}
		r.printf("| %s |", rpc)
		for _, q := range rpcRatios {
			cpu := ratio(r.med(n(q.num), "server-cpu-ns/op"), r.med(n(q.den), "server-cpu-ns/op"))
			wall := ratio(r.med(n(q.num), "ns/op"), r.med(n(q.den), "ns/op"))
			r.printf(" %s (%s)%s |", fix(cpu), fix(wall), mark(cpu, q.target))
		}
		for _, st := range []string{"b-off", "c-on", "f-criostyle"} {
			r.printf(" %s |", signed(r.med(n(st), "server-allocs/op")-r.med(n("a-baseline"), "server-allocs/op")))
		}
		r.printf("\n")
	}
	r.printf("\n")
}

// latencyRatios are read at p99 under 8 clients.
var latencyRatios = []rpcRatio{
	{label: "d/b", num: "d-down", den: "b-off", target: 1.05},
	{label: "b/a", num: "b-off", den: "a-baseline"},
	{label: "c/a", num: "c-on", den: "a-baseline"},
	{label: "c/f", num: "c-on", den: "f-criostyle"},
	{label: "g/a", num: "g-criostyle-off", den: "a-baseline"},
}

func (r *reporter) latencySection() {
	if !r.has("Latency/") {
		return
	}
	r.printf("## Eight concurrent clients, five-call mix (BenchmarkLatency)\n\n")
	r.printf("| stack | p50 | p99 | ns/op | server CPU/op | server allocs/op |\n|---|---:|---:|---:|---:|---:|\n")
	for _, st := range stackNames {
		n := "Latency/stack=" + st
		if r.res[n] == nil {
			continue
		}
		r.printf("| %s | %s | %s | %s | %s | %s |\n", st, r.timed(n, "p50-ns"), r.timed(n, "p99-ns"),
			r.timed(n, "ns/op"), r.timed(n, "server-cpu-ns/op"), num(r.med(n, "server-allocs/op")))
	}
	r.printf("\n| ratio | p99 | p50 | server CPU/op |\n|---|---:|---:|---:|\n")
	for _, q := range latencyRatios {
		a, b := "Latency/stack="+q.num, "Latency/stack="+q.den
		p99 := ratio(r.med(a, "p99-ns"), r.med(b, "p99-ns"))
		r.printf("| %s | %s%s | %s | %s |\n", q.label, fix(p99), mark(p99, q.target),
			fix(ratio(r.med(a, "p50-ns"), r.med(b, "p50-ns"))), fix(ratio(r.med(a, "server-cpu-ns/op"), r.med(b, "server-cpu-ns/op"))))
	}
	r.printf("\n")
}
