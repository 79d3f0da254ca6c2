package engine

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrLibraryNotFound reports that no ONNX Runtime shared library could
	// be loaded. The error it comes wrapped in is a *LibraryError that lists
	// every place tried, what was wrong with each, and how to install the
	// library.
	ErrLibraryNotFound = errors.New("engine: ONNX Runtime library not found")

	// ErrLibraryUnusable is wrapped, besides ErrLibraryNotFound, by a
	// *LibraryError when a library file was there but failed its checks
	// (not a regular file, not an ELF shared object for this architecture,
	// truncated, wrong checksum) or dlopen refused it.
	ErrLibraryUnusable = errors.New("engine: no usable ONNX Runtime library")

	// ErrClosed reports use of a Session or Cache after Close.
	ErrClosed = errors.New("engine: use of closed object")

	// ErrInvalidInput reports Run inputs that do not match the model: wrong
	// count, a nil tensor, or a dtype, rank or dimension the model does not
	// declare. The wrapping message names the input.
	ErrInvalidInput = errors.New("engine: invalid input")

	// ErrUnsupported reports a model or tensor engine cannot carry between Go
	// and ONNX Runtime: non-tensor inputs or outputs (sequences, maps,
	// optionals, sparse tensors), element types without a tensor.DType
	// (float8, int4), and resource or variant tensors.
	ErrUnsupported = errors.New("engine: unsupported")
)

// ErrorCode is an ONNX Runtime status code (the C API's OrtErrorCode).
type ErrorCode int

// The OrtErrorCode values, in the C API's order.
const (
	CodeOK                       ErrorCode = iota // ORT_OK
	CodeFail                                      // ORT_FAIL
	CodeInvalidArgument                           // ORT_INVALID_ARGUMENT
	CodeNoSuchFile                                // ORT_NO_SUCHFILE
	CodeNoModel                                   // ORT_NO_MODEL
	CodeEngineError                               // ORT_ENGINE_ERROR
	CodeRuntimeException                          // ORT_RUNTIME_EXCEPTION
	CodeInvalidProtobuf                           // ORT_INVALID_PROTOBUF
	CodeModelLoaded                               // ORT_MODEL_LOADED
	CodeNotImplemented                            // ORT_NOT_IMPLEMENTED
	CodeInvalidGraph                              // ORT_INVALID_GRAPH
	CodeEPFail                                    // ORT_EP_FAIL
	CodeModelLoadCanceled                         // ORT_MODEL_LOAD_CANCELED
	CodeModelRequiresCompilation                  // ORT_MODEL_REQUIRES_COMPILATION
	CodeNotFound                                  // ORT_NOT_FOUND
)

var codeNames = [...]string{
	"ORT_OK", "ORT_FAIL", "ORT_INVALID_ARGUMENT", "ORT_NO_SUCHFILE", "ORT_NO_MODEL",
	"ORT_ENGINE_ERROR", "ORT_RUNTIME_EXCEPTION", "ORT_INVALID_PROTOBUF", "ORT_MODEL_LOADED",
	"ORT_NOT_IMPLEMENTED", "ORT_INVALID_GRAPH", "ORT_EP_FAIL", "ORT_MODEL_LOAD_CANCELED",
	"ORT_MODEL_REQUIRES_COMPILATION", "ORT_NOT_FOUND",
}

// String returns the C API's name for c ("ORT_INVALID_ARGUMENT").
func (c ErrorCode) String() string {
	if c >= 0 && int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("ORT_ERROR_%d", int(c))
}

// Error is a failure reported by ONNX Runtime. Code is the status code ONNX
// Runtime returned (read with OrtApi::GetErrorCode, not parsed from text)
// and Msg its message; Op says what engine was doing.
type Error struct {
	Op   string    // "create session", "run", "append provider CUDAExecutionProvider", ...
	Code ErrorCode // ONNX Runtime's status code
	Msg  string    // ONNX Runtime's message, trimmed
}

// Error formats e as "engine: <op>: <code>: <message>".
func (e *Error) Error() string {
	return fmt.Sprintf("engine: %s: %s: %s", e.Op, e.Code, e.Msg)
}

// LibraryError explains why no ONNX Runtime library could be loaded. It
// wraps ErrLibraryNotFound, and ErrLibraryUnusable when some attempt is
// Unusable.
type LibraryError struct {
	// Tried lists each place looked at, in discovery order, with why it was
	// not used.
	Tried []LibraryAttempt
}

// LibraryAttempt is one place engine looked for the library.
type LibraryAttempt struct {
	Source string // "WithLibraryPath", "$ONNXRUNTIME_SHARED_LIBRARY_PATH", "user cache", "system loader"
	Path   string // the absolute file or the library name tried; empty if the source was not set
	// Reason says what was wrong: "not found", "not a regular file (a
	// directory)", "not an ELF shared object: …", "wrong architecture: …",
	// "truncated: N bytes, needs M", "checksum mismatch: …", "dlopen
	// failed: …".
	Reason string
	// Unusable is true when a file was there but could not be used.
	Unusable bool
}

// Error lists the places tried and says how to install the library, on one
// line.
func (e *LibraryError) Error() string {
	var b strings.Builder
	if e.unusable() {
		b.WriteString(ErrLibraryUnusable.Error())
	} else {
		b.WriteString(ErrLibraryNotFound.Error())
	}
	b.WriteString(" (tried: ")
	for i, a := range e.Tried {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(a.Source)
		if a.Path != "" {
			b.WriteString(" ")
			b.WriteString(a.Path)
		}
		b.WriteString(": ")
		b.WriteString(a.Reason)
	}
	b.WriteString("); install it with scripts/install-onnxruntime.sh, or set " + LibraryPathEnv +
		" to the path of an ONNX Runtime (1.24 or newer) shared library")
	return b.String()
}

// Unwrap returns ErrLibraryNotFound, and ErrLibraryUnusable when a file
// was there but could not be used.
func (e *LibraryError) Unwrap() []error {
	if e.unusable() {
		return []error{ErrLibraryNotFound, ErrLibraryUnusable}
	}
	return []error{ErrLibraryNotFound}
}

func (e *LibraryError) unusable() bool {
	for _, a := range e.Tried {
		if a.Unusable {
			return true
		}
	}
	return false
}
