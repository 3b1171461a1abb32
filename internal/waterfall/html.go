package waterfall

import (
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// HTML writes spans as a self-contained HTML page titled title: inline CSS,
// no script, no external resource, so it opens from disk without a network.
// It shows the trace's summary, a legend of services and their colours, a
// time ruler, and one row per span in tree order with its bar; hovering a
// row shows its key attributes, clicking it opens every attribute, the
// resource and the events. Failed spans are red with their message. Every
// string from the spans is HTML-escaped. It returns the first write error.
func HTML(w io.Writer, spans []otlpreceiver.Span, title string) error {
	if err := pageTemplate.Execute(w, newPage(spans, title)); err != nil {
		return fmt.Errorf("waterfall: rendering HTML: %w", err)
	}
	return nil
}

// page is what the template renders. Style values are built here from
// numbers and palette constants only, never from span data, which is why
// they may be template.CSS.
type page struct {
	Title, TraceID, Started, Duration string
	Spans, Errors                     int
	Services                          []legendEntry
	Ticks                             []tick
	Rows                              []pageRow
}

type legendEntry struct {
	Name  string
	Count int
	Color template.CSS
}

type tick struct {
	Label string
	Style template.CSS
}

type pageRow struct {
	Name, Service, Kind, Scope, SpanID, ParentID, Status string
	Offset, Duration, Tooltip, Error, MissingParent      string
	Guides                                               []struct{}
	Fields                                               []field
	Attributes, Resource                                 []field
	Events                                               []pageEvent
	IsError, Leaf, LabelLeft                             bool
	Dot, Bar, Label                                      template.CSS
}

type pageEvent struct {
	Offset, Name string
	Attributes   []field
}

// Label and Value export field's parts to the template.
func (f field) Label() string { return f.label }
func (f field) Value() string { return f.value }

const tickCount = 4

func newPage(spans []otlpreceiver.Span, title string) page {
	l := buildLayout(spans)
	colors := serviceColors(l)
	p := page{Title: title, Spans: len(spans), Duration: FormatDuration(l.end.Sub(l.start))}
	if len(spans) > 0 {
		p.TraceID = spans[0].TraceID
		p.Started = l.start.UTC().Format("2006-01-02 15:04:05.000 MST")
	}
	counts := map[string]int{}
	for _, r := range l.rows {
		counts[serviceName(r.span)]++
		if r.span.IsError() {
			p.Errors++
		}
	}
	for _, s := range services(l) {
		p.Services = append(p.Services, legendEntry{Name: s, Count: counts[s], Color: template.CSS("background:" + colors[s])})
	}
	total := l.total()
	for i := range tickCount + 1 {
		pos := float64(i) * 100 / tickCount
		style := fmt.Sprintf("left:%.2f%%", pos)
		if i == tickCount {
			style = "right:0"
		}
		p.Ticks = append(p.Ticks, tick{
			Label: FormatDuration(time.Duration(float64(total) * float64(i) / tickCount)),
			Style: template.CSS(style),
		})
	}
	for _, r := range l.rows {
		p.Rows = append(p.Rows, newRow(l, r, colors[serviceName(r.span)]))
	}
	return p
}

func newRow(l layout, r row, color string) pageRow {
	s := r.span
	total := float64(l.total())
	off := offsetOf(l, s)
	left := float64(off) / total * 100
	width := float64(s.Duration()) / total * 100
	barColor := color
	if s.IsError() {
		barColor = errorColor
	}
	// Put the label right of the bar unless the bar ends near the right
	// edge and there is more room on its left; a label on the left is kept
	// within the time line and clipped on its far side, so the duration
	// next to the bar always shows.
	end := left + width
	label := fmt.Sprintf("left:calc(%.3f%% + 6px)", end)
	labelLeft := end > 70 && left > 100-end
	if labelLeft {
		label = fmt.Sprintf("right:calc(%.3f%% + 6px);max-width:calc(%.3f%% - 6px)", 100-left, left)
	}
	pr := pageRow{
		Name:          s.Name,
		Service:       serviceName(s),
		Kind:          strings.ToLower(s.Kind),
		Scope:         s.Scope,
		SpanID:        s.SpanID,
		ParentID:      s.ParentSpanID,
		Status:        s.StatusCode,
		Offset:        FormatDuration(off),
		Duration:      FormatDuration(s.Duration()),
		MissingParent: r.missingParent,
		Guides:        make([]struct{}, r.depth),
		Fields:        keyFields(s),
		Attributes:    sortedFields(s.Attributes),
		Resource:      sortedFields(s.Resource),
		IsError:       s.IsError(),
		Leaf:          !r.hasChildren,
		Dot:           template.CSS("background:" + color),
		Bar:           template.CSS(fmt.Sprintf("left:%.3f%%;width:%.3f%%;background:%s", left, width, barColor)),
		Label:         template.CSS(label),
		LabelLeft:     labelLeft,
	}
	if pr.IsError {
		pr.Error = errorLine(s)
	}
	for _, e := range s.Events {
		eo := time.Duration(0)
		if !e.Time.IsZero() {
			eo = max(e.Time.Sub(l.start), 0)
		}
		pr.Events = append(pr.Events, pageEvent{Offset: FormatDuration(eo), Name: e.Name, Attributes: sortedFields(e.Attributes)})
	}
	pr.Tooltip = tooltip(pr)
	return pr
}

// tooltip is the hover text of a row: what, where, how long, key facts.
func tooltip(r pageRow) string {
	lines := []string{r.Service + " · " + r.Name, r.Duration + " at +" + r.Offset + " · " + r.Kind}
	for _, f := range r.Fields {
		lines = append(lines, f.label+" = "+f.value)
	}
	if r.Error != "" {
		lines = append(lines, r.Error)
	}
	return strings.Join(lines, "\n")
}

func sortedFields(m map[string]string) []field {
	out := make([]field, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, field{k, m[k]})
	}
	return out
}
