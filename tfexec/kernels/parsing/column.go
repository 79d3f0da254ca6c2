package parsing

import (
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// column gathers the values of one variable-length feature (sparse,
// ragged, or dense with an unknown first dimension) over a batch, as
// TensorFlow's SparseBuffer does: example i's values end at ends[i].
type column struct {
	dtype  tensor.DType
	ints   []int64
	floats []float32
	strs   []string
	ends   []int
}

func (c *column) len() int {
	switch c.dtype {
	case tensor.Int64:
		return len(c.ints)
	case tensor.Float32:
		return len(c.floats)
	}
	return len(c.strs)
}

// add decodes list, a list of c's dtype, onto the column and returns the
// number of values it added; ok is false for a list TensorFlow cannot
// parse. The column grows only after the list is counted and the new size
// checked against the memory budget.
func (c *column) add(list string) (n int, ok bool, err error) {
	switch c.dtype {
	case tensor.Int64:
		n, ok = decodeInt64s(list, nil)
	case tensor.Float32:
		n, ok = decodeFloats(list, nil, false)
	default:
		n, ok = decodeBytes(list, nil, false)
	}
	if !ok || n == 0 {
		return 0, ok, nil
	}
	total := c.len() + n
	if err := tensor.CheckAlloc(c.dtype, tensor.Shape{total}); err != nil {
		return 0, false, err
	}
	switch c.dtype {
	case tensor.Int64:
		c.ints = grow(c.ints, n)
		decodeInt64s(list, c.ints[total-n:])
	case tensor.Float32:
		c.floats = grow(c.floats, n)
		decodeFloats(list, c.floats[total-n:], false)
	default:
		c.strs = grow(c.strs, n)
		decodeBytes(list, c.strs[total-n:], false)
	}
	return n, true, nil
}

func grow[T any](s []T, n int) []T { return slices.Grow(s, n)[:len(s)+n] }

// endExample closes the current example's values.
func (c *column) endExample() { c.ends = append(c.ends, c.len()) }

// rows returns the number of values of each example.
func (c *column) rowLen(e int) int {
	if e == 0 {
		return c.ends[0]
	}
	return c.ends[e] - c.ends[e-1]
}

// maxRow returns the largest number of values of one example.
func (c *column) maxRow() int {
	m := 0
	for e := range c.ends {
		m = max(m, c.rowLen(e))
	}
	return m
}

// values returns the column's values as a vector.
func (c *column) values() (*tensor.Tensor, error) {
	shape := tensor.Shape{c.len()}
	switch c.dtype {
	case tensor.Int64:
		return tensor.FromSlice(shape, c.ints)
	case tensor.Float32:
		return tensor.FromSlice(shape, c.floats)
	}
	return tensor.FromSlice(shape, c.strs)
}

// sparse returns the batch's SparseTensor parts: indices [n, 2] of
// (example, position), values [n], and the dense shape [batch, longest].
func (c *column) sparse() (indices, values, shape *tensor.Tensor, err error) {
	n := c.len()
	if indices, err = tensor.New(tensor.Int64, tensor.Shape{n, 2}); err != nil {
		return nil, nil, nil, err
	}
	ix := tensor.Values[int64](indices)
	start := 0
	for e, end := range c.ends {
		for j := start; j < end; j++ {
			ix[2*j], ix[2*j+1] = int64(e), int64(j-start)
		}
		start = end
	}
	if values, err = c.values(); err != nil {
		return nil, nil, nil, err
	}
	shape = tensor.MustFromSlice(tensor.Shape{2}, []int64{int64(len(c.ends)), int64(c.maxRow())})
	return indices, values, shape, nil
}

// ragged returns the batch's RaggedTensor parts: values [n] and row splits
// [batch+1] of dtype splits.
func (c *column) ragged(splits tensor.DType) (values, rowSplits *tensor.Tensor, err error) {
	if values, err = c.values(); err != nil {
		return nil, nil, err
	}
	if splits == tensor.Int32 {
		if c.len() > math.MaxInt32 {
			return nil, nil, kernel.Invalid("%d ragged values overflow int32 row splits", c.len())
		}
		s := make([]int32, len(c.ends)+1)
		for e, end := range c.ends {
			s[e+1] = int32(end)
		}
		return values, tensor.MustFromSlice(tensor.Shape{len(s)}, s), nil
	}
	s := make([]int64, len(c.ends)+1)
	for e, end := range c.ends {
		s[e+1] = int64(end)
	}
	return values, tensor.MustFromSlice(tensor.Shape{len(s)}, s), nil
}

// padded returns a variable-length dense feature for the batch: shape
// [batch, rows, inner...] where rows is the longest example's, each
// example's values first and the padding value after them.
func (c *column) padded(spec denseSpec, pad *tensor.Tensor) (*tensor.Tensor, error) {
	shape := tensor.Shape{len(c.ends), c.maxRow() / spec.stride}
	for _, d := range spec.shape[1:] {
		shape = append(shape, int(d))
	}
	out, err := tensor.New(spec.dtype, shape)
	if err != nil {
		return nil, err
	}
	row := shape[1] * spec.stride
	switch spec.dtype {
	case tensor.Int64:
		fillPadded(tensor.Values[int64](out), tensor.Values[int64](pad)[0], c.ints, c.ends, row)
	case tensor.Float32:
		fillPadded(tensor.Values[float32](out), tensor.Values[float32](pad)[0], c.floats, c.ends, row)
	default:
		fillPadded(tensor.Values[string](out), tensor.Values[string](pad)[0], c.strs, c.ends, row)
	}
	return out, nil
}

func fillPadded[T any](dst []T, pad T, src []T, ends []int, row int) {
	start := 0
	for e, end := range ends {
		out := dst[e*row : (e+1)*row]
		n := copy(out, src[start:end])
		for i := n; i < row; i++ {
			out[i] = pad
		}
		start = end
	}
}
