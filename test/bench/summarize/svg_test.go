package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// svgDoc is the part of a plot the tests read back.
type svgDoc struct {
	Charts []struct {
		Title     string `xml:"data-title,attr"`
		Polylines []struct {
			Series string `xml:"data-series,attr"`
			Points string `xml:"points,attr"`
		} `xml:"polyline"`
		Circles []struct {
			Series string  `xml:"data-series,attr"`
			X      float64 `xml:"data-x,attr"`
			Y      float64 `xml:"data-y,attr"`
			CX     float64 `xml:"cx,attr"`
			CY     float64 `xml:"cy,attr"`
		} `xml:"circle"`
		Texts []struct {
			Class string `xml:"class,attr"`
			Text  string `xml:",chardata"`
		} `xml:"text"`
	} `xml:"g"`
}

func parseSVG(t *testing.T, b []byte) svgDoc {
	t.Helper()
	var doc svgDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("the plot is not well-formed XML: %v\n%s", err, b)
	}
	return doc
}

// pixels parses a polyline's points.
func pixels(t *testing.T, pts string) [][2]float64 {
	t.Helper()
	var out [][2]float64
	for _, p := range strings.Fields(pts) {
		x, y, ok := strings.Cut(p, ",")
		fx, err1 := strconv.ParseFloat(x, 64)
		fy, err2 := strconv.ParseFloat(y, 64)
		if !ok || err1 != nil || err2 != nil {
			t.Fatalf("point %q is not x,y", p)
		}
		out = append(out, [2]float64{fx, fy})
	}
	return out
}

// TestWriteSVG draws a known chart and reads it back: the axes carry the
// data's x values, a point at the top of the y range is at the top of the
// plot area and one at zero on the x axis, decades are evenly spaced on a
// log axis, and a NaN point is left out.
func TestWriteSVG(t *testing.T) {
	c := chart{title: "t", xLabel: "pods", yLabel: "µs", logX: true, yFormat: func(y float64) string { return fmt.Sprint(y) },
		series: []series{
			{name: "up", color: "red", points: []point{{10, 0}, {100, 50}, {1000, 100}}},
			{name: "gap", color: "blue", dashed: true, points: []point{{10, 20}, {100, math.NaN()}, {1000, 40}}},
		}}
	var buf bytes.Buffer
	if err := writeSVG(&buf, []chart{c}); err != nil {
		t.Fatal(err)
	}
	doc := parseSVG(t, buf.Bytes())
	if len(doc.Charts) != 1 {
		t.Fatalf("%d charts, want 1", len(doc.Charts))
	}
	g := doc.Charts[0]
	var xticks, yticks []string
	for _, tx := range g.Texts {
		switch tx.Class {
		case "xtick":
			xticks = append(xticks, tx.Text)
		case "ytick":
			yticks = append(yticks, tx.Text)
		}
	}
	if got := strings.Join(xticks, " "); got != "10 100 1000" {
		t.Errorf("x ticks %q, want \"10 100 1000\"", got)
	}
	if len(yticks) != yTicks+1 || yticks[0] != "0" || yticks[yTicks] != "100" {
		t.Errorf("y ticks %q, want 0 … 100 in %d steps", yticks, yTicks)
	}
	if len(g.Polylines) != 2 {
		t.Fatalf("%d polylines, want 2", len(g.Polylines))
	}
	up := pixels(t, g.Polylines[0].Points)
	if len(up) != 3 {
		t.Fatalf("series up has %d points, want 3", len(up))
	}
	if up[0][0] != plotLeft || up[2][0] != plotRight {
		t.Errorf("x of the ends = %v, %v; want the plot's edges %d, %d", up[0][0], up[2][0], plotLeft, plotRight)
	}
	if d1, d2 := up[1][0]-up[0][0], up[2][0]-up[1][0]; math.Abs(d1-d2) > 0.2 {
		t.Errorf("decades 10→100 and 100→1000 are %v and %v wide on a log axis, want equal", d1, d2)
	}
	if up[0][1] != plotBottom || up[2][1] != plotTop || up[1][1] != (plotTop+plotBottom)/2 {
		t.Errorf("y pixels %v, %v, %v; want %d (0), %d (50), %d (100)", up[0][1], up[1][1], up[2][1], plotBottom, (plotTop+plotBottom)/2, plotTop)
	}
	if gap := pixels(t, g.Polylines[1].Points); len(gap) != 2 {
		t.Errorf("series gap has %d points, want 2 (the NaN left out)", len(gap))
	}
	circles := map[string]int{}
	for _, ci := range g.Circles {
		circles[ci.Series]++
	}
	if circles["up"] != 3 || circles["gap"] != 2 {
		t.Errorf("circles per series %v, want up 3, gap 2", circles)
	}
}

func TestWriteSVGRejects(t *testing.T) {
	tests := []struct {
		name string
		c    chart
		want string
	}{
		{name: "no points", c: chart{title: "e", series: []series{{name: "s", points: []point{{1, math.NaN()}}}}}, want: "no points"},
		{name: "zero on a log axis", c: chart{title: "z", logX: true, series: []series{{name: "s", points: []point{{0, 1}}}}}, want: "logarithmic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.c.yFormat = func(y float64) string { return fmt.Sprint(y) }
			err := writeSVG(&bytes.Buffer{}, []chart{tt.c})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("writeSVG = %v, want an error about %q", err, tt.want)
			}
		})
	}
}

func TestNiceCeil(t *testing.T) {
	for _, tt := range []struct{ in, want float64 }{{0, 1}, {1, 1}, {1.2, 2}, {2.1, 2.5}, {3, 5}, {7, 10}, {730, 1000}, {0.04, 0.05}} {
		if got := niceCeil(tt.in); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("niceCeil(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// scaleSample is BenchmarkScale and BenchmarkExportClients output, two runs
// of the off stack at 10 containers so the plot must take the median.
const scaleSample = `BenchmarkScale/containers=10/rpc=ListContainers-2 	1000	 600000 ns/op	 200000 b-ns/op	 200 b-allocs/op	 350000 c-ns/op	 265 c-allocs/op
BenchmarkScale/containers=10/rpc=ListContainers-2 	1000	 800000 ns/op	 400000 b-ns/op	 200 b-allocs/op	 350000 c-ns/op	 265 c-allocs/op
BenchmarkScale/containers=100/rpc=ListContainers-2 	1000	 4000000 ns/op	 2000000 b-ns/op	 1385 b-allocs/op	 2100000 c-ns/op	 1450 c-allocs/op
BenchmarkScale/containers=1000/rpc=ListContainers-2 	100	 40000000 ns/op	 20000000 b-ns/op	 13400 b-allocs/op	 21000000 c-ns/op	 13465 c-allocs/op
BenchmarkExportClients/clients=1-2 	2000	 450000 ns/op	 2100 received-spans/s
BenchmarkExportClients/clients=4-2 	3000	 320000 ns/op	 3000 received-spans/s
BenchmarkExportClients/clients=8-2 	3000	 300000 ns/op	 3500 received-spans/s
`

// TestRunWritesThePlot runs summarize as `make bench` does, with -svg, on
// known results and reads the plot back: three charts, the series that have
// data, and the medians of the input as data-y.
func TestRunWritesThePlot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plot.svg")
	var out bytes.Buffer
	if err := run(options{svg: path}, strings.NewReader(scaleSample), &out); err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{
		"| ListContainers | 10 | – | 300.0µs ±33% | 350.0µs ±0% | 1.31 (0.88–1.75) |",
		"| 200 | 265 | +65 |",
		"| ListContainers | 1000 |",
		"| 8 | 3500 |",
	} {
		if !strings.Contains(out.String(), row) {
			t.Errorf("the report lacks %q:\n%s", row, out.String())
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := parseSVG(t, b)
	if len(doc.Charts) != 3 {
		t.Fatalf("%d charts, want latency, added allocations and throughput", len(doc.Charts))
	}
	want := map[string]map[string][]float64{
		"List latency vs node size": {
			"ListContainers tracing off": {300, 2000, 20000}, // µs; 300 is the median of 200 and 400
			"ListContainers tracing on":  {350, 2100, 21000},
		},
		"Allocations tracing adds per call": {"ListContainers": {65, 65, 65}},
		"Export throughput vs clients":      {"tracing on, Version calls": {2100, 3000, 3500}},
	}
	for _, g := range doc.Charts {
		w, ok := want[g.Title]
		if !ok {
			t.Errorf("unexpected chart %q", g.Title)
			continue
		}
		if len(g.Polylines) != len(w) {
			t.Errorf("%s: %d series, want %d (ListPodSandbox has no data and must be left out)", g.Title, len(g.Polylines), len(w))
		}
		got := map[string][]float64{}
		for _, c := range g.Circles {
			got[c.Series] = append(got[c.Series], c.Y)
		}
		for name, ys := range w {
			if fmt.Sprint(got[name]) != fmt.Sprint(ys) {
				t.Errorf("%s / %s: y = %v, want %v", g.Title, name, got[name], ys)
			}
		}
	}
}

func TestRunPlotNeedsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plot.svg")
	err := run(options{svg: path}, strings.NewReader(sample), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "nothing to plot") {
		t.Fatalf("run with -svg on results without growth benchmarks = %v, want \"nothing to plot\"", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a plot file was written without data: %v", err)
	}
}
