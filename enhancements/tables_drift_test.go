package enhancements

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTableCheckersCatchDrift runs the table checkers on small synthetic
// tables: they must accept a table that matches what is emitted, and reject
// a row nothing emits, a wrong kind, a file that does not define the span,
// and an emitted span or key without a row.
func TestTableCheckersCatchDrift(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "store"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "store", "spans.go"), []byte("package store\n\nconst SpanWrite = \"kv.store.write\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "store", "other.go"), []byte("package store\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := emitted{
		Kinds: map[string]map[string]bool{
			"kv.v1.KV/Put":   {"SERVER": true, "CLIENT": true},
			"kv.store.write": {"INTERNAL": true},
		},
		SpanAttributes: map[string]bool{"kv.key": true, "rpc.method": true},
	}
	const spanHead = "| Span | Kind | Made by | When |\n|---|---|---|---|\n"
	const attrHead = "| Key | Source | On | Set from |\n|---|---|---|---|\n"
	goodSpans := "| `kv.v1.KV/<Method>` | SERVER | otelgrpc | x |\n| `kv.v1.KV/<Method>` | CLIENT | otelgrpc | x |\n| `kv.store.write` | INTERNAL | `store/other.go` | x |\n"
	goodAttrs := "| `kv.key` | kv | x | x |\n| `rpc.method` | otelgrpc | x | x |\n"
	tests := []struct {
		name        string
		spans, attr string
		wantErr     string
	}{
		{name: "matching tables", spans: goodSpans, attr: goodAttrs},
		{name: "span nothing emits", spans: goodSpans + "| `kv.store.read` | INTERNAL | `store/spans.go` | x |\n", attr: goodAttrs, wantErr: "no INTERNAL span kv.store.read was emitted"},
		{name: "wrong kind", spans: strings.Replace(goodSpans, "| `kv.store.write` | INTERNAL", "| `kv.store.write` | SERVER", 1), attr: goodAttrs, wantErr: "no SERVER span kv.store.write was emitted"},
		{name: "made by a package that does not define it", spans: strings.Replace(goodSpans, "`store/other.go`", "`other/x.go`", 1), attr: goodAttrs, wantErr: "other/x.go"},
		{name: "emitted span without a row", spans: strings.Replace(goodSpans, "| `kv.store.write` | INTERNAL | `store/other.go` | x |\n", "", 1), attr: goodAttrs, wantErr: "span kv.store.write is emitted (INTERNAL) but has no row"},
		{name: "key nothing emits", spans: goodSpans, attr: goodAttrs + "| `kv.value` | kv | x | x |\n", wantErr: "key kv.value is never emitted"},
		{name: "emitted key without a row", spans: goodSpans, attr: "| `kv.key` | kv | x | x |\n", wantErr: "key rpc.method is emitted but has no row"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			md := "##### Spans\n\n" + spanHead + tc.spans + "\nprose\n\n##### Keys\n\n" + attrHead + tc.attr + "\n"
			var errs []error
			spans, err := tableAfter(md, "##### Spans")
			if err != nil {
				t.Fatal(err)
			}
			errs = append(errs, checkSpanTable("spans", spans, e, dir)...)
			attrs, err := tableAfter(md, "##### Keys")
			if err != nil {
				t.Fatal(err)
			}
			errs = append(errs, checkAttributeTable("keys", attrs, e)...)
			err = errors.Join(errs...)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("rejected: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("got %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
	if _, err := tableAfter("##### Spans\n\nno table\n\n##### Next\n", "##### Spans"); err == nil {
		t.Error("a heading without a table was accepted")
	}
}
