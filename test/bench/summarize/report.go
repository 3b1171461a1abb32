package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// Stack, RPC and path names as the suite spells them (test/bench).
var (
	stackNames = []string{"a-baseline", "b-off", "c-on", "d-down", "e-unsampled", "f-criostyle", "g-criostyle-off"}
	rpcNames   = []string{"Version", "RunPodSandbox", "CreateContainer", "ListContainers", "PullImage"}
)

// ratioSpec is one ratio of the report: num over den, by stack letter.
type ratioSpec struct {
	label    string
	num, den string
	target   float64 // 0: no target
}

// rpcRatios are the ratios reported per RPC, with the targets of the
// performance issue.
var rpcRatios = []ratioSpec{
	{label: "b/a", num: "b-off", den: "a-baseline", target: 1.01},
	{label: "c/a", num: "c-on", den: "a-baseline", target: 1.10},
	{label: "c/f", num: "c-on", den: "f-criostyle", target: 0.8},
	{label: "d/b", num: "d-down", den: "b-off"},
	{label: "e/a", num: "e-unsampled", den: "a-baseline"},
	{label: "g/a", num: "g-criostyle-off", den: "a-baseline"},
}

// latencyRatios are read at p99 under 8 clients.
var latencyRatios = []ratioSpec{
	{label: "d/b", num: "d-down", den: "b-off", target: 1.05},
	{label: "b/a", num: "b-off", den: "a-baseline"},
	{label: "c/a", num: "c-on", den: "a-baseline"},
	{label: "c/f", num: "c-on", den: "f-criostyle"},
	{label: "g/a", num: "g-criostyle-off", den: "a-baseline"},
}

// report writes every section that has data.
func report(w io.Writer, res results) error {
	r := &reporter{w: w, res: res}
	r.pairSection()
	r.rpcSection()
	r.latencySection()
	r.overloadSection()
	r.exportSection()
	r.heapSection()
	r.forwardSection()
	r.noiseSection()
	return r.err
}

// reporter writes Markdown, remembering the first write error.
type reporter struct {
	w      io.Writer
	res    results
	err    error
	spread []float64 // of every ns/op and cpu-ns/op reported, for the noise line
}

func (r *reporter) printf(format string, args ...any) {
	if r.err == nil {
		_, r.err = fmt.Fprintf(r.w, format, args...)
	}
}

// med is the median of name's unit, NaN if absent.
func (r *reporter) med(name, unit string) float64 { return median(r.res[name][unit]) }

// timed is a duration cell: median and spread, remembered for the noise line.
func (r *reporter) timed(name, unit string) string {
	xs := r.res[name][unit]
	if len(xs) == 0 {
		return "–"
	}
	s := spread(xs)
	r.spread = append(r.spread, s)
	return fmt.Sprintf("%s ±%.0f%%", dur(median(xs)), s)
}

func (r *reporter) has(prefix string) bool {
	for name := range r.res {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// pairTargets are the targets of the interleaved comparisons, by name.
var pairTargets = map[string]float64{
	"b-off/vs=a-baseline": 1.01, "c-on/vs=a-baseline": 1.10, "c-on/vs=f-criostyle": 0.8,
}

func (r *reporter) pairSection() {
	if !r.has("Pair/") {
		return
	}
	r.printf("## Stacks side by side, call for call (BenchmarkPair, five-call mix)\n\n")
	r.printf("| ratio | median | runs (min–max) | numerator per call | denominator per call | allocs/op (both) |\n|---|---:|---:|---:|---:|---:|\n")
	for _, pair := range []string{"b-off/vs=a-baseline", "c-on/vs=a-baseline", "c-on/vs=f-criostyle", "d-down/vs=b-off"} {
		n := "Pair/" + pair
		xs := r.res[n]["ratio"]
		if len(xs) == 0 {
			continue
		}
		r.printf("| %s | %s%s | %s–%s | %s | %s | %s |\n", pairLabel(pair), fix(median(xs)), mark(median(xs), pairTargets[pair]),
			fix(minOf(xs)), fix(maxOf(xs)), r.timed(n, "num-ns/op"), r.timed(n, "den-ns/op"), num(r.med(n, "allocs/op")))
	}
	r.printf("\n")
}

// pairLabel turns "c-on/vs=a-baseline" into "c/a".
func pairLabel(pair string) string {
	num, den, _ := strings.Cut(pair, "/vs=")
	return num[:1] + "/" + den[:1]
}

func minOf(xs []float64) float64 {
	m := math.Inf(1)
	for _, x := range xs {
		m = math.Min(m, x)
	}
	return m
}

func (r *reporter) rpcSection() {
	if !r.has("RPC/") {
		return
	}
	r.printf("## One call, end to end (BenchmarkRPC)\n\n")
	r.printf("| rpc | stack | ns/op | cpu-ns/op | B/op | allocs/op |\n|---|---|---:|---:|---:|---:|\n")
	for _, rpc := range rpcNames {
		for _, st := range stackNames {
			n := "RPC/rpc=" + rpc + "/stack=" + st
			if r.res[n] == nil {
				continue
			}
			r.printf("| %s | %s | %s | %s | %s | %s |\n", rpc, st, r.timed(n, "ns/op"), r.timed(n, "cpu-ns/op"),
				num(r.med(n, "B/op")), num(r.med(n, "allocs/op")))
		}
	}
	r.printf("\nRatios per RPC: CPU time per call (wall time in brackets); allocs/op difference in the last columns.\n\n")
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
			cpu := ratio(r.med(n(q.num), "cpu-ns/op"), r.med(n(q.den), "cpu-ns/op"))
			wall := ratio(r.med(n(q.num), "ns/op"), r.med(n(q.den), "ns/op"))
			r.printf(" %s (%s)%s |", fix(cpu), fix(wall), mark(cpu, q.target))
		}
		for _, st := range []string{"b-off", "c-on", "f-criostyle"} {
			r.printf(" %s |", signed(r.med(n(st), "allocs/op")-r.med(n("a-baseline"), "allocs/op")))
		}
		r.printf("\n")
	}
	r.printf("\n")
}

func (r *reporter) latencySection() {
	if !r.has("Latency/") {
		return
	}
	r.printf("## Eight concurrent clients, five-call mix (BenchmarkLatency)\n\n")
	r.printf("| stack | p50 | p99 | ns/op | cpu-ns/op | allocs/op |\n|---|---:|---:|---:|---:|---:|\n")
	for _, st := range stackNames {
		n := "Latency/stack=" + st
		if r.res[n] == nil {
			continue
		}
		r.printf("| %s | %s | %s | %s | %s | %s |\n", st, r.timed(n, "p50-ns"), r.timed(n, "p99-ns"),
			r.timed(n, "ns/op"), r.timed(n, "cpu-ns/op"), num(r.med(n, "allocs/op")))
	}
	r.printf("\n| ratio | p99 | p50 | cpu-ns/op |\n|---|---:|---:|---:|\n")
	for _, q := range latencyRatios {
		a, b := "Latency/stack="+q.num, "Latency/stack="+q.den
		p99 := ratio(r.med(a, "p99-ns"), r.med(b, "p99-ns"))
		r.printf("| %s | %s%s | %s | %s |\n", q.label, fix(p99), mark(p99, q.target),
			fix(ratio(r.med(a, "p50-ns"), r.med(b, "p50-ns"))), fix(ratio(r.med(a, "cpu-ns/op"), r.med(b, "cpu-ns/op"))))
	}
	r.printf("\n")
}

func (r *reporter) overloadSection() {
	if !r.has("Overload/") {
		return
	}
	r.printf("## Collector too slow to keep up (BenchmarkOverload, 8 clients, Version)\n\n")
	r.printf("| collector | p50 | p99 | cpu-ns/op | spans lost | counted by Provider.Dropped |\n|---|---:|---:|---:|---:|---:|\n")
	for _, c := range []string{"fast", "slow"} {
		n := "Overload/collector=" + c
		if r.res[n] == nil {
			continue
		}
		r.printf("| %s | %s | %s | %s | %.1f%% | %s |\n", c, r.timed(n, "p50-ns"), r.timed(n, "p99-ns"),
			r.timed(n, "cpu-ns/op"), r.med(n, "lost-%"), num(r.med(n, "kit-dropped")))
	}
	r.printf("\n")
}

func (r *reporter) exportSection() {
	if !r.has("Export/") {
		return
	}
	r.printf("## Export path alone (BenchmarkExport)\n\n")
	r.printf("| offered spans/s | exported spans/s | lost | counted by Provider.Dropped |\n|---:|---:|---:|---:|\n")
	for _, rate := range []string{"5000", "20000", "50000", "100000", "150000", "200000", "max"} {
		n := "Export/rate=" + rate
		if r.res[n] == nil {
			continue
		}
		offered := rate
		if rate == "max" {
			offered = "unpaced: " + num(r.med(n, "offered-spans/s"))
		}
		r.printf("| %s | %s | %.1f%% | %s |\n", offered, num(r.med(n, "exported-spans/s")), r.med(n, "lost-%"), num(r.med(n, "kit-dropped")))
	}
	r.printf("\n")
}

func (r *reporter) heapSection() {
	n := "HeapCollectorDown"
	if r.res[n] == nil {
		return
	}
	r.printf("## Heap with the collector down (BenchmarkHeapCollectorDown)\n\n")
	r.printf("| calls | live heap at 10%% | live heap at end | growth per call |\n|---:|---:|---:|---:|\n")
	r.printf("| %s | %s B | %s B | %.2f B |\n\n", num(r.med(n, unitIterations)), num(r.med(n, "heap-start-B")),
		num(r.med(n, "heap-end-B")), r.med(n, "heap-growth-B/op"))
}

func (r *reporter) forwardSection() {
	if !r.has("Forward/") {
		return
	}
	r.printf("## Forward mode in front of containerd (BenchmarkForward)\n\n")
	r.printf("| op | direct | via crio-trace, off | via crio-trace, on | added, off | added, on |\n|---|---:|---:|---:|---:|---:|\n")
	for _, op := range []string{"Version", "ListContainers", "PodStart"} {
		n := func(p string) string { return "Forward/op=" + op + "/path=" + p }
		if r.res[n("direct")] == nil {
			continue
		}
		d := r.med(n("direct"), "ns/op")
		r.printf("| %s | %s | %s | %s | %s | %s |\n", op, r.timed(n("direct"), "ns/op"), r.timed(n("crio-trace-off"), "ns/op"),
			r.timed(n("crio-trace-on"), "ns/op"), dur(r.med(n("crio-trace-off"), "ns/op")-d), dur(r.med(n("crio-trace-on"), "ns/op")-d))
	}
	r.printf("\n")
}

// noiseSection states how far apart the runs were.
func (r *reporter) noiseSection() {
	if len(r.spread) == 0 {
		return
	}
	r.printf("Noise: the ± after a median is half the range of the runs relative to the median; across the timings above it was %.0f%% at the median and %.0f%% at worst.\n",
		median(r.spread), maxOf(r.spread))
}

func maxOf(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = math.Max(m, x)
	}
	return m
}

// dur formats nanoseconds for a reader.
func dur(ns float64) string {
	switch a := math.Abs(ns); {
	case math.IsNaN(ns):
		return "–"
	case a >= 1e9:
		return fmt.Sprintf("%.2fs", ns/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%.2fms", ns/1e6)
	case a >= 1e3:
		return fmt.Sprintf("%.1fµs", ns/1e3)
	}
	return fmt.Sprintf("%.0fns", ns)
}

// num formats a count.
func num(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.0f", x)
}

// signed formats a difference of counts with its sign.
func signed(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%+.0f", x)
}

// fix formats a ratio.
func fix(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.2f", x)
}

// mark flags a ratio against its target: " ✓" met, " ✗" missed, nothing
// without a target.
func mark(x, target float64) string {
	switch {
	case target == 0 || math.IsNaN(x):
		return ""
	case x <= target:
		return " ✓"
	}
	return " ✗"
}
