package tracing

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// checkCollector reports whether the collector answers OTLP: it sends an
// empty Export, over the target's protocol, TLS and headers, and waits at
// most t.checkTimeout() for a success. A nil error means the collector
// answered; otherwise the error says why not, in words for the one log
// line (refused, TLS verification, no answer in time, the collector's own
// status).
//
// A TCP connect would not do: a collector that accepts connections and never
// answers (overloaded, stopped behind a proxy, a middlebox that drops) would
// pass it, and every export would then fail after the export timeout,
// cycling between attached and detached. An empty Export carries no span, so
// a collector that answers it stores nothing.
//
// Guideline step 9: collector detection (enhancements/distributed-tracing-with-opentelemetry.md).
func checkCollector(ctx context.Context, t *target) error {
	ctx, cancel := context.WithTimeout(ctx, t.checkTimeout())
	defer cancel()
	tlsCfg, asked := watchClientCertRequest(t.tls)
	var err error
	if t.protocol == ProtocolHTTP {
		err = checkHTTP(ctx, t, tlsCfg)
	} else {
		err = checkGRPC(ctx, t, tlsCfg)
	}
	switch {
	case err == nil:
		return nil
	case asked.Load():
		// Under TLS 1.3 the server rejects a missing client certificate
		// after the client's handshake is done, and the client only sees
		// the connection close ("broken pipe"); say what really happened.
		return errors.New("the collector requires a client certificate (mutual TLS) and none is configured: set tracing_tls_cert_file and tracing_tls_key_file")
	case ctx.Err() == context.DeadlineExceeded:
		return fmt.Errorf("no OTLP answer within %s", t.checkTimeout())
	}
	return err
}

// watchClientCertRequest returns cfg, and when cfg has no client
// certificate, a copy that records whether the server asked for one.
func watchClientCertRequest(cfg *tls.Config) (*tls.Config, *atomic.Bool) {
	asked := new(atomic.Bool)
	if cfg == nil || len(cfg.Certificates) > 0 || cfg.GetClientCertificate != nil {
		return cfg, asked
	}
	cfg = cfg.Clone()
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
		asked.Store(true)
		return &tls.Certificate{}, nil // none: the server decides
	}
	return cfg, asked
}

func checkGRPC(ctx context.Context, t *target, tlsCfg *tls.Config) error {
	creds := insecure.NewCredentials()
	if tlsCfg != nil {
		creds = credentials.NewTLS(tlsCfg)
	}
	conn, err := grpc.NewClient(t.hostport, grpc.WithTransportCredentials(creds))
	if err != nil {
		return err
	}
	defer conn.Close()
	if len(t.headers) > 0 {
		ctx = metadata.NewOutgoingContext(ctx, metadata.New(t.headers))
	}
	_, err = collectorpb.NewTraceServiceClient(conn).Export(ctx, &collectorpb.ExportTraceServiceRequest{})
	if err == nil {
		return nil
	}
	// The status text alone reads best in a log line ("connection error:
	// desc = ... certificate signed by unknown authority").
	st := status.Convert(err)
	if st.Code() == codes.Unimplemented {
		return errors.New("the endpoint speaks gRPC but serves no OTLP trace service")
	}
	return fmt.Errorf("%s: %s", st.Code(), st.Message())
}

// emptyExport is an ExportTraceServiceRequest without spans, encoded.
var emptyExport, _ = proto.Marshal(&collectorpb.ExportTraceServiceRequest{})

func checkHTTP(ctx context.Context, t *target, tlsCfg *tls.Config) error {
	scheme, path := "http", t.path
	if tlsCfg != nil {
		scheme = "https"
	}
	if path == "" {
		path = "/v1/traces"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, scheme+"://"+t.hostport+path, bytes.NewReader(emptyExport))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	for k, v := range t.headers {
		req.Header.Set(k, v)
	}
	// A transport of its own, like the exporter's, torn down after the
	// check: a probe must leave no idle connection behind.
	tr := &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: tlsCfg, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s answered %s", path, resp.Status)
	}
	return nil
}
