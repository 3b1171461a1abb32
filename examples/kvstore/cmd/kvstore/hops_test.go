package main

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/crio-trace/crio-trace/examples/kvstore/kvpb"
	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// Service names of the two hops, to tell their spans apart.
const (
	frontService = "kvstore-front"
	backService  = "kvstore-back"
)

// storeScope is the instrumentation scope of the store's inner spans:
// kvstore's own package, not the kit's.
const storeScope = "github.com/crio-trace/crio-trace/examples/kvstore/store"

// TestTwoHops runs a front kvstore that calls a back kvstore, both
// exporting to a real OTLP receiver, and checks one Put's trace link by
// link: the caller's CLIENT span → front SERVER → front CLIENT → back SERVER
// → the store's INTERNAL span, one trace, each span the child of the one
// before. It also checks what is recorded: the key, the version, never the
// value; a NotFound that is not painted as a failure; an invalid key that
// goes no further than the front.
func TestTwoHops(t *testing.T) {
	recv := startReceiver(t, "127.0.0.1:0")
	dir := socketDir(t)
	back := startKV(t, kvstoreBin, dir, "back", "--config", writeConfig(t, dir, "back", true, recv.Addr(), backService), "--log-level", "debug")
	front := startKV(t, kvstoreBin, dir, "front", "--upstream", "unix://"+back.sock,
		"--config", writeConfig(t, dir, "front", true, recv.Addr(), frontService), "--log-level", "debug")
	c := newCaller(t, front.sock)

	const secret = "s3cr3t-value-never-recorded"
	traceID, callerSpan := c.mustPut(t, "colour", []byte(secret))
	spans := waitTrace(t, recv, traceID, 4)

	frontServer := one(t, spans, frontService, "SERVER", spanPut)
	frontClient := one(t, spans, frontService, "CLIENT", spanPut)
	backServer := one(t, spans, backService, "SERVER", spanPut)
	write := one(t, spans, backService, "INTERNAL", "kvstore.store.write")
	for _, link := range []struct {
		name          string
		child, parent string
	}{
		{"front SERVER under the caller's CLIENT", frontServer.ParentSpanID, callerSpan},
		{"front CLIENT under front SERVER", frontClient.ParentSpanID, frontServer.SpanID},
		{"back SERVER under front CLIENT (second hop)", backServer.ParentSpanID, frontClient.SpanID},
		{"store span under back SERVER", write.ParentSpanID, backServer.SpanID},
	} {
		if link.child != link.parent || link.parent == "" {
			t.Errorf("%s: parent %q, want %q", link.name, link.child, link.parent)
		}
	}
	if write.Scope != storeScope {
		t.Errorf("store span scope %q, want %q", write.Scope, storeScope)
	}
	for _, s := range []otlpreceiver.Span{frontServer, backServer} {
		if s.Attributes["kvstore.key"] != "colour" || s.Attributes["kvstore.version"] != "1" {
			t.Errorf("%s %s attributes %v, want kvstore.key=colour and kvstore.version=1", s.Service, s.Name, s.Attributes)
		}
	}

	// A miss is an answer: NotFound is on the span, which is not an error.
	traceID, _, err := c.traced(t, func(ctx context.Context) error {
		_, err := c.kv.Get(ctx, &kvpb.GetRequest{Key: "absent"})
		return err
	})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("Get absent: %v, want NotFound", err)
	}
	spans = waitTrace(t, recv, traceID, 4)
	for _, s := range []otlpreceiver.Span{one(t, spans, frontService, "SERVER", spanGet), one(t, spans, backService, "SERVER", spanGet)} {
		if s.StatusCode != otlpreceiver.StatusUnset || s.Attributes["rpc.grpc.status_code"] != "5" {
			t.Errorf("%s Get absent: status %s, rpc.grpc.status_code %q; want UNSET and 5", s.Service, s.StatusCode, s.Attributes["rpc.grpc.status_code"])
		}
	}
	if read := one(t, spans, backService, "INTERNAL", "kvstore.store.read"); read.StatusCode != otlpreceiver.StatusUnset {
		t.Errorf("store read of an absent key: status %s, want UNSET", read.StatusCode)
	}

	// An invalid key is refused at the front, which calls nobody.
	traceID, _, err = c.put(t, "", []byte("x"))
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "key:") {
		t.Fatalf("Put with an empty key: %v, want InvalidArgument naming key", err)
	}

	front.stop(t)
	back.stop(t)
	// Both flushed on the way out: what the receiver holds now is all.
	all := recv.Spans()
	bad := otlpreceiver.Trace(all, traceID)
	if len(bad) != 1 || bad[0].Service != frontService || bad[0].Kind != "SERVER" {
		t.Errorf("invalid Put: spans %v, want only the front's SERVER span", names(bad))
	}
	for _, s := range all {
		for k, v := range s.Attributes {
			if strings.Contains(v, secret) {
				t.Errorf("span %s attribute %s holds the value", s.Name, k)
			}
		}
		for _, e := range s.Events {
			for k, v := range e.Attributes {
				if strings.Contains(v, secret) {
					t.Errorf("span %s event %s attribute %s holds the value", s.Name, e.Name, k)
				}
			}
		}
	}
	for _, p := range []*proc{front, back} {
		log := p.stderr.String()
		if strings.Contains(log, secret) {
			t.Errorf("the value reached the debug log:\n%s", log)
		}
		if !strings.Contains(log, "kvstore.key=colour") || !strings.Contains(log, "trace_id="+traceIDOf(all, "colour")) {
			t.Errorf("the debug log lacks the call's record with its key and trace_id:\n%s", log)
		}
	}
}

// traceIDOf returns the trace id of the first span recording key.
func traceIDOf(spans []otlpreceiver.Span, key string) string {
	for _, s := range spans {
		if s.Attributes["kvstore.key"] == key {
			return s.TraceID
		}
	}
	return "none"
}
