package tensorflow

import "fmt"

// ContextOptions are the options of the bindings' eager execution
// context.
type ContextOptions struct {
	// Config is a serialized ConfigProto.
	Config []byte
	// Async runs operations asynchronously.
	Async bool
}

// Context is the bindings' eager execution context. tfoffload runs
// graphs only: NewContext returns an error.
type Context struct{}

// NewContext is not supported: tfoffload has no eager execution.
func NewContext(options *ContextOptions) (*Context, error) {
	return nil, fmt.Errorf("tensorflow: eager execution (NewContext): %w", ErrNotSupported)
}

// TensorHandle is the bindings' handle of an eager tensor.
type TensorHandle struct{}

// NewTensorHandle is not supported: tfoffload has no eager execution.
func NewTensorHandle(t *Tensor) (*TensorHandle, error) {
	return nil, fmt.Errorf("tensorflow: eager execution (NewTensorHandle): %w", ErrNotSupported)
}
