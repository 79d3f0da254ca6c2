package files

import (
	"fmt"
	"io"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// ErrNotRegular is wrapped when ReadFile's path names something other
// than a regular file. It is kernel.ErrNotRegular.
var ErrNotRegular = kernel.ErrNotRegular

// ErrFileAccess is wrapped when the executor's file access does not allow
// ReadFile's path. It is kernel.ErrFileAccess.
var ErrFileAccess = kernel.ErrFileAccess

// readFile is ReadFile: filename, a string scalar, to its contents.
func readFile(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 1); err != nil {
		return nil, err
	}
	name := in[0]
	if name.DType() != tensor.String || name.Rank() != 0 {
		return nil, kernel.Invalid("Input filename tensor must be scalar, but had shape: %v", name.Shape())
	}
	// The executor's error names the node and op.
	data, err := read(ctx.Resources, tensor.Values[string](name)[0], tensor.MaxTensorBytes())
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{tensor.Scalar(string(data))}, nil
}

// read reads the file path whole, where res allows, refusing files over
// limit bytes before reading them.
func read(res *kernel.Resources, path string, limit int64) ([]byte, error) {
	f, size, err := res.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > limit {
		return nil, fmt.Errorf("%q: %w", path, &tensor.TooLargeError{
			DType: tensor.String, Shape: tensor.Shape{}, Bytes: size, Budget: tensor.TensorBudget, Limit: limit})
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("%q: the file shrank while it was read: %w", path, err)
	}
	return data, nil
}
