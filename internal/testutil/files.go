package testutil

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// WriteJSON writes v as JSON to dir/name and returns the path: the pod and
// container configs crictl reads. It fails t on any error.
func WriteJSON(t testing.TB, dir, name string, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
