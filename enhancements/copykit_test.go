package enhancements

import (
	"context"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// porterModule is the module path of the fresh module the kit is copied
// into: anything but crio-trace's.
const porterModule = "example.com/kvstore"

// copyTimeout bounds the whole copy: two go mod tidy runs, the builds and
// the tests of the copy (about a minute on a warm cache).
const copyTimeout = 10 * time.Minute

// TestKitIsCopyable proves the porting path's first step works as written:
// in a fresh module with another module path, it runs P1's copy-kit block
// of the guideline (copy internal/tracing and internal/otlpreceiver, rewrite
// the import paths, pin the modules, go vet, go test), checks the versions
// the copy resolved against P1's table, then runs the copy-example block
// (the kvstore example becomes the module's own packages, go vet ./...,
// go test ./...). Modules come from the local module cache first and the
// module proxy otherwise.
func TestKitIsCopyable(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: copying the kit and running its tests in a fresh module takes about a minute")
	}
	md := readGuideline(t)
	kit, err := shellBlock(md, "copy-kit")
	if err != nil {
		t.Fatal(err)
	}
	example, err := shellBlock(md, "copy-example")
	if err != nil {
		t.Fatal(err)
	}
	table, err := moduleTable(md)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("the guideline's blocks are bash: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), copyTimeout)
	defer cancel()
	dir := t.TempDir()
	env := porterEnv(t, repo)
	run := func(what string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", what, err, out)
		}
		return string(out)
	}
	run("go mod init", "go", "mod", "init", porterModule)

	out := run("the copy-kit block", bash, "-euo", "pipefail", "-c", kit)
	for _, pkg := range []string{"internal/tracing", "internal/otlpreceiver"} {
		if !strings.Contains(out, "ok  \t"+porterModule+"/"+pkg) {
			t.Errorf("the copy-kit block did not pass the tests of %s:\n%s", pkg, out)
		}
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	got := goModRequires(string(gomod))
	for _, m := range sortedKeys(table) {
		if got[m] != table[m] {
			t.Errorf("the copy resolved %s to %q, the guideline's table says %s", m, got[m], table[m])
		}
	}

	out = run("the copy-example block", bash, "-euo", "pipefail", "-c", example)
	for _, pkg := range []string{"cmd/kvstore", "kv", "store"} {
		if !strings.Contains(out, "ok  \t"+porterModule+"/"+pkg) {
			t.Errorf("the copy-example block did not pass the tests of %s:\n%s", pkg, out)
		}
	}
	for _, imp := range importsUnder(t, dir) {
		if strings.HasPrefix(imp, "github.com/crio-trace/crio-trace") {
			t.Errorf("the copy still imports %s", imp)
		}
	}
}

// porterEnv is the environment of the copy: the test's own, with the
// variables the guideline's blocks use, modules resolved without a
// workspace, the local module cache first, the toolchain that runs the test.
func porterEnv(t *testing.T, repo string) []string {
	t.Helper()
	cache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	proxy, err := exec.Command("go", "env", "GOPROXY").Output()
	if err != nil {
		t.Fatalf("go env GOPROXY: %v", err)
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GOFLAGS", "GOWORK", "GOPROXY", "GOTOOLCHAIN", "CRIO_TRACE", "MODULE":
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"CRIO_TRACE="+repo,
		"MODULE="+porterModule,
		"GOFLAGS=-mod=mod",
		"GOWORK=off",
		"GOTOOLCHAIN=local",
		"GOPROXY=file://"+filepath.Join(strings.TrimSpace(string(cache)), "cache", "download")+","+strings.TrimSpace(string(proxy)),
	)
}

// importsUnder returns every import path of the Go files under dir.
func importsUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no Go file was copied")
	}
	return out
}
