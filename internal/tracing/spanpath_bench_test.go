package tracing

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/stats"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// BenchmarkSpanPath measures the tracing work of one sampled call and
// nothing else: no socket, no codec, no handler. It feeds the kit's own
// stats handlers the events grpc-go would deliver for a unary RPC, so what
// it times is otelgrpc starting and ending the span, the SDK recording it,
// the batcher queueing it and (amortised over a batch) the OTLP exporter
// encoding it for a receiver that discards it.
//
// "server" is the SERVER span every mode records; "server+client" adds the
// onward CLIENT span forward mode records around the call to the runtime.
// Together they are the floor under BenchmarkHop's tracing-on overhead:
// see docs/performance.md for what it is made of.
func BenchmarkSpanPath(b *testing.B) {
	recv, err := otlpreceiver.StartCounting("127.0.0.1:0", 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(recv.Stop)

	c := testConfig(recv.Addr())
	c.ExportInterval = Duration(time.Second)
	p, err := NewProvider(context.Background(), c)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	in := p.current()
	if in == nil {
		b.Fatal("provider has no pipeline although tracing is enabled")
	}
	b.Cleanup(in.release)

	// What kubelet's call carries: a sampled parent and grpc-go's headers.
	md := metadata.MD{
		":authority":   {"localhost"},
		"content-type": {"application/grpc"},
		"user-agent":   {"grpc-go/1.72.0"},
		"traceparent":  {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
	}
	addr := &net.UnixAddr{Name: "/run/crio/crio.sock", Net: "unix"}
	base := peer.NewContext(metadata.NewIncomingContext(context.Background(), md), &peer.Peer{Addr: addr, LocalAddr: addr})
	const method = "/runtime.v1.RuntimeService/Version"

	var want int64 // spans the loops below recorded
	for _, onward := range []bool{false, true} {
		name := "server"
		if onward {
			name = "server+client"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ctx := in.server.TagRPC(base, &stats.RPCTagInfo{FullMethodName: method})
				in.server.HandleRPC(ctx, &stats.Begin{BeginTime: time.Now()})
				in.server.HandleRPC(ctx, &stats.InHeader{FullMethod: method, Header: md, RemoteAddr: addr, LocalAddr: addr})
				if onward {
					cctx := in.client.TagRPC(ctx, &stats.RPCTagInfo{FullMethodName: method})
					in.client.HandleRPC(cctx, &stats.Begin{Client: true, BeginTime: time.Now()})
					in.client.HandleRPC(cctx, &stats.OutHeader{Client: true, FullMethod: method, RemoteAddr: addr, LocalAddr: addr})
					in.client.HandleRPC(cctx, &stats.End{Client: true, EndTime: time.Now()})
				}
				in.server.HandleRPC(ctx, &stats.OutHeader{})
				in.server.HandleRPC(ctx, &stats.End{EndTime: time.Now()})
			}
			want += int64(b.N)
			if onward {
				want += int64(b.N)
			}
		})
	}

	// Every span recorded must reach the receiver or be counted as dropped
	// at the queue bound; anything else is a lost span.
	if err := p.ForceFlush(context.Background()); err != nil {
		b.Fatalf("flush: %v", err)
	}
	got, dropped := recv.Spans(), in.dropped.Load()
	if got+dropped != want || got == 0 {
		b.Fatalf("receiver got %d spans and %d were dropped; the benchmark recorded %d", got, dropped, want)
	}
	if dropped > 0 {
		b.Logf("%d of %d spans dropped at the queue bound (the exporter fell behind)", dropped, want)
	}
}
