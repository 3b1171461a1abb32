package waterfall

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// Options controls Text.
type Options struct {
	// Color turns on ANSI colour: one colour per service, errors in red.
	// Leave it false unless the output is a terminal.
	Color bool
	// Width is the terminal width in columns; the bars take what the other
	// columns leave. Zero means DefaultWidth; values below MinWidth are
	// raised to it.
	Width int
}

// Terminal widths Text works with.
const (
	DefaultWidth = 120
	MinWidth     = 60
)

// Column limits of the text layout.
const (
	maxServiceCol = 16
	maxNameCol    = 56
	minNameCol    = 16
	timeCol       = 8
	minBar        = 10
)

// ANSI escapes used when Options.Color is set.
const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
	ansiRed   = "\x1b[1;31m"
)

// ansiPalette colours services in order of first appearance.
var ansiPalette = []string{"\x1b[36m", "\x1b[33m", "\x1b[35m", "\x1b[32m", "\x1b[34m", "\x1b[96m", "\x1b[93m", "\x1b[95m"}

// Text writes spans as a terminal waterfall: a header, then one line per
// span in tree order with its service, the tree and name, its offset from the
// trace start, its duration and a bar on the trace's time line, and beneath
// it the key attributes and, for failed spans, "✗ ERROR: message". Spans
// whose parent is missing are drawn as roots. It returns the first write
// error.
func Text(w io.Writer, spans []otlpreceiver.Span, opts Options) error {
	l := buildLayout(spans)
	width := opts.Width
	if width == 0 {
		width = DefaultWidth
	}
	width = max(width, MinWidth)
	p := textPainter{color: opts.Color, colors: map[string]string{}}
	for i, s := range services(l) {
		p.colors[s] = ansiPalette[i%len(ansiPalette)]
	}

	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, p.paint(ansiBold, summaryLine(l, spans)))
	if len(l.rows) == 0 {
		return bw.Flush()
	}

	svcCol := 0
	nameCol := minNameCol
	for _, r := range l.rows {
		svcCol = max(svcCol, utf8.RuneCountInString(serviceName(r.span)))
		nameCol = max(nameCol, utf8.RuneCountInString(r.guides+errorMark(r.span)+r.span.Name))
	}
	svcCol = min(max(svcCol, len("SERVICE")), maxServiceCol)
	nameCol = min(nameCol, maxNameCol)
	fixed := svcCol + 1 + nameCol + 1 + timeCol + 1 + timeCol + 1 + 2
	barCol := max(width-fixed, minBar)

	total := l.total()
	ruler := rulerLine(barCol, FormatDuration(total))
	fmt.Fprintln(bw, p.paint(ansiBold, pad("SERVICE", svcCol)+" "+pad("SPAN", nameCol)+" "+
		lpad("START", timeCol)+" "+lpad("DURATION", timeCol)+" "+ruler))

	for _, r := range l.rows {
		s := r.span
		svc := serviceName(s)
		col := p.colors[svc]
		name := pad(r.guides+errorMark(s)+s.Name, nameCol)
		if s.IsError() {
			name = p.paint(ansiRed, name)
		}
		fmt.Fprintln(bw, p.paint(col, pad(svc, svcCol))+" "+name+" "+
			lpad("+"+FormatDuration(offsetOf(l, s)), timeCol)+" "+lpad(FormatDuration(s.Duration()), timeCol)+" "+
			"│"+p.paint(barColor(s, col), bar(l, s, barCol))+"│")

		indent := strings.Repeat(" ", svcCol+1) + detailGuides(r)
		if fs := keyFields(s); len(fs) > 0 {
			fmt.Fprintln(bw, indent+p.paint(ansiDim, joinFields(fs, "  ")))
		}
		if r.missingParent != "" {
			fmt.Fprintln(bw, indent+p.paint(ansiDim, "parent "+r.missingParent+" not in this trace (shown as a root)"))
		}
		if s.IsError() {
			fmt.Fprintln(bw, indent+p.paint(ansiRed, errorLine(s)))
		}
	}
	return bw.Flush()
}

// summaryLine is the header: which trace, how many spans, services and
// errors, and how long it took.
func summaryLine(l layout, spans []otlpreceiver.Span) string {
	if len(spans) == 0 {
		return "No spans."
	}
	ids := map[string]bool{}
	errs := 0
	for _, s := range spans {
		ids[s.TraceID] = true
		if s.IsError() {
			errs++
		}
	}
	head := "Trace " + spans[0].TraceID
	if len(ids) > 1 {
		head = fmt.Sprintf("%d traces", len(ids))
	}
	line := fmt.Sprintf("%s · %s · %s · %s", head, plural(len(spans), "span"),
		plural(len(services(l)), "service"), FormatDuration(l.end.Sub(l.start)))
	if errs > 0 {
		line += " · " + plural(errs, "error")
	}
	return line
}

// rulerLine is the timeline column's header: 0 on the left, the trace's
// length on the right, framed like the bars.
func rulerLine(barCol int, total string) string {
	gap := max(barCol-1-utf8.RuneCountInString(total), 1)
	return "│0" + strings.Repeat(" ", gap) + total + "│"
}

// bar draws s on a line of n cells spanning the trace: blanks before and
// after, full blocks while it runs, at least one block.
func bar(l layout, s otlpreceiver.Span, n int) string {
	from, to := cells(l, s, n)
	return strings.Repeat(" ", from) + strings.Repeat("█", to-from) + strings.Repeat(" ", n-to)
}

// cells returns the first and one-past-last cell of s on a line of n cells.
func cells(l layout, s otlpreceiver.Span, n int) (from, to int) {
	total := float64(l.total())
	off := float64(offsetOf(l, s))
	from = int(math.Round(off / total * float64(n)))
	to = int(math.Round((off + float64(s.Duration())) / total * float64(n)))
	from = min(max(from, 0), n-1)
	to = min(max(to, from+1), n)
	return from, to
}

// detailGuides continues the tree's vertical lines under a span's line so
// the lines beneath it sit inside the tree.
func detailGuides(r row) string {
	g := []rune(r.guides)
	if n := len(g); n >= 3 {
		cont := "   "
		if g[n-3] == '├' {
			cont = "│  "
		}
		g = append(g[:n-3], []rune(cont)...)
	}
	if r.hasChildren {
		return string(g) + "│  "
	}
	return string(g) + "   "
}

func errorMark(s otlpreceiver.Span) string {
	if s.IsError() {
		return "✗ "
	}
	return ""
}

func barColor(s otlpreceiver.Span, service string) string {
	if s.IsError() {
		return ansiRed
	}
	return service
}

// textPainter applies ANSI colour when enabled.
type textPainter struct {
	color  bool
	colors map[string]string
}

func (p textPainter) paint(code, s string) string {
	if !p.color || code == "" {
		return s
	}
	return code + s + ansiReset
}

// pad left-aligns s in n columns, cutting it with "…" when longer.
func pad(s string, n int) string {
	c := utf8.RuneCountInString(s)
	if c > n {
		r := []rune(s)
		return string(r[:n-1]) + "…"
	}
	return s + strings.Repeat(" ", n-c)
}

// lpad right-aligns s in n columns; it never cuts.
func lpad(s string, n int) string {
	if c := utf8.RuneCountInString(s); c < n {
		return strings.Repeat(" ", n-c) + s
	}
	return s
}
