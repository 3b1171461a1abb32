package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// remoteExportTimeout bounds one forward to --otlp-endpoint, so a collector
// that hangs cannot hold the demo's own waterfall back.
const remoteExportTimeout = 5 * time.Second

// fanout is an OTLP/gRPC trace endpoint on a loopback port that hands every
// export to two collectors: the in-process receiver the demo draws its
// waterfall from, and the collector named by --otlp-endpoint. Kubelet and
// crio-trace both export to it, so each sees one endpoint, as in a real
// node, and both their spans reach both collectors unchanged.
//
// The local receiver's answer is the one returned to the exporter; failures
// of the remote one are counted and reported, never returned, so a missing
// Jaeger does not make crio-trace detach its instrumentation.
type fanout struct {
	collectorpb.UnimplementedTraceServiceServer

	lis    net.Listener
	srv    *grpc.Server
	served chan struct{}

	local, remote         *grpc.ClientConn
	localSvc, remoteSvc   collectorpb.TraceServiceClient
	remoteAddr            string
	mu                    sync.Mutex
	sent, failed, exports int
	lastErr               error

	stopOnce sync.Once
	stopErr  error
}

var _ collectorpb.TraceServiceServer = (*fanout)(nil)

// startFanout listens on a free loopback port and forwards to localAddr and
// remoteAddr, both host:port of OTLP/gRPC collectors without TLS.
func startFanout(localAddr, remoteAddr string) (*fanout, error) {
	f := &fanout{remoteAddr: remoteAddr, served: make(chan struct{})}
	var err error
	if f.local, err = grpc.NewClient(localAddr, grpc.WithTransportCredentials(insecure.NewCredentials())); err != nil {
		return nil, fmt.Errorf("fan-out: client for %q: %w", localAddr, err)
	}
	if f.remote, err = grpc.NewClient(remoteAddr, grpc.WithTransportCredentials(insecure.NewCredentials())); err != nil {
		_ = f.local.Close()
		return nil, fmt.Errorf("--otlp-endpoint %q: %w", remoteAddr, err)
	}
	f.localSvc = collectorpb.NewTraceServiceClient(f.local)
	f.remoteSvc = collectorpb.NewTraceServiceClient(f.remote)
	if f.lis, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		_ = f.local.Close()
		_ = f.remote.Close()
		return nil, fmt.Errorf("fan-out: listening: %w", err)
	}
	f.srv = grpc.NewServer()
	collectorpb.RegisterTraceServiceServer(f.srv, f)
	go func() {
		defer close(f.served)
		_ = f.srv.Serve(f.lis)
	}()
	return f, nil
}

// Addr is the host:port exporters send to.
func (f *fanout) Addr() string { return f.lis.Addr().String() }

// Export forwards req to the local receiver, whose answer it returns, and to
// the remote collector.
func (f *fanout) Export(ctx context.Context, req *collectorpb.ExportTraceServiceRequest) (*collectorpb.ExportTraceServiceResponse, error) {
	resp, err := f.localSvc.Export(ctx, req)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), remoteExportTimeout)
	defer cancel()
	_, rerr := f.remoteSvc.Export(rctx, req)
	n := countSpans(req)
	f.mu.Lock()
	f.exports++
	if rerr != nil {
		f.failed += n
		f.lastErr = rerr
	} else {
		f.sent += n
	}
	f.mu.Unlock()
	return resp, err
}

// Report says how the forwarding to the remote collector went.
func (f *fanout) Report() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failed == 0 {
		return fmt.Sprintf("forwarded %d span(s) to the collector at %s", f.sent, f.remoteAddr)
	}
	return fmt.Sprintf("forwarded %d span(s) to the collector at %s; %d could not be delivered (last error: %v)",
		f.sent, f.remoteAddr, f.failed, f.lastErr)
}

// Stop stops serving and closes both clients. It is idempotent.
func (f *fanout) Stop() error {
	f.stopOnce.Do(func() {
		f.srv.Stop()
		<-f.served
		f.stopErr = errors.Join(f.local.Close(), f.remote.Close())
	})
	return f.stopErr
}

func countSpans(req *collectorpb.ExportTraceServiceRequest) int {
	n := 0
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			n += len(ss.GetSpans())
		}
	}
	return n
}
