package main

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ownModule is crio-trace's module path; its packages are rewritten to
// CRI-O's when copied.
const ownModule = "github.com/crio-trace/crio-trace"

// copies are crio-trace's packages that go into CRI-O as they are: the
// tracing kit, and the CRI attribute annotator built on it.
var copies = []struct{ from, to string }{
	{"internal/tracing", "internal/tracing"},
	{"internal/criattrs", "internal/criattrs"},
}

// copyOwnCode copies the kit and the annotator (not their tests, which need
// crio-trace's test helpers) and crio-trace's default sampling rules, with
// import paths rewritten to CRI-O's module. Nothing is edited but the paths
// and, for the rules, the package clause.
func (p *port) copyOwnCode() error {
	for _, c := range copies {
		files, err := filepath.Glob(filepath.Join(p.repo, c.from, "*.go"))
		if err != nil {
			return err
		}
		if len(files) == 0 {
			return fmt.Errorf("%s has no Go files: is -repo crio-trace's root?", c.from)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			if err := p.copyFile(f, path.Join(c.to, filepath.Base(f)), nil); err != nil {
				return err
			}
		}
	}
	// The rules name CRI methods: crio-trace keeps them in its server
	// package, CRI-O gets them next to its [crio.tracing] config.
	return p.copyFile(filepath.Join(p.repo, "server/samplingrules/rules.go"), "pkg/config/tracing_rules.go", func(s string) string {
		s = strings.Replace(s, "package samplingrules\n", "package config\n", 1)
		return strings.Replace(s, "func Default()", "func DefaultTracingSamplingRules()", 1)
	})
}

// copyFile copies crio-trace's file from into the tree at to, with the
// module path rewritten, a header naming where it came from, and edit
// applied when not nil.
func (p *port) copyFile(from, to string, edit func(string) string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(p.repo, from)
	if err != nil {
		return err
	}
	s := strings.ReplaceAll(string(b), `"`+ownModule+`/internal/`, `"`+crioModule+`/internal/`)
	if edit != nil {
		s = edit(s)
	}
	header := "// Copied from crio-trace (" + ownModule + ", " + filepath.ToSlash(rel) + ") by hack/crio-port.\n\n"
	return p.write(to, header+s)
}

// write creates the tree's file at rel with content; it refuses to
// overwrite a file CRI-O has, which would hide an edit in a copy.
func (p *port) write(rel, content string) error {
	dst := filepath.Join(p.tree, filepath.FromSlash(rel))
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("%s exists in CRI-O: refusing to overwrite it with a copy", rel)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, []byte(content), 0o644)
}

// overlay holds the glue files the port adds to CRI-O, as
// overlay/<path in CRI-O>.txt (.txt, so that crio-trace's own module does
// not compile code that imports CRI-O).
//
//go:embed overlay
var overlay embed.FS

// addOverlay writes every overlay file into the tree.
func (p *port) addOverlay() error {
	return fs.WalkDir(overlay, "overlay", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := overlay.ReadFile(name)
		if err != nil {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(name, "overlay/"), ".txt")
		header := "// Added by crio-trace's hack/crio-port (" + ownModule + ", hack/crio-port/" + name + ").\n\n"
		return p.write(rel, header+string(b))
	})
}
