package embedded

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// invalidArgument marks err as the caller's mistake: gRPC reports it as
// InvalidArgument with err's message, and errors.Is and errors.As still see
// what err wraps (ErrInvalidReference, for one). status.Errorf cannot wrap:
// it formats its arguments with %v.
func invalidArgument(err error) error { return invalidArgumentError{err} }

type invalidArgumentError struct{ err error }

func (e invalidArgumentError) Error() string { return e.err.Error() }
func (e invalidArgumentError) Unwrap() error { return e.err }

// GRPCStatus makes status.FromError, status.Code and grpc-go itself see
// InvalidArgument.
func (e invalidArgumentError) GRPCStatus() *status.Status {
	return status.New(codes.InvalidArgument, e.err.Error())
}
