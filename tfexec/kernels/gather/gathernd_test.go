package gather

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

func TestGatherNd(t *testing.T) {
	abcd := str(s(2, 2), "a", "b", "c", "d")
	cube := f32(s(2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8)
	tests := []struct {
		name    string
		attrs   map[string]any
		params  *tensor.Tensor
		indices *tensor.Tensor
		want    *tensor.Tensor
	}{
		// The examples of TensorFlow's GatherNd documentation.
		{"simple", nil, abcd, i32(s(2, 2), 0, 0, 1, 1), str(s(2), "a", "d")},
		{"slices", nil, abcd, i32(s(2, 1), 1, 0), str(s(2, 2), "c", "d", "a", "b")},
		{"batched", nil, abcd, i64(s(2, 1, 2), 0, 0, 0, 1), str(s(2, 1), "a", "b")},
		{"batched slices", nil, abcd, i32(s(2, 1, 1), 1, 0), str(s(2, 1, 2), "c", "d", "a", "b")},
		{"3-D full index", nil, cube, i32(s(2, 3), 1, 0, 1, 0, 1, 0), f32(s(2), 6, 3)},
		{"3-D partial index", nil, cube, i32(s(1, 2), 1, 1), f32(s(1, 2), 7, 8)},
		{"depth 0 repeats params", nil, f32(s(2), 1, 2), i32(s(3, 0)), f32(s(3, 2), 1, 2, 1, 2, 1, 2)},
		{"empty batch", nil, cube, i32(s(0, 2)), f32(s(0, 2))},
		{"empty batch, empty params", nil, f32(s(0, 3)), i32(s(0, 1)), f32(s(0, 3))},
		{"half", nil, f16(s(2), 1.5, 2.5), i32(s(1, 1), 1), f16(s(1), 2.5)},
		{"ignore bad indices", map[string]any{"bad_indices_policy": "IGNORE"}, f32(s(2, 2), 1, 2, 3, 4),
			i32(s(3, 1), 1, 2, -1), f32(s(3, 2), 3, 4, 0, 0, 0, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, "GatherNd", tc.attrs, tc.params, tc.indices)
			assertTensor(t, tc.want, out[0])
		})
	}
}

func TestGatherNdErrors(t *testing.T) {
	p := f32(s(2, 2), 1, 2, 3, 4)
	kerneltest.RunInvalid(t, "GatherNd", []kerneltest.InvalidCase{
		{Name: "out of range", In: []*tensor.Tensor{p, i32(s(2, 2), 0, 0, 0, 2)}},
		{Name: "negative", In: []*tensor.Tensor{p, i64(s(1, 1), -1)}},
		{Name: "ERROR policy", Attrs: map[string]any{"bad_indices_policy": "ERROR"}, In: []*tensor.Tensor{p, i64(s(1, 1), 2)}},
		{Name: "too deep", In: []*tensor.Tensor{p, i32(s(1, 3), 0, 0, 0)}},
		{Name: "scalar params", In: []*tensor.Tensor{tensor.Scalar(float32(1)), i32(s(1, 0))}},
		{Name: "scalar indices", In: []*tensor.Tensor{p, tensor.Scalar(int32(0))}},
		{Name: "empty params", In: []*tensor.Tensor{f32(s(0, 2)), i32(s(1, 1), 0)}},
	})
	_, err := call("GatherNd", nil, p, i32(s(2, 2), 0, 0, 1, 5))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "indices[1] = [1, 5] does not index into param shape [2,2]")

	_, err = call("GatherNd", map[string]any{"bad_indices_policy": "SOMETIMES"}, p, i32(s(1, 1), 0))
	assert.ErrorContains(t, err, "bad_indices_policy")
}
