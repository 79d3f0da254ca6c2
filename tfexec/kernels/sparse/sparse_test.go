package sparse

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

func tt[T tensor.Element](s tensor.Shape, v ...T) *tensor.Tensor { return kerneltest.Tensor(s, v...) }

func vec[T tensor.Element](v ...T) *tensor.Tensor { return kerneltest.Vector(v...) }

func run(t *testing.T, op string, attrs map[string]any, in ...*tensor.Tensor) []*tensor.Tensor {
	t.Helper()
	return kerneltest.Run(t, graph.NewNode("n", op, nil, attrs), in...)
}

func call(op string, attrs map[string]any, in ...*tensor.Tensor) error {
	_, err := kerneltest.Call(graph.NewNode("n", op, nil, attrs), in...)
	return err
}

func assertTensor(t *testing.T, want, got *tensor.Tensor) {
	t.Helper()
	require.NotNil(t, got)
	assert.Equal(t, want.DType(), got.DType(), "dtype")
	assert.Equal(t, want.Shape(), got.Shape(), "shape")
	assert.NoError(t, tensor.Compare(got, want, tensor.Tolerance{}))
}

// tf.sparse.to_dense's docstring: indices [[0,0],[0,2],[1,1]], values
// [1,2,3], dense_shape [2,3] give [[1,0,2],[0,3,0]].
func TestSparseToDenseDocstring(t *testing.T) {
	attrs := map[string]any{"T": tensor.Int32, "Tindices": tensor.Int64}
	out := run(t, "SparseToDense", attrs, tt(tensor.Shape{3, 2}, int64(0), 0, 0, 2, 1, 1), vec[int64](2, 3), vec[int32](1, 2, 3), tensor.Scalar(int32(0)))
	assertTensor(t, tt(tensor.Shape{2, 3}, int32(1), 0, 2, 0, 3, 0), out[0])

	// A scalar value fills every index; strings move as well.
	out = run(t, "SparseToDense", map[string]any{"T": tensor.String, "Tindices": tensor.Int32}, vec[int32](1, 3), vec[int32](4), tensor.Scalar("x"), tensor.Scalar(""))
	assertTensor(t, vec("", "x", "", "x"), out[0])
}

func TestSparseToDenseErrors(t *testing.T) {
	attrs := map[string]any{"T": tensor.Float32, "Tindices": tensor.Int32}
	for name, idx := range map[string]*tensor.Tensor{
		"out of bounds": vec[int32](0, 4),
		"repeated":      vec[int32](1, 1),
		"out of order":  vec[int32](2, 1),
	} {
		err := call("SparseToDense", attrs, idx, vec[int32](4), vec[float32](1, 2), tensor.Scalar(float32(0)))
		assert.ErrorIs(t, err, kernel.ErrInvalidArgument, name)
	}
}

// tf.sparse.fill_empty_rows's docstring: a [5, 6] tensor with entries in
// rows 0, 2 and 3 gets default entries at [1, 0] and [4, 0].
func TestFillEmptyRowsDocstring(t *testing.T) {
	out := run(t, "SparseFillEmptyRows", map[string]any{"T": tensor.String},
		tt(tensor.Shape{4, 2}, int64(0), 1, 0, 3, 2, 0, 3, 1), vec("a", "b", "c", "d"), vec[int64](5, 6), tensor.Scalar("x"))
	assertTensor(t, tt(tensor.Shape{6, 2}, int64(0), 1, 0, 3, 1, 0, 2, 0, 3, 1, 4, 0), out[0])
	assertTensor(t, vec("a", "b", "x", "c", "d", "x"), out[1])
	assertTensor(t, vec(false, true, false, false, true), out[2])
	assertTensor(t, vec[int64](0, 1, 3, 4), out[3])
}

func TestFillEmptyRowsUnorderedAndFull(t *testing.T) {
	// No empty rows and ordered: the input comes back as it is.
	out := run(t, "SparseFillEmptyRows", map[string]any{"T": tensor.Float32},
		tt(tensor.Shape{2, 1}, int64(0), 1), vec[float32](5, 6), vec[int64](2), tensor.Scalar(float32(-1)))
	assertTensor(t, vec[float32](5, 6), out[1])
	assertTensor(t, vec[int64](0, 1), out[3])
	// Rows out of order are grouped by row, keeping their order in a row.
	out = run(t, "SparseFillEmptyRows", map[string]any{"T": tensor.Float32},
		tt(tensor.Shape{3, 1}, int64(2), 0, 2), vec[float32](5, 6, 7), vec[int64](3), tensor.Scalar(float32(-1)))
	assertTensor(t, vec[float32](6, -1, 5, 7), out[1])
	assertTensor(t, vec[int64](2, 0, 3), out[3])
	err := call("SparseFillEmptyRows", map[string]any{"T": tensor.Float32},
		tt(tensor.Shape{1, 1}, int64(3)), vec[float32](5), vec[int64](3), tensor.Scalar(float32(0)))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
}

// tf.sparse.reshape's docstring: a [2, 3, 6] tensor reshaped to [9, -1].
func TestSparseReshapeDocstring(t *testing.T) {
	out := run(t, "SparseReshape", nil,
		tt(tensor.Shape{5, 3}, int64(0), 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 2, 3), vec[int64](2, 3, 6), vec[int64](9, -1))
	assertTensor(t, tt(tensor.Shape{5, 2}, int64(0), 0, 0, 1, 1, 2, 4, 2, 8, 1), out[0])
	assertTensor(t, vec[int64](9, 4), out[1])

	for name, shape := range map[string]*tensor.Tensor{
		"two unknowns": vec[int64](-1, -1),
		"not multiple": vec[int64](5, -1),
		"wrong size":   vec[int64](6, 7),
	} {
		err := call("SparseReshape", nil, tt[int64](tensor.Shape{0, 3}), vec[int64](2, 3, 6), shape)
		assert.ErrorIs(t, err, kernel.ErrInvalidArgument, name)
	}
}

// tf.sparse.segment_sum's docstring, c = [[1,2,3,4], [-1,-2,-3,-4],
// [5,6,7,8]].
func TestSparseSegmentDocstring(t *testing.T) {
	c := tt(tensor.Shape{3, 4}, int32(1), 2, 3, 4, -1, -2, -3, -4, 5, 6, 7, 8)
	sum := func(idx, ids *tensor.Tensor) *tensor.Tensor {
		return run(t, "SparseSegmentSum", map[string]any{"T": tensor.Int32}, c, idx, ids)[0]
	}
	assertTensor(t, tt(tensor.Shape{1, 4}, int32(0), 0, 0, 0), sum(vec[int32](0, 1), vec[int32](0, 0)))
	assertTensor(t, tt(tensor.Shape{2, 4}, int32(1), 2, 3, 4, -1, -2, -3, -4), sum(vec[int32](0, 1), vec[int32](0, 1)))
	assertTensor(t, tt(tensor.Shape{2, 4}, int32(0), 0, 0, 0, 5, 6, 7, 8), sum(vec[int32](0, 1, 2), vec[int32](0, 0, 1)))

	// Mean and SqrtN by hand: rows 0 and 2 of f are [1, 2] and [5, 10];
	// segment 1 is absent, so zero.
	f := tt(tensor.Shape{3, 2}, float32(1), 2, 3, 4, 5, 10)
	mean := run(t, "SparseSegmentMean", map[string]any{"T": tensor.Float32}, f, vec[int64](0, 2), vec[int64](0, 0))[0]
	assertTensor(t, tt(tensor.Shape{1, 2}, float32(3), 6), mean)
	sqrtn := run(t, "SparseSegmentSqrtN", map[string]any{"T": tensor.Float32}, f, vec[int32](0, 2, 1), vec[int32](0, 0, 2))[0]
	assertTensor(t, tt(tensor.Shape{3, 2}, float32(6/1.4142135), 12/1.4142135, 0, 0, 3, 4), sqrtn)

	assert.ErrorIs(t, call("SparseSegmentSum", map[string]any{"T": tensor.Int32}, c, vec[int32](0, 3), vec[int32](0, 0)), kernel.ErrInvalidArgument)
	assert.ErrorIs(t, call("SparseSegmentSum", map[string]any{"T": tensor.Int32}, c, vec[int32](0, 1), vec[int32](1, 0)), kernel.ErrInvalidArgument)
}

// BoostedTreesBucketize is std::upper_bound: the bucket of v is the
// number of boundaries <= v.
func TestBucketize(t *testing.T) {
	out := run(t, "BoostedTreesBucketize", map[string]any{"num_features": int64(2)},
		vec[float32](-1, 0, 0.5, 1, 3), vec[float32](7), vec[float32](0, 1, 2), vec[float32]())
	assertTensor(t, vec[int32](0, 1, 1, 2, 3), out[0])
	assertTensor(t, vec[int32](0), out[1])
}
