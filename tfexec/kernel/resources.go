package kernel

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/tfoffload/tfoffload/graph"
)

// ErrNoModelFiles is wrapped by the error of a kernel that reads a file
// (a lookup table's vocabulary) in an executor that was given no model
// directory to read from.
var ErrNoModelFiles = errors.New("this executor reads no files: it was given no model directory")

// Resources is what the kernels of one executor keep between runs, as
// TensorFlow's per-session resource manager does: lookup tables live here
// from the run that creates them to the end of the executor, and every
// run, and every function the executor calls, sees the same ones. It also
// holds the model directory kernels may read files from. It is safe for
// concurrent use; what it holds must be too.
type Resources struct {
	root string

	mu sync.Mutex
	m  map[any]any
}

// NewResources returns an empty resource store whose kernels may read
// the files under modelDir ("" for none) through OpenModelFile.
func NewResources(modelDir string) *Resources {
	return &Resources{root: modelDir, m: map[any]any{}}
}

// LookupOrCreate returns the resource held under key, calling create to
// make it when there is none. create runs with the store locked, so a
// resource is created once however many kernels ask at once; it must not
// call back into the store. A failed create stores nothing.
func (r *Resources) LookupOrCreate(key any, create func() (any, error)) (any, error) {
	if r == nil {
		return nil, errors.New("no resource store: the kernel runs outside an executor")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if v, ok := r.m[key]; ok {
		return v, nil
	}
	v, err := create()
	if err != nil {
		return nil, err
	}
	r.m[key] = v
	return v, nil
}

// OpenModelFile opens name, a path relative to the model directory the
// executor was given, under graph.OpenModelFile's rules (inside the
// directory, a regular file, at most maxBytes bytes), and returns it with
// its size. Without a model directory it fails with ErrNoModelFiles: a
// graph is untrusted input, and the file names its nodes hold must not
// reach the rest of the file system.
func (r *Resources) OpenModelFile(name string, maxBytes int64) (*os.File, int64, error) {
	if r == nil || r.root == "" {
		return nil, 0, fmt.Errorf("file %q: %w", name, ErrNoModelFiles)
	}
	return graph.OpenModelFile(r.root, name, maxBytes)
}
