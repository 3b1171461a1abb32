package systems_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestCollectorTLS: crio-trace exports to the real collector over TLS
// ([crio.tracing] tracing_tls with the CA the test made), and the span of a
// call under a sampled parent reaches Jaeger behind the collector.
func TestCollectorTLS(t *testing.T) {
	_, st := requireSystems(t)
	b := startBackends(t, st, "")
	dir := t.TempDir()
	conf := filepath.Join(dir, "crio-trace.conf")
	body := fmt.Sprintf("[crio.tracing]\nenable_tracing = true\ntracing_endpoint = %q\ntracing_tls = true\ntracing_tls_ca_file = %q\n",
		b.CollectorOTLPTLS, b.CollectorCA)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "crio-trace.sock")
	p := start(t, "crio-trace", filepath.Join(dir, "crio-trace.log"), []string{"PATH=/usr/bin:/bin"},
		st.CrioTrace, "--listen", sock, "--config", conf, "--log-level", "info")
	endpoint := "unix://" + sock
	if err := waitFor(t.Context(), p, "crio-trace answering CRI Version", 30*time.Second, 20*time.Millisecond, func() (bool, error) {
		_, err := criVersion(t.Context(), endpoint)
		return err == nil, err
	}); err != nil {
		t.Fatal(err)
	}

	traceID := sampledVersion(t, endpoint)
	err := waitFor(t.Context(), p, "crio-trace's span in Jaeger, exported over TLS", time.Minute, 500*time.Millisecond, func() (bool, error) {
		traces, err := findTraces(t.Context(), b.JaegerQuery, svcCrioTrace, "runtime.v1.RuntimeService/Version")
		for _, tr := range traces {
			if strings.TrimLeft(tr.TraceID, "0") == strings.TrimLeft(traceID, "0") {
				return true, nil
			}
		}
		return false, err
	})
	if err != nil {
		t.Fatalf("%v\ncrio-trace log:\n%s", err, p.Tail(20))
	}
	log, _ := os.ReadFile(p.LogPath())
	if !strings.Contains(string(log), "tls=true") {
		t.Errorf("crio-trace's log does not say tracing runs with TLS:\n%s", p.Tail(20))
	}
	if strings.Contains(string(log), "level=WARN") || strings.Contains(string(log), "level=ERROR") {
		t.Errorf("crio-trace warned while exporting over TLS:\n%s", p.Tail(20))
	}
}

// sampledVersion calls Version with a sampled W3C traceparent of a new
// trace, as kubelet's client does inside a traced syncPod, and returns the
// trace id.
func sampledVersion(t *testing.T, endpoint string) string {
	t.Helper()
	var tid [16]byte
	var sid [8]byte
	rand.Read(tid[:])
	rand.Read(sid[:])
	traceID := hex.EncodeToString(tid[:])
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "traceparent", "00-"+traceID+"-"+hex.EncodeToString(sid[:])+"-01")
	if _, err := runtimeapi.NewRuntimeServiceClient(conn).Version(ctx, &runtimeapi.VersionRequest{}); err != nil {
		t.Fatalf("Version: %v", err)
	}
	return traceID
}
