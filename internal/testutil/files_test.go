package testutil

import (
	"encoding/json"
	"os"
	"testing"
)

func TestWriteJSON(t *testing.T) {
	p := WriteJSON(t, t.TempDir(), "pod.json", map[string]any{"name": "p", "n": 2})
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil || got["name"] != "p" || got["n"] != 2.0 {
		t.Errorf("read back %s: %v (err %v)", p, got, err)
	}
}
