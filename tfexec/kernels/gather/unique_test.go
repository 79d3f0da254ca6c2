package gather

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

func TestUnique(t *testing.T) {
	nan := float32(math.NaN())
	negZero := float32(math.Copysign(0, -1))
	tests := []struct {
		name   string
		op     string
		attrs  map[string]any
		in     []*tensor.Tensor
		y, idx *tensor.Tensor
		count  *tensor.Tensor
	}{
		// The example of TensorFlow's UniqueWithCounts documentation.
		{"documented", "UniqueWithCounts", nil, []*tensor.Tensor{i32(s(9), 1, 1, 2, 4, 4, 4, 7, 8, 8)},
			i32(s(5), 1, 2, 4, 7, 8), i32(s(9), 0, 0, 1, 2, 2, 2, 3, 4, 4), i32(s(5), 2, 1, 3, 1, 2)},
		{"int64 out_idx", "Unique", map[string]any{"out_idx": tensor.Int64}, []*tensor.Tensor{f32(s(3), 2, 1, 2)},
			f32(s(2), 2, 1), i64(s(3), 0, 1, 0), nil},
		{"NaN is never equal, -0 equals 0", "Unique", nil, []*tensor.Tensor{f32(s(4), nan, nan, 0, negZero)},
			f32(s(3), nan, nan, 0), i32(s(4), 0, 1, 2, 2), nil},
		{"strings", "Unique", nil, []*tensor.Tensor{str(s(4), "b", "a", "b", "")},
			str(s(3), "b", "a", ""), i32(s(4), 0, 1, 0, 2), nil},
		{"bools", "UniqueWithCounts", nil, []*tensor.Tensor{bools(s(3), true, true, false)},
			bools(s(2), true, false), i32(s(3), 0, 0, 1), i32(s(2), 2, 1)},
		{"half", "Unique", nil, []*tensor.Tensor{f16(s(3), 1.5, 1.5, -2)}, f16(s(2), 1.5, -2), i32(s(3), 0, 0, 1), nil},
		{"empty", "UniqueWithCounts", nil, []*tensor.Tensor{f64(s(0))}, f64(s(0)), i32(s(0)), i32(s(0))},
		{"v2 no axis", "UniqueV2", nil, []*tensor.Tensor{u8(s(3), 5, 5, 6), i64(s(0))}, u8(s(2), 5, 6), i32(s(3), 0, 0, 1), nil},
		// The axis examples of TensorFlow's UniqueV2 documentation.
		{"v2 axis 0", "UniqueV2", nil, []*tensor.Tensor{i32(s(3, 3), 1, 0, 0, 1, 0, 0, 2, 0, 0), i32(s(1), 0)},
			i32(s(2, 3), 1, 0, 0, 2, 0, 0), i32(s(3), 0, 0, 1), nil},
		{"v2 axis 1", "UniqueWithCountsV2", nil, []*tensor.Tensor{i32(s(3, 3), 1, 0, 0, 1, 0, 0, 2, 0, 0), i64(s(1), 1)},
			i32(s(3, 2), 1, 0, 1, 0, 2, 0), i32(s(3), 0, 1, 1), i32(s(2), 1, 2)},
		{"v2 negative axis", "UniqueV2", nil, []*tensor.Tensor{i32(s(3, 3), 1, 0, 0, 1, 0, 0, 2, 0, 0), i32(s(1), -1)},
			i32(s(3, 2), 1, 0, 1, 0, 2, 0), i32(s(3), 0, 1, 1), nil},
		{"v2 float rows with NaN and -0", "UniqueV2", nil,
			[]*tensor.Tensor{f32(s(4, 2), 1, 0, 1, negZero, nan, 1, nan, 1), i32(s(1), 0)},
			f32(s(3, 2), 1, 0, nan, 1, nan, 1), i32(s(4), 0, 0, 1, 2), nil},
		{"v2 string rows", "UniqueV2", nil, []*tensor.Tensor{str(s(3, 2), "a", "bc", "ab", "c", "a", "bc"), i32(s(1), 0)},
			str(s(2, 2), "a", "bc", "ab", "c"), i32(s(3), 0, 1, 0), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, tc.op, tc.attrs, tc.in...)
			want := 2
			if tc.count != nil {
				want = 3
			}
			require.Len(t, out, want)
			assertTensor(t, tc.y, out[0])
			assertTensor(t, tc.idx, out[1])
			if tc.count != nil {
				assertTensor(t, tc.count, out[2])
			}
		})
	}
}

func TestUniqueErrors(t *testing.T) {
	m := i32(s(2, 2), 1, 2, 3, 4)
	kerneltest.RunInvalid(t, "Unique", []kerneltest.InvalidCase{
		{Name: "matrix", In: []*tensor.Tensor{m}},
		{Name: "scalar", In: []*tensor.Tensor{tensor.Scalar(int32(1))}},
	})
	kerneltest.RunInvalid(t, "UniqueV2", []kerneltest.InvalidCase{
		{Name: "axis out of range", In: []*tensor.Tensor{m, i32(s(1), 2)}},
		{Name: "two axes", In: []*tensor.Tensor{m, i32(s(2), 0, 1)}},
		{Name: "scalar axis", In: []*tensor.Tensor{m, tensor.Scalar(int32(0))}},
		{Name: "no axis for a matrix", In: []*tensor.Tensor{m, i32(s(0))}},
	})
}
