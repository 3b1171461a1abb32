package systems_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// checkSecretNowhere: no form of the pull secret (the password, the
// base64 user:password, the base64 docker config) is in any span the
// collector received or in any program's log. The pull secret travels
// kubectl → API server → etcd → kubelet → crio-trace (PullImage's
// AuthConfig) → containerd → registry; every hop traces or logs.
func (c *cluster) checkSecretNowhere(t *testing.T, w workload) {
	t.Helper()
	spans := c.tap.Spans()
	for _, s := range spans {
		if where := secretIn(s, w.secrets); where != "" {
			t.Errorf("the pull secret is in %s of span %s/%q (trace %s)", where, s.Service, s.Name, s.TraceID)
		}
	}
	logs := c.logs()
	for _, path := range logs {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("reading %s: %v", path, err)
			continue
		}
		for i, sec := range w.secrets {
			if bytes.Contains(data, []byte(sec)) {
				t.Errorf("form %d of the pull secret is in the log %s", i, path)
			}
		}
	}
	t.Logf("pull secret (%d forms) searched in %d spans and %d logs", len(w.secrets), len(spans), len(logs))
}

// secretIn names the part of s holding one of secrets, "" when none does.
func secretIn(s otlpreceiver.Span, secrets []string) string {
	has := func(v string) bool {
		for _, sec := range secrets {
			if strings.Contains(v, sec) {
				return true
			}
		}
		return false
	}
	inMap := func(m map[string]string) string {
		for k, v := range m {
			if has(k) || has(v) {
				return k
			}
		}
		return ""
	}
	if has(s.Name) || has(s.StatusMessage) {
		return "the name or status"
	}
	if k := inMap(s.Attributes); k != "" {
		return "attribute " + k
	}
	if k := inMap(s.Resource); k != "" {
		return "resource attribute " + k
	}
	for _, e := range s.Events {
		if k := inMap(e.Attributes); k != "" || has(e.Name) {
			return fmt.Sprintf("event %q", e.Name)
		}
	}
	for _, l := range s.Links {
		if k := inMap(l.Attributes); k != "" {
			return "a link's attribute " + k
		}
	}
	return ""
}
