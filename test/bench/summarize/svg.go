package main

import (
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// chart is one panel of a plot: series of points over a shared x axis,
// drawn with y from zero up.
type chart struct {
	title, xLabel, yLabel string
	// logX puts x on a base-10 logarithmic scale (x must be > 0).
	logX bool
	// yFormat formats y tick labels.
	yFormat func(float64) string
	series  []series
}

// series is one line of a chart.
type series struct {
	name   string
	color  string
	dashed bool
	points []point
}

// point is a measured value; points with a NaN y are left out.
type point struct{ x, y float64 }

// Geometry of a panel, in SVG user units.
const (
	panelW, panelH = 340, 340
	plotLeft       = 70  // from the panel's left edge
	plotRight      = 320 // likewise
	plotTop        = 40
	plotBottom     = 240
	yTicks         = 5
	legendTop      = 290
	legendLine     = 13
)

// writeSVG draws charts side by side in one SVG document. Each series is
// a <polyline data-series="name"> and each point a <circle> carrying its
// value in data-x and data-y, so the plot can be read back (svg_test.go).
func writeSVG(w io.Writer, charts []chart) error {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n",
		panelW*len(charts), panelH, panelW*len(charts), panelH)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	for i, c := range charts {
		if err := c.draw(&b, float64(i*panelW)); err != nil {
			return fmt.Errorf("chart %q: %w", c.title, err)
		}
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// draw writes the panel with its left edge at x0.
func (c chart) draw(b *strings.Builder, x0 float64) error {
	xs, ymax := c.extent()
	if len(xs) == 0 {
		return fmt.Errorf("no points")
	}
	if c.logX && xs[0] <= 0 {
		return fmt.Errorf("x = %g on a logarithmic axis", xs[0])
	}
	top := niceCeil(ymax)
	px, py := c.scales(x0, xs[0], xs[len(xs)-1], top)
	fmt.Fprintf(b, `<g class="chart" data-title="%s">`+"\n", esc(c.title))
	fmt.Fprintf(b, `<text x="%g" y="20" font-size="13" font-weight="bold">%s</text>`+"\n", x0+10, esc(c.title))
	fmt.Fprintf(b, `<line class="axis" x1="%g" y1="%d" x2="%g" y2="%d" stroke="black"/>`+"\n", x0+plotLeft, plotBottom, x0+plotRight, plotBottom)
	fmt.Fprintf(b, `<line class="axis" x1="%g" y1="%d" x2="%g" y2="%d" stroke="black"/>`+"\n", x0+plotLeft, plotTop, x0+plotLeft, plotBottom)
	for _, x := range xs {
		fmt.Fprintf(b, `<text class="xtick" x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", px(x), plotBottom+15, strconv.FormatFloat(x, 'f', -1, 64))
	}
	for i := 0; i <= yTicks; i++ {
		y := top * float64(i) / yTicks
		fmt.Fprintf(b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#ddd"/>`+"\n", x0+plotLeft, py(y), x0+plotRight, py(y))
		fmt.Fprintf(b, `<text class="ytick" x="%g" y="%.1f" text-anchor="end">%s</text>`+"\n", x0+plotLeft-5, py(y)+4, esc(c.yFormat(y)))
	}
	fmt.Fprintf(b, `<text class="xlabel" x="%g" y="%d" text-anchor="middle">%s</text>`+"\n", x0+(plotLeft+plotRight)/2, plotBottom+35, esc(c.xLabel))
	fmt.Fprintf(b, `<text class="ylabel" x="%g" y="%d">%s</text>`+"\n", x0+10, plotTop-8, esc(c.yLabel))
	for i, s := range c.series {
		var pts []string
		for _, p := range s.points {
			if !math.IsNaN(p.y) {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p.x), py(p.y)))
			}
		}
		dash := ""
		if s.dashed {
			dash = ` stroke-dasharray="5,3"`
		}
		fmt.Fprintf(b, `<polyline data-series="%s" points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", esc(s.name), strings.Join(pts, " "), s.color, dash)
		for _, p := range s.points {
			if !math.IsNaN(p.y) {
				fmt.Fprintf(b, `<circle data-series="%s" data-x="%g" data-y="%g" cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s</title></circle>`+"\n",
					esc(s.name), p.x, p.y, px(p.x), py(p.y), s.color, esc(s.name+": "+c.yFormat(p.y)))
			}
		}
		ly := legendTop + i*legendLine
		fmt.Fprintf(b, `<line x1="%g" y1="%d" x2="%g" y2="%d" stroke="%s" stroke-width="2"%s/>`+"\n", x0+plotLeft, ly-4, x0+plotLeft+20, ly-4, s.color, dash)
		fmt.Fprintf(b, `<text class="legend" x="%g" y="%d">%s</text>`+"\n", x0+plotLeft+26, ly, esc(s.name))
	}
	b.WriteString("</g>\n")
	return nil
}

// extent returns the distinct x values with a point, sorted, and the
// largest y.
func (c chart) extent() (xs []float64, ymax float64) {
	for _, s := range c.series {
		for _, p := range s.points {
			if math.IsNaN(p.y) {
				continue
			}
			if !slices.Contains(xs, p.x) {
				xs = append(xs, p.x)
			}
			ymax = math.Max(ymax, p.y)
		}
	}
	slices.Sort(xs)
	return xs, ymax
}

// scales returns the pixel position of x in [xmin, xmax] and of y in
// [0, ytop] for the panel at x0.
func (c chart) scales(x0, xmin, xmax, ytop float64) (px, py func(float64) float64) {
	tx := func(x float64) float64 { return x }
	if c.logX {
		tx = math.Log10
	}
	span := tx(xmax) - tx(xmin)
	px = func(x float64) float64 {
		if span == 0 {
			return x0 + (plotLeft+plotRight)/2
		}
		return x0 + plotLeft + (tx(x)-tx(xmin))/span*(plotRight-plotLeft)
	}
	py = func(y float64) float64 { return plotBottom - y/ytop*(plotBottom-plotTop) }
	return px, py
}

// niceCeil returns the smallest of 1, 2, 2.5, 5 times a power of ten that
// is at least x (1 for x ≤ 0), so y ticks fall on round numbers.
func niceCeil(x float64) float64 {
	if x <= 0 || math.IsNaN(x) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= x*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

func esc(s string) string { return html.EscapeString(s) }
