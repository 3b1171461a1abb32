package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// asMainEnv makes the test binary run main instead of the tests, so
// TestWrapperExecsRunc can run the wrapper as a program.
const asMainEnv = "RUNC_OOM_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func TestSpecFile(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want spec
		ok   bool
	}{
		{name: "create with bundle flag", args: []string{"--root", "/r", "--log", "/l", "--log-format", "json", "create", "--bundle", "/b", "--pid-file", "/p", "id"}, want: spec{path: "/b/config.json", inProcess: true}, ok: true},
		{name: "create with short bundle flag", args: []string{"create", "-b", "/b", "id"}, want: spec{path: "/b/config.json", inProcess: true}, ok: true},
		{name: "create with bundle=value", args: []string{"--systemd-cgroup", "create", "--bundle=/b", "id"}, want: spec{path: "/b/config.json", inProcess: true}, ok: true},
		{name: "run without bundle uses the working directory", args: []string{"run", "id"}, want: spec{path: "config.json", inProcess: true}, ok: true},
		{name: "exec with process file", args: []string{"--root", "/r", "exec", "--process", "/tmp/p.json", "--detach", "id"}, want: spec{path: "/tmp/p.json"}, ok: true},
		{name: "exec with short process flag", args: []string{"exec", "-p", "/tmp/p.json", "id"}, want: spec{path: "/tmp/p.json"}, ok: true},
		{name: "exec with a command line applies nothing", args: []string{"exec", "id", "ls"}},
		{name: "state applies nothing", args: []string{"--root", "/r", "state", "id"}},
		{name: "root value named like a command", args: []string{"--root", "create", "state", "id"}},
		{name: "no command", args: []string{"--version"}},
		{name: "flag after -- is not read", args: []string{"create", "--", "--bundle", "/b"}, want: spec{path: "config.json", inProcess: true}, ok: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := specFile(tc.args)
			if ok != tc.ok || got != tc.want {
				t.Fatalf("specFile(%q) = %+v, %v; want %+v, %v", tc.args, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestRaiseOOMScoreAdj(t *testing.T) {
	tests := []struct {
		name      string
		inProcess bool
		in        string
		want      string // the value at oomScoreAdj after the call; "" for absent
		rewritten bool
	}{
		{name: "infra container below the floor", inProcess: true, in: `{"ociVersion":"1.0.2","process":{"args":["/pause"],"oomScoreAdj":-998},"root":{"path":"rootfs"}}`, want: "0", rewritten: true},
		{name: "value above the floor is kept", inProcess: true, in: `{"process":{"oomScoreAdj":1000}}`, want: "1000"},
		{name: "value equal to the floor is kept", inProcess: true, in: `{"process":{"oomScoreAdj":0}}`, want: "0"},
		{name: "absent value stays absent", inProcess: true, in: `{"process":{"args":["sh"]}}`, want: ""},
		{name: "exec process file", in: `{"args":["ls"],"oomScoreAdj":-997}`, want: "0", rewritten: true},
		{name: "top-level value of a bundle is not read", inProcess: true, in: `{"oomScoreAdj":-5,"process":{}}`, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "spec.json")
			if err := os.WriteFile(p, []byte(tc.in), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := raiseOOMScoreAdj(spec{path: p, inProcess: tc.inProcess}, 0); err != nil {
				t.Fatalf("raiseOOMScoreAdj: %v", err)
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(data) != tc.in; got != tc.rewritten {
				t.Fatalf("file rewritten = %v, want %v; now %s", got, tc.rewritten, data)
			}
			if got := oomValue(t, data, tc.inProcess); got != tc.want {
				t.Fatalf("oomScoreAdj = %q, want %q in %s", got, tc.want, data)
			}
			var before, after map[string]any
			json.Unmarshal([]byte(tc.in), &before)
			json.Unmarshal(data, &after)
			if len(before) != len(after) {
				t.Fatalf("top-level fields changed: %v -> %v", before, after)
			}
		})
	}
}

func TestRaiseOOMScoreAdjErrors(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{name: "not JSON", in: `{`, wantErr: "parsing"},
		{name: "value not a number", in: `{"process":{"oomScoreAdj":"low"}}`, wantErr: "process.oomScoreAdj"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "config.json")
			if err := os.WriteFile(p, []byte(tc.in), 0o644); err != nil {
				t.Fatal(err)
			}
			err := raiseOOMScoreAdj(spec{path: p, inProcess: true}, 0)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
	if err := raiseOOMScoreAdj(spec{path: filepath.Join(t.TempDir(), "missing.json")}, 0); err == nil {
		t.Fatal("missing file: no error")
	}
}

// TestWrapperExecsRunc runs the wrapper as a program in front of a stand-in
// runc that prints its arguments and the bundle's config.json: the value is
// raised to the wrapper's own oom_score_adj and the arguments pass unchanged.
func TestWrapperExecsRunc(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle")
	if err := os.Mkdir(bundle, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), []byte(`{"process":{"oomScoreAdj":-998}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fake := filepath.Join(dir, "runc")
	script := "#!/bin/sh\necho \"args: $*\"\ncat \"$3\"/config.json\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	own, err := ownOOMScoreAdj()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "create", "--bundle", bundle, "ctr-1")
	cmd.Env = append(os.Environ(), asMainEnv+"=1", realRuncEnv+"="+fake)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("wrapper: %v\n%s", err, out)
	}
	if want := "args: create --bundle " + bundle + " ctr-1\n"; !strings.HasPrefix(string(out), want) {
		t.Fatalf("runc got %q, want it to start with %q", out, want)
	}
	if want := `"oomScoreAdj":` + itoa(own); !strings.Contains(string(out), want) {
		t.Fatalf("config.json seen by runc: %s; want it to contain %s", out, want)
	}

	cmd = exec.Command(os.Args[0], "state", "x")
	cmd.Env = append(os.Environ(), asMainEnv+"=1", realRuncEnv+"=runc")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), realRuncEnv) {
		t.Fatalf("relative %s: err %v, output %q; want an error naming it", realRuncEnv, err, out)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// oomValue returns the oomScoreAdj in data as JSON text, "" when absent.
func oomValue(t *testing.T, data []byte, inProcess bool) string {
	t.Helper()
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		t.Fatalf("parsing %s: %v", data, err)
	}
	if inProcess {
		var proc map[string]json.RawMessage
		if err := json.Unmarshal(obj["process"], &proc); err != nil {
			t.Fatalf("parsing process of %s: %v", data, err)
		}
		obj = proc
	}
	return string(obj["oomScoreAdj"])
}
