package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSnake(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"CreateContainer", "create_container"},
		{"removeContainerInPod", "remove_container_in_pod"},
		{"getPodSandboxIDs", "get_pod_sandbox_ids"},
		{"CRIImageStatus", "cri_image_status"},
		{"runPodSandbox", "run_pod_sandbox"},
		{"Start", "start"},
	} {
		if got := snake(tc.in); got != tc.want {
			t.Errorf("snake(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// fakeTree writes files into a temporary tree and returns a port on it.
func fakeTree(t *testing.T, files map[string]string) *port {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &port{tree: dir}
}

// TestAnchorThatMovedFailsNamingFileAndAnchor: when CRI-O's code no longer
// has what an edit looks for, the port stops and says where and what.
func TestAnchorThatMovedFailsNamingFileAndAnchor(t *testing.T) {
	p := fakeTree(t, map[string]string{"pkg/config/reload.go": `package config

import "context"

type Config struct{}

func (c *Config) Reload(ctx context.Context) error {
	return nil // ReloadRuntimes is gone
}
`})
	f, err := p.open("pkg/config/reload.go")
	if err != nil {
		t.Fatal(err)
	}
	err = editReload(f)
	if err == nil {
		t.Fatal("editReload succeeded on a file without its anchor")
	}
	for _, want := range []string{"pkg/config/reload.go", "c.ReloadRuntimes", "matched 0 times", "hack/crio-port/edits.go"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestEditReload checks a whole edit on a file shaped like CRI-O's: the
// statement lands after its anchor and the file is gofmt'ed.
func TestEditReload(t *testing.T) {
	p := fakeTree(t, map[string]string{"pkg/config/reload.go": `package config

import "context"

type Config struct{}

func (c *Config) ReloadRuntimes(*Config) error { return nil }

func (c *Config) Reload(ctx context.Context) error {
	newConfig := &Config{}
	if err := c.ReloadRuntimes(newConfig); err != nil {
		return err
	}
	return nil
}
`})
	f, err := p.open("pkg/config/reload.go")
	if err != nil {
		t.Fatal(err)
	}
	if err := editReload(f); err != nil {
		t.Fatal(err)
	}
	if err := f.save(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(p.tree, "pkg/config/reload.go"))
	got := string(b)
	runtimes := strings.Index(got, "c.ReloadRuntimes(newConfig)")
	tracing := strings.Index(got, "c.ReloadTracing(ctx, newConfig)")
	if runtimes < 0 || tracing < runtimes {
		t.Fatalf("ReloadTracing not inserted after ReloadRuntimes:\n%s", got)
	}
}

// TestFixImports: added imports go to their group, and only imports listed
// as possibly unused are dropped — go-units's package is units, which a
// name guessed from its path would miss.
func TestFixImports(t *testing.T) {
	src := `package x

import (
	"context"
	"runtime"

	units "github.com/docker/go-units"
	"github.com/google/uuid"

	"github.com/cri-o/cri-o/internal/log"
)

var _ = context.Background
var _ = units.KiB
var _ = uuid.New
var _ = log.Debugf
`
	out, err := fixImports("x.go", []byte(src), []string{"go.opentelemetry.io/otel/trace", "github.com/cri-o/cri-o/internal/tracing", "os"}, []string{"runtime"})
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, want := range []string{
		"\"context\"\n\t\"os\"\n",
		"\"github.com/google/uuid\"\n\t\"go.opentelemetry.io/otel/trace\"\n",
		"\"github.com/cri-o/cri-o/internal/log\"\n\t\"github.com/cri-o/cri-o/internal/tracing\"\n",
		`units "github.com/docker/go-units"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("result lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, `"runtime"`) {
		t.Errorf("unused runtime import kept:\n%s", got)
	}
}

// TestRenameSpans names an inner span after its package and function, and
// lends a CRI handler the RPC's span.
func TestRenameSpans(t *testing.T) {
	p := fakeTree(t, map[string]string{
		"server/container_start.go": `package server

func (s *Server) StartContainer(ctx context.Context) {
	ctx, span := log.StartSpan(ctx)
	defer span.End()
	s.startInPod(ctx)
}

func (s *Server) startInPod(ctx context.Context) {
	_, span := log.StartSpan(ctx)
	defer span.End()
}
`,
		"server/sandbox_run_linux.go": `package server

func (s *Server) runPodSandbox(ctx context.Context) {
	ctx, span := log.StartSpan(ctx)
	defer span.End()
}
`,
		"internal/oci/runtime_oci.go": `package oci

func (r *runtimeOCI) CreateContainer(ctx context.Context) {
	_, span := log.StartSpan(ctx)
	defer span.End()
}
`,
	})
	if err := p.renameSpans(); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(p.tree, name))
		return string(b)
	}
	if s := read("server/container_start.go"); !strings.Contains(s, "ctx, span := log.RPCSpan(ctx)") ||
		!strings.Contains(s, `log.StartSpan(ctx, "crio.server.start_in_pod")`) {
		t.Errorf("server file:\n%s", s)
	}
	if s := read("server/sandbox_run_linux.go"); !strings.Contains(s, "ctx, span := log.RPCSpan(ctx)") {
		t.Errorf("the handler's twin runPodSandbox does not lend the RPC's span:\n%s", s)
	}
	if s := read("internal/oci/runtime_oci.go"); !strings.Contains(s, `log.StartSpan(ctx, "crio.oci.create_container")`) {
		t.Errorf("oci file:\n%s", s)
	}
	if len(p.spans) != 2 {
		t.Errorf("named %d spans, want 2: %v", len(p.spans), p.spans)
	}
}
