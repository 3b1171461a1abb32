package enhancements

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The conventions tables of the guideline (span names, attribute keys) are
// checked row by row against what the code emits, in both directions: a row
// must name something emitted, with the kind it states and from the file it
// states; and everything emitted must have a row.

// mdTable is a markdown table: its header cells and its rows.
type mdTable struct {
	Line int // line of the header row, 1-based
	Rows []mdRow
}

// mdRow is one row of a table, its cells keyed by the header cell above.
type mdRow struct {
	Line  int
	Cells map[string]string
}

// tableAfter returns the first table after the line that is exactly
// heading.
func tableAfter(md, heading string) (mdTable, error) {
	lines := strings.Split(md, "\n")
	start := -1
	for i, l := range lines {
		if strings.TrimSpace(l) == heading {
			start = i
			break
		}
	}
	if start < 0 {
		return mdTable{}, fmt.Errorf("no heading %q", heading)
	}
	var (
		t      mdTable
		header []string
	)
	for i := start + 1; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(l, "|") {
			if header != nil {
				break // the end of the table
			}
			if strings.HasPrefix(l, "#") {
				return mdTable{}, fmt.Errorf("no table under %q", heading)
			}
			continue
		}
		cells := splitRow(l)
		switch {
		case header == nil:
			header, t.Line = cells, i+1
		case strings.Trim(l, "|-: ") == "":
			// the delimiter row
		default:
			row := mdRow{Line: i + 1, Cells: map[string]string{}}
			for j, h := range header {
				if j < len(cells) {
					row.Cells[h] = cells[j]
				}
			}
			t.Rows = append(t.Rows, row)
		}
	}
	if header == nil {
		return mdTable{}, fmt.Errorf("no table under %q", heading)
	}
	return t, nil
}

func splitRow(l string) []string {
	parts := strings.Split(strings.Trim(l, "|"), "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// codeWords returns the inline code spans of cell.
func codeWords(cell string) []string {
	var out []string
	for _, m := range inlineCode.FindAllStringSubmatch(cell, -1) {
		out = append(out, m[1])
	}
	return out
}

// checkSpanTable checks a span table with the columns Span, Kind and Made
// by against e. root is the repository root: a Made by cell that names a Go
// file must be in a package whose sources hold the span name.
func checkSpanTable(name string, t mdTable, e emitted, root string) []error {
	var errs []error
	covered := map[string]bool{}
	for _, r := range t.Rows {
		kind := strings.TrimSpace(r.Cells["Kind"])
		spans := codeWords(r.Cells["Span"])
		if len(spans) == 0 {
			errs = append(errs, fmt.Errorf("%s table line %d: no span name in backticks", name, r.Line))
		}
		for _, s := range spans {
			found := false
			for got, kinds := range e.Kinds {
				if got == s || (strings.HasSuffix(s, "/<Method>") && strings.HasPrefix(got, strings.TrimSuffix(s, "<Method>"))) {
					covered[got] = true
					if kinds[kind] {
						found = true
					}
				}
			}
			if !found {
				errs = append(errs, fmt.Errorf("%s table line %d: no %s span %s was emitted", name, r.Line, kind, s))
			}
			if strings.Contains(s, "/") {
				continue // made by otelgrpc
			}
			for _, w := range codeWords(r.Cells["Made by"]) {
				if !strings.HasSuffix(w, ".go") {
					continue
				}
				if err := sourceHolds(root, w, s); err != nil {
					errs = append(errs, fmt.Errorf("%s table line %d: %w", name, r.Line, err))
				}
			}
		}
	}
	for _, got := range sortedKeys(e.Kinds) {
		if !covered[got] {
			errs = append(errs, fmt.Errorf("%s table: span %s is emitted (%s) but has no row", name, got, strings.Join(sorted(e.Kinds[got]), ", ")))
		}
	}
	return errs
}

// checkAttributeTable checks an attribute table with the column Key
// against e: every key emitted on a span or event, and only those.
func checkAttributeTable(name string, t mdTable, e emitted) []error {
	var errs []error
	listed := map[string]bool{}
	for _, r := range t.Rows {
		keys := codeWords(r.Cells["Key"])
		if len(keys) == 0 {
			errs = append(errs, fmt.Errorf("%s table line %d: no key in backticks", name, r.Line))
		}
		for _, k := range keys {
			listed[k] = true
			if !e.SpanAttributes[k] {
				errs = append(errs, fmt.Errorf("%s table line %d: key %s is never emitted on a span or event", name, r.Line, k))
			}
		}
	}
	for _, k := range sorted(e.SpanAttributes) {
		if !listed[k] {
			errs = append(errs, fmt.Errorf("%s table: key %s is emitted but has no row", name, k))
		}
	}
	return errs
}

// sourceHolds reports an error unless a non-test Go file in the package of
// file (a repository path) holds the string literal s.
func sourceHolds(root, file, s string) error {
	dir := filepath.Join(root, filepath.FromSlash(filepath.Dir(file)))
	matches, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(matches) == 0 {
		return fmt.Errorf("%s: no Go files next to it", file)
	}
	for _, m := range matches {
		if strings.HasSuffix(m, "_test.go") {
			continue
		}
		b, err := os.ReadFile(m)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), fmt.Sprintf("%q", s)) {
			return nil
		}
	}
	return fmt.Errorf("no non-test Go file of the package of %s defines %q", file, s)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
