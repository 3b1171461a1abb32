package enhancements

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// moduleHeading is the heading of P1's table of the modules the kit needs.
const moduleHeading = "###### Modules the kit needs"

// moduleTable returns P1's table as module path → version.
func moduleTable(md string) (map[string]string, error) {
	t, err := tableAfter(md, moduleHeading)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range t.Rows {
		mods := codeWords(r.Cells["Module"])
		if len(mods) != 1 {
			return nil, fmt.Errorf("line %d: want one module path in backticks, got %q", r.Line, r.Cells["Module"])
		}
		out[mods[0]] = strings.TrimSpace(r.Cells["Version"])
	}
	return out, nil
}

// shellBlock returns the ```sh block right after the marker
// <!-- run: name -->.
func shellBlock(md, name string) (string, error) {
	lines := strings.Split(md, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "<!-- run: "+name+" -->" {
			continue
		}
		if i+1 >= len(lines) || strings.TrimSpace(lines[i+1]) != "```sh" {
			return "", fmt.Errorf("line %d: <!-- run: %s --> is not followed by a ```sh block", i+1, name)
		}
		var body []string
		for _, b := range lines[i+2:] {
			if strings.TrimSpace(b) == "```" {
				return strings.Join(body, "\n") + "\n", nil
			}
			body = append(body, b)
		}
		return "", fmt.Errorf("line %d: the ```sh block of %s never ends", i+2, name)
	}
	return "", fmt.Errorf("no <!-- run: %s --> marker", name)
}

var goGetArg = regexp.MustCompile(`([a-z0-9.\-]+\.[a-z]+/[^\s@]+)@(v[^\s\\]+)`)

// goGetPins returns the module@version arguments of the go get commands in
// a shell block.
func goGetPins(block string) map[string]string {
	out := map[string]string{}
	inGet := false
	for _, l := range strings.Split(block, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "go get ") {
			inGet = true
		}
		if inGet {
			for _, m := range goGetArg.FindAllStringSubmatch(t, -1) {
				out[m[1]] = m[2]
			}
		}
		inGet = inGet && strings.HasSuffix(t, `\`)
	}
	return out
}

// goModRequires returns the require directives of a go.mod file.
func goModRequires(gomod string) map[string]string {
	out := map[string]string{}
	inBlock := false
	for _, l := range strings.Split(gomod, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case t == "require (":
			inBlock = true
			continue
		case inBlock && t == ")":
			inBlock = false
			continue
		case strings.HasPrefix(t, "require "):
			t = strings.TrimPrefix(t, "require ")
		case !inBlock:
			continue
		}
		if f := strings.Fields(t); len(f) >= 2 {
			out[f[0]] = f[1]
		}
	}
	return out
}

// checkPins returns an error for every disagreement between the table, the
// go get pins, go.mod and the modules the kit's packages import.
func checkPins(table, goGet, goMod map[string]string, imported map[string]bool) []error {
	var errs []error
	for _, m := range sortedKeys(table) {
		v := table[m]
		if got, ok := goMod[m]; !ok {
			errs = append(errs, fmt.Errorf("the table lists %s, which go.mod does not require", m))
		} else if got != v {
			errs = append(errs, fmt.Errorf("the table pins %s %s, go.mod %s", m, v, got))
		}
		if got, ok := goGet[m]; !ok {
			errs = append(errs, fmt.Errorf("the go get line lacks %s", m))
		} else if got != v {
			errs = append(errs, fmt.Errorf("the go get line pins %s@%s, the table %s", m, got, v))
		}
		if !imported[m] {
			errs = append(errs, fmt.Errorf("the table lists %s, which the kit does not import", m))
		}
	}
	for _, m := range sortedKeys(goGet) {
		if _, ok := table[m]; !ok {
			errs = append(errs, fmt.Errorf("the go get line has %s, which the table lacks", m))
		}
	}
	for _, m := range sortedKeys(imported) {
		if _, ok := table[m]; !ok {
			errs = append(errs, fmt.Errorf("the kit imports %s, which the table lacks", m))
		}
	}
	return errs
}

// kitModules returns the modules that internal/tracing and
// internal/otlpreceiver import directly, tests included, this repository
// aside.
func kitModules(t *testing.T) map[string]bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	list := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "go", append([]string{"list"}, args...)...)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %v: %v", args, err)
		}
		return string(out)
	}
	imports := map[string]bool{}
	for _, l := range strings.Split(list("-test", "-f", "{{.ImportPath}}|{{join .Imports \" \"}}", "./internal/tracing", "./internal/otlpreceiver"), "\n") {
		pkg, imps, ok := strings.Cut(l, "|")
		if !ok || strings.HasSuffix(pkg, ".test") {
			continue
		}
		for _, i := range strings.Fields(imps) {
			if !strings.HasPrefix(i, "[") { // "[pkg.test]" names a test variant of the one before
				imports[i] = true
			}
		}
	}
	mods := map[string]bool{}
	for _, l := range strings.Split(list(append([]string{"-f", "{{if .Module}}{{.Module.Path}}{{end}}"}, sortedKeys(imports)...)...), "\n") {
		if l = strings.TrimSpace(l); l != "" && l != "github.com/crio-trace/crio-trace" {
			mods[l] = true
		}
	}
	return mods
}

// TestModuleVersions holds P1's module table, its go get line, go.mod and
// the kit's imports together: the versions a porter pins are the ones this
// repository builds and tests with, and none is missing.
func TestModuleVersions(t *testing.T) {
	md := readGuideline(t)
	table, err := moduleTable(md)
	if err != nil {
		t.Fatal(err)
	}
	if len(table) < 10 {
		t.Fatalf("the module table has %d rows: is the checker still reading it?", len(table))
	}
	block, err := shellBlock(md, "copy-kit")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(root + "/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range checkPins(table, goGetPins(block), goModRequires(string(gomod)), kitModules(t)) {
		t.Error(err)
	}
}

// TestPinCheckerCatchesDrift proves checkPins rejects each kind of drift.
func TestPinCheckerCatchesDrift(t *testing.T) {
	base := func() (table, get, mod map[string]string, imp map[string]bool) {
		return map[string]string{"google.golang.org/grpc": "v1.85.0"},
			goGetPins("go get google.golang.org/grpc@v1.85.0 \\\n  \n"),
			goModRequires("module x\n\nrequire (\n\tgoogle.golang.org/grpc v1.85.0\n\tgolang.org/x/net v0.60.0 // indirect\n)\n"),
			map[string]bool{"google.golang.org/grpc": true}
	}
	tests := []struct {
		name    string
		change  func(table, get, mod map[string]string, imp map[string]bool)
		wantErr string
	}{
		{name: "in agreement", change: func(_, _, _ map[string]string, _ map[string]bool) {}},
		{name: "go.mod moved on", change: func(_, _, mod map[string]string, _ map[string]bool) { mod["google.golang.org/grpc"] = "v1.86.0" }, wantErr: "go.mod v1.86.0"},
		{name: "go get line stale", change: func(_, get, _ map[string]string, _ map[string]bool) { get["google.golang.org/grpc"] = "v1.84.0" }, wantErr: "go get line pins google.golang.org/grpc@v1.84.0"},
		{name: "new import not in the table", change: func(_, _, _ map[string]string, imp map[string]bool) { imp["golang.org/x/net"] = true }, wantErr: "the kit imports golang.org/x/net, which the table lacks"},
		{name: "row the kit no longer needs", change: func(_, _, _ map[string]string, imp map[string]bool) { delete(imp, "google.golang.org/grpc") }, wantErr: "which the kit does not import"},
		{name: "extra go get", change: func(_, get, _ map[string]string, _ map[string]bool) { get["go.uber.org/goleak"] = "v1.3.0" }, wantErr: "the go get line has go.uber.org/goleak"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			table, get, mod, imp := base()
			tc.change(table, get, mod, imp)
			errs := checkPins(table, get, mod, imp)
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, e.Error())
			}
			sort.Strings(msgs)
			all := strings.Join(msgs, "\n")
			switch {
			case tc.wantErr == "" && len(errs) > 0:
				t.Errorf("rejected: %s", all)
			case tc.wantErr != "" && !strings.Contains(all, tc.wantErr):
				t.Errorf("errors %q, want one containing %q", all, tc.wantErr)
			}
		})
	}
}
