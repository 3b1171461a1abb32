package daemon_test

import (
	"strings"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// The pod and container the lifecycle tests run.
const (
	podName       = "web-7f3a"
	podNamespace  = "shop"
	podUID        = "3f0c2a4e-uid-7f3a"
	containerName = "app"
	testImage     = "docker.io/library/busybox:1.36"
)

// Secrets planted in the requests. Each is unique, so finding one anywhere
// (a span, a log line) can only mean it leaked from where it was planted.
var (
	secretUsername      = "SECRET-USERNAME-7f3a"
	secretPassword      = "SECRET-PASSWORD-7f3a"
	secretAuth          = "SECRET-AUTH-7f3a"
	secretIdentityToken = "SECRET-IDENTITY-TOKEN-7f3a"
	secretRegistryToken = "SECRET-REGISTRY-TOKEN-7f3a"
	secretEnvValue      = "SECRET-ENV-VALUE-7f3a"
	secretArg           = "SECRET-ARG-7f3a"
	secretAnnotation    = "SECRET-ANNOTATION-7f3a"
	secretExecArg       = "SECRET-EXEC-ARG-7f3a"
)

// plantedSecrets lists every planted secret, for the leak checks.
var plantedSecrets = []string{
	secretUsername, secretPassword, secretAuth, secretIdentityToken, secretRegistryToken,
	secretEnvValue, secretArg, secretAnnotation, secretExecArg,
}

// Full method names, which are also the server span names.
func runtimeRPC(method string) string { return "runtime.v1.RuntimeService/" + method }
func imageRPC(method string) string   { return "runtime.v1.ImageService/" + method }

// authConfig holds every credential field kubelet can send with a pull.
func authConfig() *runtimeapi.AuthConfig {
	return &runtimeapi.AuthConfig{
		Username:      secretUsername,
		Password:      secretPassword,
		Auth:          secretAuth,
		ServerAddress: "docker.io",
		IdentityToken: secretIdentityToken,
		RegistryToken: secretRegistryToken,
	}
}

// testPod is the sandbox config kubelet sends for the test pod; its
// annotation holds a secret.
func testPod() *runtimeapi.PodSandboxConfig {
	return &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: podName, Namespace: podNamespace, Uid: podUID},
		Labels:       map[string]string{"app": "web"},
		Annotations:  map[string]string{"example.com/api-key": secretAnnotation},
		LogDirectory: "/var/log/pods/" + podNamespace + "_" + podName + "_" + podUID,
	}
}

// testContainer is the container config kubelet sends; its environment and
// its arguments hold secrets.
func testContainer() *runtimeapi.ContainerConfig {
	return &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: containerName},
		Image:    &runtimeapi.ImageSpec{Image: testImage},
		Command:  []string{"/bin/app"},
		Args:     []string{"--token=" + secretArg},
		Envs:     []*runtimeapi.KeyValue{{Key: "API_TOKEN", Value: []byte(secretEnvValue)}},
		LogPath:  containerName + "/0.log",
	}
}

// leaks returns a description of every place in spans where one of secrets
// appears: names, attributes, resources, events, status messages.
func leaks(spans []otlpreceiver.Span, secrets []string) []string {
	var out []string
	check := func(where, s string) {
		for _, sec := range secrets {
			if strings.Contains(s, sec) {
				out = append(out, where+" holds "+sec)
			}
		}
	}
	for _, s := range spans {
		at := s.Service + " span " + s.Name
		check(at+" name", s.Name)
		check(at+" status message", s.StatusMessage)
		for k, v := range s.Attributes {
			check(at+" attribute "+k, k+"="+v)
		}
		for k, v := range s.Resource {
			check(at+" resource "+k, k+"="+v)
		}
		for _, e := range s.Events {
			check(at+" event "+e.Name, e.Name)
			for k, v := range e.Attributes {
				check(at+" event "+e.Name+" attribute "+k, k+"="+v)
			}
		}
	}
	return out
}

// spansOf returns the spans of service with kind ("SERVER", "CLIENT",
// "INTERNAL").
func spansOf(spans []otlpreceiver.Span, service, kind string) []otlpreceiver.Span {
	var out []otlpreceiver.Span
	for _, s := range spans {
		if s.Service == service && s.Kind == kind {
			out = append(out, s)
		}
	}
	return out
}

// daemonService is the daemon's default service.name.
const daemonService = "crio-trace"

// serverSpans returns the daemon's SERVER spans.
func serverSpans(spans []otlpreceiver.Span) []otlpreceiver.Span {
	return spansOf(spans, daemonService, "SERVER")
}

// spanNames returns the names of spans, in order.
func spanNames(spans []otlpreceiver.Span) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name
	}
	return out
}
