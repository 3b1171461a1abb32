package server

import (
	"context"

	"google.golang.org/grpc"

	"github.com/crio-trace/crio-trace/internal/criattrs"
	"github.com/crio-trace/crio-trace/internal/tracing"
)

// logMessage is the message of the one record logged per call.
const logMessage = "cri call"

// interceptor is the kit's per-call interceptor with what is CRI about it:
// the allow-listed pod, container and image attributes of requests and
// responses for the call's log record.
func (s *Server) interceptor() tracing.Interceptor {
	return tracing.Interceptor{
		Logger:        s.logger,
		Message:       logMessage,
		RequestAttrs:  s.attrs.Request,
		ResponseAttrs: criattrs.Response,
	}
}

// unaryInterceptor and streamInterceptor are the kit's, bound to s.
func (s *Server) unaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	return s.ic.Unary(ctx, req, info, handler)
}

func (s *Server) streamInterceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	return s.ic.Stream(srv, ss, info, handler)
}
