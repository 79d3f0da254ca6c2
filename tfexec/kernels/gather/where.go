package gather

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// whereKernel is the one-input Where: the int64 coordinates
// [num_true, rank] of the non-zero elements of its input, in row-major
// order. (The three-input form is Select.)
func whereKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	var mask []bool
	switch v := x.Data().(type) {
	case []bool:
		mask = v
	case []float32:
		mask = nonZero(v)
	case []float64:
		mask = nonZero(v)
	case []int8:
		mask = nonZero(v)
	case []int16:
		mask = nonZero(v)
	case []int32:
		mask = nonZero(v)
	case []int64:
		mask = nonZero(v)
	case []uint8:
		mask = nonZero(v)
	case []uint16:
		mask = nonZero(v)
	case []uint32:
		mask = nonZero(v)
	case []uint64:
		mask = nonZero(v)
	case []complex64:
		mask = nonZero(v)
	case []complex128:
		mask = nonZero(v)
	case []tensor.F16:
		// Both zeros (0x0000 and 0x8000) are false.
		mask = nonZeroBits(v, 0x7fff)
	case []tensor.BF16:
		mask = nonZeroBits(v, 0x7fff)
	default:
		return nil, kernel.Unsupported("dtype %v", x.DType())
	}
	count := 0
	for _, t := range mask {
		if t {
			count++
		}
	}
	shape := x.Shape()
	rank := len(shape)
	// Eight bytes per dimension of each true element: more than the input.
	if err := tensor.CheckAlloc(tensor.Int64, tensor.Shape{count, rank}); err != nil {
		return nil, err
	}
	coords := make([]int64, count*rank)
	if rank > 0 && count > 0 {
		// Walk the mask row by row along the last dimension, keeping the
		// leading coordinates in cur.
		last := shape[rank-1]
		cur := make([]int64, rank)
		k := 0
		for row := 0; row*last < len(mask); row++ {
			for j, t := range mask[row*last : (row+1)*last] {
				if t {
					copy(coords[k:k+rank-1], cur[:rank-1])
					coords[k+rank-1] = int64(j)
					k += rank
				}
			}
			for d := rank - 2; d >= 0; d-- {
				if cur[d]++; cur[d] < int64(shape[d]) {
					break
				}
				cur[d] = 0
			}
		}
	}
	out, err := tensor.FromSlice(tensor.Shape{count, rank}, coords)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

func nonZero[T tensor.Number | complex64 | complex128](v []T) []bool {
	m := make([]bool, len(v))
	for i, x := range v {
		m[i] = x != 0
	}
	return m
}

func nonZeroBits[T tensor.F16 | tensor.BF16](v []T, mask T) []bool {
	m := make([]bool, len(v))
	for i, x := range v {
		m[i] = x&mask != 0
	}
	return m
}
