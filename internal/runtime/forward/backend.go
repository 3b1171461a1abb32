package forward

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Compile-time checks that Backend serves both CRI services.
var (
	_ runtimeapi.RuntimeServiceServer = (*Backend)(nil)
	_ runtimeapi.ImageServiceServer   = (*Backend)(nil)
)

// Backend forwards every CRI RPC to a runtime over one gRPC connection. It is
// safe for concurrent use. The embedded Unimplemented servers only satisfy
// the generated interfaces; every method is overridden.
type Backend struct {
	runtimeapi.UnimplementedRuntimeServiceServer
	runtimeapi.UnimplementedImageServiceServer

	endpoint    string
	connectWait time.Duration
	log         *slog.Logger

	conn    *grpc.ClientConn
	runtime runtimeapi.RuntimeServiceClient
	image   runtimeapi.ImageServiceClient

	stopWatch context.CancelFunc
	watchDone chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// New returns a Backend for the runtime at opts.Endpoint. It does not wait for
// the runtime: the connection is made in the background and remade whenever
// it drops, and calls made while it is down answer codes.Unavailable. New
// fails only on invalid options. Call Close to release the connection.
func New(opts Options) (*Backend, error) {
	opts = opts.withDefaults()
	endpoint, err := ParseEndpoint(opts.Endpoint)
	if err != nil {
		return nil, err
	}
	dial := []grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(opts.MaxMsgSize),
			grpc.MaxCallSendMsgSize(opts.MaxMsgSize),
		),
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff: backoff.Config{
				BaseDelay:  250 * time.Millisecond,
				Multiplier: 1.6,
				Jitter:     0.2,
				MaxDelay:   opts.MaxBackoff,
			},
			MinConnectTimeout: 5 * time.Second,
		}),
		// The watcher keeps the connection up; an idle channel would hide a
		// runtime that went away until the next call.
		grpc.WithIdleTimeout(0),
	}
	conn, err := grpc.NewClient(endpoint, append(dial, opts.DialOptions...)...)
	if err != nil {
		return nil, fmt.Errorf("creating client for runtime at %q: %w", endpoint, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &Backend{
		endpoint:    endpoint,
		connectWait: opts.ConnectWait,
		log:         opts.Logger.With("endpoint", endpoint),
		conn:        conn,
		runtime:     runtimeapi.NewRuntimeServiceClient(conn),
		image:       runtimeapi.NewImageServiceClient(conn),
		stopWatch:   cancel,
		watchDone:   make(chan struct{}),
	}
	go b.watch(ctx)
	return b, nil
}

// Endpoint returns the runtime endpoint in canonical "unix:///path" form.
func (b *Backend) Endpoint() string { return b.endpoint }

// Close stops the connection watcher and closes the connection; calls in
// flight fail with codes.Canceled. It is safe to call more than once and
// returns the first result each time.
func (b *Backend) Close() error {
	b.closeOnce.Do(func() {
		b.stopWatch()
		<-b.watchDone
		if err := b.conn.Close(); err != nil {
			b.closeErr = fmt.Errorf("closing connection to runtime at %q: %w", b.endpoint, err)
		}
	})
	return b.closeErr
}
