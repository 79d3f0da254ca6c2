package lists

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
)

// TensorFlow 1's TensorArray ops, V1 and V2, on the cases of
// tensorflow/python/kernel_tests/data_structures/tensor_array_ops_test.py:
// testTensorArrayWriteConcat (three writes of [1, 2], [2, 2] and [1, 2]
// rows concatenate to [[4, 5], [6, 7], [106, 107], [8, 9]]) and
// testTensorArraySplitRead ([1, 2, 3] split by lengths [1, 2] reads back
// [1] and [2, 3]).
func TestTensorArrayV1V2(t *testing.T) {
	for _, v := range []string{"", "V2"} {
		t.Run("V"+v, func(t *testing.T) {
			out := run(t, "TensorArray"+v, map[string]any{"dtype": tensor.Float32, "tensor_array_name": "foo"}, tensor.Scalar(int32(3)))
			require.Len(t, out, 1, "the V1 and V2 constructors output the handle alone")
			h := out[0]
			run(t, "TensorArrayWrite"+v, map[string]any{"T": tensor.Float32}, h, tensor.Scalar(int32(0)), f32(tensor.Shape{1, 2}, 4, 5), flow)
			run(t, "TensorArrayWrite"+v, map[string]any{"T": tensor.Float32}, h, tensor.Scalar(int32(1)), f32(tensor.Shape{2, 2}, 6, 7, 106, 107), flow)
			run(t, "TensorArrayWrite"+v, map[string]any{"T": tensor.Float32}, h, tensor.Scalar(int32(2)), f32(tensor.Shape{1, 2}, 8, 9), flow)
			size := run(t, "TensorArraySize"+v, nil, h, flow)[0]
			assert.Equal(t, tensor.Scalar(int32(3)), size)
			c := run(t, "TensorArrayConcat"+v, map[string]any{"dtype": tensor.Float32}, h, flow)
			assert.Equal(t, f32(tensor.Shape{4, 2}, 4, 5, 6, 7, 106, 107, 8, 9), c[0])
			assert.Equal(t, i64(1, 2, 1), c[1], "lengths")
			run(t, "TensorArrayClose"+v, nil, h)
			_, err := call("TensorArraySize"+v, nil, h, flow)
			assert.Error(t, err, "a closed array")

			h = run(t, "TensorArray"+v, map[string]any{"dtype": tensor.Float32}, tensor.Scalar(int32(2)))[0]
			run(t, "TensorArraySplit"+v, map[string]any{"T": tensor.Float32}, h, f32(tensor.Shape{3}, 1, 2, 3), i64(1, 2), flow)
			r0 := run(t, "TensorArrayRead"+v, map[string]any{"dtype": tensor.Float32}, h, tensor.Scalar(int32(0)), flow)[0]
			r1 := run(t, "TensorArrayRead"+v, map[string]any{"dtype": tensor.Float32}, h, tensor.Scalar(int32(1)), flow)[0]
			assert.Equal(t, f32(tensor.Shape{1}, 1), r0)
			assert.Equal(t, f32(tensor.Shape{2}, 2, 3), r1)

			// Scatter, then gather in another order.
			h = run(t, "TensorArray"+v, map[string]any{"dtype": tensor.Float32}, tensor.Scalar(int32(2)))[0]
			run(t, "TensorArrayScatter"+v, map[string]any{"T": tensor.Float32}, h, i32(1, 0), f32(tensor.Shape{2, 1}, 10, 20), flow)
			g := run(t, "TensorArrayGather"+v, map[string]any{"dtype": tensor.Float32}, h, i32(0, 1), flow)[0]
			assert.Equal(t, f32(tensor.Shape{2, 1}, 20, 10), g)

			grad := run(t, "TensorArrayGrad"+v, map[string]any{"source": "grad"}, h, flow)
			assert.Len(t, grad, 1, "the V1 and V2 gradient ops output the handle alone")
		})
	}
}
