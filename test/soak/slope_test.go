package soak

import (
	"math"
	"testing"
)

func TestSlope(t *testing.T) {
	for _, tc := range []struct {
		name   string
		xs, ys []float64
		want   float64
	}{
		{name: "flat", xs: []float64{0, 1, 2, 3}, ys: []float64{5, 5, 5, 5}, want: 0},
		{name: "rising line", xs: []float64{0, 1, 2, 3}, ys: []float64{1, 3, 5, 7}, want: 2},
		{name: "noisy flat", xs: []float64{0, 1, 2, 3}, ys: []float64{10, 11, 10, 11}, want: 0.2}, // least squares: Sxy 1, Sxx 5,
		{name: "one point", xs: []float64{1}, ys: []float64{9}, want: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := slope(tc.xs, tc.ys); math.Abs(got-tc.want) > 1e-9 {
				t.Fatalf("slope = %v, want %v", got, tc.want)
			}
		})
	}
}
