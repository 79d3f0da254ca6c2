package clusters

import (
	"github.com/tfoffload/tfoffload/tensor"
)

// formula emits ops that read as expressions: the first error sticks
// and later calls do nothing.
type formula struct {
	c   *Ctx
	dt  tensor.DType // the type of scalars
	err error
}

func (f *formula) op(name string, attrs map[string]any, in ...string) string {
	if f.err != nil {
		return ""
	}
	out, err := f.c.Op(name, in, attrs)
	f.err = err
	return out
}

func (f *formula) cast(name string, from, to tensor.DType) string {
	if f.err != nil {
		return ""
	}
	out, err := f.c.cast(name, from, to)
	f.err = err
	return out
}

func (f *formula) scalar(v float64) string {
	if f.err != nil {
		return ""
	}
	out, err := f.c.Scalar(f.dt, v)
	f.err = err
	return out
}

// cast converts name from one element type to another; no node when they
// are the same.
func (c *Ctx) cast(name string, from, to tensor.DType) (string, error) {
	if from == to {
		return name, nil
	}
	t, err := onnxElemType(to)
	if err != nil {
		return "", err
	}
	return c.Op("Cast", []string{name}, map[string]any{"to": int64(t)})
}
