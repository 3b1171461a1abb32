package validate_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/crio-trace/crio-trace/deploy/validate"
)

// objects decodes every document of a manifest file strictly into its
// k8s.io/api type; a kind the recipe does not use fails the test.
func objects(t *testing.T, rel string) []any {
	t.Helper()
	var out []any
	for i, doc := range docs(t, rel) {
		m, err := validate.Meta(doc)
		if err != nil {
			t.Fatalf("%s document %d: %v", rel, i, err)
		}
		var obj any
		switch m {
		case validate.TypeMeta{APIVersion: "v1", Kind: "Namespace"}:
			obj = &corev1.Namespace{}
		case validate.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}:
			obj = &corev1.ConfigMap{}
		case validate.TypeMeta{APIVersion: "v1", Kind: "Service"}:
			obj = &corev1.Service{}
		case validate.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}:
			obj = &appsv1.Deployment{}
		case validate.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"}:
			obj = &appsv1.DaemonSet{}
		default:
			t.Fatalf("%s document %d: unexpected %s", rel, i, m)
		}
		if err := validate.Strict(doc, obj); err != nil {
			t.Fatalf("%s document %d (%s): %v", rel, i, m.Kind, err)
		}
		out = append(out, obj)
	}
	return out
}

// find returns the first object of type T.
func find[T any](t *testing.T, objs []any) T {
	t.Helper()
	for _, o := range objs {
		if v, ok := o.(T); ok {
			return v
		}
	}
	var zero T
	t.Fatalf("no %T in the manifests", zero)
	return zero
}

// collectorConfig is the part of an OpenTelemetry Collector configuration
// the recipe's checks read.
type collectorConfig struct {
	Receivers  map[string]map[string]any `json:"receivers"`
	Processors map[string]map[string]any `json:"processors"`
	Connectors map[string]map[string]any `json:"connectors"`
	Exporters  map[string]map[string]any `json:"exporters"`
	Service    struct {
		Pipelines map[string]struct {
			Receivers  []string `json:"receivers"`
			Processors []string `json:"processors"`
			Exporters  []string `json:"exporters"`
		} `json:"pipelines"`
	} `json:"service"`
}

// checkCollector checks a collector configuration as the collector would
// at start-up: every pipeline names defined components, connectors are used
// on both sides, and the pieces the recipe relies on are there.
func checkCollector(t *testing.T, cfg collectorConfig, jaegerSvc *corev1.Service) {
	t.Helper()
	defined := func(section map[string]map[string]any, id string) bool {
		_, ok := section[id]
		return ok
	}
	for name, p := range cfg.Service.Pipelines {
		for _, r := range p.Receivers {
			if !defined(cfg.Receivers, r) && !defined(cfg.Connectors, r) {
				t.Errorf("pipeline %s: receiver %q is not defined", name, r)
			}
		}
		for _, pr := range p.Processors {
			if !defined(cfg.Processors, pr) {
				t.Errorf("pipeline %s: processor %q is not defined", name, pr)
			}
		}
		for _, e := range p.Exporters {
			if !defined(cfg.Exporters, e) && !defined(cfg.Connectors, e) {
				t.Errorf("pipeline %s: exporter %q is not defined", name, e)
			}
		}
	}
	traces := cfg.Service.Pipelines["traces"]
	if !slices.Contains(traces.Receivers, "otlp") || !slices.Contains(traces.Processors, "batch") ||
		!slices.Contains(traces.Exporters, "otlp_grpc/jaeger") || !slices.Contains(traces.Exporters, "span_metrics") {
		t.Errorf("traces pipeline %+v: want otlp -> batch -> otlp_grpc/jaeger and span_metrics", traces)
	}
	if m := cfg.Service.Pipelines["metrics/span_metrics"]; !slices.Equal(m.Receivers, []string{"span_metrics"}) || !slices.Contains(m.Exporters, "prometheus") {
		t.Errorf("metrics/span_metrics pipeline %+v: want span_metrics -> prometheus", m)
	}
	protocols, _ := cfg.Receivers["otlp"]["protocols"].(map[string]any)
	grpc, _ := protocols["grpc"].(map[string]any)
	if grpc["endpoint"] != nodeLocalOTLP {
		t.Errorf("OTLP receiver listens on %v, want %s (the node-local endpoint every component exports to)", grpc["endpoint"], nodeLocalOTLP)
	}
	// The exporter must reach the Service jaeger.yaml defines.
	want := fmt.Sprintf("%s.%s.svc:", jaegerSvc.Name, jaegerSvc.Namespace)
	ep, _ := cfg.Exporters["otlp_grpc/jaeger"]["endpoint"].(string)
	port, ok := strings.CutPrefix(ep, want)
	if !ok || !slices.ContainsFunc(jaegerSvc.Spec.Ports, func(p corev1.ServicePort) bool { return fmt.Sprint(p.Port) == port }) {
		t.Errorf("otlp_grpc/jaeger endpoint %q is no port of Service %s/%s", ep, jaegerSvc.Namespace, jaegerSvc.Name)
	}
}

func TestManifests(t *testing.T) {
	jaeger := objects(t, "deploy/manifests/jaeger.yaml")
	collector := objects(t, "deploy/manifests/collector.yaml")
	svc := find[*corev1.Service](t, jaeger)
	dep := find[*appsv1.Deployment](t, jaeger)
	ns := find[*corev1.Namespace](t, jaeger)
	cm := find[*corev1.ConfigMap](t, collector)
	ds := find[*appsv1.DaemonSet](t, collector)

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"everything in the recipe's namespace", func(t *testing.T) {
			for _, got := range []string{svc.Namespace, dep.Namespace, cm.Namespace, ds.Namespace} {
				if got != ns.Name {
					t.Errorf("object in namespace %q, want %q", got, ns.Name)
				}
			}
		}},
		{"Service selects the Jaeger pods", func(t *testing.T) {
			for k, v := range svc.Spec.Selector {
				if dep.Spec.Template.Labels[k] != v {
					t.Errorf("Service selector %s=%s does not match the Deployment's pod labels %v", k, v, dep.Spec.Template.Labels)
				}
			}
		}},
		{"Service ports name container ports", func(t *testing.T) {
			var names []string
			for _, p := range dep.Spec.Template.Spec.Containers[0].Ports {
				names = append(names, p.Name)
			}
			for _, p := range svc.Spec.Ports {
				if !slices.Contains(names, p.TargetPort.String()) {
					t.Errorf("Service port %s targets %q, not a container port (%v)", p.Name, p.TargetPort.String(), names)
				}
			}
		}},
		{"collector runs on every node's network", func(t *testing.T) {
			spec := ds.Spec.Template.Spec
			if !spec.HostNetwork || spec.DNSPolicy != corev1.DNSClusterFirstWithHostNet {
				t.Errorf("DaemonSet hostNetwork=%v dnsPolicy=%q: want node network and cluster DNS", spec.HostNetwork, spec.DNSPolicy)
			}
			if len(spec.Tolerations) == 0 || spec.Tolerations[0].Operator != corev1.TolerationOpExists {
				t.Error("DaemonSet does not tolerate the control-plane taint; the API server and etcd would have no collector")
			}
			if !strings.Contains(spec.Containers[0].Image, ":0.") {
				t.Errorf("collector image %q is not pinned to a release", spec.Containers[0].Image)
			}
			if spec.Volumes[0].ConfigMap == nil || spec.Volumes[0].ConfigMap.Name != cm.Name {
				t.Errorf("DaemonSet does not mount ConfigMap %q", cm.Name)
			}
		}},
		{"collector configuration", func(t *testing.T) {
			var cfg collectorConfig
			if err := yaml.UnmarshalStrict([]byte(cm.Data["config.yaml"]), &cfg); err != nil {
				t.Fatalf("ConfigMap config.yaml: %v", err)
			}
			checkCollector(t, cfg, svc)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}
