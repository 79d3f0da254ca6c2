package linalg

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestMatrixBandPartAgainstTFJS holds MatrixBandPart to TensorFlow.js's
// tf.linalg.bandPart (testdata/tfjs_bandpart.js wrote the file).
func TestMatrixBandPartAgainstTFJS(t *testing.T) {
	kerneltest.CheckTFJSReferences(t, "tfjs_bandpart", tensor.Tolerance{}, 42)
}

// diagCase is a batch of two matrices and, for diagonal ranges [lo, hi],
// the diagonals packed LEFT_LEFT and the matrices holding only that band:
// the test vectors of TensorFlow's diag_op_test.py
// (tensorflow/python/kernel_tests/array_ops/diag_op_test.py: square_cases,
// tall_cases, fat_cases).
type diagCase struct {
	name       string
	rows, cols int
	mat        []int32
	bands      []diagBand
}

type diagBand struct {
	lo, hi int
	packed []int32 // [2, hi-lo+1 (if lo < hi), max diagonal length]
	maxLen int
	padded []int32 // [2, rows, cols]
}

var tfDiagCases = []diagCase{
	{name: "square", rows: 5, cols: 5,
		mat: []int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8,
			9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6},
		bands: []diagBand{
			{lo: -1, hi: -1, maxLen: 4, packed: []int32{6, 4, 1, 7, 5, 2, 8, 5},
				padded: []int32{0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 7, 0,
					0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 5, 0}},
			{lo: -4, hi: -3, maxLen: 2, packed: []int32{8, 5, 4, 0, 6, 3, 2, 0},
				padded: []int32{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 4, 5, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 2, 3, 0, 0, 0}},
			{lo: -2, hi: 1, maxLen: 5, packed: []int32{2, 8, 6, 3, 0, 1, 7, 5, 2, 8, 6, 4, 1, 7, 0, 3, 9, 6, 0, 0,
				1, 7, 4, 1, 0, 9, 6, 3, 9, 6, 5, 2, 8, 5, 0, 1, 7, 4, 0, 0},
				padded: []int32{1, 2, 0, 0, 0, 6, 7, 8, 0, 0, 3, 4, 5, 6, 0, 0, 9, 1, 2, 3, 0, 0, 6, 7, 8,
					9, 1, 0, 0, 0, 5, 6, 7, 0, 0, 1, 2, 3, 4, 0, 0, 7, 8, 9, 1, 0, 0, 4, 5, 6}},
			{lo: 2, hi: 4, maxLen: 3, packed: []int32{5, 0, 0, 4, 1, 0, 3, 9, 7, 4, 0, 0, 3, 9, 0, 2, 8, 5},
				padded: []int32{0, 0, 3, 4, 5, 0, 0, 0, 9, 1, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					0, 0, 2, 3, 4, 0, 0, 0, 8, 9, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		}},
	{name: "tall", rows: 5, cols: 3,
		mat: []int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7},
		bands: []diagBand{
			{lo: 0, hi: 0, maxLen: 3, packed: []int32{1, 5, 9, 3, 2, 6},
				padded: []int32{1, 0, 0, 0, 5, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0}},
			{lo: -4, hi: -3, maxLen: 2, packed: []int32{9, 5, 6, 0, 7, 8, 9, 0},
				padded: []int32{0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 6, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 9, 8, 0}},
			{lo: -2, hi: -1, maxLen: 3, packed: []int32{4, 8, 7, 7, 8, 4, 1, 5, 9, 4, 8, 7},
				padded: []int32{0, 0, 0, 4, 0, 0, 7, 8, 0, 0, 8, 7, 0, 0, 4, 0, 0, 0, 1, 0, 0, 4, 5, 0, 0, 8, 9, 0, 0, 7}},
			{lo: -2, hi: 1, maxLen: 3, packed: []int32{2, 6, 0, 1, 5, 9, 4, 8, 7, 7, 8, 4, 2, 3, 0, 3, 2, 6, 1, 5, 9, 4, 8, 7},
				padded: []int32{1, 2, 0, 4, 5, 6, 7, 8, 9, 0, 8, 7, 0, 0, 4, 3, 2, 0, 1, 2, 3, 4, 5, 6, 0, 8, 9, 0, 0, 7}},
			{lo: 1, hi: 2, maxLen: 2, packed: []int32{3, 0, 2, 6, 1, 0, 2, 3},
				padded: []int32{0, 2, 3, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		}},
	{name: "fat", rows: 3, cols: 4,
		mat: []int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6},
		bands: []diagBand{
			{lo: 2, hi: 2, maxLen: 2, packed: []int32{3, 8, 6, 2},
				padded: []int32{0, 0, 3, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 2, 0, 0, 0, 0}},
			{lo: -2, hi: 0, maxLen: 3, packed: []int32{1, 6, 2, 5, 1, 0, 9, 0, 0, 4, 9, 5, 8, 4, 0, 3, 0, 0},
				padded: []int32{1, 0, 0, 0, 5, 6, 0, 0, 9, 1, 2, 0, 4, 0, 0, 0, 8, 9, 0, 0, 3, 4, 5, 0}},
			{lo: -1, hi: 1, maxLen: 3, packed: []int32{2, 7, 3, 1, 6, 2, 5, 1, 0, 5, 1, 6, 4, 9, 5, 8, 4, 0},
				padded: []int32{1, 2, 0, 0, 5, 6, 7, 0, 0, 1, 2, 3, 4, 5, 0, 0, 8, 9, 1, 0, 0, 4, 5, 6}},
			{lo: 0, hi: 3, maxLen: 3, packed: []int32{4, 0, 0, 3, 8, 0, 2, 7, 3, 1, 6, 2, 7, 0, 0, 6, 2, 0, 5, 1, 6, 4, 9, 5},
				padded: []int32{1, 2, 3, 4, 0, 6, 7, 8, 0, 0, 2, 3, 4, 5, 6, 7, 0, 9, 1, 2, 0, 0, 5, 6}},
		}},
}

// repack re-aligns LEFT_LEFT packed diagonals, as the repack_diagonals
// helper of TensorFlow's diag_op_test.py does.
func repack(b diagBand, rows, cols int, align string) []int32 {
	if align == "LEFT_LEFT" {
		return b.packed
	}
	num := b.hi - b.lo + 1
	out := make([]int32, len(b.packed))
	for i := range 2 {
		for d := b.lo; d <= b.hi; d++ {
			n := min(rows+min(0, d), cols-max(0, d))
			row := b.packed[(i*num+b.hi-d)*b.maxLen:][:b.maxLen]
			dst := out[(i*num+b.hi-d)*b.maxLen:][:b.maxLen]
			left := (d >= 0 && align[:4] == "LEFT") || (d <= 0 && align[len(align)-4:] == "LEFT")
			if left {
				copy(dst, row)
			} else {
				copy(dst[b.maxLen-n:], row[:n])
			}
		}
	}
	return out
}

func (b diagBand) packedShape() tensor.Shape {
	if b.lo == b.hi {
		return tensor.Shape{2, b.maxLen}
	}
	return tensor.Shape{2, b.hi - b.lo + 1, b.maxLen}
}

func TestMatrixDiagFamilyAgainstTFVectors(t *testing.T) {
	i32 := func(s tensor.Shape, v []int32) *tensor.Tensor { return tensor.MustFromSlice(s, v) }
	k := func(b diagBand) *tensor.Tensor {
		return tensor.MustFromSlice(tensor.Shape{2}, []int32{int32(b.lo), int32(b.hi)})
	}
	scalar := func(v int32) *tensor.Tensor { return tensor.Scalar(v) }
	run := func(t *testing.T, op string, align string, in ...*tensor.Tensor) *tensor.Tensor {
		attrs := map[string]any{"T": tensor.Int32}
		if align != "" {
			attrs["align"] = align
		}
		out, err := kerneltest.Call(graph.NewNode("n", op, nil, attrs), in...)
		require.NoError(t, err)
		return out[0]
	}
	checked := 0
	for _, c := range tfDiagCases {
		mat := i32(tensor.Shape{2, c.rows, c.cols}, c.mat)
		for _, b := range c.bands {
			for _, align := range []string{"LEFT_LEFT", "RIGHT_LEFT", "LEFT_RIGHT", "RIGHT_RIGHT"} {
				packed := i32(b.packedShape(), repack(b, c.rows, c.cols, align))
				op3 := align
				v2 := align == "LEFT_LEFT" // V2 packs LEFT_LEFT
				t.Run(fmt.Sprintf("%s_%d_%d_%s", c.name, b.lo, b.hi, align), func(t *testing.T) {
					got := run(t, "MatrixDiagPartV3", op3, mat, k(b), scalar(0))
					assert.Equal(t, packed.Shape(), got.Shape())
					assert.Equal(t, tensor.Values[int32](packed), tensor.Values[int32](got), "MatrixDiagPartV3")

					got = run(t, "MatrixDiagV3", op3, packed, k(b), scalar(int32(c.rows)), scalar(int32(c.cols)), scalar(0))
					assert.Equal(t, b.padded, tensor.Values[int32](got), "MatrixDiagV3")

					// The padding value fills everything off the band (the
					// band holds no zeros).
					withPad := make([]int32, len(b.padded))
					for i, v := range b.padded {
						withPad[i] = v
						if v == 0 {
							withPad[i] = 555
						}
					}
					got = run(t, "MatrixDiagV3", op3, packed, k(b), scalar(int32(c.rows)), scalar(int32(c.cols)), scalar(555))
					assert.Equal(t, withPad, tensor.Values[int32](got), "MatrixDiagV3 with padding")

					// Setting the band of another matrix.
					other := make([]int32, len(c.mat))
					want := make([]int32, len(c.mat))
					for i := range other {
						other[i] = int32(100 + i)
						want[i] = other[i]
						if b.padded[i] != 0 {
							want[i] = b.padded[i]
						}
					}
					got = run(t, "MatrixSetDiagV3", op3, i32(mat.Shape(), other), packed, k(b))
					assert.Equal(t, want, tensor.Values[int32](got), "MatrixSetDiagV3")

					if v2 {
						got = run(t, "MatrixDiagPartV2", "", mat, k(b), scalar(0))
						assert.Equal(t, tensor.Values[int32](packed), tensor.Values[int32](got), "MatrixDiagPartV2")
						got = run(t, "MatrixDiagV2", "", packed, k(b), scalar(int32(c.rows)), scalar(int32(c.cols)), scalar(0))
						assert.Equal(t, b.padded, tensor.Values[int32](got), "MatrixDiagV2")
						got = run(t, "MatrixSetDiagV2", "", i32(mat.Shape(), other), packed, k(b))
						assert.Equal(t, want, tensor.Values[int32](got), "MatrixSetDiagV2")
					}
				})
				checked++
			}
		}
	}
	assert.Equal(t, 52, checked)

	t.Run("V1", func(t *testing.T) {
		// diag_op_test.py's _testVectorBatch and testSquareBatch.
		v := i32(tensor.Shape{2, 3}, []int32{1, 0, 3, 4, 5, 6})
		got := run(t, "MatrixDiag", "", v)
		assert.Equal(t, tensor.Shape{2, 3, 3}, got.Shape())
		assert.Equal(t, []int32{1, 0, 0, 0, 0, 0, 0, 0, 3, 4, 0, 0, 0, 5, 0, 0, 0, 6}, tensor.Values[int32](got))
		assert.Equal(t, []int32{1, 0, 3, 4, 5, 6}, tensor.Values[int32](run(t, "MatrixDiagPart", "", got)))
		tall := tfDiagCases[1]
		got = run(t, "MatrixDiagPart", "", i32(tensor.Shape{2, tall.rows, tall.cols}, tall.mat))
		assert.Equal(t, tall.bands[0].packed, tensor.Values[int32](got))
		got = run(t, "MatrixSetDiag", "", i32(tensor.Shape{2, tall.rows, tall.cols}, make([]int32, 30)), i32(tensor.Shape{2, 3}, tall.bands[0].packed))
		assert.Equal(t, tall.bands[0].padded, tensor.Values[int32](got))
	})

	t.Run("inferred size", func(t *testing.T) {
		// diag_op_test.py's _moreCases: diagonals of shape (2, 3, 4)
		// make the smallest square matrices holding them.
		vecs := []int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 7, 6, 5, 4, 3, 2, 1, 2, 3, 4, 5, 6, 7, 8}
		for _, tc := range []struct {
			lo, hi int
			n      int
			want   []int32
		}{
			{-3, -1, 5, []int32{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 5, 2, 0, 0, 0, 9, 6, 3, 0, 0, 0, 8, 7, 4, 0,
				0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 1, 4, 0, 0, 0, 5, 2, 3, 0, 0, 0, 6, 3, 2, 0}},
			{-1, 1, 4, []int32{5, 1, 0, 0, 9, 6, 2, 0, 0, 8, 7, 3, 0, 0, 7, 8,
				1, 5, 0, 0, 5, 2, 4, 0, 0, 6, 3, 3, 0, 0, 7, 4}},
		} {
			got := run(t, "MatrixDiagV2", "", i32(tensor.Shape{2, 3, 4}, vecs), tensor.MustFromSlice(tensor.Shape{2}, []int32{int32(tc.lo), int32(tc.hi)}), scalar(-1), scalar(-1), scalar(0))
			assert.Equal(t, tensor.Shape{2, tc.n, tc.n}, got.Shape())
			assert.Equal(t, tc.want, tensor.Values[int32](got), "k=[%d, %d]", tc.lo, tc.hi)
		}
	})
}

func TestMatrixDiagFamilyErrors(t *testing.T) {
	m := tensor.MustFromSlice(tensor.Shape{3, 4}, make([]float32, 12))
	k := func(v ...int32) *tensor.Tensor { return tensor.MustFromSlice(tensor.Shape{len(v)}, v) }
	zero := tensor.Scalar(float32(0))
	for _, tc := range []struct {
		name string
		op   string
		in   []*tensor.Tensor
	}{
		{"part: k out of bounds", "MatrixDiagPartV2", []*tensor.Tensor{m, k(-3, 0), zero}},
		{"part: k reversed", "MatrixDiagPartV2", []*tensor.Tensor{m, k(1, 0), zero}},
		{"part: three k", "MatrixDiagPartV2", []*tensor.Tensor{m, k(0, 1, 2), zero}},
		{"part: vector padding", "MatrixDiagPartV2", []*tensor.Tensor{m, k(0), tensor.MustFromSlice(tensor.Shape{1}, []float32{0})}},
		{"part: rank 1", "MatrixDiagPart", []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{3}, []float32{1, 2, 3})}},
		{"set: wrong diagonal shape", "MatrixSetDiag", []*tensor.Tensor{m, tensor.MustFromSlice(tensor.Shape{4}, make([]float32, 4))}},
		{"diag: diagonal count", "MatrixDiagV2", []*tensor.Tensor{m, k(0, 1), tensor.Scalar(int32(-1)), tensor.Scalar(int32(-1)), zero}},
		{"diag: too few rows", "MatrixDiagV2", []*tensor.Tensor{m, k(0), tensor.Scalar(int32(2)), tensor.Scalar(int32(-1)), zero}},
		{"diag: inconsistent size", "MatrixDiagV2", []*tensor.Tensor{m, k(0), tensor.Scalar(int32(5)), tensor.Scalar(int32(5)), zero}},
		{"band: num_lower too large", "MatrixBandPart", []*tensor.Tensor{m, tensor.Scalar(int64(4)), tensor.Scalar(int64(0))}},
		{"band: vector num_upper", "MatrixBandPart", []*tensor.Tensor{m, tensor.Scalar(int64(0)), tensor.MustFromSlice(tensor.Shape{1}, []int64{0})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kerneltest.Call(graph.NewNode("n", tc.op, nil, map[string]any{"T": tensor.Float32}), tc.in...)
			assert.Error(t, err)
		})
	}
	_, err := kerneltest.Call(graph.NewNode("n", "MatrixDiagPartV3", nil, map[string]any{"T": tensor.Float32, "align": "UP"}), m, k(0), zero)
	assert.Error(t, err, "unknown align")
}
