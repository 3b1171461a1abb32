package main

import (
	"fmt"
	"io"
	"math"
)

// Colours of the plot, one per list call; tracing off is dashed.
var rpcColors = map[string]string{"ListContainers": "#1f77b4", "ListPodSandbox": "#ff7f0e"}

// plotCharts builds the growth plot of docs/perf-scaling.svg from
// BenchmarkScale and BenchmarkExportClients results (medians across runs):
// list latency against the number of containers, tracing off and on; the
// server's allocations per call that tracing adds (run by run, on − off),
// which must stay flat; and spans per second at the receiver
// against the number of clients. It returns no charts when neither
// benchmark is in res.
func plotCharts(res results) []chart {
	var out []chart
	if hasPrefix(res, "Scale/") {
		latency := chart{title: "List latency vs node size", xLabel: "pods (one container each)", yLabel: "µs per call (wall)",
			logX: true, yFormat: func(y float64) string { return fmt.Sprintf("%g", y) }}
		added := chart{title: "Allocations tracing adds per call", xLabel: "pods (one container each)", yLabel: "server allocs per call, on − off",
			logX: true, yFormat: func(y float64) string { return fmt.Sprintf("%g", y) }}
		for _, rpc := range scaleRPCs {
			for _, stack := range []string{"b-off", "c-on"} {
				lat := series{name: rpc + " tracing " + map[string]string{"b-off": "off", "c-on": "on"}[stack], color: rpcColors[rpc], dashed: stack == "b-off"}
				x := stack[:1] // the stack's letter, as BenchmarkScale names its units
				for _, n := range scaleSizes {
					lat.points = append(lat.points, point{float64(n), median(res[scaleName(n, rpc)][x+"-ns/op"]) / 1e3})
				}
				latency.series = append(latency.series, lat)
			}
			d := series{name: rpc, color: rpcColors[rpc]}
			for _, n := range scaleSizes {
				u := res[scaleName(n, rpc)]
				d.points = append(d.points, point{float64(n), median(differences(u["c-allocs/op"], u["b-allocs/op"]))})
			}
			added.series = append(added.series, d)
		}
		out = append(out, latency, added)
	}
	if hasPrefix(res, "ExportClients/") {
		thr := chart{title: "Export throughput vs clients", xLabel: "concurrent kubelet clients", yLabel: "spans/s at the receiver",
			yFormat: func(y float64) string { return fmt.Sprintf("%g", y) }}
		s := series{name: "tracing on, Version calls", color: "#2ca02c"}
		for _, n := range clientCounts {
			s.points = append(s.points, point{float64(n), median(res[clientsName(n)]["received-spans/s"])})
		}
		thr.series = append(thr.series, s)
		out = append(out, thr)
	}
	for i := range out {
		out[i].series = withPoints(out[i].series)
	}
	return out
}

// withPoints drops the series that have no measured point.
func withPoints(ss []series) []series {
	var out []series
	for _, s := range ss {
		for _, p := range s.points {
			if !math.IsNaN(p.y) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// plot writes the growth plot of res to w.
func plot(w io.Writer, res results) error {
	charts := plotCharts(res)
	var drawn []chart
	for _, c := range charts {
		if len(c.series) > 0 {
			drawn = append(drawn, c)
		}
	}
	if len(drawn) == 0 {
		return fmt.Errorf("nothing to plot: no BenchmarkScale or BenchmarkExportClients results in the input")
	}
	return writeSVG(w, drawn)
}

func hasPrefix(res results, prefix string) bool {
	return (&reporter{res: res}).has(prefix)
}
