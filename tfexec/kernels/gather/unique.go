package gather

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newUnique builds Unique and its variants: the V2 ops take an axis input
// (a 1-D tensor of zero or one element), the WithCounts ops add a third
// output counting each unique value.
func newUnique(withAxis, withCounts bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		idxType, err := n.Attrs.Type("out_idx", tensor.Int32)
		if err != nil {
			return nil, err
		}
		if idxType != tensor.Int32 && idxType != tensor.Int64 {
			return nil, fmt.Errorf("attribute %q: %w", "out_idx", kernel.Unsupported("dtype %v", idxType))
		}
		nIn := 1
		if withAxis {
			nIn = 2
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, nIn); err != nil {
				return nil, err
			}
			x := in[0]
			if x.NumElements() > math.MaxInt32 {
				return nil, kernel.Invalid("unique does not support input tensors larger than %d elements", math.MaxInt32)
			}
			axis := -1 // no axis: x must be a vector
			if withAxis {
				a := in[1]
				if a.Rank() != 1 {
					return nil, kernel.Invalid("axis expects a 1D vector.")
				}
				if a.NumElements() > 1 {
					return nil, kernel.Invalid("axis does not support input tensors larger than 1 elements")
				}
				if a.NumElements() == 1 {
					v, err := kernel.Int(a)
					if err != nil {
						return nil, kernel.Invalid("axis tensor should be int32 or int64, but got %v", a.DType())
					}
					if v < 0 {
						v += x.Rank()
					}
					if v < 0 || v >= x.Rank() {
						return nil, kernel.Invalid("axis has to be between [0, %d)", x.Rank())
					}
					axis = v
				}
			}
			if axis < 0 {
				if x.Rank() != 1 {
					return nil, kernel.Invalid("unique expects a 1D vector.")
				}
				axis = 0
			}
			s := x.Shape()
			outer, n, inner := product(s[:axis]), s[axis], product(s[axis+1:])
			var ids []int
			var firsts []int // the position along axis of each unique slice's first occurrence
			if outer == 1 && inner == 1 {
				ids, firsts, err = uniqueElements(x)
			} else {
				ids, firsts, err = uniqueSlices(x, outer, n, inner)
			}
			if err != nil {
				return nil, err
			}
			yShape := s.Clone()
			yShape[axis] = len(firsts)
			y, err := tensor.New(x.DType(), yShape)
			if err != nil {
				return nil, err
			}
			idxMap := make([]int64, len(firsts))
			for i, f := range firsts {
				idxMap[i] = int64(f)
			}
			g := gatherGeom{batch: 1, outer: outer, gdim: n, inner: inner, nPer: len(firsts)}
			if y.NumElements() > 0 {
				switch src := kernel.Words(x).(type) {
				case []uint8:
					gatherRows(kernel.Words(y).([]uint8), src, idxMap, g)
				case []uint16:
					gatherRows(kernel.Words(y).([]uint16), src, idxMap, g)
				case []uint32:
					gatherRows(kernel.Words(y).([]uint32), src, idxMap, g)
				case []uint64:
					gatherRows(kernel.Words(y).([]uint64), src, idxMap, g)
				case []string:
					gatherRows(kernel.Words(y).([]string), src, idxMap, g)
				}
			}
			idx, err := kernel.IntsTensor(idxType, ids)
			if err != nil {
				return nil, err
			}
			if !withCounts {
				return []*tensor.Tensor{y, idx}, nil
			}
			counts := make([]int, len(firsts))
			for _, id := range ids {
				counts[id]++
			}
			count, err := kernel.IntsTensor(idxType, counts)
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{y, idx, count}, nil
		}, nil
	}
}

// uniqueElements numbers the elements of x in order of first occurrence.
// Equality is TensorFlow's: for float32 and float64 -0 equals +0 and NaN
// equals nothing; half and bfloat16 are hashed by their bits, so only
// identical non-NaN bit patterns are equal.
func uniqueElements(x *tensor.Tensor) (ids, firsts []int, err error) {
	switch v := x.Data().(type) {
	case []float32:
		ids, firsts = firstOccurrence(v)
	case []float64:
		ids, firsts = firstOccurrence(v)
	case []int8:
		ids, firsts = firstOccurrence(v)
	case []int16:
		ids, firsts = firstOccurrence(v)
	case []int32:
		ids, firsts = firstOccurrence(v)
	case []int64:
		ids, firsts = firstOccurrence(v)
	case []uint8:
		ids, firsts = firstOccurrence(v)
	case []uint16:
		ids, firsts = firstOccurrence(v)
	case []uint32:
		ids, firsts = firstOccurrence(v)
	case []uint64:
		ids, firsts = firstOccurrence(v)
	case []bool:
		ids, firsts = firstOccurrence(v)
	case []string:
		ids, firsts = firstOccurrence(v)
	case []tensor.F16:
		ids, firsts = firstOccurrenceBits(v, func(h tensor.F16) bool { return h&0x7fff > 0x7c00 })
	case []tensor.BF16:
		ids, firsts = firstOccurrenceBits(v, func(h tensor.BF16) bool { return h&0x7fff > 0x7f80 })
	default:
		return nil, nil, kernel.Unsupported("dtype %v", x.DType())
	}
	return ids, firsts, nil
}

func firstOccurrence[T comparable](v []T) (ids, firsts []int) {
	seen := make(map[T]int, len(v))
	ids = make([]int, len(v))
	for i, x := range v {
		id, ok := seen[x]
		if !ok { // a NaN key is never found, so each NaN is new
			id = len(firsts)
			seen[x] = id
			firsts = append(firsts, i)
		}
		ids[i] = id
	}
	return ids, firsts
}

func firstOccurrenceBits[T tensor.F16 | tensor.BF16](v []T, isNaN func(T) bool) (ids, firsts []int) {
	seen := make(map[T]int, len(v))
	ids = make([]int, len(v))
	for i, x := range v {
		id, ok := seen[x]
		if !ok || isNaN(x) {
			id = len(firsts)
			seen[x] = id
			firsts = append(firsts, i)
		}
		ids[i] = id
	}
	return ids, firsts
}

// uniqueSlices numbers the slices x[o, i, :] (i along the axis, all o
// together) in order of first occurrence. Two slices are equal when all
// their elements are, with the element equality of uniqueElements.
func uniqueSlices(x *tensor.Tensor, outer, n, inner int) (ids, firsts []int, err error) {
	var key func(i int) (string, bool) // slice i's key, false if it equals nothing
	switch x.DType() {
	case tensor.String:
		v := x.Data().([]string)
		key = func(i int) (string, bool) {
			var b []byte
			for o := 0; o < outer; o++ {
				for _, s := range v[(o*n+i)*inner : (o*n+i+1)*inner] {
					b = binary.AppendUvarint(b, uint64(len(s)))
					b = append(b, s...)
				}
			}
			return string(b), true
		}
	case tensor.Complex64, tensor.Complex128, tensor.Resource, tensor.Variant:
		return nil, nil, kernel.Unsupported("dtype %v", x.DType())
	default:
		raw := x.Bytes()
		size := x.DType().Size()
		norm := floatNormalizer(x.DType())
		key = func(i int) (string, bool) {
			b := make([]byte, 0, outer*inner*size)
			for o := 0; o < outer; o++ {
				b = append(b, raw[(o*n+i)*inner*size:(o*n+i+1)*inner*size]...)
			}
			if norm != nil && !norm(b) {
				return "", false
			}
			return string(b), true
		}
	}
	seen := make(map[string]int, n)
	ids = make([]int, n)
	for i := 0; i < n; i++ {
		k, ok := key(i)
		id, found := seen[k]
		if !ok || !found {
			id = len(firsts)
			firsts = append(firsts, i)
			if ok {
				seen[k] = id
			}
		}
		ids[i] = id
	}
	return ids, firsts, nil
}

// floatNormalizer returns, for float dtypes, a function that rewrites -0
// as +0 in a key's bytes (float32 and float64 compare them equal) and
// reports false when the key holds a NaN.
func floatNormalizer(dt tensor.DType) func([]byte) bool {
	switch dt {
	case tensor.Float32:
		return func(b []byte) bool {
			for i := 0; i+4 <= len(b); i += 4 {
				u := binary.LittleEndian.Uint32(b[i:])
				if u&0x7fffffff > 0x7f800000 {
					return false
				}
				if u == 0x80000000 {
					binary.LittleEndian.PutUint32(b[i:], 0)
				}
			}
			return true
		}
	case tensor.Float64:
		return func(b []byte) bool {
			for i := 0; i+8 <= len(b); i += 8 {
				u := binary.LittleEndian.Uint64(b[i:])
				if u&0x7fffffffffffffff > 0x7ff0000000000000 {
					return false
				}
				if u == 0x8000000000000000 {
					binary.LittleEndian.PutUint64(b[i:], 0)
				}
			}
			return true
		}
	case tensor.Float16:
		return func(b []byte) bool {
			for i := 0; i+2 <= len(b); i += 2 {
				if binary.LittleEndian.Uint16(b[i:])&0x7fff > 0x7c00 {
					return false
				}
			}
			return true
		}
	case tensor.BFloat16:
		return func(b []byte) bool {
			for i := 0; i+2 <= len(b); i += 2 {
				if binary.LittleEndian.Uint16(b[i:])&0x7fff > 0x7f80 {
					return false
				}
			}
			return true
		}
	}
	return nil
}
