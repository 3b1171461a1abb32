package enhancements

import (
	"strings"
	"testing"
)

// Headings the conventions tables sit under.
const (
	crioSpanHeading    = "##### Span names"
	crioAttrHeading    = "##### Attribute keys"
	kvstoreSpanHeading = "###### kvstore's span names"
	kvstoreAttrHeading = "###### kvstore's attribute keys"
)

// TestGuidelineTables checks crio-trace's span and attribute tables row by
// row against what two traced daemons emit through a pod's life (see
// emittedTelemetry), both ways: no row names what is not emitted, with
// that kind and from that file, and nothing emitted lacks a row.
func TestGuidelineTables(t *testing.T) {
	checkTables(t, crioEmitted(t), crioSpanHeading, crioAttrHeading)
}

// TestPortingTables does the same for the porting path's tables, against
// what the kvstore example emits across its two hops, and checks every
// kvstore.* name the guideline mentions anywhere against the same run.
func TestPortingTables(t *testing.T) {
	e := kvstoreTelemetry(t)
	checkTables(t, e, kvstoreSpanHeading, kvstoreAttrHeading)
	// [kvstore.tracing] is the example's configuration table, with the
	// keys of [crio.tracing]: configuration, not telemetry.
	tables := map[string]map[string]bool{"kvstore.tracing": parseTemplate(crioTraceConfig(t))["crio.tracing"]}
	var refs []nameRef
	for _, r := range telemetryRefs(guideline, readGuideline(t), map[string]bool{"kvstore": true}, tables) {
		if strings.HasPrefix(r.Name, "kvstore.") { // the RPC names of CRI are crio-trace's
			refs = append(refs, r)
		}
	}
	if len(refs) < 5 {
		t.Fatalf("found %d kvstore.* names in the guideline: is the checker still reading it?", len(refs))
	}
	for _, err := range checkNames(refs, e) {
		t.Error(err)
	}
}

func checkTables(t *testing.T, e emitted, spanHeading, attrHeading string) {
	t.Helper()
	md := readGuideline(t)
	spans, err := tableAfter(md, spanHeading)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range checkSpanTable(spanHeading, spans, e, root) {
		t.Error(err)
	}
	attrs, err := tableAfter(md, attrHeading)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range checkAttributeTable(attrHeading, attrs, e) {
		t.Error(err)
	}
	if t.Failed() {
		t.Logf("emitted spans: %v\nemitted span and event attributes: %v", sortedKeys(e.Kinds), sorted(e.SpanAttributes))
	}
}
