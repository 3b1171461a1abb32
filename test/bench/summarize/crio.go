package main

import (
	"fmt"
	"math"
)

// crioOps are the operations of BenchmarkCrio, in report order.
var crioOps = []string{"Version", "ListContainers", "PodStart"}

// crioCols are BenchmarkCrio's sides, as it names them, with their
// headings.
var crioCols = []struct{ side, head string }{
	{"crio-off", "CRI-O, off"}, {"crio-on", "CRI-O, own tracing on"},
	{"kit-off", "CRI-O + kit, off"}, {"kit-on", "CRI-O + kit, on"},
	{"front-on", "crio-trace on → CRI-O"},
}

// crioSection reports real CRI-O side by side: wall time, the daemon's CPU
// per call and RSS per side, and run by run the ratios the issue states
// its goals in: CRI-O + kit on against CRI-O's own tracing (goal < 1), and
// tracing off (kit and stock) against stock CRI-O with tracing off.
func (r *reporter) crioSection() {
	if !r.has("Crio/") {
		return
	}
	r.printf("## Real CRI-O, side by side (BenchmarkCrio)\n\n")
	r.printf("Stock CRI-O v1.34.0 and CRI-O + kit, each its own process, kubelet's client with a sampled parent, one loop, call for call. ")
	r.printf("Ratios are taken run by run: median (min–max); ✓ where the goal (< 1) is met.\n\n")
	for _, m := range []struct{ title, unit string }{
		{"Wall time per call", "ns/op"},
		{"The daemon's CPU time per call, less what it spends idle (crio-trace on → CRI-O: both processes)", "netcpu-ns/op"},
		{"The daemon's CPU time per call, idle time included", "cpu-ns/op"},
	} {
		r.printf("### %s\n\n| op |", m.title)
		for _, c := range crioCols {
			r.printf(" %s |", c.head)
		}
		r.printf(" kit on / CRI-O on | kit off / CRI-O off | CRI-O on / off | kit on / off |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, op := range crioOps {
			n := "Crio/op=" + op
			if r.res[n] == nil || (m.unit == "netcpu-ns/op" && op == "PodStart") {
				// After a loop of pod starts the daemons are not idle (they
				// reap the removed pods' exits), so no idle rate is clean.
				continue
			}
			val := func(side string) []float64 { return r.crioValues(n, side, m.unit) }
			r.printf("| %s |", op)
			for _, c := range crioCols {
				r.printf(" %s |", r.timedOf(val(c.side)))
			}
			r.printf(" %s | %s | %s | %s |\n",
				ranged(ratios(val("kit-on"), val("crio-on")), 0.9999),
				ranged(ratios(val("kit-off"), val("crio-off")), 0),
				ranged(ratios(val("crio-on"), val("crio-off")), 0),
				ranged(ratios(val("kit-on"), val("kit-off")), 0))
		}
		r.printf("\n")
	}
	r.printf("### RSS after the loop, MB\n\n| op |")
	for _, c := range crioCols {
		r.printf(" %s |", c.head)
	}
	r.printf(" kit on / CRI-O on |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, op := range crioOps {
		n := "Crio/op=" + op
		if r.res[n] == nil {
			continue
		}
		r.printf("| %s |", op)
		for _, c := range crioCols {
			r.printf(" %s |", mbNum(median(r.crioValues(n, c.side, "rss-MB"))))
		}
		r.printf(" %s |\n", ranged(ratios(r.crioValues(n, "kit-on", "rss-MB"), r.crioValues(n, "crio-on", "rss-MB")), 0.9999))
	}
	if u := r.res["Crio/op=PodStart"]; u != nil {
		r.printf("\nA pod's stop and removal, timed apart (not in the figures above):")
		for _, c := range crioCols {
			r.printf(" %s %s;", c.head, r.timed("Crio/op=PodStart", c.side+"-teardown-ns/op"))
		}
		r.printf("\n")
	}
	r.printf("\n")
}

// crioValues is side's metric unit in run order. For front-on, CPU time
// and RSS add crio-trace's process and the CRI-O behind it.
func (r *reporter) crioValues(name, side, unit string) []float64 {
	u := r.res[name]
	xs := u[side+"-"+unit]
	if side != "front-on" || unit == "ns/op" {
		return xs
	}
	behind := u[side+"-crio-"+unit]
	out := make([]float64, 0, len(xs))
	for i := range min(len(xs), len(behind)) {
		out = append(out, xs[i]+behind[i])
	}
	return out
}

// timedOf is a duration cell of xs: median and spread.
func (r *reporter) timedOf(xs []float64) string {
	if len(xs) == 0 {
		return "–"
	}
	s := spread(xs)
	r.spread = append(r.spread, s)
	return fmt.Sprintf("%s ±%.0f%%", dur(median(xs)), s)
}

// mbNum formats a number of megabytes without the unit.
func mbNum(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.1f", x)
}
