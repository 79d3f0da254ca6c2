package sparse

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newSparseTensorDenseMatMul prepares SparseTensorDenseMatMul
// (sparse_tensor_dense_matmul_op.cc): op(A)·op(B) for a sparse matrix A
// (a_indices, a_values, a_shape) and a dense matrix B, op transposing
// (conjugating complex values) under adjoint_a or adjoint_b. Each output
// row accumulates its entries' products in the order of A's entries.
func newSparseTensorDenseMatMul(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", arithTypes); err != nil {
		return nil, err
	}
	adjA, err := n.Attrs.Bool("adjoint_a", false)
	if err != nil {
		return nil, n.AttrError("adjoint_a", err)
	}
	adjB, err := n.Attrs.Bool("adjoint_b", false)
	if err != nil {
		return nil, n.AttrError("adjoint_b", err)
	}
	return sparseKernel(n, 4, func(in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if in[2].Rank() != 1 || in[2].NumElements() != 2 {
			return nil, kernel.Invalid("Tensor 'a_shape' must have 2 elements, got shape %v", in[2].Shape())
		}
		b := in[3]
		if b.Rank() != 2 {
			return nil, kernel.Invalid("Tensor 'b' is not a matrix, got shape %v", b.Shape())
		}
		if in[1].Rank() != 1 {
			return nil, kernel.Invalid("Tensor 'a_values' is not a vector, got shape %v", in[1].Shape())
		}
		if in[0].Rank() != 2 || in[0].Shape()[1] != 2 || in[0].Shape()[0] != in[1].Shape()[0] {
			return nil, kernel.Invalid("Number of rows of a_indices does not match number of entries in a_values (a_indices shape %v, a_values shape %v)", in[0].Shape(), in[1].Shape())
		}
		shape, err := int64s(in[2], "a_shape")
		if err != nil {
			return nil, err
		}
		idx, err := int64s(in[0], "a_indices")
		if err != nil {
			return nil, err
		}
		if in[1].DType() != b.DType() {
			return nil, kernel.Invalid("a_values are %v, b is %v", in[1].DType(), b.DType())
		}
		m, k := shape[0], shape[1]
		if adjA {
			m, k = k, m
		}
		bk, bn := int64(b.Shape()[0]), int64(b.Shape()[1])
		if adjB {
			bk, bn = bn, bk
		}
		if k != bk {
			return nil, kernel.Invalid("Cannot multiply A and B because inner dimension does not match: %d vs. %d.  Did you forget a transpose?  Dimensions of A: [%d, %d).  Dimensions of B: %v", k, bk, shape[0], shape[1], b.Shape())
		}
		if m < 0 || k < 0 {
			return nil, kernel.Invalid("a_shape must be non-negative, got %v", shapeString(shape))
		}
		out := tensor.Shape{int(m), int(bn)}
		if err := tensor.CheckAlloc(b.DType(), out); err != nil {
			return nil, err
		}
		nnz := len(idx) / 2
		rows, cols := make([]int, nnz), make([]int, nnz)
		for i := range nnz {
			r, c := idx[2*i], idx[2*i+1]
			if adjA {
				r, c = c, r
			}
			if c < 0 || c >= k {
				return nil, kernel.Invalid("k (%d) from index[%d,%d] out of bounds (>=%d)", c, i, boolInt(!adjA), k)
			}
			if r < 0 || r >= m {
				return nil, kernel.Invalid("m (%d) from index[%d,%d] out of bounds (>=%d)", r, i, boolInt(adjA), m)
			}
			rows[i], cols[i] = int(r), int(c)
		}
		g := spmm{rows: rows, cols: cols, m: int(m), n: int(bn), bCols: b.Shape()[1], adjA: adjA, adjB: adjB}
		switch b.DType() {
		case tensor.Float32:
			return one(tensor.FromSlice(out, spmmRun(g, tensor.Values[float32](in[1]), tensor.Values[float32](b), ident[float32])))
		case tensor.Float64:
			return one(tensor.FromSlice(out, spmmRun(g, tensor.Values[float64](in[1]), tensor.Values[float64](b), ident[float64])))
		case tensor.Int32:
			return one(tensor.FromSlice(out, spmmRun(g, tensor.Values[int32](in[1]), tensor.Values[int32](b), ident[int32])))
		case tensor.Int64:
			return one(tensor.FromSlice(out, spmmRun(g, tensor.Values[int64](in[1]), tensor.Values[int64](b), ident[int64])))
		case tensor.Complex64:
			return one(tensor.FromSlice(out, spmmRun(g, tensor.Values[complex64](in[1]), tensor.Values[complex64](b), conj64)))
		case tensor.Complex128:
			return one(tensor.FromSlice(out, spmmRun(g, tensor.Values[complex128](in[1]), tensor.Values[complex128](b), conj128)))
		}
		return nil, kernel.Unsupported("dtype %v", b.DType())
	}), nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func one(t *tensor.Tensor, err error) ([]*tensor.Tensor, error) {
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{t}, nil
}

func ident[T number](v T) T           { return v }
func conj64(v complex64) complex64    { return complex(real(v), -imag(v)) }
func conj128(v complex128) complex128 { return complex(real(v), -imag(v)) }

// spmm is one product's geometry: entry i of A lands in output row
// rows[i] and multiplies row cols[i] of op(B).
type spmm struct {
	rows, cols []int
	m, n       int
	bCols      int // B's stored columns
	adjA, adjB bool
}

func spmmRun[T number](g spmm, a, b []T, conj func(T) T) []T {
	out := make([]T, g.m*g.n)
	for i, r := range g.rows {
		v := a[i]
		if g.adjA {
			v = conj(v)
		}
		c := g.cols[i]
		row := out[r*g.n : (r+1)*g.n]
		for j := range row {
			var bv T
			if g.adjB {
				bv = conj(b[j*g.bCols+c])
			} else {
				bv = b[c*g.bCols+j]
			}
			row[j] += v * bv
		}
	}
	return out
}
