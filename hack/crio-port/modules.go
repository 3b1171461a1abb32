package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// pinModules adds what the kit needs and CRI-O does not require yet — the
// OTLP/HTTP exporter — at CRI-O's own OpenTelemetry version, so nothing
// CRI-O already depends on moves. (The kit builds against CRI-O v1.34's
// otel v1.35 as well as crio-trace's v1.47.) go mod tidy then settles
// go.mod and go.sum.
func (p *port) pinModules() error {
	b, err := os.ReadFile(filepath.Join(p.tree, "go.mod"))
	if err != nil {
		return err
	}
	m := regexp.MustCompile(`(?m)^\s*go\.opentelemetry\.io/otel (v\S+)`).FindSubmatch(b)
	if m == nil {
		return fmt.Errorf("go.mod: anchor %q not found: CRI-O no longer requires OpenTelemetry directly; update hack/crio-port/modules.go", "go.opentelemetry.io/otel vX")
	}
	otelVersion := string(m[1])
	if _, err := goCmd(p.tree, "get", "go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp@"+otelVersion); err != nil {
		return err
	}
	_, err = goCmd(p.tree, "mod", "tidy")
	return err
}
