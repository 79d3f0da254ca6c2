package linalg

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// diagTypes are the dtypes TensorFlow registers MatrixBandPart and the
// MatrixDiag family for on the CPU (TF_CALL_POD_TYPES).
var diagTypes = kernel.FixedSizeTypes()

// diagVersion tells the MatrixDiag ops apart: V1 has no k (the main
// diagonal) and no padding value, V2 adds them with LEFT_LEFT alignment,
// V3 adds the align attribute.
type diagVersion uint8

const (
	diagV1 diagVersion = iota + 1
	diagV2
	diagV3
)

// band is a range of diagonals [lo, hi] (0 the main diagonal, positive
// above it) and how the diagonals are packed: each is left-aligned (its
// first element at index 0) or right-aligned (its last element at the
// end), superdiagonals and subdiagonals separately.
type band struct {
	lo, hi                int
	leftSuper, leftSub    bool
	rows, cols, maxDiagLn int
}

// readAlign reads V3's align attribute; V2 packs LEFT_LEFT.
func readAlign(n *kernel.Node, v diagVersion) (leftSuper, leftSub bool, err error) {
	if v != diagV3 {
		return true, true, nil
	}
	a, err := n.Attrs.String("align", "RIGHT_LEFT")
	if err != nil {
		return false, false, err
	}
	switch a {
	case "LEFT_RIGHT":
		return true, false, nil
	case "RIGHT_LEFT":
		return false, true, nil
	case "LEFT_LEFT":
		return true, true, nil
	case "RIGHT_RIGHT":
		return false, false, nil
	}
	return false, false, kernel.Invalid("attribute align: unknown alignment %q", a)
}

// readK reads the diagonal index input: one diagonal or a range of two.
func readK(t *tensor.Tensor) (lo, hi int, err error) {
	if t.Rank() > 1 {
		return 0, 0, kernel.Invalid("diag_index must be a scalar or vector, received shape: %v", t.Shape())
	}
	k, err := kernel.Ints(t)
	if err != nil {
		return 0, 0, err
	}
	switch len(k) {
	case 1:
		lo, hi = k[0], k[0]
	case 2:
		lo, hi = k[0], k[1]
	default:
		return 0, 0, kernel.Invalid("diag_index must have only one or two elements, received %d elements", len(k))
	}
	if lo > hi {
		return 0, 0, kernel.Invalid("lower_diag_index must not be larger than upper_diag_index: %d > %d", lo, hi)
	}
	return lo, hi, nil
}

// diagLen is the number of elements of diagonal d of the matrix.
func (b *band) diagLen(d int) int {
	return min(b.cols-max(d, 0), b.rows+min(d, 0))
}

// offset is where diagonal d's first element lies in its packed row.
func (b *band) offset(d int) int {
	if (d >= 0 && !b.leftSuper) || (d <= 0 && !b.leftSub) {
		return b.maxDiagLn - b.diagLen(d)
	}
	return 0
}

// checkBounds refuses diagonals outside a rows×cols matrix, as
// MatrixDiagPart and MatrixSetDiag do.
func (b *band) checkBounds() error {
	for _, k := range []struct {
		name string
		v    int
	}{{"lower_diag_index", b.lo}, {"upper_diag_index", b.hi}} {
		if !((-b.rows < k.v && k.v < b.cols) || k.v == 0) {
			return kernel.Invalid("%s is out of bound: %d. It must be between %d and %d", k.name, k.v, -b.rows, b.cols)
		}
	}
	return nil
}

// packedIndex returns, for every element of the packed diagonals of one
// matrix ([num diagonals, max diagonal length], diagonal hi first), the
// index of the matrix element it holds, or -1 for padding.
func (b *band) packedIndex() []int {
	idx := make([]int, 0, (b.hi-b.lo+1)*b.maxDiagLn)
	for d := b.hi; d >= b.lo; d-- {
		off := b.offset(d)
		y, x := max(-d, 0)-off, max(d, 0)-off
		for n := 0; n < b.maxDiagLn; n++ {
			r, c := n+y, n+x
			if r >= 0 && r < b.rows && c >= 0 && c < b.cols {
				idx = append(idx, r*b.cols+c)
			} else {
				idx = append(idx, -1)
			}
		}
	}
	return idx
}

// fit sets the band's matrix to the innermost matrices of an input of
// the given shape, checks the band lies in them, and returns the number of
// matrices and the shape of their packed diagonals.
func (b *band) fit(s tensor.Shape) (batch int, packed tensor.Shape, err error) {
	batch, b.rows, b.cols, err = matrixDims(s, "input")
	if err != nil {
		return 0, nil, err
	}
	if err := b.checkBounds(); err != nil {
		return 0, nil, err
	}
	b.maxDiagLn = max(0, min(b.rows+min(b.hi, 0), b.cols+min(-b.lo, 0)))
	packed = append(tensor.Shape{}, s[:len(s)-2]...)
	if b.lo != b.hi {
		packed = append(packed, b.hi-b.lo+1)
	}
	return batch, append(packed, b.maxDiagLn), nil
}

// matrixDims splits a shape of rank at least 2 into its batch size and
// matrix rows and columns.
func matrixDims(s tensor.Shape, what string) (batch, rows, cols int, err error) {
	if len(s) < 2 {
		return 0, 0, 0, kernel.Invalid("%s must be at least 2-dim, received shape: %v", what, s)
	}
	rows, cols = s[len(s)-2], s[len(s)-1]
	return tensor.Shape(s[:len(s)-2]).NumElements(), rows, cols, nil
}

// scalarInput checks that input i is a scalar of dtype dt.
func scalarInput(in []*tensor.Tensor, i int, name string, dt tensor.DType) error {
	if in[i].Rank() != 0 {
		return kernel.Invalid("%s must be a scalar, received shape: %v", name, in[i].Shape())
	}
	if in[i].DType() != dt {
		return fmt.Errorf("%s has dtype %v, want %v", name, in[i].DType(), dt)
	}
	return nil
}

// newMatrixDiagPart makes MatrixDiagPart, V2 and V3: the diagonals
// [lo, hi] of the innermost matrices, packed one row each.
func newMatrixDiagPart(v diagVersion) kernel.Factory {
	return diagKernel(v, 1, 3, func(b band, in []*tensor.Tensor) (*tensor.Tensor, error) {
		var err error
		x := in[0]
		var pad *tensor.Tensor
		if v != diagV1 {
			if b.lo, b.hi, err = readK(in[1]); err != nil {
				return nil, err
			}
			if err := scalarInput(in, 2, "padding_value", x.DType()); err != nil {
				return nil, err
			}
			pad = in[2]
		}
		batch, shape, err := b.fit(x.Shape())
		if err != nil {
			return nil, err
		}
		if err := tensor.CheckAlloc(x.DType(), shape); err != nil {
			return nil, err
		}
		one := b.packedIndex()
		idx := make([]int, 0, batch*len(one))
		for i := range batch {
			for _, j := range one {
				if j >= 0 {
					j += i * b.rows * b.cols
				}
				idx = append(idx, j)
			}
		}
		return remap(shape, nil, x, pad, idx)
	})
}

// newMatrixSetDiag makes MatrixSetDiag, V2 and V3: the input with the
// diagonals [lo, hi] of its innermost matrices replaced by packed ones.
func newMatrixSetDiag(v diagVersion) kernel.Factory {
	return diagKernel(v, 2, 3, func(b band, in []*tensor.Tensor) (*tensor.Tensor, error) {
		var err error
		x, diag := in[0], in[1]
		if diag.DType() != x.DType() {
			return nil, fmt.Errorf("diagonal has dtype %v, want %v", diag.DType(), x.DType())
		}
		if v != diagV1 {
			if b.lo, b.hi, err = readK(in[2]); err != nil {
				return nil, err
			}
		}
		batch, want5, err := b.fit(x.Shape())
		if err != nil {
			return nil, err
		}
		rows, cols := b.rows, b.cols
		if !diag.Shape().Equal(want5) {
			return nil, kernel.Invalid("diagonal must have shape %v, received shape: %v", want5, diag.Shape())
		}
		// idx maps each input element to the packed element that
		// replaces it, or -1 to keep it.
		idx := make([]int, x.NumElements())
		for i := range idx {
			idx[i] = -1
		}
		one := b.packedIndex()
		for i := range batch {
			for p, j := range one {
				if j >= 0 {
					idx[i*rows*cols+j] = i*len(one) + p
				}
			}
		}
		return remap(x.Shape(), x, diag, nil, idx)
	})
}

// newMatrixDiag makes MatrixDiag, V2 and V3: matrices holding packed
// diagonals [lo, hi] and the padding value elsewhere.
func newMatrixDiag(v diagVersion) kernel.Factory {
	return diagKernel(v, 1, 5, func(b band, in []*tensor.Tensor) (*tensor.Tensor, error) {
		var err error
		diag := in[0]
		numRows, numCols := -1, -1
		var pad *tensor.Tensor
		if v != diagV1 {
			if b.lo, b.hi, err = readK(in[1]); err != nil {
				return nil, err
			}
			for i, p := range []*int{&numRows, &numCols} {
				name := []string{"num_rows", "num_cols"}[i]
				if in[2+i].Rank() != 0 {
					return nil, kernel.Invalid("%s must be a scalar, received shape: %v", name, in[2+i].Shape())
				}
				if *p, err = kernel.Int(in[2+i]); err != nil {
					return nil, err
				}
			}
			if err := scalarInput(in, 4, "padding_value", diag.DType()); err != nil {
				return nil, err
			}
			pad = in[4]
		}
		ds := diag.Shape()
		if ds.Rank() < 1 {
			return nil, kernel.Invalid("diagonal must be at least 1-dim, received shape: %v", ds)
		}
		batchDims := ds[:ds.Rank()-1]
		if b.lo != b.hi {
			if ds.Rank() < 2 {
				return nil, kernel.Invalid("diagonal must be at least 2-dim for a range of diagonals, received shape: %v", ds)
			}
			if num := ds[ds.Rank()-2]; num != b.hi-b.lo+1 {
				return nil, kernel.Invalid("the number of diagonals provided in the input does not match the lower_diag_index and upper_diag_index range: %d vs [%d, %d]", num, b.lo, b.hi)
			}
			batchDims = ds[:ds.Rank()-2]
		}
		b.maxDiagLn = ds[ds.Rank()-1]
		minRows := b.maxDiagLn - min(b.hi, 0)
		minCols := b.maxDiagLn + max(b.lo, 0)
		switch {
		case numRows == -1 && numCols == -1:
			numRows = max(minRows, minCols)
			numCols = numRows
		case numRows == -1:
			numRows = minRows
		case numCols == -1:
			numCols = minCols
		}
		if numRows < minRows {
			return nil, kernel.Invalid("the number of rows is too small: %d < %d", numRows, minRows)
		}
		if numCols < minCols {
			return nil, kernel.Invalid("the number of columns is too small: %d < %d", numCols, minCols)
		}
		if numRows != minRows && numCols != minCols {
			return nil, kernel.Invalid("the number of rows or columns is not consistent with the specified d_lower, d_upper, and diagonal")
		}
		b.rows, b.cols = numRows, numCols
		shape := append(append(tensor.Shape{}, batchDims...), numRows, numCols)
		if err := tensor.CheckAlloc(diag.DType(), shape); err != nil {
			return nil, err
		}
		batch := batchDims.NumElements()
		per := (b.hi - b.lo + 1) * b.maxDiagLn
		idx := make([]int, shape.NumElements())
		for i := range idx {
			idx[i] = -1
		}
		for p, j := range b.packedIndex() {
			if j < 0 {
				continue
			}
			for i := range batch {
				idx[i*numRows*numCols+j] = i*per + p
			}
		}
		return remap(shape, nil, diag, pad, idx)
	})
}

// newMatrixBandPart makes MatrixBandPart: the innermost matrices with
// every element outside the band of num_lower subdiagonals and num_upper
// superdiagonals (all when negative) set to zero.
func newMatrixBandPart(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", diagTypes); err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 3); err != nil {
			return nil, err
		}
		x := in[0]
		_, rows, cols, err := matrixDims(x.Shape(), "input")
		if err != nil {
			return nil, err
		}
		var lim [2]int
		for i, name := range []string{"num_lower", "num_upper"} {
			if in[1+i].Rank() != 0 {
				return nil, kernel.Invalid("%s must be scalar, got shape %v", name, in[1+i].Shape())
			}
			if lim[i], err = kernel.Int(in[1+i]); err != nil {
				return nil, err
			}
		}
		if lim[0] > rows {
			return nil, kernel.Invalid("num_lower must be negative or less or equal to number of rows (%d) got: %d", rows, lim[0])
		}
		if lim[1] > cols {
			return nil, kernel.Invalid("num_upper must be negative or less or equal to number of columns (%d) got: %d", cols, lim[1])
		}
		idx := make([]int, x.NumElements())
		for i := range idx {
			r, c := i/cols%rows, i%cols
			if (lim[0] < 0 || r-c <= lim[0]) && (lim[1] < 0 || c-r <= lim[1]) {
				idx[i] = i
			} else {
				idx[i] = -1
			}
		}
		out, err := remap(x.Shape(), nil, x, nil, idx)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

// diagKernel makes a factory of the MatrixDiag family: the kernel checks
// T and reads V3's align, and body gets the band (its alignment set) and
// inputs, as many as V1 (inV1) or the later versions (inV2) take.
func diagKernel(v diagVersion, inV1, inV2 int, body func(b band, in []*tensor.Tensor) (*tensor.Tensor, error)) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		if err := kernel.CheckTypeAttr(n, "T", diagTypes); err != nil {
			return nil, err
		}
		leftSuper, leftSub, err := readAlign(n, v)
		if err != nil {
			return nil, err
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			want := inV1
			if v != diagV1 {
				want = inV2
			}
			if err := kernel.CheckInputs(in, want); err != nil {
				return nil, err
			}
			out, err := body(band{leftSuper: leftSuper, leftSub: leftSub}, in)
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// remap builds a tensor of the given shape whose element i is src's
// element idx[i], or where idx[i] is -1, base's element i (base given) or
// the scalar pad (zero when nil).
func remap(shape tensor.Shape, base, src, pad *tensor.Tensor, idx []int) (*tensor.Tensor, error) {
	switch s := src.Data().(type) {
	case []float32:
		return remapOf(shape, base, s, pad, idx)
	case []float64:
		return remapOf(shape, base, s, pad, idx)
	case []tensor.F16:
		return remapOf(shape, base, s, pad, idx)
	case []tensor.BF16:
		return remapOf(shape, base, s, pad, idx)
	case []int8:
		return remapOf(shape, base, s, pad, idx)
	case []int16:
		return remapOf(shape, base, s, pad, idx)
	case []int32:
		return remapOf(shape, base, s, pad, idx)
	case []int64:
		return remapOf(shape, base, s, pad, idx)
	case []uint8:
		return remapOf(shape, base, s, pad, idx)
	case []uint16:
		return remapOf(shape, base, s, pad, idx)
	case []uint32:
		return remapOf(shape, base, s, pad, idx)
	case []uint64:
		return remapOf(shape, base, s, pad, idx)
	case []complex64:
		return remapOf(shape, base, s, pad, idx)
	case []complex128:
		return remapOf(shape, base, s, pad, idx)
	case []bool:
		return remapOf(shape, base, s, pad, idx)
	}
	return nil, kernel.Unsupported("dtype %v", src.DType())
}

func remapOf[T tensor.Element](shape tensor.Shape, base *tensor.Tensor, src []T, pad *tensor.Tensor, idx []int) (*tensor.Tensor, error) {
	var fill T
	if pad != nil {
		fill = tensor.Values[T](pad)[0]
	}
	var keep []T
	if base != nil {
		keep = tensor.Values[T](base)
	}
	out := make([]T, len(idx))
	for i, j := range idx {
		switch {
		case j >= 0:
			out[i] = src[j]
		case keep != nil:
			out[i] = keep[i]
		default:
			out[i] = fill
		}
	}
	return tensor.FromSlice(shape, out)
}
