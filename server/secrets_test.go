package server

import (
	"context"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestSecretsNeverRecorded plants secrets in every field that can hold one
// (PullImage auth, container env values, annotations, mounts, args, exec
// commands), drives the calls through a real server with debug logging on,
// on success and on failure, and checks that no span attribute, event,
// status or log line holds any of them, while the allow-listed names are
// there.
func TestSecretsNeverRecorded(t *testing.T) {
	secrets := []string{
		"planted-username", "planted-password", "planted-auth", "planted-identity-token",
		"planted-registry-token", "planted-env-value", "planted-annotation", "planted-mount",
		"planted-arg", "planted-exec-cmd", "planted-label",
	}
	auth := &runtimeapi.AuthConfig{
		Username: "planted-username", Password: "planted-password", Auth: "planted-auth",
		IdentityToken: "planted-identity-token", RegistryToken: "planted-registry-token",
		ServerAddress: "registry.example",
	}
	pod := validPodConfig()
	pod.Annotations = map[string]string{"note": "planted-annotation"}
	pod.Labels = map[string]string{"team": "planted-label"}
	ctr := validContainerConfig()
	ctr.Envs = []*runtimeapi.KeyValue{{Key: "API_KEY", Value: []byte("planted-env-value")}}
	ctr.Annotations = map[string]string{"note": "planted-annotation"}
	ctr.Mounts = []*runtimeapi.Mount{{ContainerPath: "/run/secret", HostPath: "/planted-mount"}}
	ctr.Args = []string{"--token=planted-arg"}

	calls := func(ctx context.Context, h *harness) {
		_, _ = h.img.PullImage(ctx, &runtimeapi.PullImageRequest{
			Image: &runtimeapi.ImageSpec{Image: "registry.example/app:1"}, Auth: auth, SandboxConfig: pod,
		})
		_, _ = h.rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: pod})
		_, _ = h.rt.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{
			PodSandboxId: "sb-1", Config: ctr, SandboxConfig: pod,
		})
		_, _ = h.rt.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: "ctr-1", Cmd: []string{"planted-exec-cmd"}})
		_, _ = h.rt.Exec(ctx, &runtimeapi.ExecRequest{ContainerId: "ctr-1", Cmd: []string{"planted-exec-cmd"}, Stdout: true})
	}
	cases := []struct {
		name    string
		backend *fakeBackend
	}{
		{"backend succeeds", &fakeBackend{}},
		{"backend fails", &fakeBackend{fail: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.backend)
			calls(t.Context(), h)
			pull := h.serverSpans(t, imageService+"/PullImage", 1)[0]
			h.serverSpans(t, runtimeService+"/CreateContainer", 1)
			h.serverSpans(t, runtimeService+"/Exec", 1)

			if got := attrs(pull)[AttrContainerImageName]; got != "registry.example/app:1" {
				t.Fatalf("PullImage span lacks the image name: %q", got)
			}
			logs := h.logs.String()
			if !strings.Contains(logs, "registry.example/app:1") || !strings.Contains(logs, "/CreateContainer") {
				t.Fatalf("debug log lacks the calls:\n%s", logs)
			}
			recorded := spanText(h.rec.Ended())
			for _, secret := range secrets {
				if strings.Contains(recorded, secret) {
					t.Errorf("secret %q recorded in a span:\n%s", secret, recorded)
				}
				if strings.Contains(logs, secret) {
					t.Errorf("secret %q written to the log:\n%s", secret, logs)
				}
			}
		})
	}
}

// spanText renders everything a span carries that an exporter would send.
func spanText(spans []sdktrace.ReadOnlySpan) string {
	var b strings.Builder
	for _, s := range spans {
		b.WriteString(s.Name() + " " + s.Status().Description + "\n")
		for _, kv := range s.Attributes() {
			b.WriteString(string(kv.Key) + "=" + kv.Value.Emit() + "\n")
		}
		for _, ev := range s.Events() {
			b.WriteString("event " + ev.Name + "\n")
			for _, kv := range ev.Attributes {
				b.WriteString(string(kv.Key) + "=" + kv.Value.Emit() + "\n")
			}
		}
		for _, l := range s.Links() {
			for _, kv := range l.Attributes {
				b.WriteString(string(kv.Key) + "=" + kv.Value.Emit() + "\n")
			}
		}
	}
	return b.String()
}
