package array

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// transposeKernel returns Transpose, or ConjugateTranspose when conj is
// set (which differs only for complex dtypes).
func transposeKernel(conj bool) kernel.Kernel {
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		x := in[0]
		if in[1].Rank() != 1 {
			return nil, kernel.Invalid("perm must be rank 1, got shape %s", debugShape(in[1].Shape()))
		}
		perm, err := indices(in[1])
		if err != nil {
			return nil, err
		}
		rank := x.Rank()
		if len(perm) != rank {
			return nil, kernel.Invalid("transpose expects a vector of size %d. But input(1) is a vector of size %d", rank, len(perm))
		}
		seen := make([]bool, rank)
		for _, d := range perm {
			if d < 0 || d >= rank {
				return nil, kernel.Invalid("%d is out of range [0 .. %d)", d, rank)
			}
			seen[d] = true
		}
		for i, ok := range seen {
			if !ok {
				return nil, kernel.Invalid("%d is missing from {%s}.", i, joinInts(perm))
			}
		}
		out, err := transpose(x, perm)
		if err != nil {
			return nil, err
		}
		if conj {
			out = conjugate(out, out == x)
		}
		return []*tensor.Tensor{out}, nil
	}
}

// transpose permutes x's dimensions by a valid permutation. When the
// permutation keeps the order of all dimensions larger than one, the
// result is a reshaped view of x, as in TensorFlow.
func transpose(x *tensor.Tensor, perm []int) (*tensor.Tensor, error) {
	shape := x.Shape()
	outShape := make(tensor.Shape, len(perm))
	for i, p := range perm {
		outShape[i] = shape[p]
	}
	last, inOrder := -1, true
	for _, p := range perm {
		if shape[p] == 1 {
			continue
		}
		if p < last {
			inOrder = false
			break
		}
		last = p
	}
	if inOrder {
		return reshaped(x, outShape)
	}
	out, err := newOutput(x.DType(), outShape)
	if err != nil {
		return nil, err
	}
	inStr := shape.Strides()
	sStr := make([]int, len(perm))
	for i, p := range perm {
		sStr[i] = inStr[p]
	}
	move(out, x, region{shape: outShape, dStr: outShape.Strides(), sStr: sStr})
	return out, nil
}

// conjugate negates the imaginary parts of a complex tensor, copying it
// first when it is shared with an input; other dtypes are returned as is.
func conjugate(t *tensor.Tensor, shared bool) *tensor.Tensor {
	switch t.DType() {
	case tensor.Complex64, tensor.Complex128:
	default:
		return t
	}
	if shared {
		t = t.Clone()
	}
	switch v := t.Data().(type) {
	case []complex64:
		for i, c := range v {
			v[i] = complex(real(c), -imag(c))
		}
	case []complex128:
		for i, c := range v {
			v[i] = complex(real(c), -imag(c))
		}
	}
	return t
}

func invertPermutationKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if x.Rank() != 1 {
		return nil, kernel.Invalid("invert_permutation expects a 1D vector.")
	}
	switch x.DType() {
	case tensor.Int32:
		out, err := invertPermutation(tensor.Values[int32](x))
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{tensor.MustFromSlice(x.Shape(), out)}, nil
	case tensor.Int64:
		out, err := invertPermutation(tensor.Values[int64](x))
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{tensor.MustFromSlice(x.Shape(), out)}, nil
	}
	return nil, kernel.Unsupported("InvertPermutation of dtype %v", x.DType())
}

func invertPermutation[T int32 | int64](p []T) ([]T, error) {
	n := T(len(p))
	out := make([]T, len(p))
	for i := range out {
		out[i] = -1
	}
	for i, d := range p {
		if d < 0 || d >= n {
			return nil, kernel.Invalid("%d is not between 0 and %d", d, n)
		}
		if out[d] != -1 {
			return nil, kernel.Invalid("%d is duplicated in the input.", d)
		}
		out[d] = T(i)
	}
	return out, nil
}

// rollKernel implements Roll: out[i] = in[(i − shift) mod size] along each
// listed axis, shifts on a repeated axis adding up. Along a shifted axis
// the output is two blocks of the input swapped, so the whole roll is at
// most 2^k block copies for k shifted axes.
func rollKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 3); err != nil {
		return nil, err
	}
	x, st, at := in[0], in[1], in[2]
	if x.Rank() < 1 {
		return nil, kernel.Invalid("input must be 1-D or higher")
	}
	if st.Rank() > 1 {
		return nil, kernel.Invalid("shift must be a scalar or a 1-D vector. Found: %s", debugShape(st.Shape()))
	}
	if at.Rank() > 1 {
		return nil, kernel.Invalid("axis must be a scalar or a 1-D vector. Found: %s", debugShape(at.Shape()))
	}
	if !st.Shape().Equal(at.Shape()) {
		return nil, kernel.Invalid("shift and axis must have the same size")
	}
	shifts, err := indices(st)
	if err != nil {
		return nil, err
	}
	axes, err := indices(at)
	if err != nil {
		return nil, err
	}
	shape := x.Shape()
	rank := len(shape)
	sum := make([]int, rank)
	for i, a := range axes {
		if a < 0 {
			a += rank
		}
		if a < 0 || a >= rank {
			return nil, kernel.Invalid("axis %d is out of range", a)
		}
		ds := max(shape[a], 1)
		sum[a] = ((sum[a]+shifts[i])%ds + ds) % ds
	}
	rolled := false
	for _, s := range sum {
		rolled = rolled || s != 0
	}
	if !rolled {
		return []*tensor.Tensor{x}, nil
	}
	out, err := newOutput(x.DType(), shape)
	if err != nil {
		return nil, err
	}
	if out.NumElements() == 0 {
		return []*tensor.Tensor{out}, nil
	}
	str := shape.Strides()
	// Start with one region covering everything, then split each region
	// in two along every shifted axis.
	regions := []region{{shape: shape.Clone(), dStr: str, sStr: str}}
	for a, s := range sum {
		if s == 0 {
			continue
		}
		d := shape[a]
		next := make([]region, 0, 2*len(regions))
		for _, r := range regions {
			head, tail := r, r
			head.shape, tail.shape = r.shape.Clone(), r.shape.Clone()
			// out[s:d] ← in[0:d-s]
			head.shape[a] = d - s
			head.dOff += s * str[a]
			// out[0:s] ← in[d-s:d]
			tail.shape[a] = s
			tail.sOff += (d - s) * str[a]
			next = append(next, head, tail)
		}
		regions = next
	}
	move(out, x, regions...)
	return []*tensor.Tensor{out}, nil
}
