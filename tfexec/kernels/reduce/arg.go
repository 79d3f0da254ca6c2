package reduce

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// argTypes are the input dtypes of TensorFlow's ArgMax/ArgMin CPU kernels.
var argTypes = append(append([]tensor.DType{}, realDTypes...), tensor.Bool)

// argFactory prepares ArgMax or ArgMin: inputs (input, dimension),
// attributes T, Tidx and output_type (int64 by default; TensorFlow's CPU
// kernels register int32 and int64 for both ops and also int16 and uint16
// for ArgMax).
func argFactory(isMax bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		if err := kernel.CheckTypeAttr(n, "T", argTypes); err != nil {
			return nil, err
		}
		if _, err := indexTypeAttr(n, "Tidx", tensor.Int32, tensor.Int16, tensor.Int32, tensor.Int64); err != nil {
			return nil, err
		}
		outTypes := []tensor.DType{tensor.Int32, tensor.Int64}
		if isMax {
			outTypes = append(outTypes, tensor.Int16, tensor.Uint16)
		}
		outType, err := indexTypeAttr(n, "output_type", tensor.Int64, outTypes...)
		if err != nil {
			return nil, err
		}
		return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 2); err != nil {
				return nil, err
			}
			out, err := argReduce(in[0], in[1], isMax, outType)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// argReduce returns the index of the largest (smallest) element along the
// dimension. Ties resolve to the lowest index. The search starts from index
// 0 with the most negative (positive) finite value and replaces it only on
// a strictly larger (smaller) element, as Eigen's ArgMaxPairReducer does,
// so NaN is never chosen and a row of -Inf or NaN gives 0.
func argReduce(x, dimT *tensor.Tensor, isMax bool, outType tensor.DType) (*tensor.Tensor, error) {
	if !allowed(argTypes, x.DType()) {
		return nil, kernel.Unsupported("dtype %v", x.DType())
	}
	dim, err := scalarInt(dimT, "dimension", "dim must be a scalar, but received tensor of shape: %v")
	if err != nil {
		return nil, err
	}
	shape := x.Shape()
	rank := len(shape)
	axis := dim
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= rank {
		return nil, kernel.Invalid("Expected dimension in the range [%d, %d), but got %d", -rank, rank, dim)
	}
	if shape[axis] == 0 {
		return nil, kernel.Invalid("Reduction axis %d is empty in shape %v", dim, shape)
	}
	if rank > 7 {
		return nil, kernel.Invalid("Argmax and Argmin only support up to 7 input dimensions, but got %d. Inputs shape: %v", rank, shape)
	}
	outShape := append(append(tensor.Shape{}, shape[:axis]...), shape[axis+1:]...)
	outer := tensor.Shape(shape[:axis]).NumElements()
	n := shape[axis]
	inner := tensor.Shape(shape[axis+1:]).NumElements()
	idx := make([]int, outer*inner)
	if len(idx) > 0 {
		switch v := x.Data().(type) {
		case []float32:
			argIndices(v, outer, n, inner, isMax, idx)
		case []float64:
			argIndices(v, outer, n, inner, isMax, idx)
		case []tensor.F16, []tensor.BF16:
			f, err := kernel.Float32s(x)
			if err != nil {
				return nil, err
			}
			argIndices(f, outer, n, inner, isMax, idx)
		case []int8:
			argIndices(v, outer, n, inner, isMax, idx)
		case []int16:
			argIndices(v, outer, n, inner, isMax, idx)
		case []int32:
			argIndices(v, outer, n, inner, isMax, idx)
		case []int64:
			argIndices(v, outer, n, inner, isMax, idx)
		case []uint8:
			argIndices(v, outer, n, inner, isMax, idx)
		case []uint16:
			argIndices(v, outer, n, inner, isMax, idx)
		case []uint32:
			argIndices(v, outer, n, inner, isMax, idx)
		case []uint64:
			argIndices(v, outer, n, inner, isMax, idx)
		case []bool:
			b := make([]uint8, len(v))
			for i, t := range v {
				if t {
					b[i] = 1
				}
			}
			argIndices(b, outer, n, inner, isMax, idx)
		}
	}
	return indexTensor(outType, outShape, idx)
}

// indexTensor converts indices to a tensor of an integer dtype, wrapping
// as TensorFlow's cast to a narrower index type does.
func indexTensor(dt tensor.DType, shape tensor.Shape, idx []int) (*tensor.Tensor, error) {
	switch dt {
	case tensor.Int16:
		return tensor.FromSlice(shape, convertInts[int16](idx))
	case tensor.Uint16:
		return tensor.FromSlice(shape, convertInts[uint16](idx))
	case tensor.Int32:
		return tensor.FromSlice(shape, convertInts[int32](idx))
	case tensor.Int64:
		return tensor.FromSlice(shape, convertInts[int64](idx))
	}
	return nil, kernel.Unsupported("index dtype %v", dt)
}

func convertInts[T integer](idx []int) []T {
	out := make([]T, len(idx))
	for i, v := range idx {
		out[i] = T(v)
	}
	return out
}

// argIndices fills idx[o*inner+j] with the position along the middle
// dimension of src (shape [outer, n, inner]) of the extreme element.
func argIndices[T realNumber](src []T, outer, n, inner int, isMax bool, idx []int) {
	if inner == 1 {
		kernel.ParallelFor(outer, n, func(lo, hi int) {
			for o := lo; o < hi; o++ {
				row := src[o*n : o*n+n]
				if isMax {
					idx[o] = argMaxRow(row)
				} else {
					idx[o] = argMinRow(row)
				}
			}
		})
		return
	}
	kernel.ParallelFor(outer, n*inner, func(lo, hi int) {
		best := make([]T, inner)
		for o := lo; o < hi; o++ {
			bi := idx[o*inner : o*inner+inner]
			if isMax {
				fill(best, finiteLowest[T]())
			} else {
				fill(best, finiteHighest[T]())
			}
			for r := 0; r < n; r++ {
				row := src[(o*n+r)*inner : (o*n+r+1)*inner]
				row = row[:len(best)]
				if isMax {
					for j, v := range row {
						if v > best[j] {
							best[j], bi[j] = v, r
						}
					}
				} else {
					for j, v := range row {
						if v < best[j] {
							best[j], bi[j] = v, r
						}
					}
				}
			}
		}
	})
}

func argMaxRow[T realNumber](row []T) int {
	best, bv := 0, finiteLowest[T]()
	for i, v := range row {
		if v > bv {
			best, bv = i, v
		}
	}
	return best
}

func argMinRow[T realNumber](row []T) int {
	best, bv := 0, finiteHighest[T]()
	for i, v := range row {
		if v < bv {
			best, bv = i, v
		}
	}
	return best
}
