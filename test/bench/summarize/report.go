package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
)

// Stack, RPC and path names as the suite spells them (test/bench).
var (
	stackNames = []string{"a-baseline", "b-off", "c-on", "d-down", "e-unsampled", "f-criostyle", "g-criostyle-off"}
	rpcNames   = []string{"Version", "RunPodSandbox", "CreateContainer", "ListContainers", "PullImage"}
)

// report writes every section that has data.
func report(w io.Writer, res results) error {
	r := &reporter{w: w, res: res}
	r.loadSection()
	r.pairSection()
	r.rpcSection()
	r.latencySection()
	r.overloadSection()
	r.exportSection()
	r.heapSection()
	r.scaleSection()
	r.exportClientsSection()
	r.churnSection()
	r.startupSection()
	r.hopSection()
	r.forwardSection()
	r.crioSection()
	r.noiseSection()
	return r.err
}

// reporter writes Markdown, remembering the first write error.
type reporter struct {
	w      io.Writer
	res    results
	err    error
	spread []float64 // of every timing reported, for the noise line
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

// loadSection states the load average the suite saw, which says how much
// the neighbours on a shared machine disturbed the timings.
func (r *reporter) loadSection() {
	var all []float64
	for _, units := range r.res {
		all = append(all, units["load-avg"]...)
	}
	if len(all) == 0 {
		return
	}
	r.printf("Load average (1 min) during the run: median %.1f, from %.1f to %.1f, on %s.\n\n",
		median(all), minOf(all), maxOf(all), fmt.Sprintf("%d cores (a load of %d saturates them)", runtime.NumCPU(), runtime.NumCPU()))
}

// noiseSection states how far apart the runs were.
func (r *reporter) noiseSection() {
	if len(r.spread) == 0 {
		return
	}
	r.printf("Noise: the ± after a median is half the range of the runs relative to the median; across the timings above it was %.0f%% at the median and %.0f%% at worst.\n",
		median(r.spread), maxOf(r.spread))
}

func minOf(xs []float64) float64 {
	m := math.Inf(1)
	for _, x := range xs {
		m = math.Min(m, x)
	}
	return m
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

// ranged is a ratio cell: the median of per-run ratios, their range, and
// the target mark.
func ranged(xs []float64, target float64) string {
	if len(xs) == 0 {
		return "–"
	}
	m := median(xs)
	if len(xs) == 1 {
		return fix(m) + mark(m, target)
	}
	return fmt.Sprintf("%s%s (%s–%s)", fix(m), mark(m, target), fix(minOf(xs)), fix(maxOf(xs)))
}
