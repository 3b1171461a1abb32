package enhancements

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// identRef is a Go identifier the guideline names in its prose:
// tracing.NewTracer, Provider.Reload, tracing.Config.ApplyEnv.
type identRef struct {
	Line  int
	Text  string
	Parts []string // the qualifier, then the names
}

// goSelector is a qualified exported Go name inside inline code: a package
// or type, then one or two exported names.
var goSelector = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\.([A-Z][A-Za-z0-9_]*)(?:\.([A-Z][A-Za-z0-9_]*))?`)

// identRefs returns the qualified Go names that md's prose names in inline
// code (code blocks are checked by compiling them, see snippets_test.go).
// Dotted words that are parts of something longer — a module path
// (k8s.io/cri-api), a method name (runtime.v1.RuntimeService/Version), an
// upstream path (cri-o/cri-o:internal/log/log.go) — are not Go names.
func identRefs(md string) []identRef {
	var out []identRef
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
			code := m[1]
			for _, loc := range goSelector.FindAllStringSubmatchIndex(code, -1) {
				if loc[0] > 0 && strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-:@", rune(code[loc[0]-1])) {
					continue
				}
				if loc[1] < len(code) && strings.ContainsRune("/.-:@", rune(code[loc[1]])) {
					continue
				}
				ref := identRef{Line: i + 1, Text: code[loc[0]:loc[1]]}
				for g := 1; g <= 3; g++ {
					if loc[2*g] >= 0 {
						ref.Parts = append(ref.Parts, code[loc[2*g]:loc[2*g+1]])
					}
				}
				out = append(out, ref)
			}
		}
	}
	return out
}

// goIndex is what the packages of the build hold, by package name (and by
// the import aliases this repository uses): exported top-level names, and
// for each type its methods and fields.
type goIndex struct {
	// Names maps a package name to its top-level exported names.
	Names map[string]map[string]bool
	// Members maps a type name to the exported methods and fields of every
	// type of that name in any package.
	Members map[string]map[string]bool
	// TypePkgs maps "pkg.Type" to the members of that type.
	TypePkgs map[string]map[string]bool
	// embeds maps "pkg.Type" to the types it embeds, as "pkg.Type", whose
	// members it promotes.
	embeds map[string][]string
}

// notPackages are lower-case qualifiers the guideline uses that are not
// packages, each with the reason.
var notPackages = map[string]string{
	"cfg": "the daemon's loaded configuration (cmd/crio-trace/serve.go)",
	"def": "config.Default() in cmd/crio-trace/flags.go",
	"t":   "a test's *testing.T",
}

// checkIdent reports an error unless ref resolves in idx.
func checkIdent(idx goIndex, ref identRef) error {
	q, names := ref.Parts[0], ref.Parts[1:]
	if ast.IsExported(q) {
		// Type.Member
		if members, ok := idx.Members[q]; ok && members[names[0]] {
			return nil
		}
		return fmt.Errorf("line %d: `%s`: no type %s with an exported method or field %s", ref.Line, ref.Text, q, names[0])
	}
	if _, ok := notPackages[q]; ok {
		return nil
	}
	top, ok := idx.Names[q]
	if !ok {
		return fmt.Errorf("line %d: `%s`: no package or import alias %q in the build", ref.Line, ref.Text, q)
	}
	if !top[names[0]] {
		return fmt.Errorf("line %d: `%s`: package %s has no exported %s", ref.Line, ref.Text, q, names[0])
	}
	if len(names) == 2 && !idx.TypePkgs[q+"."+names[0]][names[1]] {
		return fmt.Errorf("line %d: `%s`: %s.%s has no exported method or field %s", ref.Line, ref.Text, q, names[0], names[1])
	}
	return nil
}

// buildIndex indexes every package the repository's packages and tests
// depend on, standard library included, with `go list` from root.
func buildIndex(root string) (goIndex, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-test", "-json=ImportPath,Name,Dir,GoFiles,CgoFiles,TestGoFiles,XTestGoFiles,Module", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return goIndex{}, fmt.Errorf("go list: %w", err)
	}
	idx := goIndex{Names: map[string]map[string]bool{}, Members: map[string]map[string]bool{}, TypePkgs: map[string]map[string]bool{}, embeds: map[string][]string{}}
	byPath := map[string]string{} // import path → package name
	var own []string              // files of this repository, for aliases
	seen := map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			ImportPath, Name, Dir                        string
			GoFiles, CgoFiles, TestGoFiles, XTestGoFiles []string
			Module                                       *struct{ Main bool }
		}
		if err := dec.Decode(&p); err != nil {
			return goIndex{}, err
		}
		if i := strings.Index(p.ImportPath, " ["); i >= 0 || seen[p.ImportPath] || strings.HasSuffix(p.ImportPath, ".test") {
			continue // a test variant: same sources
		}
		seen[p.ImportPath] = true
		byPath[p.ImportPath] = p.Name
		fset := token.NewFileSet()
		for _, f := range append(p.GoFiles, p.CgoFiles...) {
			if err := indexFile(idx, fset, p.Name, filepath.Join(p.Dir, f)); err != nil {
				return goIndex{}, err
			}
		}
		if p.Module != nil && p.Module.Main {
			for _, f := range append(append(append([]string{}, p.GoFiles...), p.TestGoFiles...), p.XTestGoFiles...) {
				own = append(own, filepath.Join(p.Dir, f))
			}
		}
	}
	idx.promote()
	// Import aliases (sdktrace, healthpb) stand for their package.
	for _, f := range own {
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			return goIndex{}, err
		}
		for _, imp := range file.Imports {
			if imp.Name == nil || imp.Name.Name == "_" || imp.Name.Name == "." {
				continue
			}
			path, _ := strconv.Unquote(imp.Path.Value)
			name, ok := byPath[path]
			if !ok || imp.Name.Name == name {
				continue
			}
			alias := imp.Name.Name
			if idx.Names[alias] == nil {
				idx.Names[alias] = map[string]bool{}
			}
			for n := range idx.Names[name] {
				idx.Names[alias][n] = true
			}
			for tp, members := range idx.TypePkgs {
				if t, ok := strings.CutPrefix(tp, name+"."); ok {
					idx.TypePkgs[alias+"."+t] = members
				}
			}
		}
	}
	return idx, nil
}

// indexFile adds the exported declarations of one Go file of package pkg.
func indexFile(idx goIndex, fset *token.FileSet, pkg, path string) error {
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return fmt.Errorf("parsing %s: %w", path, err)
	}
	if idx.Names[pkg] == nil {
		idx.Names[pkg] = map[string]bool{}
	}
	member := func(typ, name string) {
		if !ast.IsExported(name) {
			return
		}
		for _, key := range []string{typ, pkg + "." + typ} {
			m := idx.Members
			if key != typ {
				m = idx.TypePkgs
			}
			if m[key] == nil {
				m[key] = map[string]bool{}
			}
			m[key][name] = true
		}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				if ast.IsExported(d.Name.Name) {
					idx.Names[pkg][d.Name.Name] = true
				}
				continue
			}
			if typ := recvType(d.Recv.List[0].Type); typ != "" {
				member(typ, d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if ast.IsExported(s.Name.Name) {
						idx.Names[pkg][s.Name.Name] = true
					}
					switch tt := s.Type.(type) {
					case *ast.StructType:
						for _, fld := range tt.Fields.List {
							for _, n := range fld.Names {
								member(s.Name.Name, n.Name)
							}
							if len(fld.Names) == 0 { // embedded: its name is a field, its members are promoted
								member(s.Name.Name, recvType(fld.Type))
								if id, ok := fld.Type.(*ast.Ident); ok { // a type of the same package
									idx.embeds[pkg+"."+s.Name.Name] = append(idx.embeds[pkg+"."+s.Name.Name], pkg+"."+id.Name)
								}
							}
						}
					case *ast.InterfaceType:
						for _, m := range tt.Methods.List {
							for _, n := range m.Names {
								member(s.Name.Name, n.Name)
							}
						}
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if ast.IsExported(n.Name) {
							idx.Names[pkg][n.Name] = true
						}
					}
				}
			}
		}
	}
	return nil
}

// recvType returns the type name of a receiver or embedded field: T, *T,
// T[P], pkg.T.
func recvType(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return recvType(t.X)
	case *ast.IndexExpr:
		return recvType(t.X)
	case *ast.IndexListExpr:
		return recvType(t.X)
	case *ast.SelectorExpr:
		return t.Sel.Name
	case *ast.Ident:
		return t.Name
	}
	return ""
}

// promote adds to each struct type the members of the types it embeds
// (tracing.Config's ServiceName comes from its embedded Extensions), to a
// fixed point, since an embedded type may embed another.
func (idx goIndex) promote() {
	for changed := true; changed; {
		changed = false
		for outer, inners := range idx.embeds {
			for _, inner := range inners {
				for m := range idx.TypePkgs[inner] {
					if idx.TypePkgs[outer][m] {
						continue
					}
					_, typ, _ := strings.Cut(outer, ".")
					if idx.TypePkgs[outer] == nil {
						idx.TypePkgs[outer] = map[string]bool{}
					}
					if idx.Members[typ] == nil {
						idx.Members[typ] = map[string]bool{}
					}
					idx.TypePkgs[outer][m] = true
					idx.Members[typ][m] = true
					changed = true
				}
			}
		}
	}
}
