package gather

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// partitionFactory prepares DynamicPartition: inputs (data, partitions),
// attributes num_partitions (>= 1) and T (any type).
func partitionFactory(n *kernel.Node) (kernel.Kernel, error) {
	num, err := n.Attrs.Int("num_partitions", 0)
	if err != nil {
		return nil, err
	}
	if num < 1 {
		return nil, n.AttrError("num_partitions", fmt.Errorf("must be >= 1, got %d", num))
	}
	parts := int(num)
	return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		out, err := partition(in[0], in[1], parts)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
		}
		return out, nil
	}, nil
}

// partition splits the slices of data (one per element of partitions) into
// parts outputs, keeping their order.
func partition(data, partsT *tensor.Tensor, parts int) ([]*tensor.Tensor, error) {
	pv, ok := partsT.Data().([]int32)
	if !ok {
		return nil, kernel.Unsupported("partitions dtype %v (want int32)", partsT.DType())
	}
	shape := data.Shape()
	if !kernel.HasPrefix(shape, partsT.Shape()) {
		return nil, kernel.Invalid("data.shape must start with partitions.shape, got data.shape = %v, partitions.shape = %v", shape, partsT.Shape())
	}
	if err := kernel.CheckOutputCount(parts); err != nil {
		return nil, err
	}
	counts := make([]int, parts)
	for i, p := range pv {
		if p < 0 || int(p) >= parts {
			return nil, kernel.Invalid("partitions%s = %d is not in [0, %d)", kernel.SliceDebugString(partsT.Shape(), i), p, parts)
		}
		counts[p]++
	}
	rest := shape[partsT.Rank():]
	slice := tensor.Shape(rest).NumElements()
	outs := make([]*tensor.Tensor, parts)
	for p := range outs {
		t, err := tensor.New(data.DType(), append(tensor.Shape{counts[p]}, rest...))
		if err != nil {
			return nil, err
		}
		outs[p] = t
	}
	if data.NumElements() == 0 {
		return outs, nil
	}
	switch src := kernel.Words(data).(type) {
	case []uint8:
		partitionCopy(src, outs, pv, slice)
	case []uint16:
		partitionCopy(src, outs, pv, slice)
	case []uint32:
		partitionCopy(src, outs, pv, slice)
	case []uint64:
		partitionCopy(src, outs, pv, slice)
	case [][2]uint64:
		partitionCopy(src, outs, pv, slice)
	case []string:
		partitionCopy(src, outs, pv, slice)
	case []any:
		partitionCopy(src, outs, pv, slice)
	default:
		return nil, kernel.Unsupported("dtype %v", data.DType())
	}
	return outs, nil
}

func partitionCopy[W any](src []W, outs []*tensor.Tensor, parts []int32, slice int) {
	dst := make([][]W, len(outs))
	for p, t := range outs {
		dst[p] = kernel.Words(t).([]W)
	}
	next := make([]int, len(outs))
	for i, p := range parts {
		o := next[p]
		copy(dst[p][o*slice:(o+1)*slice], src[i*slice:(i+1)*slice])
		next[p]++
	}
}

// stitchFactory prepares DynamicStitch and ParallelDynamicStitch: N int32
// index inputs followed by N data inputs, attributes N and T. Both run
// sequentially here, so when an index repeats the slice given last wins
// (TensorFlow leaves ParallelDynamicStitch's choice unspecified).
func stitchFactory(n *kernel.Node) (kernel.Kernel, error) {
	num, err := n.Attrs.Int("N", -1)
	if err != nil {
		return nil, err
	}
	if n.NumInputs == 0 || n.NumInputs%2 != 0 {
		return nil, fmt.Errorf("node %q (%s): want an even, nonzero number of inputs, got %d", n.Name(), n.Op(), n.NumInputs)
	}
	if num >= 0 && int(num)*2 != n.NumInputs {
		return nil, n.AttrError("N", fmt.Errorf("is %d but the node has %d inputs", num, n.NumInputs))
	}
	return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if len(in) == 0 || len(in)%2 != 0 {
			return nil, fmt.Errorf("%s %q: want an even, nonzero number of inputs, got %d", n.Op(), n.Name(), len(in))
		}
		out, err := stitch(in[:len(in)/2], in[len(in)/2:])
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

// stitch interleaves the slices of data into one tensor: merged[indices[m][i]]
// = data[m][i].
func stitch(indices, data []*tensor.Tensor) (*tensor.Tensor, error) {
	idx := make([][]int32, len(indices))
	maxIndex := int32(-1)
	for m, t := range indices {
		v, ok := t.Data().([]int32)
		if !ok {
			return nil, kernel.Unsupported("indices dtype %v (want int32)", t.DType())
		}
		idx[m] = v
		for _, x := range v {
			maxIndex = max(maxIndex, x)
		}
	}
	first := int(maxIndex) + 1
	data0, indices0 := data[0], indices[0]
	for m := range indices {
		d, ix := data[m], indices[m]
		if d.DType() != data0.DType() {
			return nil, kernel.Invalid("data[%d] is %v, data[0] is %v", m, d.DType(), data0.DType())
		}
		if !kernel.HasPrefix(d.Shape(), ix.Shape()) {
			return nil, kernel.Invalid("data[%d].shape = %v does not start with indices[%d].shape = %v", m, d.Shape(), m, ix.Shape())
		}
		if m > 0 && !tensor.Shape(d.Shape()[ix.Rank():]).Equal(data0.Shape()[indices0.Rank():]) {
			return nil, kernel.Invalid("Need data[0].shape[%d:] = data[%d].shape[%d:], got data[0].shape = %v, data[%d].shape = %v, indices[0].shape = %v, indices[%d].shape = %v",
				indices0.Rank(), m, ix.Rank(), data0.Shape(), m, d.Shape(), indices0.Shape(), m, ix.Shape())
		}
	}
	rest := data0.Shape()[indices0.Rank():]
	outShape := append(tensor.Shape{first}, rest...)
	if err := kernel.CheckOutput(data0.DType(), outShape); err != nil {
		return nil, err
	}
	out, err := tensor.New(data0.DType(), outShape)
	if err != nil {
		return nil, err
	}
	if first == 0 {
		return out, nil
	}
	slice := tensor.Shape(rest).NumElements()
	switch dst := kernel.Words(out).(type) {
	case []uint8:
		err = stitchCopy(dst, data, idx, slice, first)
	case []uint16:
		err = stitchCopy(dst, data, idx, slice, first)
	case []uint32:
		err = stitchCopy(dst, data, idx, slice, first)
	case []uint64:
		err = stitchCopy(dst, data, idx, slice, first)
	case [][2]uint64:
		err = stitchCopy(dst, data, idx, slice, first)
	case []string:
		err = stitchCopy(dst, data, idx, slice, first)
	case []any:
		err = stitchCopy(dst, data, idx, slice, first)
	default:
		return nil, kernel.Unsupported("dtype %v", data0.DType())
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func stitchCopy[W any](dst []W, data []*tensor.Tensor, idx [][]int32, slice, first int) error {
	for m, d := range data {
		src := kernel.Words(d).([]W)
		for i, x := range idx[m] {
			if x < 0 || int(x) >= first {
				return kernel.Invalid("indices[%d] is out of range", i)
			}
			copy(dst[int(x)*slice:(int(x)+1)*slice], src[i*slice:(i+1)*slice])
		}
	}
	return nil
}
