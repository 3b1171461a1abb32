package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fixture is a module with this module's path, so that its test/ package
// counts as end-to-end: one package under test/ whose test skips, one
// elsewhere whose test skips, and optionally one that fails.
func fixture(t *testing.T, failing bool) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module " + modulePath + "\n\ngo 1.26\n",
		"test/fakee2e/e2e_test.go": `package fakee2e

import "testing"

func TestOK(t *testing.T) {}

func TestNeedsRoot(t *testing.T) {
	t.Log("setting up")
	t.Skip("SKIPPING TestNeedsRoot: not root")
}
`,
		"internal/fakeunit/unit_test.go": `package fakeunit

import "testing"

func TestNoBrowser(t *testing.T) { t.Skip("no browser here") }
`,
	}
	if failing {
		files["internal/fakefail/fail_test.go"] = `package fakefail

import "testing"

func TestBroken(t *testing.T) { t.Error("it broke") }
`
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// goTestJSON runs the real go test -json in dir and returns its output.
func goTestJSON(t *testing.T, dir string) []byte {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", "test", "-json", "-count=1", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	out, _ := cmd.Output() // a failing test makes go exit 1: the stream says so
	if len(out) == 0 {
		t.Fatal("go test -json printed nothing")
	}
	return out
}

// TestThroughRealGoTest pipes real go test -json output through run and
// summary, as make does.
func TestThroughRealGoTest(t *testing.T) {
	events := goTestJSON(t, fixture(t, false))
	saved := filepath.Join(t.TempDir(), "out", "unit.json")

	var out, errOut bytes.Buffer
	if code := realMain([]string{"run", "-o", saved}, bytes.NewReader(events), &out, &errOut); code != 0 {
		t.Fatalf("run exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"ok  \t" + modulePath + "/test/fakee2e", "ok  \t" + modulePath + "/internal/fakeunit",
		`skipreport: 2 test(s) skipped in run "unit"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("run output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "setting up") {
		t.Errorf("run printed a passing package's log, which go test hides:\n%s", out.String())
	}
	if b, err := os.ReadFile(saved); err != nil || !bytes.Equal(b, events) {
		t.Errorf("the saved file is not the stream as read (err %v)", err)
	}

	out.Reset()
	if code := realMain([]string{"run", "-strict", "-o", filepath.Join(t.TempDir(), "e2e.json")}, bytes.NewReader(events), &out, &errOut); code != 1 {
		t.Errorf("run -strict exit %d, want 1: an end-to-end test skipped\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "!!!   test/fakee2e TestNeedsRoot: SKIPPING TestNeedsRoot: not root") {
		t.Errorf("run -strict does not name the skipped end-to-end test:\n%s", out.String())
	}

	out.Reset()
	if code := realMain([]string{"summary", saved}, nil, &out, &errOut); code != 0 {
		t.Fatalf("summary exit %d, want 0\n%s", code, errOut.String())
	}
	for _, want := range []string{
		"2 skipped and never ran",
		"  internal/fakeunit\n    TestNoBrowser\n      why: no browser here\n      (unit_test.go:5; skipped in unit)",
		"  test/fakee2e  [end-to-end]\n    TestNeedsRoot\n      why: SKIPPING <test>: not root\n      (e2e_test.go:9; skipped in unit)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := realMain([]string{"summary", "-strict", saved}, nil, &out, &errOut); code != 1 {
		t.Errorf("summary -strict exit %d, want 1", code)
	}
}

func TestRunFailsOnAFailingTest(t *testing.T) {
	events := goTestJSON(t, fixture(t, true))
	var out, errOut bytes.Buffer
	if code := realMain([]string{"run", "-o", filepath.Join(t.TempDir(), "unit.json")}, bytes.NewReader(events), &out, &errOut); code != 1 {
		t.Fatalf("run exit %d, want 1\n%s", code, out.String())
	}
	for _, want := range []string{"fail_test.go:5: it broke", "--- FAIL: TestBroken", "FAIL\t" + modulePath + "/internal/fakefail"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{name: "no command", args: nil, want: 2},
		{name: "unknown command", args: []string{"list"}, want: 2},
		{name: "run without -o", args: []string{"run"}, want: 2},
		{name: "summary without files", args: []string{"summary"}, want: 2},
		{name: "summary of a missing file", args: []string{"summary", filepath.Join(t.TempDir(), "none.json")}, want: 1},
		{name: "help", args: []string{"help"}, want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := realMain(tc.args, strings.NewReader(""), &out, &errOut); code != tc.want {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.want, out.String(), errOut.String())
			}
		})
	}
}
