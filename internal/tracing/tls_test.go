package tracing

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// TestExportOverTLS exports to real receivers speaking plaintext, TLS and
// mutual TLS,
// over OTLP/gRPC and OTLP/HTTP, with certificates the test makes. A good
// setup is active and delivers spans; a wrong CA, an expired server
// certificate or a missing client certificate leave the component detached
// with exactly one line naming the endpoint and the reason, and its RPCs
// unaffected.
func TestExportOverTLS(t *testing.T) {
	pki := newTestPKI(t)
	other := newTestPKI(t) // a CA the collector's certificate is not from
	clients := newTestPKI(t)
	clientCert, clientKey := clients.clientFiles(t)

	for _, proto := range []string{ProtocolGRPC, ProtocolHTTP} {
		for _, tc := range []struct {
			name       string
			server     *tls.Config
			caFile     string
			clientCert bool
			wantReason string // empty: the collector must be reached
		}{
			{name: "plaintext"},
			{name: "tls", server: pki.serverTLS(t, time.Hour, nil), caFile: pki.CAFile},
			{name: "mutual tls", server: pki.serverTLS(t, time.Hour, clients), caFile: pki.CAFile, clientCert: true},
			{name: "wrong ca", server: pki.serverTLS(t, time.Hour, nil), caFile: other.CAFile, wantReason: "certificate signed by unknown authority"},
			{name: "expired certificate", server: pki.serverTLS(t, -time.Hour, nil), caFile: pki.CAFile, wantReason: "expired"},
			{name: "missing client certificate", server: pki.serverTLS(t, time.Hour, clients), caFile: pki.CAFile, wantReason: "requires a client certificate"},
		} {
			t.Run(proto+"/"+tc.name, func(t *testing.T) {
				r, err := otlpreceiver.StartWith("127.0.0.1:0", otlpreceiver.Options{TLS: tc.server, HTTP: proto == ProtocolHTTP})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(r.Stop)
				cfg := testConfig(r.Addr())
				cfg.Protocol = proto
				if tc.server != nil {
					cfg.TLS, cfg.TLSCAFile = true, tc.caFile
				}
				if tc.clientCert {
					cfg.TLSCertFile, cfg.TLSKeyFile = clientCert, clientKey
				}
				logger, logs := newLogger()
				s := startStack(t, cfg, logger)
				if tc.wantReason == "" {
					if st := s.p.State(); st != StateActive {
						t.Fatalf("state %v, want active:\n%s", st, logs)
					}
					waitSpans(t, r, s, 3)
					return
				}
				s.call(t, 20) // RPCs are unaffected
				if st := s.p.State(); st != StateDetached {
					t.Fatalf("state %v, want detached:\n%s", st, logs)
				}
				warn := lines(logs, "level=WARN")
				if len(warn) != 1 {
					t.Fatalf("%d warning lines, want exactly 1:\n%s", len(warn), logs)
				}
				if !strings.Contains(warn[0], r.Addr()) || !strings.Contains(warn[0], tc.wantReason) {
					t.Fatalf("the line does not name the endpoint %s and the reason %q:\n%s", r.Addr(), tc.wantReason, warn[0])
				}
				if n := len(otlpreceiver.ByName(r.Spans(), checkSpan)); n != 0 {
					t.Fatalf("receiver holds %d spans through a TLS setup that must fail", n)
				}
			})
		}
	}
}

// lines returns the log lines that contain sub.
func lines(b *logBuffer, sub string) []string {
	var out []string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return out
}
