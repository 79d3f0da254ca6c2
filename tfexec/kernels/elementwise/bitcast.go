package elementwise

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// bitcastable reports whether Bitcast accepts dt (the op's type list,
// less the quantized types, which only the quantization kernels take).
func bitcastable(dt tensor.DType) bool {
	return dt.IsNumeric()
}

// newBitcast prepares Bitcast from T to type. Same-size types keep the
// shape; a smaller output type appends a dimension of the size ratio; a
// larger one removes the last dimension, which must equal the ratio.
func newBitcast(n *kernel.Node) (kernel.Kernel, error) {
	src, err := n.Attrs.Type("T", tensor.Invalid)
	if err != nil {
		return nil, err
	}
	dst, err := n.Attrs.Type("type", tensor.Invalid)
	if err != nil {
		return nil, err
	}
	if !bitcastable(dst) {
		return nil, fmt.Errorf("attribute \"type\" = %v: %w", dst, kernel.Unsupported("Bitcast to %v", dst))
	}
	if n.Attrs.Has("T") && !bitcastable(src) {
		return nil, fmt.Errorf("attribute \"T\" = %v: %w", src, kernel.Unsupported("Bitcast from %v", src))
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		out, err := bitcast(in[0], dst)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

func bitcast(x *tensor.Tensor, dst tensor.DType) (*tensor.Tensor, error) {
	src := x.DType()
	if !bitcastable(src) {
		return nil, kernel.Unsupported("Bitcast from %v", src)
	}
	if src == dst {
		return x, nil
	}
	in, out := src.Size(), dst.Size()
	if max(in, out)%min(in, out) != 0 {
		return nil, kernel.Invalid("cannot convert between datatype %v and %v", src, dst)
	}
	shape := x.Shape().Clone()
	switch {
	case in < out:
		if len(shape) == 0 || shape[len(shape)-1] != out/in {
			return nil, kernel.Invalid("Cannot bitcast from %v to %v: shape %v", src, dst, x.Shape())
		}
		shape = shape[:len(shape)-1]
	case in > out:
		shape = append(shape, in/out)
	}
	return tensor.FromBytes(dst, shape, x.Bytes())
}
