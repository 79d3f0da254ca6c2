package files

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/tfoffload/tfoffload/internal/fsutil"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// ErrNotRegular is wrapped when ReadFile's path names something other
// than a regular file.
var ErrNotRegular = errors.New("not a regular file")

// readFile is ReadFile: filename, a string scalar, to its contents.
func readFile(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 1); err != nil {
		return nil, err
	}
	name := in[0]
	if name.DType() != tensor.String || name.Rank() != 0 {
		return nil, kernel.Invalid("Input filename tensor must be scalar, but had shape: %v", name.Shape())
	}
	data, err := read(tensor.Values[string](name)[0], tensor.MaxTensorBytes())
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{tensor.Scalar(string(data))}, nil
}

// read reads the regular file path whole, refusing files over limit
// bytes before reading them.
func read(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("ReadFile: %w", err)
	}
	if err := checkRegular(path, fi); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("ReadFile: %w", err)
	}
	defer f.Close()
	// The path may have been swapped since the Stat.
	if fi, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("ReadFile: %w", err)
	}
	if err := checkRegular(path, fi); err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("ReadFile %q: %w", path, &tensor.TooLargeError{
			DType: tensor.String, Shape: tensor.Shape{}, Bytes: fi.Size(), Budget: tensor.TensorBudget, Limit: limit})
	}
	data := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("ReadFile %q: the file shrank while it was read: %w", path, err)
	}
	return data, nil
}

func checkRegular(path string, fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	return fmt.Errorf("ReadFile %q: %w: it is %s", path, ErrNotRegular, fsutil.Kind(fi.Mode()))
}
