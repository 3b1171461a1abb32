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
