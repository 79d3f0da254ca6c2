package reduce

import (
	"fmt"
	"math"
	"math/cmplx"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// reduceOp names the reduction a Sum-like kernel computes.
type reduceOp int

const (
	opSum reduceOp = iota
	opMean
	opProd
	opMax
	opMin
	opAll
	opAny
	opEuclidean
)

// reduction is the row of a Sum-like op over the given dtypes.
func reduction(name string, op reduceOp, types []tensor.DType) kernel.Def {
	return kernel.Def{Op: name, DTypes: types, New: reductionFactory(op, types)}
}

// reductionFactory prepares a Sum-like node: inputs (input, reduction
// indices), attributes keep_dims, T and Tidx.
func reductionFactory(op reduceOp, types []tensor.DType) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		keep, err := n.Attrs.Bool("keep_dims", false)
		if err != nil {
			return nil, err
		}
		if err := kernel.CheckTypeAttr(n, "T", types); err != nil {
			return nil, err
		}
		if _, err := indexTypeAttr(n, "Tidx", tensor.Int32, tensor.Int32, tensor.Int64); err != nil {
			return nil, err
		}
		return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 2); err != nil {
				return nil, err
			}
			out, err := reduceTensor(op, types, in[0], in[1], keep)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// reduceTensor computes one Sum-like reduction of x over the axes in
// axes, following TensorFlow's ReductionOp: a reduction that reduces
// nothing returns the input reshaped, an empty output is returned as is,
// and reducing an empty input fills the output with the reduction's
// identity (NaN for the Mean of half, float and double).
func reduceTensor(op reduceOp, types []tensor.DType, x, axes *tensor.Tensor, keep bool) (*tensor.Tensor, error) {
	dt := x.DType()
	if !allowed(types, dt) {
		return nil, kernel.Unsupported("dtype %v", dt)
	}
	p, err := newPlan(x.Shape(), axes, keep)
	if err != nil {
		return nil, err
	}
	if p.noop() {
		return x.Reshape(p.outShape)
	}
	if p.outN == 0 {
		return tensor.New(dt, p.outShape)
	}
	if x.NumElements() == 0 {
		// An empty input may reduce to any number of identities.
		if err := tensor.CheckAlloc(dt, p.outShape); err != nil {
			return nil, err
		}
		return identityTensor(op, dt, p.outShape)
	}
	switch v := x.Data().(type) {
	case []float32:
		return tensor.FromSlice(p.outShape, reduceFloat(op, p, v, float32(p.count)))
	case []float64:
		return tensor.FromSlice(p.outShape, reduceFloat(op, p, v, float64(p.count)))
	case []tensor.F16, []tensor.BF16:
		return reduceHalf(op, p, x)
	case []int8:
		return finishInt(op, p, v, reduceSigned(op, p, v))
	case []int16:
		return finishInt(op, p, v, reduceSigned(op, p, v))
	case []int32:
		return finishInt(op, p, v, reduceSigned(op, p, v))
	case []int64:
		return finishInt(op, p, v, reduceSigned(op, p, v))
	case []uint8:
		return finishInt(op, p, v, reduceUnsigned(op, p, v))
	case []uint16:
		return finishInt(op, p, v, reduceUnsigned(op, p, v))
	case []uint32:
		return finishInt(op, p, v, reduceUnsigned(op, p, v))
	case []uint64:
		return finishInt(op, p, v, reduceUnsigned(op, p, v))
	case []complex64:
		return tensor.FromSlice(p.outShape, reduceComplex64(op, p, v))
	case []complex128:
		return tensor.FromSlice(p.outShape, reduceComplex128(op, p, v))
	case []bool:
		dst := make([]bool, p.outN)
		if op == opAll {
			run(p, allReducer(), v, dst)
		} else {
			run(p, anyReducer(), v, dst)
		}
		return tensor.FromSlice(p.outShape, dst)
	}
	return nil, kernel.Unsupported("dtype %v", dt)
}

func allowed(types []tensor.DType, dt tensor.DType) bool {
	for _, t := range types {
		if t == dt {
			return true
		}
	}
	return false
}

// reduceReal runs the reductions every real type shares (Sum, Prod, Max,
// Min and the sum of squares of EuclideanNorm) into a new slice.
func reduceReal[T realNumber](op reduceOp, p *plan, src []T) []T {
	dst := make([]T, p.outN)
	switch op {
	case opSum, opMean:
		run(p, sumReducer[T](), src, dst)
	case opProd:
		run(p, prodReducer[T](), src, dst)
	case opMax:
		run(p, maxReducer[T](), src, dst)
	case opMin:
		run(p, minReducer[T](), src, dst)
	case opEuclidean:
		run(p, sumSqReducer[T](), src, dst)
		for i, x := range dst {
			dst[i] = T(math.Sqrt(float64(x)))
		}
	}
	return dst
}

// reduceFloat is reduceReal with Mean dividing the sum by count in T.
func reduceFloat[T float32 | float64](op reduceOp, p *plan, src []T, count T) []T {
	dst := reduceReal(op, p, src)
	if op == opMean {
		for i := range dst {
			dst[i] /= count
		}
	}
	return dst
}

// reduceHalf computes half and bfloat16 reductions in float32 and rounds
// the result once. Mean divides by the element count rounded to the input
// type, as TensorFlow's static_cast<T>(count) does.
func reduceHalf(op reduceOp, p *plan, x *tensor.Tensor) (*tensor.Tensor, error) {
	src, err := kernel.Float32s(x)
	if err != nil {
		return nil, err
	}
	count := float32(p.count)
	if x.DType() == tensor.Float16 {
		count = tensor.NewF16(count).Float32()
	} else {
		count = tensor.NewBF16(count).Float32()
	}
	return kernel.FromFloat32s(x.DType(), p.outShape, reduceFloat(op, p, src, count))
}

// reduceSigned and reduceUnsigned reduce integers; Mean sums in int64 or
// uint64 and divides by the count there (truncating), as TensorFlow's
// CASTING_SPECIALIZATION of MeanReducer does. The result of Mean is
// returned widened; finishInt narrows it.
func reduceSigned[T int8 | int16 | int32 | int64](op reduceOp, p *plan, src []T) any {
	if op != opMean {
		return reduceReal(op, p, src)
	}
	wide := widen[T, int64](src)
	sum := reduceReal(opSum, p, wide)
	for i := range sum {
		sum[i] /= int64(p.count)
	}
	return sum
}

func reduceUnsigned[T uint8 | uint16 | uint32 | uint64](op reduceOp, p *plan, src []T) any {
	if op != opMean {
		return reduceReal(op, p, src)
	}
	wide := widen[T, uint64](src)
	sum := reduceReal(opSum, p, wide)
	for i := range sum {
		sum[i] /= uint64(p.count)
	}
	return sum
}

// widen converts src to W, or returns it as is when it already is a []W.
func widen[T, W integer](src []T) []W {
	if w, ok := any(src).([]W); ok {
		return w
	}
	out := make([]W, len(src))
	for i, x := range src {
		out[i] = W(x)
	}
	return out
}

// finishInt wraps an integer reduction result as a tensor of src's type,
// narrowing a widened Mean.
func finishInt[T integer](op reduceOp, p *plan, _ []T, res any) (*tensor.Tensor, error) {
	switch r := res.(type) {
	case []T:
		return tensor.FromSlice(p.outShape, r)
	case []int64:
		return tensor.FromSlice(p.outShape, narrow[int64, T](r))
	case []uint64:
		return tensor.FromSlice(p.outShape, narrow[uint64, T](r))
	}
	return nil, fmt.Errorf("internal error: %T result for op %d", res, op)
}

func narrow[W, T integer](src []W) []T {
	out := make([]T, len(src))
	for i, x := range src {
		out[i] = T(x)
	}
	return out
}

func reduceComplex64(op reduceOp, p *plan, src []complex64) []complex64 {
	dst := make([]complex64, p.outN)
	switch op {
	case opSum, opMean:
		run(p, sumReducer[complex64](), src, dst)
		if op == opMean {
			c := float32(p.count)
			for i, x := range dst {
				dst[i] = complex(real(x)/c, imag(x)/c)
			}
		}
	case opProd:
		run(p, prodReducer[complex64](), src, dst)
	case opEuclidean:
		run(p, complex64SumSqReducer(), src, dst)
		for i, x := range dst {
			dst[i] = complex64(cmplx.Sqrt(complex128(x)))
		}
	}
	return dst
}

func reduceComplex128(op reduceOp, p *plan, src []complex128) []complex128 {
	dst := make([]complex128, p.outN)
	switch op {
	case opSum, opMean:
		run(p, sumReducer[complex128](), src, dst)
		if op == opMean {
			c := float64(p.count)
			for i, x := range dst {
				dst[i] = complex(real(x)/c, imag(x)/c)
			}
		}
	case opProd:
		run(p, prodReducer[complex128](), src, dst)
	case opEuclidean:
		run(p, complex128SumSqReducer(), src, dst)
		for i, x := range dst {
			dst[i] = cmplx.Sqrt(x)
		}
	}
	return dst
}

// identityTensor is the output of reducing an empty input: the reduction's
// identity everywhere. Mean has none; TensorFlow uses NaN for half, float
// and double and 0 for every other type (bfloat16 included).
func identityTensor(op reduceOp, dt tensor.DType, shape tensor.Shape) (*tensor.Tensor, error) {
	n := shape.NumElements()
	switch dt {
	case tensor.Float32:
		return tensor.FromSlice(shape, identityReal[float32](op, n, true))
	case tensor.Float64:
		return tensor.FromSlice(shape, identityReal[float64](op, n, true))
	case tensor.Float16, tensor.BFloat16:
		return kernel.FromFloat32s(dt, shape, identityReal[float32](op, n, dt == tensor.Float16))
	case tensor.Int8:
		return tensor.FromSlice(shape, identityReal[int8](op, n, false))
	case tensor.Int16:
		return tensor.FromSlice(shape, identityReal[int16](op, n, false))
	case tensor.Int32:
		return tensor.FromSlice(shape, identityReal[int32](op, n, false))
	case tensor.Int64:
		return tensor.FromSlice(shape, identityReal[int64](op, n, false))
	case tensor.Uint8:
		return tensor.FromSlice(shape, identityReal[uint8](op, n, false))
	case tensor.Uint16:
		return tensor.FromSlice(shape, identityReal[uint16](op, n, false))
	case tensor.Uint32:
		return tensor.FromSlice(shape, identityReal[uint32](op, n, false))
	case tensor.Uint64:
		return tensor.FromSlice(shape, identityReal[uint64](op, n, false))
	case tensor.Complex64:
		out := make([]complex64, n)
		if op == opProd {
			fill(out, 1)
		}
		return tensor.FromSlice(shape, out)
	case tensor.Complex128:
		out := make([]complex128, n)
		if op == opProd {
			fill(out, 1)
		}
		return tensor.FromSlice(shape, out)
	case tensor.Bool:
		out := make([]bool, n)
		fill(out, op == opAll)
		return tensor.FromSlice(shape, out)
	}
	return nil, kernel.Unsupported("dtype %v", dt)
}

func identityReal[T realNumber](op reduceOp, n int, nanMean bool) []T {
	var v T
	switch op {
	case opProd:
		v = 1
	case opMax:
		v = lowest[T]()
	case opMin:
		v = highest[T]()
	case opMean:
		if nanMean {
			nan := math.NaN()
			v = T(nan)
		}
	}
	out := make([]T, n)
	if v != 0 {
		fill(out, v)
	}
	return out
}
