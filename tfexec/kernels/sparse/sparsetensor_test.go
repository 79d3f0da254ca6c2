package sparse

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// tf.sparse.concat's docstring (sparse_ops.cc's SparseConcat doc): [2, 3]
// with a at [0, 2], b at [1, 0], c at [1, 1], and [2, 4] with d at
// [0, 1], e at [0, 2], concatenated on dimension 1: [2, 7] with a at
// [0, 2], d at [0, 4], e at [0, 5], b at [1, 0], c at [1, 1].
func TestSparseConcatDocstring(t *testing.T) {
	out := run(t, "SparseConcat", map[string]any{"T": tensor.String, "N": int64(2), "concat_dim": int64(1)},
		tt(tensor.Shape{3, 2}, int64(0), 2, 1, 0, 1, 1), tt(tensor.Shape{2, 2}, int64(0), 1, 0, 2),
		vec("a", "b", "c"), vec("d", "e"),
		vec[int64](2, 3), vec[int64](2, 4))
	assert.Equal(t, tt(tensor.Shape{5, 2}, int64(0), 2, 0, 4, 0, 5, 1, 0, 1, 1), out[0])
	assert.Equal(t, vec("a", "d", "e", "b", "c"), out[1])
	assert.Equal(t, vec[int64](2, 7), out[2])

	err := call("SparseConcat", map[string]any{"T": tensor.String, "N": int64(2), "concat_dim": int64(1)},
		tt(tensor.Shape{1, 2}, int64(0), 2), tt(tensor.Shape{1, 2}, int64(0), 1), vec("a"), vec("d"), vec[int64](2, 3), vec[int64](3, 4))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument, "other dimensions differ")
}

// tf.sparse.slice's docstring (SparseSlice's doc): the [2, 7] tensor
// above sliced at [0, 0] size [2, 4] keeps a, b, c; at [0, 4] size [2, 3]
// it keeps d and e at [0, 0] and [0, 1], shape [2, 3].
func TestSparseSliceDocstring(t *testing.T) {
	idx := tt(tensor.Shape{5, 2}, int64(0), 2, 0, 4, 0, 5, 1, 0, 1, 1)
	vals := vec("a", "d", "e", "b", "c")
	shape := vec[int64](2, 7)
	out := run(t, "SparseSlice", map[string]any{"T": tensor.String}, idx, vals, shape, vec[int64](0, 0), vec[int64](2, 4))
	assert.Equal(t, tt(tensor.Shape{3, 2}, int64(0), 2, 1, 0, 1, 1), out[0])
	assert.Equal(t, vec("a", "b", "c"), out[1])
	assert.Equal(t, vec[int64](2, 4), out[2])
	out = run(t, "SparseSlice", map[string]any{"T": tensor.String}, idx, vals, shape, vec[int64](0, 4), vec[int64](2, 3))
	assert.Equal(t, tt(tensor.Shape{2, 2}, int64(0), 0, 0, 1), out[0])
	assert.Equal(t, vec("d", "e"), out[1])
	assert.Equal(t, vec[int64](2, 3), out[2])
	// A slice reaching past the shape is cut to it.
	out = run(t, "SparseSlice", map[string]any{"T": tensor.String}, idx, vals, shape, vec[int64](1, 5), vec[int64](4, 4))
	assert.Equal(t, vec[int64](1, 2), out[2])
}

// SparseReorder puts entries in row-major order of their coordinates, as
// sparse_reorder_op_test.py checks against numpy's lexsort.
func TestSparseReorder(t *testing.T) {
	out := run(t, "SparseReorder", map[string]any{"T": tensor.Float32},
		tt(tensor.Shape{4, 2}, int64(2), 0, 0, 1, 1, 1, 0, 0), vec[float32](1, 2, 3, 4), vec[int64](3, 2))
	assert.Equal(t, tt(tensor.Shape{4, 2}, int64(0), 0, 0, 1, 1, 1, 2, 0), out[0])
	assert.Equal(t, vec[float32](4, 2, 3, 1), out[1])
	err := call("SparseReorder", map[string]any{"T": tensor.Float32}, tt(tensor.Shape{1, 2}, int64(3), 0), vec[float32](1), vec[int64](3, 2))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument, "an index outside the shape")
}

// dense lays a sparse tensor out densely: the reference the TensorFlow
// tests of SparseAdd, SparseTensorDenseAdd and SparseTensorDenseMatMul
// (sparse_add_op_test.py, sparse_tensor_dense_matmul_op_test.py) compute
// with numpy.
func dense(rows, cols int, idx []int64, vals []float64) []float64 {
	out := make([]float64, rows*cols)
	for i, v := range vals {
		out[int(idx[2*i])*cols+int(idx[2*i+1])] += v
	}
	return out
}

// randomSparse draws a sparse [rows, cols] matrix in row-major order.
func randomSparse(r *rand.Rand, rows, cols int, density float64) ([]int64, []float64) {
	var idx []int64
	var vals []float64
	for i := range rows {
		for j := range cols {
			if r.Float64() < density {
				idx = append(idx, int64(i), int64(j))
				vals = append(vals, float64(r.IntN(19)-9))
			}
		}
	}
	return idx, vals
}

func TestSparseArithmeticAgainstDense(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		rows, cols, inner := 1+r.IntN(5), 1+r.IntN(5), 1+r.IntN(4)
		ai, av := randomSparse(r, rows, cols, 0.4)
		bi, bv := randomSparse(r, rows, cols, 0.4)
		for _, dt := range arithTypes {
			shape := vec(int64(rows), int64(cols))
			sa := []*tensor.Tensor{tt(tensor.Shape{len(av), 2}, ai...), values(dt, av), shape}
			sb := []*tensor.Tensor{tt(tensor.Shape{len(bv), 2}, bi...), values(dt, bv), shape}

			// SparseAdd, thresh 0: the dense sum, where either has an entry.
			out := run(t, "SparseAdd", map[string]any{"T": dt, "Treal": tensor.Float32}, append(append(sa, sb...), tensor.Scalar(float32(0)))...)
			got, err := tensor.Float64s(realPart(out[1]))
			require.NoError(t, err)
			sum := dense(rows, cols, append(append([]int64{}, ai...), bi...), append(append([]float64{}, av...), bv...))
			assert.Equal(t, sum, dense(rows, cols, tensor.Values[int64](out[0]), got), "SparseAdd trial %d %v", trial, dt)

			// SparseTensorDenseAdd: b dense.
			bd := dense(rows, cols, bi, bv)
			out = run(t, "SparseTensorDenseAdd", map[string]any{"T": dt, "Tindices": tensor.Int64}, sa[0], sa[1], shape, valuesShaped(dt, tensor.Shape{rows, cols}, bd))
			got, err = tensor.Float64s(realPart(out[0]))
			require.NoError(t, err)
			assert.Equal(t, sum, got, "SparseTensorDenseAdd trial %d %v", trial, dt)

			// SparseTensorDenseMatMul with every adjoint.
			ad := dense(rows, cols, ai, av)
			for _, adj := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				m, k := rows, cols
				if adj[0] {
					m, k = cols, rows
				}
				bm := make([]float64, k*inner)
				for i := range bm {
					bm[i] = float64(r.IntN(7) - 3)
				}
				bShape := tensor.Shape{k, inner}
				bStored := bm
				if adj[1] {
					bShape = tensor.Shape{inner, k}
					bStored = transpose(bm, k, inner)
				}
				want := make([]float64, m*inner)
				for i := range m {
					for j := range inner {
						for l := range k {
							var a float64
							if adj[0] {
								a = ad[l*cols+i]
							} else {
								a = ad[i*cols+l]
							}
							want[i*inner+j] += a * bm[l*inner+j]
						}
					}
				}
				out = run(t, "SparseTensorDenseMatMul", map[string]any{"T": dt, "Tindices": tensor.Int64, "adjoint_a": adj[0], "adjoint_b": adj[1]},
					sa[0], sa[1], shape, valuesShaped(dt, bShape, bStored))
				got, err = tensor.Float64s(realPart(out[0]))
				require.NoError(t, err)
				assert.Equal(t, want, got, "SparseTensorDenseMatMul trial %d %v adjoint %v", trial, dt, adj)
			}
		}
	}
}

// SparseAdd drops a summed entry whose magnitude is below thresh, and
// keeps entries present in one operand whatever their size.
func TestSparseAddThreshold(t *testing.T) {
	shape := vec[int64](2, 2)
	out := run(t, "SparseAdd", map[string]any{"T": tensor.Float32, "Treal": tensor.Float32},
		tt(tensor.Shape{2, 2}, int64(0), 0, 1, 1), vec[float32](1, 0.05), shape,
		tt(tensor.Shape{2, 2}, int64(0), 0, 1, 0), vec[float32](-0.95, 0.01), shape, tensor.Scalar(float32(0.1)))
	assert.Equal(t, tt(tensor.Shape{2, 2}, int64(1), 0, 1, 1), out[0])
	assert.Equal(t, vec[float32](0.01, 0.05), out[1])
}

// SparseTensorDenseMatMul refuses indices outside A, naming them as
// TensorFlow does.
func TestSparseMatMulErrors(t *testing.T) {
	err := call("SparseTensorDenseMatMul", map[string]any{"T": tensor.Float32},
		tt(tensor.Shape{1, 2}, int64(0), 3), vec[float32](1), vec[int64](2, 3), tt(tensor.Shape{3, 1}, float32(1), 2, 3))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
	assert.ErrorContains(t, err, "k (3) from index[0,1] out of bounds (>=3)")
	err = call("SparseTensorDenseMatMul", map[string]any{"T": tensor.Float32},
		tt(tensor.Shape{1, 2}, int64(0), 1), vec[float32](1), vec[int64](2, 3), tt(tensor.Shape{2, 1}, float32(1), 2))
	assert.ErrorContains(t, err, "inner dimension does not match")
}

func transpose(m []float64, rows, cols int) []float64 {
	out := make([]float64, len(m))
	for i := range rows {
		for j := range cols {
			out[j*rows+i] = m[i*cols+j]
		}
	}
	return out
}

func values(dt tensor.DType, v []float64) *tensor.Tensor {
	return valuesShaped(dt, tensor.Shape{len(v)}, v)
}

func valuesShaped(dt tensor.DType, s tensor.Shape, v []float64) *tensor.Tensor {
	return kerneltest.Values(dt, s, v...)
}

// realPart returns a complex tensor's real parts (the imaginary parts of
// these tests are zero), any other tensor as it is.
func realPart(t *tensor.Tensor) *tensor.Tensor {
	switch v := t.Data().(type) {
	case []complex64:
		out := make([]float64, len(v))
		for i, c := range v {
			out[i] = float64(real(c))
		}
		return tensor.MustFromSlice(t.Shape(), out)
	case []complex128:
		out := make([]float64, len(v))
		for i, c := range v {
			out[i] = real(c)
		}
		return tensor.MustFromSlice(t.Shape(), out)
	}
	return t
}
