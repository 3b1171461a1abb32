package main

import (
	"math"
	"slices"
)

// median returns the median of xs, NaN when empty.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// spread returns the half-range of xs relative to its median, in percent
// (the ± benchstat would print without outlier removal); 0 for fewer than
// two samples or a zero median.
func spread(xs []float64) float64 {
	m := median(xs)
	if len(xs) < 2 || m == 0 || math.IsNaN(m) {
		return 0
	}
	return 100 * (slices.Max(xs) - slices.Min(xs)) / 2 / math.Abs(m)
}

// ratio returns a/b, NaN when b is zero or either is missing.
func ratio(a, b float64) float64 {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return a / b
}

// ratios returns num[i]/den[i] run by run, over the runs both have.
func ratios(num, den []float64) []float64 {
	out := make([]float64, 0, min(len(num), len(den)))
	for i := range min(len(num), len(den)) {
		if den[i] != 0 {
			out = append(out, num[i]/den[i])
		}
	}
	return out
}

// overheads returns (x[i]−base[i]) / (y[i]−base[i]) run by run: how x's
// cost above base compares with y's.
func overheads(x, y, base []float64) []float64 {
	out := make([]float64, 0, len(base))
	for i := range min(len(x), len(y), len(base)) {
		if d := y[i] - base[i]; d != 0 {
			out = append(out, (x[i]-base[i])/d)
		}
	}
	return out
}

// differences returns x[i]−y[i] run by run.
func differences(x, y []float64) []float64 {
	out := make([]float64, 0, min(len(x), len(y)))
	for i := range min(len(x), len(y)) {
		out = append(out, x[i]-y[i])
	}
	return out
}
