package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// fileEdit edits one Go file of the tree by splicing text at the positions
// of syntax nodes found by anchors, so the port never quotes CRI-O's code to
// find it: an anchor is a description ("the if statement testing
// config.EnableTracing") and a predicate over the syntax tree. The file is
// gofmt'ed after the edits, and imports the edits left unused are removed.
type fileEdit struct {
	rel     string
	abs     string
	fset    *token.FileSet
	file    *ast.File
	src     []byte
	splices []splice
	imports []string // to add
	mayDrop []string // imports the edits may leave unused: dropped if so
}

type splice struct {
	start, end int
	text       string
}

// errAnchor is the error of an anchor that does not match: CRI-O's code has
// moved, and the port must be updated.
func (f *fileEdit) errAnchor(anchor string, found int) error {
	return fmt.Errorf("%s: anchor %q matched %d times, want exactly once: CRI-O's code has moved; update hack/crio-port/edits.go", f.rel, anchor, found)
}

func (p *port) open(rel string) (*fileEdit, error) {
	abs := filepath.Join(p.tree, filepath.FromSlash(rel))
	src, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (CRI-O's layout has moved)", rel, err)
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, abs, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	return &fileEdit{rel: rel, abs: abs, fset: fset, file: file, src: src}, nil
}

func (f *fileEdit) off(pos token.Pos) int { return f.fset.Position(pos).Offset }

// find returns the one node in root for which match holds; anything but
// exactly one is an anchor error.
func find[N ast.Node](f *fileEdit, root ast.Node, anchor string, match func(N) bool) (N, error) {
	var found []N
	ast.Inspect(root, func(n ast.Node) bool {
		if m, ok := n.(N); ok && match(m) {
			found = append(found, m)
		}
		return true
	})
	if len(found) != 1 {
		var zero N
		return zero, f.errAnchor(anchor, len(found))
	}
	return found[0], nil
}

// funcDecl finds the top-level function (recv empty) or method (recv the
// receiver's type name, without *) called name.
func (f *fileEdit) funcDecl(recv, name string) (*ast.FuncDecl, error) {
	anchor := "func " + name
	if recv != "" {
		anchor = "func (" + recv + ") " + name
	}
	return find(f, f.file, anchor, func(d *ast.FuncDecl) bool {
		return d.Name.Name == name && receiverName(d) == recv
	})
}

func receiverName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return ""
	}
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// replace replaces the text of the nodes from first to last (inclusive).
func (f *fileEdit) replace(first, last ast.Node, text string) {
	f.splices = append(f.splices, splice{f.off(first.Pos()), f.off(last.End()), text})
}

// insertAfter inserts text after n.
func (f *fileEdit) insertAfter(n ast.Node, text string) {
	end := f.off(n.End())
	f.splices = append(f.splices, splice{end, end, text})
}

// insertBefore inserts text before n.
func (f *fileEdit) insertBefore(n ast.Node, text string) {
	start := f.off(n.Pos())
	f.splices = append(f.splices, splice{start, start, text})
}

// deleteFunc removes a function declaration and its doc comment.
func (f *fileEdit) deleteFunc(d *ast.FuncDecl) {
	start := d.Pos()
	if d.Doc != nil {
		start = d.Doc.Pos()
	}
	f.splices = append(f.splices, splice{f.off(start), f.off(d.End()), ""})
}

// addImport asks for path to be imported.
func (f *fileEdit) addImport(path string) { f.imports = append(f.imports, path) }

// dropIfUnused names imports an edit may leave unused; save removes those
// nothing uses any more. Only listed imports are considered, because an
// import's name cannot always be told from its path (go-units is units).
func (f *fileEdit) dropIfUnused(paths ...string) { f.mayDrop = append(f.mayDrop, paths...) }

// save applies the splices, adds the imports asked for, removes the imports
// nothing uses any more, gofmt's the result and writes it.
func (f *fileEdit) save() error {
	src := slices.Clone(f.src)
	slices.SortFunc(f.splices, func(a, b splice) int { return b.start - a.start })
	for i, s := range f.splices {
		if i > 0 && s.end > f.splices[i-1].start {
			return fmt.Errorf("%s: two edits overlap at offset %d", f.rel, s.start)
		}
		src = append(src[:s.start], append([]byte(s.text), src[s.end:]...)...)
	}
	src, err := fixImports(f.rel, src, f.imports, f.mayDrop)
	if err != nil {
		return err
	}
	out, err := format.Source(src)
	if err != nil {
		return fmt.Errorf("%s: the edited file does not parse: %w", f.rel, err)
	}
	return os.WriteFile(f.abs, out, 0o644)
}

// fixImports adds the paths in add to src's import block and drops the
// imports of mayDrop whose name is no longer used.
func fixImports(rel string, src []byte, add, mayDrop []string) ([]byte, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, rel, src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("%s: the edited file does not parse: %w", rel, err)
	}
	used := map[string]bool{}
	ast.Inspect(file, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				used[id.Name] = true
			}
		}
		return true
	})
	var block *ast.GenDecl
	var drop []*ast.ImportSpec
	have := map[string]bool{}
	for _, d := range file.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.IMPORT {
			continue
		}
		if block == nil && g.Lparen.IsValid() {
			block = g
		}
		for _, s := range g.Specs {
			is := s.(*ast.ImportSpec)
			path, _ := strconv.Unquote(is.Path.Value)
			have[path] = true
			name := importName(is, path)
			if slices.Contains(mayDrop, path) && !used[name] {
				drop = append(drop, is)
			}
		}
	}
	if block == nil {
		if len(add) == 0 && len(drop) == 0 {
			return src, nil
		}
		return nil, fmt.Errorf("%s: no parenthesized import block to edit", rel)
	}
	// Splice from the end so earlier offsets stay valid. A new import
	// goes after the last one of its group (standard library, third
	// party, CRI-O's own), as CRI-O's import linter (gci) wants them.
	var edits []splice
	for _, p := range add {
		if have[p] {
			continue
		}
		var after *ast.ImportSpec
		for _, s := range block.Specs {
			is := s.(*ast.ImportSpec)
			if q, _ := strconv.Unquote(is.Path.Value); importGroup(q) == importGroup(p) {
				after = is
			}
		}
		line := "\t" + strconv.Quote(p) + "\n"
		at := fset.Position(block.Rparen).Offset
		if after != nil {
			at = fset.Position(after.End()).Offset
			line = "\n\t" + strconv.Quote(p)
		}
		edits = append(edits, splice{at, at, line})
		have[p] = true
	}
	for _, is := range drop {
		start := fset.Position(is.Pos()).Offset
		end := fset.Position(is.End()).Offset
		// The whole line, with its indentation and newline.
		for start > 0 && src[start-1] != '\n' {
			start--
		}
		if nl := bytes.IndexByte(src[end:], '\n'); nl >= 0 {
			end += nl + 1
		}
		edits = append(edits, splice{start, end, ""})
	}
	slices.SortFunc(edits, func(a, b splice) int { return b.start - a.start })
	for _, s := range edits {
		src = append(src[:s.start], append([]byte(s.text), src[s.end:]...)...)
	}
	return src, nil
}

// importGroup sorts an import path into the standard library (0), third
// party (1) or CRI-O's own module (2).
func importGroup(path string) int {
	switch {
	case strings.HasPrefix(path, crioModule+"/"):
		return 2
	case !strings.Contains(strings.SplitN(path, "/", 2)[0], "."):
		return 0
	}
	return 1
}

// importName is the name a file uses for an import: its alias, or the last
// path element (a major-version suffix aside), which holds for every import
// the edits may drop.
func importName(is *ast.ImportSpec, path string) string {
	if is.Name != nil {
		return is.Name.Name
	}
	elems := strings.Split(path, "/")
	name := elems[len(elems)-1]
	if len(elems) > 1 && strings.HasPrefix(name, "v") {
		if _, err := strconv.Atoi(name[1:]); err == nil {
			name = elems[len(elems)-2]
		}
	}
	return name
}

// isSel reports whether e is the selector x.sel.
func isSel(e ast.Expr, x, sel string) bool {
	s, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := s.X.(*ast.Ident)
	return ok && id.Name == x && s.Sel.Name == sel
}

// callOf returns the call in an expression statement, or nil.
func callOf(s ast.Stmt) *ast.CallExpr {
	if es, ok := s.(*ast.ExprStmt); ok {
		c, _ := es.X.(*ast.CallExpr)
		return c
	}
	return nil
}

// assigns reports whether s assigns (or declares with :=) name.
func assigns(s *ast.AssignStmt, name string) bool {
	for _, l := range s.Lhs {
		if id, ok := l.(*ast.Ident); ok && id.Name == name {
			return true
		}
	}
	return false
}

// stringLit reports whether e is the string literal v.
func stringLit(e ast.Expr, v string) bool {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return false
	}
	s, err := strconv.Unquote(b.Value)
	return err == nil && s == v
}
