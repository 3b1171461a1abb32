package tracing

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// TestResourceInstanceID checks service.instance.id: a fresh version 4 UUID
// per provider unless WithServiceInstanceID sets it.
func TestResourceInstanceID(t *testing.T) {
	instanceID := func(opts ...Option) string {
		t.Helper()
		res, err := newResource(t.Context(), "crio-trace", newOptions(opts))
		if err != nil {
			t.Fatalf("newResource: %v", err)
		}
		v, ok := res.Set().Value(semconv.ServiceInstanceIDKey)
		if !ok {
			t.Fatalf("resource %v has no %s", res, semconv.ServiceInstanceIDKey)
		}
		return v.AsString()
	}
	a, b := instanceID(), instanceID()
	for _, id := range []string{a, b} {
		u, err := uuid.Parse(id)
		if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 {
			t.Errorf("service.instance.id %q is not a version 4 UUID (parse error %v)", id, err)
		}
	}
	if a == b {
		t.Errorf("two providers share service.instance.id %q", a)
	}
	if got := instanceID(WithServiceInstanceID("node-1")); got != "node-1" {
		t.Errorf("with WithServiceInstanceID(node-1): service.instance.id = %q", got)
	}
}

// TestUnnamedComponent: a component that sets no service name gets the
// specification's default, unknown_service:<executable>, never crio-trace's.
func TestUnnamedComponent(t *testing.T) {
	res, err := newResource(t.Context(), "", newOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := "unknown_service:" + filepath.Base(os.Args[0])
	if got, _ := res.Set().Value(semconv.ServiceNameKey); got.AsString() != want {
		t.Fatalf("service.name %q, want %q", got.AsString(), want)
	}
}
