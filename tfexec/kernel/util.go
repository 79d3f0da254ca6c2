package kernel

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/tfoffload/tfoffload/tensor"
)

// Ints returns the elements of an int32 or int64 tensor (any rank) as ints,
// the form of shape, axis, paddings and size inputs.
func Ints(t *tensor.Tensor) ([]int, error) {
	switch v := t.Data().(type) {
	case []int32:
		out := make([]int, len(v))
		for i, x := range v {
			out[i] = int(x)
		}
		return out, nil
	case []int64:
		out := make([]int, len(v))
		for i, x := range v {
			out[i] = int(x)
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected an int32 or int64 tensor, got %v", t.DType())
}

// Int returns the value of a one-element int32 or int64 tensor.
func Int(t *tensor.Tensor) (int, error) {
	v, err := Ints(t)
	if err != nil {
		return 0, err
	}
	if len(v) != 1 {
		return 0, fmt.Errorf("expected a scalar, got shape %v", t.Shape())
	}
	return v[0], nil
}

// IntsTensor builds a 1-D tensor of dtype dt (int32 or int64) from ints,
// the usual form of Shape-like outputs.
func IntsTensor(dt tensor.DType, vals []int) (*tensor.Tensor, error) {
	shape := tensor.Shape{len(vals)}
	switch dt {
	case tensor.Int32:
		out := make([]int32, len(vals))
		for i, v := range vals {
			if v > math.MaxInt32 || v < math.MinInt32 {
				return nil, fmt.Errorf("value %d does not fit in int32", v)
			}
			out[i] = int32(v)
		}
		return tensor.FromSlice(shape, out)
	case tensor.Int64:
		out := make([]int64, len(vals))
		for i, v := range vals {
			out[i] = int64(v)
		}
		return tensor.FromSlice(shape, out)
	}
	return nil, Unsupported("index dtype %v", dt)
}

// NormalizeAxis maps a possibly negative axis into [0, rank), as TensorFlow
// accepts axes in [-rank, rank).
func NormalizeAxis(axis, rank int) (int, error) {
	if axis < -rank || axis >= rank {
		return 0, fmt.Errorf("axis %d is out of range for rank %d", axis, rank)
	}
	if axis < 0 {
		axis += rank
	}
	return axis, nil
}

// BroadcastStrides returns, for a tensor of shape in broadcast to out, the
// element stride to use along each dimension of out: the row-major stride
// of in where the dimension is real, 0 where it is broadcast.
func BroadcastStrides(in, out tensor.Shape) []int {
	st := make([]int, len(out))
	inStrides := in.Strides()
	off := len(out) - len(in)
	for i := range in {
		if in[i] != 1 || out[off+i] == 1 {
			st[off+i] = inStrides[i]
		}
	}
	return st
}

// BroadcastIndex returns, for every flat index of out, the flat index of
// the element of a tensor of shape in that broadcasting maps to it. It is
// the simple general path; kernels use faster loops for common cases.
func BroadcastIndex(in, out tensor.Shape) []int {
	n := out.NumElements()
	idx := make([]int, n)
	st := BroadcastStrides(in, out)
	rank := len(out)
	if rank == 0 {
		return idx
	}
	counter := make([]int, rank)
	src := 0
	for o := 0; o < n; o++ {
		idx[o] = src
		for d := rank - 1; d >= 0; d-- {
			counter[d]++
			src += st[d]
			if counter[d] < out[d] {
				break
			}
			src -= st[d] * counter[d]
			counter[d] = 0
		}
	}
	return idx
}

// ParallelFor runs fn over [0, n) split into contiguous chunks on up to
// GOMAXPROCS goroutines. costPerItem is a rough count of scalar operations
// per item; small loops run inline, since goroutines cost about a
// microsecond each.
func ParallelFor(n, costPerItem int, fn func(lo, hi int)) {
	const minWorkPerGoroutine = 1 << 15
	workers := runtime.GOMAXPROCS(0)
	if total := n * max(costPerItem, 1); total/minWorkPerGoroutine < workers {
		workers = max(total/minWorkPerGoroutine, 1)
	}
	if workers <= 1 || n < 2 {
		fn(0, n)
		return
	}
	workers = min(workers, n)
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}

// Float32s returns a float tensor's values as float32, converting half,
// bfloat16 and float64 (a copy) or returning float32 data as is (no copy:
// do not modify it). Other dtypes are an error.
func Float32s(t *tensor.Tensor) ([]float32, error) {
	switch v := t.Data().(type) {
	case []float32:
		return v, nil
	case []tensor.F16:
		out := make([]float32, len(v))
		for i, x := range v {
			out[i] = x.Float32()
		}
		return out, nil
	case []tensor.BF16:
		out := make([]float32, len(v))
		for i, x := range v {
			out[i] = x.Float32()
		}
		return out, nil
	case []float64:
		out := make([]float32, len(v))
		for i, x := range v {
			out[i] = float32(x)
		}
		return out, nil
	}
	return nil, Unsupported("dtype %v (want a float type)", t.DType())
}

// FromFloat32s builds a tensor of float dtype dt from float32 values,
// rounding to half or bfloat16 (ties to even) or widening to float64. For
// float32 the slice is used without copying.
func FromFloat32s(dt tensor.DType, shape tensor.Shape, vals []float32) (*tensor.Tensor, error) {
	switch dt {
	case tensor.Float32:
		return tensor.FromSlice(shape, vals)
	case tensor.Float16:
		out := make([]tensor.F16, len(vals))
		for i, x := range vals {
			out[i] = tensor.NewF16(x)
		}
		return tensor.FromSlice(shape, out)
	case tensor.BFloat16:
		out := make([]tensor.BF16, len(vals))
		for i, x := range vals {
			out[i] = tensor.NewBF16(x)
		}
		return tensor.FromSlice(shape, out)
	case tensor.Float64:
		out := make([]float64, len(vals))
		for i, x := range vals {
			out[i] = float64(x)
		}
		return tensor.FromSlice(shape, out)
	}
	return nil, Unsupported("dtype %v (want a float type)", dt)
}

// Invalid returns an ErrInvalidArgument error with the given message,
// worded as TensorFlow's InvalidArgument statuses are.
func Invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// Words returns t's elements as a slice of a type of the same width
// ([]uint8 for bool, int8 and uint8; []uint32 for float32, int32 and
// uint32; [][2]uint64 for complex128; []string; []any for resources and
// variants), sharing t's memory, so that kernels which only move elements
// need one instantiation per width.
func Words(t *tensor.Tensor) any {
	switch v := t.Data().(type) {
	case []string:
		return v
	case []any:
		return v
	}
	b := t.Bytes()
	if len(b) == 0 {
		switch t.DType().Size() {
		case 1:
			return []uint8{}
		case 2:
			return []uint16{}
		case 4:
			return []uint32{}
		case 8:
			return []uint64{}
		case 16:
			return [][2]uint64{}
		}
		return nil
	}
	p := unsafe.Pointer(unsafe.SliceData(b))
	switch t.DType().Size() {
	case 1:
		return b
	case 2:
		return unsafe.Slice((*uint16)(p), len(b)/2)
	case 4:
		return unsafe.Slice((*uint32)(p), len(b)/4)
	case 8:
		return unsafe.Slice((*uint64)(p), len(b)/8)
	case 16:
		return unsafe.Slice((*[2]uint64)(p), len(b)/16)
	}
	return nil
}

// SliceDebugString formats the flat index i of a tensor of shape s as
// TensorFlow's SliceDebugString does: "[1,2]", or "" for a scalar.
func SliceDebugString(s tensor.Shape, i int) string {
	if len(s) == 0 {
		return ""
	}
	idx := make([]string, len(s))
	for d := len(s) - 1; d >= 0; d-- {
		if s[d] > 0 {
			idx[d] = strconv.Itoa(i % s[d])
			i /= s[d]
		} else {
			idx[d] = "0"
		}
	}
	return "[" + strings.Join(idx, ",") + "]"
}

// tensorOverheadBytes is roughly what one output tensor costs besides its
// elements: the Tensor, its shape, slice headers and the executor's
// bookkeeping.
const tensorOverheadBytes = 256

// CheckOutputCount refuses, before anything is allocated, n outputs whose
// number comes from a node's attributes or inputs (num_split of an empty
// dimension, num_partitions) when their bookkeeping alone would exceed
// tensor.MaxTensorBytes. The error is a *tensor.TooLargeError for a uint8
// tensor of shape [n, 256].
func CheckOutputCount(n int) error {
	return tensor.CheckAlloc(tensor.Uint8, tensor.Shape{n, tensorOverheadBytes})
}
