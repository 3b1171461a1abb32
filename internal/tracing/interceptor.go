package tracing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Interceptor is the one place where a traced gRPC server handles what every
// call has in common, so that handlers stay thin: a handler's error becomes a
// gRPC status (ToStatusError), is recorded once on the RPC's server span
// (RecordRPCError), and the call gets one log record; a panic becomes
// codes.Internal with its stack logged. It starts no span: the RPC's span is
// otelgrpc's.
//
// The record holds the method, duration, gRPC code, the status message on
// failure, and the attributes RequestAttrs and ResponseAttrs return — never
// a request or a response as a whole, which may hold secrets. It is written at
// error level for codes that mean the server is broken (Unknown, Internal,
// DataLoss) and at debug level otherwise.
//
// The zero value logs nothing and records errors; an Interceptor is safe
// for concurrent use. Install it with ServerOptions, next to the stats
// handler Server adds.
//
// Guideline step 5: errors are recorded in one place (enhancements/distributed-tracing-with-opentelemetry.md).
type Interceptor struct {
	// Logger receives the per-call records. Nil: none.
	Logger *slog.Logger
	// Message is the records' message. Default "rpc".
	Message string
	// RequestAttrs returns what may be logged of a unary request: ids and
	// names, already allow-listed (AllowList.Filter). It runs before the
	// handler when the logger is at debug level (so a Remove call can still
	// name what it removes), else only for records that are written. Nil:
	// none.
	RequestAttrs func(req any) []attribute.KeyValue
	// ResponseAttrs is RequestAttrs for the response, at debug level only.
	ResponseAttrs func(resp any) []attribute.KeyValue
}

// ServerOptions returns ic's unary and stream interceptors as options for
// grpc.NewServer.
func (ic Interceptor) ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(ic.Unary),
		grpc.ChainStreamInterceptor(ic.Stream),
	}
}

// Unary is a grpc.UnaryServerInterceptor.
func (ic Interceptor) Unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	start := time.Now()
	var attrs []attribute.KeyValue
	verbose := ic.enabled(ctx, slog.LevelDebug)
	if verbose && ic.RequestAttrs != nil {
		attrs = ic.RequestAttrs(req)
	}
	defer func() {
		if r := recover(); r != nil {
			resp, err = nil, ic.recovered(ctx, info.FullMethod, r)
		}
		// guideline:begin record-rpc-error
		err = ToStatusError(err)
		RecordRPCError(trace.SpanFromContext(ctx), err)
		// guideline:end record-rpc-error
		level := levelOf(err)
		if !ic.enabled(ctx, level) {
			return
		}
		switch {
		case verbose && ic.ResponseAttrs != nil:
			attrs = append(attrs, ic.ResponseAttrs(resp)...)
		case !verbose && ic.RequestAttrs != nil:
			attrs = ic.RequestAttrs(req)
		}
		ic.log(ctx, level, info.FullMethod, time.Since(start), err, attrs)
	}()
	return handler(ctx, req)
}

// Stream is a grpc.StreamServerInterceptor. The request of a stream is read
// inside the handler, so its record carries no request attributes.
func (ic Interceptor) Stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	start := time.Now()
	ctx := ss.Context()
	defer func() {
		if r := recover(); r != nil {
			err = ic.recovered(ctx, info.FullMethod, r)
		}
		err = ToStatusError(err)
		RecordRPCError(trace.SpanFromContext(ctx), err)
		if level := levelOf(err); ic.enabled(ctx, level) {
			ic.log(ctx, level, info.FullMethod, time.Since(start), err, nil)
		}
	}()
	return handler(srv, ss)
}

func (ic Interceptor) enabled(ctx context.Context, level slog.Level) bool {
	return ic.Logger != nil && ic.Logger.Enabled(ctx, level)
}

// log writes the call's record.
func (ic Interceptor) log(ctx context.Context, level slog.Level, method string, d time.Duration, err error, attrs []attribute.KeyValue) {
	st := status.Convert(err)
	out := make([]slog.Attr, 0, 4+len(attrs))
	out = append(out,
		slog.String("method", method),
		slog.Duration("duration", d),
		slog.String("code", st.Code().String()))
	for _, kv := range attrs {
		out = append(out, slog.String(string(kv.Key), kv.Value.Emit()))
	}
	if err != nil {
		out = append(out, slog.String("error", st.Message()))
	}
	msg := ic.Message
	if msg == "" {
		msg = "rpc"
	}
	ic.Logger.LogAttrs(ctx, level, msg, out...)
}

// levelOf is error for codes that mean the server or what is behind it is
// broken, debug for everything else, including client mistakes and NotFound
// answers to polling.
func levelOf(err error) slog.Level {
	switch status.Code(err) {
	case codes.Internal, codes.Unknown, codes.DataLoss:
		return slog.LevelError
	}
	return slog.LevelDebug
}

// recovered logs a panic and returns the error the client gets instead. The
// panic value itself is logged only when the Go runtime produced it: any
// other value is arbitrary and could hold request data, so only its type and
// the stack are kept.
func (ic Interceptor) recovered(ctx context.Context, method string, r any) error {
	if ic.Logger != nil {
		attrs := []slog.Attr{
			slog.String("method", method),
			slog.String("panic_type", fmt.Sprintf("%T", r)),
			slog.String("stack", string(debug.Stack())),
		}
		if rerr, ok := r.(runtime.Error); ok {
			attrs = append(attrs, slog.String("panic", rerr.Error()))
		}
		ic.Logger.LogAttrs(ctx, slog.LevelError, "recovered from a panic in a gRPC handler", attrs...)
	}
	return status.Errorf(codes.Internal, "internal error while serving %s", method)
}

// ToStatusError returns err as a gRPC status error. Status errors pass
// through; wrapped ones are unwrapped keeping the whole message; context
// errors become Canceled or DeadlineExceeded; anything else becomes Unknown
// with err's message, as grpc-go itself would send it.
func ToStatusError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(interface{ GRPCStatus() *status.Status }); ok {
		return err
	}
	if st, ok := status.FromError(err); ok {
		return st.Err()
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return status.FromContextError(err).Err()
	}
	return status.Error(codes.Unknown, err.Error())
}
