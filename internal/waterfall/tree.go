package waterfall

import (
	"cmp"
	"slices"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// row is one span placed in the tree, in display order.
type row struct {
	span otlpreceiver.Span
	// depth is 0 for roots.
	depth int
	// guides draws the tree for a terminal: "│  " or "   " per ancestor
	// level, then "├─ " or "└─ " before a child; empty for roots.
	guides string
	// hasChildren reports whether rows below belong to this span.
	hasChildren bool
	// missingParent is the parent span id when the span has one that is not
	// in the set, so it is shown as a root.
	missingParent string
}

// layout holds the rows of a trace and its time window.
type layout struct {
	rows       []row
	start, end time.Time
}

// total returns the length of the window, at least one nanosecond so it can
// be divided by.
func (l layout) total() time.Duration {
	return max(l.end.Sub(l.start), time.Nanosecond)
}

// spanKey identifies a span within the set; span ids are only unique inside
// a trace.
type spanKey struct{ trace, span string }

// buildLayout orders spans into a tree. Roots are spans without a parent or
// whose parent is not in spans; siblings are sorted by start time, then name,
// then span id, so the output is deterministic. Every span appears exactly
// once, even when parent links form a cycle.
func buildLayout(spans []otlpreceiver.Span) layout {
	var l layout
	if len(spans) == 0 {
		return l
	}
	present := make(map[spanKey]bool, len(spans))
	for _, s := range spans {
		present[spanKey{s.TraceID, s.SpanID}] = true
	}
	children := make(map[spanKey][]int)
	var roots []int
	for i, s := range spans {
		parent := spanKey{s.TraceID, s.ParentSpanID}
		if s.ParentSpanID != "" && present[parent] && s.ParentSpanID != s.SpanID {
			children[parent] = append(children[parent], i)
			continue
		}
		roots = append(roots, i)
	}
	order := func(a, b int) int {
		sa, sb := spans[a], spans[b]
		return cmp.Or(sa.Start.Compare(sb.Start), cmp.Compare(sa.Name, sb.Name), cmp.Compare(sa.SpanID, sb.SpanID), cmp.Compare(a, b))
	}
	slices.SortFunc(roots, order)
	for _, c := range children {
		slices.SortFunc(c, order)
	}

	visited := make([]bool, len(spans))
	var walk func(i, depth int, prefix, branch string)
	walk = func(i, depth int, prefix, branch string) {
		if visited[i] {
			return
		}
		visited[i] = true
		s := spans[i]
		r := row{span: s, depth: depth, guides: prefix + branch}
		if depth == 0 && s.ParentSpanID != "" && !present[spanKey{s.TraceID, s.ParentSpanID}] {
			r.missingParent = s.ParentSpanID
		}
		l.rows = append(l.rows, r)
		kids := children[spanKey{s.TraceID, s.SpanID}]
		l.rows[len(l.rows)-1].hasChildren = len(kids) > 0
		next := prefix
		switch branch {
		case "├─ ":
			next += "│  "
		case "└─ ":
			next += "   "
		}
		for n, k := range kids {
			b := "├─ "
			if n == len(kids)-1 {
				b = "└─ "
			}
			walk(k, depth+1, next, b)
		}
	}
	for _, i := range roots {
		walk(i, 0, "", "")
	}
	// Spans caught in a parent cycle are reachable from no root: show each
	// remaining one as a root rather than lose it.
	for _, i := range slices.SortedFunc(slices.Values(unvisited(visited)), order) {
		walk(i, 0, "", "")
	}

	for _, r := range l.rows {
		if s := r.span.Start; !s.IsZero() && (l.start.IsZero() || s.Before(l.start)) {
			l.start = s
		}
		if e := r.span.End; e.After(l.end) {
			l.end = e
		}
	}
	if l.end.Before(l.start) {
		l.end = l.start
	}
	return l
}

func unvisited(visited []bool) []int {
	var out []int
	for i, v := range visited {
		if !v {
			out = append(out, i)
		}
	}
	return out
}
