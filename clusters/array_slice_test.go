package clusters

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// stridedCase is one StridedSlice spec.
type stridedCase struct {
	begin, end, strides                 []int32
	beginM, endM, ellipsis, newAx, shrk int
}

func (s stridedCase) node() *tfpb.NodeDef {
	return arrNode("StridedSlice", map[string]any{"T": tensor.Float32, "Index": tensor.Int32,
		"begin_mask": s.beginM, "end_mask": s.endM, "ellipsis_mask": s.ellipsis, "new_axis_mask": s.newAx, "shrink_axis_mask": s.shrk})
}

func TestArrayStridedSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	x := randTensor(rng, tensor.Float32, tensor.Shape{4, 5, 6}, -1, 1)
	named := map[string]stridedCase{
		"reverse_all":           {begin: []int32{0}, end: []int32{0}, strides: []int32{-1}, beginM: 1, endM: 1},
		"neg_stride_begin_low":  {begin: []int32{-9, 0}, end: []int32{-10, 0}, strides: []int32{-1, 1}},
		"neg_stride_begin_edge": {begin: []int32{-4}, end: []int32{-5}, strides: []int32{-1}},
		"shrink_last":           {begin: []int32{-1}, end: []int32{0}, strides: []int32{1}, shrk: 1},
		"shrink_neg2":           {begin: []int32{0, -2}, end: []int32{0, 0}, strides: []int32{1, 1}, shrk: 2},
		"ellipsis_newaxis":      {begin: []int32{0, 0, 1}, end: []int32{0, 0, 3}, strides: []int32{1, 1, 1}, ellipsis: 1, newAx: 2},
		"newaxis_front_shrink":  {begin: []int32{0, 2, 1}, end: []int32{0, 3, -1}, strides: []int32{1, 1, 2}, newAx: 1, shrk: 2},
		"clamped":               {begin: []int32{-100, 2}, end: []int32{100, 100}, strides: []int32{3, 2}},
		"neg_clamped":           {begin: []int32{100, -1}, end: []int32{-100, -100}, strides: []int32{-2, -3}},
		"empty":                 {begin: []int32{3}, end: []int32{1}, strides: []int32{1}},
		"ellipsis_middle":       {begin: []int32{1, 0, -1}, end: []int32{3, 0, 0}, strides: []int32{1, 1, -1}, ellipsis: 2, endM: 4},
		"only_newaxis":          {begin: []int32{0}, end: []int32{0}, strides: []int32{1}, newAx: 1},
		"shrink_all":            {begin: []int32{1, 2, 3}, end: []int32{2, 3, 4}, strides: []int32{1, 1, 1}, shrk: 7},
		"shrink_stride2":        {begin: []int32{1}, end: []int32{2}, strides: []int32{2}, shrk: 1},
	}
	t.Run("int16_indices", func(t *testing.T) {
		i16 := func(v ...int16) *tensor.Tensor { return tensor.MustFromSlice(tensor.Shape{len(v)}, v) }
		checkOp(t, opCase{name: "int16", node: arrNode("StridedSlice", map[string]any{"T": tensor.Float32, "Index": tensor.Int16, "shrink_axis_mask": 2}),
			inputs: []*tensor.Tensor{x, i16(1, -2), i16(-1, 0), i16(1, 1)}, static: []bool{false, true, true, true}})
		checkOp(t, opCase{name: "slice_int16", node: arrNode("Slice", map[string]any{"T": tensor.Float32, "Index": tensor.Int16}),
			inputs: []*tensor.Tensor{x, i16(1, 0, 2), i16(2, -1, 3)}})
	})
	names := make([]string, 0, len(named))
	for n := range named {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		s := named[n]
		t.Run(n, func(t *testing.T) {
			checkOp(t, opCase{name: n, node: s.node(), inputs: []*tensor.Tensor{x, i32s(s.begin...), i32s(s.end...), i32s(s.strides...)},
				static: []bool{false, true, true, true}})
		})
	}
	// Random specs, compared with the executor wherever it accepts them.
	checked := 0
	for k := 0; k < 400; k++ {
		n := 1 + rng.IntN(4)
		s := stridedCase{}
		for i := 0; i < n; i++ {
			s.begin = append(s.begin, int32(rng.IntN(17)-8))
			s.end = append(s.end, int32(rng.IntN(17)-8))
			st := int32(rng.IntN(3) + 1)
			if rng.IntN(2) == 0 {
				st = -st
			}
			s.strides = append(s.strides, st)
		}
		s.beginM, s.endM = rng.IntN(1<<n), rng.IntN(1<<n)
		s.newAx, s.shrk = rng.IntN(1<<n)&rng.IntN(1<<n), rng.IntN(1<<n)&rng.IntN(1<<n)
		if rng.IntN(3) == 0 {
			s.ellipsis = 1 << rng.IntN(n)
		}
		tc := opCase{name: fmt.Sprintf("random%d", k), node: s.node(), inputs: []*tensor.Tensor{x, i32s(s.begin...), i32s(s.end...), i32s(s.strides...)},
			static: []bool{false, true, true, true}}
		if oracleAccepts(tc) {
			checked++
			t.Run(tc.name, func(t *testing.T) { t.Logf("%+v", s); checkOp(t, tc) })
		}
	}
	assert.Greater(t, checked, 150, "too few random specs valid for TensorFlow")
}
