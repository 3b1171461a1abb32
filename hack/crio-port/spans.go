package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"unicode"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// renameSpans rewrites every call of CRI-O's log.StartSpan(ctx), which named
// the span after the calling Go function at run time (runtime.Caller):
//
//   - in a CRI handler (a method of server.Server named after an RPC) the
//     span was a second one for the RPC: the call becomes log.RPCSpan(ctx),
//     which lends the handler the RPC's own span. So does the handler's
//     unexported twin that does the whole RPC's work (RunPodSandbox calls
//     runPodSandbox, which opened a span lasting the whole RPC);
//   - anywhere else it becomes log.StartSpan(ctx, "crio.<package>.<operation>"),
//     a constant name following the project's convention, given once here
//     from the package directory and the enclosing function
//     (internal/oci's CreateContainer: crio.oci.create_container). A later
//     rename of the Go function does not rename the span.
//
// The names given are written to spans (a table for docs/crio-port.md).
func (p *port) renameSpans() error {
	rpcs := criMethods()
	var renamed []spanName
	borrowed := 0
	err := filepath.WalkDir(p.tree, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "vendor" || d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(file, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(p.tree, file)
		n, b, names, err := renameIn(file, filepath.ToSlash(rel), rpcs)
		if err != nil {
			return err
		}
		if n+b > 0 {
			renamed = append(renamed, names...)
			borrowed += b
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(renamed)+borrowed == 0 {
		return fmt.Errorf("no call of log.StartSpan(ctx) found: CRI-O's span helper has moved; update hack/crio-port/spans.go")
	}
	sort.Slice(renamed, func(i, j int) bool { return renamed[i].where < renamed[j].where })
	p.spans = renamed
	fmt.Printf("crio-port: %d handler spans now lend the RPC's span (log.RPCSpan), %d inner spans named crio.<package>.<operation>\n", borrowed, len(renamed))
	return nil
}

// spanName is one renamed call site.
type spanName struct{ name, where string }

// renameIn rewrites the StartSpan calls of one file and returns how many
// were named, how many borrowed, and the names.
func renameIn(file, rel string, rpcs map[string]bool) (named, borrowed int, names []spanName, err error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return 0, 0, nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
	if err != nil {
		return 0, 0, nil, err
	}
	inLog := f.Name.Name == "log" && path.Dir(rel) == "internal/log"
	pkg := path.Base(path.Dir(rel))
	var splices []splice
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 || !isStartSpan(call.Fun, inLog) {
				return true
			}
			off := func(p token.Pos) int { return fset.Position(p).Offset }
			if pkg == "server" && receiverName(fn) == "Server" && rpcs[exported(fn.Name.Name)] {
				splices = append(splices, splice{off(call.Fun.Pos()), off(call.Fun.End()), "log.RPCSpan"})
				borrowed++
				return true
			}
			name := "crio." + pkg + "." + snake(fn.Name.Name)
			splices = append(splices, splice{off(call.Rparen), off(call.Rparen), fmt.Sprintf(", %q", name)})
			names = append(names, spanName{name: name, where: rel + ": " + funcLabel(fn)})
			named++
			return true
		})
	}
	if len(splices) == 0 {
		return 0, 0, nil, nil
	}
	sort.Slice(splices, func(i, j int) bool { return splices[i].start > splices[j].start })
	for _, s := range splices {
		src = append(src[:s.start], append([]byte(s.text), src[s.end:]...)...)
	}
	return named, borrowed, names, os.WriteFile(file, src, 0o644)
}

// exported returns name with its first letter upper-cased: the RPC a
// handler's unexported twin (runPodSandbox) works for.
func exported(name string) string {
	r := []rune(name)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// isStartSpan reports whether fun is log.StartSpan (or StartSpan inside
// package log).
func isStartSpan(fun ast.Expr, inLog bool) bool {
	if inLog {
		if id, ok := fun.(*ast.Ident); ok && id.Name == "StartSpan" {
			return true
		}
	}
	return isSel(fun, "log", "StartSpan")
}

func funcLabel(fn *ast.FuncDecl) string {
	if r := receiverName(fn); r != "" {
		return "(" + r + ")." + fn.Name.Name
	}
	return fn.Name.Name
}

// criMethods returns the RPC names of the CRI runtime and image services.
func criMethods() map[string]bool {
	out := map[string]bool{}
	for _, t := range []reflect.Type{
		reflect.TypeFor[runtimeapi.RuntimeServiceServer](),
		reflect.TypeFor[runtimeapi.ImageServiceServer](),
	} {
		for i := range t.NumMethod() {
			if m := t.Method(i); m.IsExported() {
				out[m.Name] = true
			}
		}
	}
	return out
}

// snake turns a Go identifier into snake case: CreateContainer →
// create_container, getPodSandboxIDs → get_pod_sandbox_ids.
func snake(s string) string {
	var b strings.Builder
	r := []rune(s)
	up := func(i int) bool { return i >= 0 && i < len(r) && unicode.IsUpper(r[i]) }
	// pluralS: the s of an acronym's plural (IDs), part of the acronym.
	pluralS := func(i int) bool {
		return i < len(r) && r[i] == 's' && up(i-1) && up(i-2) && (i+1 == len(r) || up(i+1))
	}
	for i, c := range r {
		if unicode.IsUpper(c) {
			prevLower := i > 0 && (unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1])) && !pluralS(i-1)
			nextLower := up(i-1) && i+1 < len(r) && unicode.IsLower(r[i+1]) && !pluralS(i+1)
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(c))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
