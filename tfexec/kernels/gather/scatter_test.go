package gather

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

func TestScatterNd(t *testing.T) {
	// The 3-D example of TensorFlow's documentation: two 4×4 slices.
	slab := []float32{5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 8}
	upd3 := f32(s(2, 4, 4), append(append([]float32{}, slab...), slab...)...)
	want3 := make([]float32, 64)
	copy(want3[0:16], slab)
	copy(want3[32:48], slab)
	tests := []struct {
		name             string
		attrs            map[string]any
		indices, updates *tensor.Tensor
		shape            *tensor.Tensor
		want             *tensor.Tensor
	}{
		{"vector", nil, i32(s(4, 1), 4, 3, 1, 7), f32(s(4), 9, 10, 11, 12), i32(s(1), 8),
			f32(s(8), 0, 11, 0, 10, 9, 0, 0, 12)},
		{"slices", nil, i32(s(2, 1), 0, 2), upd3, i32(s(3), 4, 4, 4), f32(s(4, 4, 4), want3...)},
		{"duplicates accumulate", nil, i64(s(3, 1), 1, 1, 1), i32(s(3), 1, 2, 3), i64(s(1), 3), i32(s(3), 0, 6, 0)},
		{"2-D index", nil, i32(s(2, 2), 0, 1, 1, 0), f64(s(2), 1.5, -2), i32(s(2), 2, 2), f64(s(2, 2), 0, 1.5, -2, 0)},
		{"batched indices", nil, i32(s(2, 1, 1), 0, 2), i32(s(2, 1), 7, 8), i32(s(1), 3), i32(s(3), 7, 0, 8)},
		{"empty updates", nil, i32(s(0, 1)), f32(s(0)), i32(s(1), 3), f32(s(3), 0, 0, 0)},
		{"empty output", nil, i32(s(0, 1)), f32(s(0, 0)), i32(s(2), 0, 0), f32(s(0, 0))},
		{"strings concatenate", nil, i32(s(3, 1), 0, 1, 0), str(s(3), "a", "b", "c"), i32(s(1), 2), str(s(2), "ac", "b")},
		{"bools or", nil, i32(s(2, 1), 0, 0), bools(s(2), true, false), i32(s(1), 2), bools(s(2), true, false)},
		// Half sums round after each step: 2048 + 1 + 1 stays 2048 in half
		// precision, as TensorFlow's sequential Eigen::half adds give.
		{"half rounds each add", nil, i32(s(3, 1), 0, 0, 0), f16(s(3), 2048, 1, 1), i32(s(1), 1), f16(s(1), 2048)},
		{"ignore bad indices", map[string]any{"bad_indices_policy": "IGNORE"}, i32(s(2, 1), 5, 1), f32(s(2), 1, 2),
			i32(s(1), 2), f32(s(2), 0, 2)},
		{"complex", nil, i32(s(2, 1), 0, 0), tensor.MustFromSlice(s(2), []complex64{1i, 2}), i32(s(1), 1),
			tensor.MustFromSlice(s(1), []complex64{2 + 1i})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, "ScatterNd", tc.attrs, tc.indices, tc.updates, tc.shape)
			assertTensor(t, tc.want, out[0])
		})
	}
}

func TestScatterNdErrors(t *testing.T) {
	kerneltest.RunInvalid(t, "ScatterNd", []kerneltest.InvalidCase{
		{Name: "out of range", In: []*tensor.Tensor{i32(s(2, 1), 0, 8), f32(s(2), 1, 2), i32(s(1), 8)}},
		{Name: "negative", In: []*tensor.Tensor{i32(s(1, 1), -1), f32(s(1), 1), i32(s(1), 8)}},
		{Name: "scalar indices", In: []*tensor.Tensor{tensor.Scalar(int32(0)), f32(s(1), 1), i32(s(1), 8)}},
		{Name: "scalar updates", In: []*tensor.Tensor{i32(s(1, 1), 0), tensor.Scalar(float32(1)), i32(s(1), 8)}},
		{Name: "shape not a vector", In: []*tensor.Tensor{i32(s(1, 1), 0), f32(s(1), 1), tensor.Scalar(int32(8))}},
		{Name: "negative shape", In: []*tensor.Tensor{i32(s(1, 1), 0), f32(s(1), 1), i32(s(1), -8)}},
		{Name: "updates outer mismatch", In: []*tensor.Tensor{i32(s(2, 1), 0, 1), f32(s(3), 1, 2, 3), i32(s(1), 8)}},
		{Name: "updates inner mismatch", In: []*tensor.Tensor{i32(s(2, 1), 0, 1), f32(s(2, 3), 1, 2, 3, 4, 5, 6), i32(s(2), 4, 4)}},
		{Name: "updates for empty output", In: []*tensor.Tensor{i32(s(1, 1), 0), f32(s(1, 0)), i32(s(2), 2, 0)}},
		{Name: "rank-1 indices", In: []*tensor.Tensor{i32(s(2), 0, 1), f32(s(2), 1, 2), i32(s(1), 4)}},
	})
	_, err := call("ScatterNd", nil, i32(s(2, 2), 0, 0, 1, 3), f32(s(2), 1, 2), i32(s(2), 2, 3))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "indices[1] = [1, 3] does not index into shape [2,3]")
}

func TestTensorScatter(t *testing.T) {
	base := i32(s(8), 1, 2, 3, 4, 5, 6, 7, 8)
	idx := i32(s(4, 1), 4, 3, 1, 7)
	upd := i32(s(4), 9, 10, 11, 12)
	tests := []struct {
		op   string
		want *tensor.Tensor
	}{
		{"TensorScatterUpdate", i32(s(8), 1, 11, 3, 10, 9, 6, 7, 12)},
		{"TensorScatterAdd", i32(s(8), 1, 13, 3, 14, 14, 6, 7, 20)},
		{"ScatterNdNonAliasingAdd", i32(s(8), 1, 13, 3, 14, 14, 6, 7, 20)},
		{"TensorScatterSub", i32(s(8), 1, -9, 3, -6, -4, 6, 7, -4)},
		{"TensorScatterMax", i32(s(8), 1, 11, 3, 10, 9, 6, 7, 12)},
		{"TensorScatterMin", i32(s(8), 1, 2, 3, 4, 5, 6, 7, 8)},
	}
	before := base.Clone()
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			out := run(t, tc.op, nil, base, idx, upd)
			assertTensor(t, tc.want, out[0])
		})
	}
	assertTensor(t, before, base)
}

func TestTensorScatterDTypes(t *testing.T) {
	tests := []struct {
		name             string
		op               string
		input            *tensor.Tensor
		indices, updates *tensor.Tensor
		want             *tensor.Tensor
	}{
		{"update strings", "TensorScatterUpdate", str(s(3), "a", "b", "c"), i32(s(2, 1), 2, 2), str(s(2), "x", "y"),
			str(s(3), "a", "b", "y")},
		{"update bools", "TensorScatterUpdate", bools(s(2), false, false), i32(s(1, 1), 1), bools(s(1), true),
			bools(s(2), false, true)},
		{"update rows", "TensorScatterUpdate", f32(s(2, 2), 1, 2, 3, 4), i64(s(1, 1), 0), f32(s(1, 2), 9, 8),
			f32(s(2, 2), 9, 8, 3, 4)},
		{"add half", "TensorScatterAdd", f16(s(2), 1, 2), i32(s(1, 1), 1), f16(s(1), 0.5), f16(s(2), 1, 2.5)},
		{"max bfloat16", "TensorScatterMax", bf16(s(2), 1, 2), i32(s(2, 1), 0, 1), bf16(s(2), 3, 1), bf16(s(2), 3, 2)},
		{"min float64", "TensorScatterMin", f64(s(2), 1, 2), i32(s(2, 1), 0, 1), f64(s(2), 3, 1), f64(s(2), 1, 1)},
		{"sub uint8", "TensorScatterSub", u8(s(2), 1, 2), i32(s(1, 1), 0), u8(s(1), 2), u8(s(2), 255, 2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, tc.op, nil, tc.input, tc.indices, tc.updates)
			assertTensor(t, tc.want, out[0])
		})
	}
}

func TestTensorScatterErrors(t *testing.T) {
	base := f32(s(4), 1, 2, 3, 4)
	kerneltest.RunInvalid(t, "TensorScatterUpdate", []kerneltest.InvalidCase{
		{Name: "out of range", In: []*tensor.Tensor{base, i32(s(1, 1), 4), f32(s(1), 0)}},
		{Name: "dtype mismatch", In: []*tensor.Tensor{base, i32(s(1, 1), 0), f64(s(1), 0)}},
		{Name: "updates shape", In: []*tensor.Tensor{base, i32(s(2, 1), 0, 1), f32(s(1), 0)}},
		{Name: "empty input", In: []*tensor.Tensor{f32(s(0)), i32(s(1, 1), 0), f32(s(1), 0)}},
	})
	_, err := call("TensorScatterMax", nil, str(s(1), "a"), i32(s(1, 1), 0), str(s(1), "b"))
	assert.Error(t, err)
}

func TestScatterRef(t *testing.T) {
	params := f32(s(3, 2), 1, 2, 3, 4, 5, 6)
	before := params.Clone()
	idx := i32(s(2), 2, 0)
	upd := f32(s(2, 2), 10, 20, 30, 40)
	tests := []struct {
		op       string
		idx, upd *tensor.Tensor
		want     *tensor.Tensor
	}{
		{"ScatterUpdate", idx, upd, f32(s(3, 2), 30, 40, 3, 4, 10, 20)},
		{"ScatterAdd", idx, upd, f32(s(3, 2), 31, 42, 3, 4, 15, 26)},
		{"ScatterSub", idx, upd, f32(s(3, 2), -29, -38, 3, 4, -5, -14)},
		{"ScatterMul", idx, upd, f32(s(3, 2), 30, 80, 3, 4, 50, 120)},
		{"ScatterDiv", idx, f32(s(2, 2), 2, 4, 0.5, 1), f32(s(3, 2), 2, 2, 3, 4, 2.5, 1.5)},
		{"ScatterMax", idx, f32(s(2, 2), 0, 7, 0, 7), f32(s(3, 2), 1, 7, 3, 4, 5, 7)},
		{"ScatterMin", idx, f32(s(2, 2), 0, 7, 0, 7), f32(s(3, 2), 0, 2, 3, 4, 0, 6)},
		{"ScatterAdd", i64(s(2), 1, 1), tensor.Scalar(float32(1)), f32(s(3, 2), 1, 2, 5, 6, 5, 6)},
		{"ScatterUpdate", i32(s(1, 0)), f32(s(1, 0, 2)), f32(s(3, 2), 1, 2, 3, 4, 5, 6)},
		{"ScatterNdUpdate", i32(s(2, 2), 0, 1, 2, 0), f32(s(2), -1, -2), f32(s(3, 2), 1, -1, 3, 4, -2, 6)},
		{"ScatterNdAdd", i32(s(2, 1), 1, 1), f32(s(2, 2), 1, 1, 1, 1), f32(s(3, 2), 1, 2, 5, 6, 5, 6)},
		{"ScatterNdSub", i32(s(1, 1), 0), f32(s(1, 2), 1, 1), f32(s(3, 2), 0, 1, 3, 4, 5, 6)},
		{"ScatterNdMax", i32(s(1, 2), 2, 1), f32(s(1), 9), f32(s(3, 2), 1, 2, 3, 4, 5, 9)},
		{"ScatterNdMin", i32(s(1, 2), 2, 1), f32(s(1), 0), f32(s(3, 2), 1, 2, 3, 4, 5, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			out := run(t, tc.op, nil, params, tc.idx, tc.upd)
			assertTensor(t, tc.want, out[0])
		})
	}
	assertTensor(t, before, params)

	out := run(t, "ScatterUpdate", nil, str(s(2), "a", "b"), i32(s(1), 1), tensor.Scalar("z"))
	assertTensor(t, str(s(2), "a", "z"), out[0])
	out = run(t, "ScatterDiv", nil, i32(s(2), 7, 9), i32(s(1), 1), i32(s(1), 2))
	assertTensor(t, i32(s(2), 7, 4), out[0])

	kerneltest.RunInvalid(t, "ScatterAdd", []kerneltest.InvalidCase{
		{Name: "out of range", In: []*tensor.Tensor{params, i32(s(1), 3), f32(s(1, 2), 1, 1)}},
		{Name: "shape mismatch", In: []*tensor.Tensor{params, i32(s(1), 0), f32(s(1, 3), 1, 1, 1)}},
		{Name: "scalar params", In: []*tensor.Tensor{tensor.Scalar(float32(1)), i32(s(1), 0), tensor.Scalar(float32(1))}},
	})
	kerneltest.RunInvalid(t, "ScatterDiv", []kerneltest.InvalidCase{
		{Name: "integer division by zero", In: []*tensor.Tensor{i32(s(2), 1, 2), i32(s(1), 0), i32(s(1), 0)}},
	})
}
