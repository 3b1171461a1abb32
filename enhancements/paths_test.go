package enhancements

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// pathRef is a repository path the guideline names.
type pathRef struct {
	Line int
	Path string // slash-separated, relative to the repository root
}

// topLevel lists the first path elements that mark a word in backticks as a
// path of this repository (DESIGN.md's layout). Upstream paths are written
// with their repository in front, cri-o/cri-o:server/server.go, and the
// colon takes them out of the check.
var topLevel = map[string]bool{
	"cmd": true, "internal": true, "server": true, "test": true, "hack": true,
	"enhancements": true, "deploy": true, "docs": true, "examples": true,
	"Makefile": true, "README.md": true, "go.mod": true, "go.sum": true,
}

var (
	inlineCode = regexp.MustCompile("`([^`\n]+)`")
	linkTarget = regexp.MustCompile(`\]\(([^)\s]+)\)`)
)

// repoPath reports whether word, one word of an inline code span, names a
// path of this repository, and returns it cleaned.
func repoPath(word string) (string, bool) {
	w := strings.TrimRight(word, ",;")
	if strings.ContainsAny(w, ":<>{}=$") {
		return "", false // URLs, upstream paths, placeholders, assignments
	}
	w = strings.TrimPrefix(w, "./")
	w = strings.TrimSuffix(w, "/...")
	if i := strings.IndexByte(w, '#'); i >= 0 {
		w = w[:i]
	}
	first, _, slash := strings.Cut(w, "/")
	if !topLevel[first] || (!slash && !strings.Contains(first, ".") && first != "Makefile") {
		// A bare directory name is an ordinary word (make test); a
		// directory is named with its slash (test/).
		return "", false
	}
	return strings.TrimSuffix(w, "/"), true
}

// pathRefs returns the repository paths md names outside code blocks: words
// of inline code spans that repoPath accepts, and relative link targets,
// resolved against mdDir (the markdown file's directory, relative to the
// repository root).
func pathRefs(md, mdDir string) []pathRef {
	var out []pathRef
	inFence := false
	for i, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		for _, m := range inlineCode.FindAllStringSubmatch(line, -1) {
			for _, w := range strings.Fields(m[1]) {
				if p, ok := repoPath(w); ok {
					out = append(out, pathRef{Line: i + 1, Path: p})
				}
			}
		}
		for _, m := range linkTarget.FindAllStringSubmatch(line, -1) {
			t := m[1]
			if strings.Contains(t, "://") || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "mailto:") {
				continue
			}
			if j := strings.IndexByte(t, '#'); j >= 0 {
				t = t[:j]
			}
			out = append(out, pathRef{Line: i + 1, Path: filepath.ToSlash(filepath.Clean(filepath.Join(mdDir, t)))})
		}
	}
	return out
}

// checkPath reports an error when ref names nothing under root. A path with
// '*' must match at least one file.
func checkPath(root string, ref pathRef) error {
	p := filepath.Join(root, filepath.FromSlash(ref.Path))
	if strings.Contains(ref.Path, "*") {
		m, err := filepath.Glob(p)
		if err != nil || len(m) == 0 {
			return fmt.Errorf("line %d: %q matches no file of the repository", ref.Line, ref.Path)
		}
		return nil
	}
	if _, err := os.Stat(p); err != nil {
		return fmt.Errorf("line %d: %q does not exist in the repository", ref.Line, ref.Path)
	}
	return nil
}
