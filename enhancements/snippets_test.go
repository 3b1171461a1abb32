package enhancements

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// The checkers below read the guideline as plain text. They are kept apart
// from the tests that run them on the real guideline so that
// TestCheckersCatchDrift can run them on small synthetic inputs and prove
// each one fails when it should.

// snippet is one ```go block of the guideline and the source region it
// claims to be.
type snippet struct {
	Line   int    // line of the fence in the markdown, 1-based
	File   string // repository path of the Go source
	Region string // NAME of its "// guideline:begin NAME" marker
	Body   string // the block's text, every line ending in "\n"
}

// ID names the snippet in test output.
func (s snippet) ID() string { return s.File + "#" + s.Region }

var snippetMarker = regexp.MustCompile(`^<!--\s*snippet:\s*([^#\s]+)#([A-Za-z0-9_.-]+)\s*-->$`)

// parseSnippets returns the Go blocks of md with the source each names. A
// ```go block without a snippet marker right above it, or a marker not
// followed by a ```go block, is an error: every Go line in the guideline
// must come from compiled code.
func parseSnippets(md string) ([]snippet, []error) {
	var (
		out     []snippet
		errs    []error
		pending *snippet
		cur     *snippet
		inFence bool
	)
	for i, line := range strings.Split(md, "\n") {
		n := i + 1
		trimmed := strings.TrimSpace(line)
		if inFence {
			if strings.HasPrefix(trimmed, "```") {
				inFence = false
				if cur != nil {
					out = append(out, *cur)
					cur = nil
				}
				continue
			}
			if cur != nil {
				cur.Body += line + "\n"
			}
			continue
		}
		if m := snippetMarker.FindStringSubmatch(trimmed); m != nil {
			if pending != nil {
				errs = append(errs, fmt.Errorf("line %d: snippet marker %s is not followed by a ```go block", pending.Line, pending.ID()))
			}
			pending = &snippet{Line: n, File: m[1], Region: m[2]}
			continue
		}
		if strings.HasPrefix(trimmed, "```") {
			inFence = true
			lang := strings.TrimSpace(strings.TrimPrefix(trimmed, "```"))
			switch {
			case lang == "go" && pending == nil:
				errs = append(errs, fmt.Errorf("line %d: ```go block without a <!-- snippet: path#NAME --> marker above it", n))
			case lang == "go":
				pending.Line = n
				cur, pending = pending, nil
			case pending != nil:
				errs = append(errs, fmt.Errorf("line %d: snippet marker %s is followed by a ```%s block, want ```go", pending.Line, pending.ID(), lang))
				pending = nil
			}
			continue
		}
		if pending != nil && trimmed != "" {
			errs = append(errs, fmt.Errorf("line %d: snippet marker %s is not followed by a ```go block", pending.Line, pending.ID()))
			pending = nil
		}
	}
	if pending != nil {
		errs = append(errs, fmt.Errorf("line %d: snippet marker %s is not followed by a ```go block", pending.Line, pending.ID()))
	}
	if inFence {
		errs = append(errs, fmt.Errorf("unterminated code block at end of file"))
	}
	return out, errs
}

const (
	beginMarker = "// guideline:begin "
	endMarker   = "// guideline:end "
	anyMarker   = "// guideline:"
)

// extractRegion returns the lines of src between "// guideline:begin name"
// and "// guideline:end name", without the marker lines of other regions
// nested inside, dedented by their common leading whitespace. Each name
// must be marked exactly once.
func extractRegion(src, name string) (string, error) {
	lines := strings.Split(src, "\n")
	begin, end := -1, -1
	for i, l := range lines {
		switch strings.TrimSpace(l) {
		case beginMarker + name:
			if begin >= 0 {
				return "", fmt.Errorf("region %q begins twice (lines %d and %d)", name, begin+1, i+1)
			}
			begin = i
		case endMarker + name:
			if end >= 0 {
				return "", fmt.Errorf("region %q ends twice (lines %d and %d)", name, end+1, i+1)
			}
			end = i
		}
	}
	switch {
	case begin < 0:
		return "", fmt.Errorf("region %q has no %q line", name, beginMarker+name)
	case end < 0:
		return "", fmt.Errorf("region %q has no %q line", name, endMarker+name)
	case end < begin:
		return "", fmt.Errorf("region %q ends (line %d) before it begins (line %d)", name, end+1, begin+1)
	}
	var body []string
	for _, l := range lines[begin+1 : end] {
		if strings.HasPrefix(strings.TrimSpace(l), anyMarker) {
			continue
		}
		body = append(body, l)
	}
	return dedent(body), nil
}

// dedent drops leading and trailing blank lines (a marker sits apart from
// the doc comment it precedes, so that it stays out of the documentation),
// removes the longest run of leading whitespace all non-blank lines share,
// and ends every line with "\n".
func dedent(lines []string) string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	prefix, first := "", true
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		lead := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if first {
			prefix, first = lead, false
			continue
		}
		for !strings.HasPrefix(lead, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	var b strings.Builder
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString(strings.TrimPrefix(l, prefix))
		b.WriteString("\n")
	}
	return b.String()
}

// checkSnippet compares s with the region it names under root.
func checkSnippet(root string, s snippet) error {
	src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(s.File)))
	if err != nil {
		return fmt.Errorf("line %d: snippet %s: %w", s.Line, s.ID(), err)
	}
	want, err := extractRegion(string(src), s.Region)
	if err != nil {
		return fmt.Errorf("line %d: snippet %s: %w", s.Line, s.ID(), err)
	}
	if s.Body == want {
		return nil
	}
	got, exp := strings.Split(s.Body, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(got), len(exp)); i++ {
		var g, e string
		if i < len(got) {
			g = got[i]
		}
		if i < len(exp) {
			e = exp[i]
		}
		if g != e {
			return fmt.Errorf("line %d: snippet %s differs from its source at snippet line %d:\n  guideline: %q\n  source:    %q",
				s.Line, s.ID(), i+1, g, e)
		}
	}
	return fmt.Errorf("line %d: snippet %s differs from its source", s.Line, s.ID())
}
