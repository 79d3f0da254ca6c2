package random

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// stream returns the source of one node's numbers: seeded nodes draw a
// reproducible sequence advancing run by run, unseeded ones fresh numbers.
func stream(n *kernel.Node) (func() *rand.Rand, error) {
	seed, err := n.Attrs.Int("seed", 0)
	if err != nil {
		return nil, err
	}
	seed2, err := n.Attrs.Int("seed2", 0)
	if err != nil {
		return nil, err
	}
	if seed == 0 && seed2 == 0 {
		return func() *rand.Rand { return rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())) }, nil
	}
	var calls atomic.Uint64
	return func() *rand.Rand {
		return rand.New(rand.NewPCG(uint64(seed), uint64(seed2)+calls.Add(1)<<32))
	}, nil
}

// shapeInput reads the output shape (input 0) and checks it against the
// memory budget at eight bytes per element, what the kernels draw into
// before converting to the output's dtype.
func shapeInput(in []*tensor.Tensor) (tensor.Shape, error) {
	if len(in) == 0 {
		return nil, kernel.Invalid("expected a shape input")
	}
	dims, err := kernel.Ints(in[0])
	if err != nil {
		return nil, kernel.Invalid("shape: %v", err)
	}
	if in[0].Rank() > 1 {
		return nil, kernel.Invalid("shape must be a vector, got %v", in[0].Shape())
	}
	shape := tensor.Shape(dims)
	for _, d := range shape {
		if d < 0 {
			return nil, kernel.Invalid("negative dimension in shape %v", dims)
		}
	}
	if err := tensor.CheckAlloc(tensor.Float64, shape); err != nil {
		return nil, err
	}
	return shape, nil
}

// floatOp builds a kernel that fills a float tensor of dtype attr "dtype"
// with draws of next.
func floatOp(next func(*rand.Rand) float64) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		dt, err := n.Attrs.Type("dtype", tensor.Invalid)
		if err != nil {
			return nil, err
		}
		if !dt.IsFloat() {
			return nil, kernel.Unsupported("dtype %v", dt)
		}
		src, err := stream(n)
		if err != nil {
			return nil, err
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			shape, err := shapeInput(in)
			if err != nil {
				return nil, err
			}
			r := src()
			vals := make([]float64, shape.NumElements())
			for i := range vals {
				vals[i] = next(r)
			}
			t, err := tensor.FromFloat64s(dt, shape, vals)
			return []*tensor.Tensor{t}, err
		}, nil
	}
}

// uniformInt draws integers in [minval, maxval) (inputs 1 and 2).
func uniformInt(n *kernel.Node) (kernel.Kernel, error) {
	src, err := stream(n)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		shape, err := shapeInput(in)
		if err != nil {
			return nil, err
		}
		if len(in) != 3 {
			return nil, kernel.Invalid("expected shape, minval and maxval")
		}
		lo, err := kernel.Int(in[1])
		if err != nil {
			return nil, kernel.Invalid("minval: %v", err)
		}
		hi, err := kernel.Int(in[2])
		if err != nil {
			return nil, kernel.Invalid("maxval: %v", err)
		}
		if hi <= lo && shape.NumElements() > 0 {
			return nil, kernel.Invalid("Need minval < maxval: %d >= %d", lo, hi)
		}
		r := src()
		vals := make([]int, shape.NumElements())
		for i := range vals {
			vals[i] = lo + int(r.Int64N(int64(hi-lo)))
		}
		t, err := intsOf(in[1].DType(), shape, vals)
		return []*tensor.Tensor{t}, err
	}, nil
}

func intsOf(dt tensor.DType, shape tensor.Shape, vals []int) (*tensor.Tensor, error) {
	t, err := kernel.IntsTensor(dt, vals)
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	return t.Reshape(shape)
}
