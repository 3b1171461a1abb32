package validate_test

import (
	"encoding/json"
	"testing"

	otelv1beta1 "github.com/open-telemetry/opentelemetry-operator/apis/v1beta1"
	corev1 "k8s.io/api/core/v1"

	"github.com/crio-trace/crio-trace/deploy/validate"
)

func TestOperatorCollector(t *testing.T) {
	d := docs(t, "deploy/operator/collector.yaml")
	if len(d) != 1 {
		t.Fatalf("%d documents, want 1", len(d))
	}
	var c otelv1beta1.OpenTelemetryCollector
	if err := validate.Strict(d[0], &c); err != nil {
		t.Fatal(err)
	}
	if c.APIVersion != "opentelemetry.io/v1beta1" || c.Kind != "OpenTelemetryCollector" {
		t.Fatalf("apiVersion/kind %s/%s, want opentelemetry.io/v1beta1 OpenTelemetryCollector", c.APIVersion, c.Kind)
	}
	if c.Spec.Mode != otelv1beta1.ModeDaemonSet || !c.Spec.HostNetwork {
		t.Errorf("mode %q hostNetwork %v: want a DaemonSet on the node network", c.Spec.Mode, c.Spec.HostNetwork)
	}
	// The operator's config must be the same pipeline the plain manifests run.
	// Through a pointer: AnyConfig marshals with a pointer receiver.
	raw, err := json.Marshal(&c.Spec.Config)
	if err != nil {
		t.Fatal(err)
	}
	var cfg collectorConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("re-reading the operator's config: %v", err)
	}
	svc := find[*corev1.Service](t, objects(t, "deploy/manifests/jaeger.yaml"))
	if c.Namespace != svc.Namespace {
		t.Errorf("collector namespace %q, want %q (jaeger.yaml's)", c.Namespace, svc.Namespace)
	}
	checkCollector(t, cfg, svc)
}
