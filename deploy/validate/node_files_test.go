package validate_test

import (
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
	apiserverv1 "k8s.io/apiserver/pkg/apis/apiserver/v1"
	tracingapi "k8s.io/component-base/tracing/api/v1"

	"github.com/crio-trace/crio-trace/deploy/validate"
	"github.com/crio-trace/crio-trace/internal/config"
)

func TestAPIServerTracing(t *testing.T) {
	d := docs(t, "deploy/kind/apiserver-tracing.yaml")
	if len(d) != 1 {
		t.Fatalf("%d documents, want 1", len(d))
	}
	var tc apiserverv1.TracingConfiguration
	if err := validate.Strict(d[0], &tc); err != nil {
		t.Fatal(err)
	}
	if tc.APIVersion != "apiserver.config.k8s.io/v1" || tc.Kind != "TracingConfiguration" {
		t.Errorf("apiVersion/kind %s/%s, want apiserver.config.k8s.io/v1 TracingConfiguration", tc.APIVersion, tc.Kind)
	}
	// The API server's own check of the embedded settings.
	if errs := tracingapi.ValidateTracingConfiguration(&tc.TracingConfiguration, nil, field.NewPath("tracing")); len(errs) > 0 {
		t.Errorf("the API server would reject it: %v", errs.ToAggregate())
	}
	if tc.Endpoint == nil || *tc.Endpoint != nodeLocalOTLP {
		t.Errorf("endpoint %v, want %s", tc.Endpoint, nodeLocalOTLP)
	}
}

// TestCrioTraceConfig loads the node's config file with crio-trace's own
// loader, which rejects unknown keys, and validator.
func TestCrioTraceConfig(t *testing.T) {
	noEnv := func(string) (string, bool) { return "", false }
	c, err := config.Load(filepath.Join(repoRoot, "deploy/kind/crio-trace.conf"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("crio-trace would refuse to start: %v", err)
	}
	tests := []struct {
		name, got, want string
	}{
		{"listens where kubelet dials", "unix://" + c.Crio.API.Listen, crioTraceSocket},
		{"forwards to the node's containerd", c.Crio.Runtime.RuntimeEndpoint, "unix:///run/containerd/containerd.sock"},
		{"exports to the node-local collector", c.Crio.Tracing.Endpoint, nodeLocalOTLP},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
	if !c.Crio.Tracing.Enabled {
		t.Error("enable_tracing is false; the recipe exists to show traces")
	}
}

func TestSystemdUnits(t *testing.T) {
	svc := unit(t, "deploy/kind/crio-trace.service")
	kubelet := unit(t, "deploy/kind/kubelet-crio-trace.conf")
	ctd := unit(t, "deploy/kind/containerd-tracing.conf")

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"ExecStart runs the mounted binary with the mounted config", func(t *testing.T) {
			exec, ok := svc.Get("Service", "ExecStart")
			if !ok {
				t.Fatal("no ExecStart")
			}
			argv := strings.Fields(exec)
			if argv[0] != crioTraceBinary {
				t.Errorf("ExecStart runs %q, want %q", argv[0], crioTraceBinary)
			}
			if !strings.Contains(exec, "--config "+crioTraceConfig) {
				t.Errorf("ExecStart %q does not pass --config %s", exec, crioTraceConfig)
			}
		}},
		{"starts after containerd and before kubelet", func(t *testing.T) {
			for key, want := range map[string]string{"After": "containerd.service", "Requires": "containerd.service", "Before": "kubelet.service"} {
				if got, _ := svc.Get("Unit", key); !strings.Contains(got, want) {
					t.Errorf("[Unit] %s=%q, want it to name %s", key, got, want)
				}
			}
		}},
		{"reload is SIGHUP and stop is SIGTERM", func(t *testing.T) {
			if got, _ := svc.Get("Service", "ExecReload"); !strings.Contains(got, "-HUP $MAINPID") {
				t.Errorf("ExecReload=%q, want kill -HUP $MAINPID (crio-trace re-reads [crio.tracing] on SIGHUP)", got)
			}
			if got, _ := svc.Get("Service", "KillSignal"); got != "SIGTERM" {
				t.Errorf("KillSignal=%q, want SIGTERM (crio-trace drains and flushes on it)", got)
			}
		}},
		{"runtime directory holds the socket", func(t *testing.T) {
			if got, _ := svc.Get("Service", "RuntimeDirectory"); "unix:///run/"+got+"/crio-trace.sock" != crioTraceSocket {
				t.Errorf("RuntimeDirectory=%q does not hold %s", got, crioTraceSocket)
			}
		}},
		{"kubelet drop-in wants and waits for crio-trace", func(t *testing.T) {
			for _, key := range []string{"Wants", "After"} {
				if got, _ := kubelet.Get("Unit", key); got != "crio-trace.service" {
					t.Errorf("[Unit] %s=%q, want crio-trace.service", key, got)
				}
			}
		}},
		{"containerd drop-in exports to the node-local collector", func(t *testing.T) {
			env := ctd.Environment()
			if env["OTEL_EXPORTER_OTLP_ENDPOINT"] != "http://"+nodeLocalOTLP || env["OTEL_EXPORTER_OTLP_PROTOCOL"] != "grpc" {
				t.Errorf("containerd environment %v: want OTLP gRPC to %s", env, nodeLocalOTLP)
			}
			if env["OTEL_SERVICE_NAME"] != "containerd" {
				t.Errorf("OTEL_SERVICE_NAME=%q, want containerd", env["OTEL_SERVICE_NAME"])
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}
