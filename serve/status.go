package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/tensor"
)

// Sentinel errors for the conditions callers of the embeddable API branch
// on. Every error a request returns is a *StatusError wrapping one of them
// (or the model's own error), so errors.Is and errors.As both work.
var (
	// ErrInvalidArgument: the request is malformed (bad JSON, wrong dtype,
	// wrong shape, unknown input or output key).
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrNotFound: no such model, version, label or signature.
	ErrNotFound = errors.New("not found")
	// ErrUnavailable: the model has no version ready, or the server is
	// shutting down.
	ErrUnavailable = errors.New("unavailable")
	// ErrResourceExhausted: the batching queue is full or a request is over
	// the size limit.
	ErrResourceExhausted = errors.New("resource exhausted")
	// ErrDeadlineExceeded: the request ran past its time limit.
	ErrDeadlineExceeded = errors.New("deadline exceeded")
	// ErrCancelled: the client went away.
	ErrCancelled = errors.New("cancelled")
	// ErrInternal: the server failed in a way the request did not cause.
	ErrInternal = errors.New("internal")
)

// sentinelCodes maps each sentinel to its gRPC code, in the order errorCode
// tests them.
var sentinelCodes = []struct {
	err  error
	code codes.Code
}{
	{ErrInvalidArgument, codes.InvalidArgument},
	{ErrNotFound, codes.NotFound},
	{ErrUnavailable, codes.Unavailable},
	{ErrResourceExhausted, codes.ResourceExhausted},
	{ErrDeadlineExceeded, codes.DeadlineExceeded},
	{ErrCancelled, codes.Canceled},
	{ErrInternal, codes.Internal},
}

// StatusError is a request's failure: a TensorFlow (gRPC) status code and
// a one-line message, as TensorFlow Serving reports them.
type StatusError struct {
	Code codes.Code // the gRPC code; HTTP status follows from it
	Msg  string     // one line naming the model, signature or input concerned
	Err  error      // the sentinel and cause; nil when none
}

// Error returns the message.
func (e *StatusError) Error() string { return e.Msg }

// Unwrap returns the sentinel or cause.
func (e *StatusError) Unwrap() error { return e.Err }

// GRPCStatus lets grpc-go send the error with its code.
func (e *StatusError) GRPCStatus() *status.Status { return status.New(e.Code, e.Msg) }

// errorf returns a *StatusError for the sentinel kind, formatted like
// fmt.Errorf (so %w in format also wraps).
func errorf(kind error, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &StatusError{Code: errorCode(kind), Msg: err.Error(), Err: errors.Join(kind, errors.Unwrap(err))}
}

// errorCode returns the gRPC code of err: its StatusError's code, the code
// of the sentinel it wraps, DeadlineExceeded or Canceled for context
// errors, ResourceExhausted for a tensor over the memory budget,
// PermissionDenied for a file read the session does not allow, else
// Internal.
func errorCode(err error) codes.Code {
	if err == nil {
		return codes.OK
	}
	if se, ok := errors.AsType[*StatusError](err); ok {
		return se.Code
	}
	for _, s := range sentinelCodes {
		if errors.Is(err, s.err) {
			return s.code
		}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return codes.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return codes.Canceled
	case errors.Is(err, tensor.ErrTooLarge):
		return codes.ResourceExhausted
	case errors.Is(err, bridge.ErrFileAccess):
		return codes.PermissionDenied // a model's ReadFile outside what the server allows
	}
	return codes.Internal
}

// runError classifies an error from running a model: context errors and
// the memory budget keep their codes; anything else the graph raised is
// an invalid argument, as TensorFlow reports kernel errors on bad input.
func runError(model string, err error) error {
	switch code := errorCode(err); code {
	case codes.DeadlineExceeded:
		return &StatusError{Code: code, Msg: fmt.Sprintf("model %s: request exceeded its time limit: %v", model, err), Err: errors.Join(ErrDeadlineExceeded, err)}
	case codes.Canceled:
		return &StatusError{Code: code, Msg: fmt.Sprintf("model %s: request cancelled: %v", model, err), Err: errors.Join(ErrCancelled, err)}
	case codes.Internal:
		return &StatusError{Code: codes.InvalidArgument, Msg: fmt.Sprintf("model %s: %v", model, err), Err: errors.Join(ErrInvalidArgument, err)}
	default:
		return &StatusError{Code: code, Msg: fmt.Sprintf("model %s: %v", model, err), Err: err}
	}
}

// httpStatus is the HTTP status TensorFlow Serving's REST API answers for
// a status code.
func httpStatus(c codes.Code) int {
	switch c {
	case codes.OK:
		return http.StatusOK
	case codes.InvalidArgument, codes.FailedPrecondition, codes.OutOfRange:
		return http.StatusBadRequest
	case codes.NotFound:
		return http.StatusNotFound
	case codes.AlreadyExists, codes.Aborted:
		return http.StatusConflict
	case codes.PermissionDenied:
		return http.StatusForbidden
	case codes.Unauthenticated:
		return http.StatusUnauthorized
	case codes.ResourceExhausted, codes.Unavailable, codes.Canceled:
		return http.StatusServiceUnavailable
	case codes.DeadlineExceeded:
		return http.StatusGatewayTimeout
	case codes.Unimplemented:
		return http.StatusNotImplemented
	}
	return http.StatusInternalServerError
}
