package server

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

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// logMessage is the message of the one record logged per call.
const logMessage = "cri call"

// unaryInterceptor is the one place where every unary call is logged, its
// error recorded on the RPC's server span and turned into a gRPC status, and
// a panic turned into codes.Internal. Handlers stay thin because of it.
func (s *Server) unaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	start := time.Now()
	var attrs []attribute.KeyValue
	verbose := s.logger.Enabled(ctx, slog.LevelDebug)
	if verbose {
		// Taken before the call: Remove* drop the index entries that name
		// the pod or container.
		attrs = allowList.Filter(s.requestAttrs(req))
	}
	defer func() {
		if r := recover(); r != nil {
			resp, err = nil, s.recovered(ctx, info.FullMethod, r)
		}
		// Guideline step 5: errors are recorded here, once per RPC (enhancements/distributed-tracing-with-opentelemetry.md).
		// guideline:begin record-rpc-error
		err = toStatusError(err)
		tracing.RecordRPCError(trace.SpanFromContext(ctx), err)
		// guideline:end record-rpc-error
		level := logLevel(err)
		if !s.logger.Enabled(ctx, level) {
			return
		}
		if verbose {
			attrs = append(attrs, allowList.Filter(responseAttrs(resp))...)
		} else {
			attrs = allowList.Filter(s.requestAttrs(req))
		}
		s.logCall(ctx, level, info.FullMethod, time.Since(start), err, attrs)
	}()
	return handler(ctx, req)
}

// streamInterceptor does for streaming calls what unaryInterceptor does for
// unary ones. The request of a stream is read inside the handler, so its
// log record carries no pod or container attributes.
func (s *Server) streamInterceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	start := time.Now()
	ctx := ss.Context()
	defer func() {
		if r := recover(); r != nil {
			err = s.recovered(ctx, info.FullMethod, r)
		}
		err = toStatusError(err)
		tracing.RecordRPCError(trace.SpanFromContext(ctx), err)
		if level := logLevel(err); s.logger.Enabled(ctx, level) {
			s.logCall(ctx, level, info.FullMethod, time.Since(start), err, nil)
		}
	}()
	return handler(srv, ss)
}

// logCall writes the call's record: method, duration, gRPC code, the
// allow-listed attributes, and the status message on failure. It never logs
// a request or a response as a whole.
func (s *Server) logCall(ctx context.Context, level slog.Level, method string, d time.Duration, err error, attrs []attribute.KeyValue) {
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
	s.logger.LogAttrs(ctx, level, logMessage, out...)
}

// logLevel is error for codes that mean the server or its backend is
// broken, debug for everything else, including client mistakes and
// NotFound answers to polling.
func logLevel(err error) slog.Level {
	switch status.Code(err) {
	case codes.Internal, codes.Unknown, codes.DataLoss:
		return slog.LevelError
	}
	return slog.LevelDebug
}

// toStatusError returns err as a gRPC status error. Status errors pass
// through; wrapped ones are unwrapped keeping the whole message; context
// errors become Canceled or DeadlineExceeded; anything else becomes Unknown
// with err's message, as grpc-go itself would send it.
func toStatusError(err error) error {
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

// recovered logs a panic and returns the error the client gets instead. The
// panic value itself is logged only when the Go runtime produced it: any
// other value is arbitrary and could hold request data, so only its type
// and the stack are kept.
func (s *Server) recovered(ctx context.Context, method string, r any) error {
	attrs := []slog.Attr{
		slog.String("method", method),
		slog.String("panic_type", fmt.Sprintf("%T", r)),
		slog.String("stack", string(debug.Stack())),
	}
	if rerr, ok := r.(runtime.Error); ok {
		attrs = append(attrs, slog.String("panic", rerr.Error()))
	}
	s.logger.LogAttrs(ctx, slog.LevelError, "recovered from a panic in a CRI handler", attrs...)
	return status.Errorf(codes.Internal, "internal error while serving %s", method)
}
