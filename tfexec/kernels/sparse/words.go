package sparse

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// word is an element type of kernel.Words.
type word interface {
	uint8 | uint16 | uint32 | uint64 | [2]uint64 | string | any
}

// place copies source elements into dst: dst[to[i]] = src[from(i)] for
// every i, after filling dst with fill[0]. It works on tensors of one
// dtype, whatever their element type, through kernel.Words.
func place(dst, src, fill *tensor.Tensor, to []int, from func(i int) int) error {
	switch d := kernel.Words(dst).(type) {
	case []uint8:
		placeWords(d, kernel.Words(src).([]uint8), kernel.Words(fill).([]uint8), to, from)
	case []uint16:
		placeWords(d, kernel.Words(src).([]uint16), kernel.Words(fill).([]uint16), to, from)
	case []uint32:
		placeWords(d, kernel.Words(src).([]uint32), kernel.Words(fill).([]uint32), to, from)
	case []uint64:
		placeWords(d, kernel.Words(src).([]uint64), kernel.Words(fill).([]uint64), to, from)
	case [][2]uint64:
		placeWords(d, kernel.Words(src).([][2]uint64), kernel.Words(fill).([][2]uint64), to, from)
	case []string:
		placeWords(d, kernel.Words(src).([]string), kernel.Words(fill).([]string), to, from)
	default:
		return kernel.Unsupported("dtype %v", dst.DType())
	}
	return nil
}

func placeWords[W word](dst, src, fill []W, to []int, from func(i int) int) {
	if len(fill) > 0 {
		for i := range dst {
			dst[i] = fill[0]
		}
	}
	for i, j := range to {
		dst[j] = src[from(i)]
	}
}

// int64s returns an int32 or int64 tensor's values as int64s.
func int64s(t *tensor.Tensor, name string) ([]int64, error) {
	switch v := t.Data().(type) {
	case []int64:
		return v, nil
	case []int32:
		out := make([]int64, len(v))
		for i, x := range v {
			out[i] = int64(x)
		}
		return out, nil
	}
	return nil, kernel.Invalid("%s must be int32 or int64, not %v", name, t.DType())
}

// shapeString formats values as TensorFlow's DebugString of a vector.
func shapeString(v []int64) string { return fmt.Sprint(v) }
