package sparse

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// tfjsRagged is testdata/tfjs_ragged.json, written by tfjs_ragged.js with
// TensorFlow.js.
type tfjsRagged struct {
	Gather []struct {
		Splits                    [][]int64
		Values                    []float64
		ValuesShape, IndicesShape []int
		Indices                   []int64
		OutputSplits              [][]int64
		OutputValues              []float64
		OutputValuesShape         []int
	}
	ToTensor []struct {
		Shape        []int64
		Values       []float64
		ValuesShape  []int
		DefaultValue float64
		Partitions   []json.RawMessage
		Types        []string
		Output       []float64
		OutputShape  []int
	}
}

func int64Vector(dt tensor.DType, v []int64) *tensor.Tensor {
	t, err := splitsTensor(dt, v)
	if err != nil {
		panic(err)
	}
	return t
}

func TestRaggedAgainstTFJS(t *testing.T) {
	var ref tfjsRagged
	kerneltest.ReadJSON(t, "testdata/tfjs_ragged.json", &ref)
	require.GreaterOrEqual(t, len(ref.Gather), 4)
	require.GreaterOrEqual(t, len(ref.ToTensor), 8)
	for _, c := range ref.Gather {
		for _, st := range raggedIndexTypes {
			for _, vt := range []tensor.DType{tensor.Float32, tensor.Int64, tensor.String} {
				var in []*tensor.Tensor
				for _, s := range c.Splits {
					in = append(in, int64Vector(st, s))
				}
				in = append(in, kerneltest.Values(vt, c.ValuesShape, c.Values...), kerneltest.Values(st, c.IndicesShape, int64sToF(c.Indices)...))
				out := run(t, "RaggedGather", map[string]any{"Tvalues": vt, "Tsplits": st, "Tindices": st,
					"PARAMS_RAGGED_RANK": int64(len(c.Splits)), "OUTPUT_RAGGED_RANK": int64(len(c.OutputSplits))}, in...)
				require.Len(t, out, len(c.OutputSplits)+1)
				for i, s := range c.OutputSplits {
					assert.Equal(t, int64Vector(st, s), out[i], "splits %d of %+v", i, c)
				}
				assert.Equal(t, kerneltest.Values(vt, c.OutputValuesShape, c.OutputValues...), out[len(out)-1], "values of %+v", c)
			}
		}
	}
	for _, c := range ref.ToTensor {
		for _, it := range raggedIndexTypes {
			var parts []*tensor.Tensor
			for _, p := range c.Partitions {
				var v []int64
				if json.Unmarshal(p, &v) == nil {
					parts = append(parts, int64Vector(it, v))
					continue
				}
				var n int64
				require.NoError(t, json.Unmarshal(p, &n))
				parts = append(parts, kerneltest.Values(it, nil, float64(n)))
			}
			in := append([]*tensor.Tensor{kerneltest.Values(it, tensor.Shape{len(c.Shape)}, int64sToF(c.Shape)...),
				kerneltest.Values(tensor.Float32, c.ValuesShape, c.Values...), tensor.Scalar(float32(c.DefaultValue))}, parts...)
			out := run(t, "RaggedTensorToTensor", map[string]any{"T": tensor.Float32, "Tindex": it, "Tshape": it,
				"num_row_partition_tensors": int64(len(parts)), "row_partition_types": c.Types}, in...)
			assert.Equal(t, kerneltest.Values(tensor.Float32, c.OutputShape, c.Output...), out[0], "%+v", c)
		}
	}
}

func int64sToF(v []int64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// tf.RaggedTensor.to_tensor's docstring: [[9, 8, 7], [], [6, 5], [4]] is
// [[9, 8, 7], [0, 0, 0], [6, 5, 0], [4, 0, 0]] with no shape (the scalar
// -1 or an empty vector: an unknown rank), and [[9, 8], [0, 0], [6, 5],
// [4, 0], [0, 0]] with shape [5, 2]. ragged_tensor_to_tensor_op.cc pads
// with a default of one value's shape as it is given.
func TestRaggedTensorToTensorShapes(t *testing.T) {
	attrs := map[string]any{"T": tensor.Int32, "Tindex": tensor.Int64, "Tshape": tensor.Int64,
		"num_row_partition_tensors": int64(1), "row_partition_types": []string{"ROW_SPLITS"}}
	values := vec[int32](9, 8, 7, 6, 5, 4)
	splits := vec[int64](0, 3, 3, 5, 6)
	natural := tt(tensor.Shape{4, 3}, int32(9), 8, 7, 0, 0, 0, 6, 5, 0, 4, 0, 0)
	for _, shape := range []*tensor.Tensor{tensor.Scalar(int64(-1)), vec[int64]()} {
		got := run(t, "RaggedTensorToTensor", attrs, shape, values, tensor.Scalar(int32(0)), splits)[0]
		assert.Equal(t, natural, got)
	}
	got := run(t, "RaggedTensorToTensor", attrs, vec[int64](5, 2), values, tensor.Scalar(int32(0)), splits)[0]
	assert.Equal(t, tt(tensor.Shape{5, 2}, int32(9), 8, 0, 0, 6, 5, 4, 0, 0, 0), got)

	got = run(t, "RaggedTensorToTensor", attrs, vec[int64](-1, -1, 2), tt(tensor.Shape{3, 2}, int32(1), 2, 3, 4, 5, 6),
		vec[int32](7, 8), vec[int64](0, 1, 1, 3))[0]
	assert.Equal(t, tt(tensor.Shape{3, 2, 2}, int32(1), 2, 7, 8, 7, 8, 7, 8, 3, 4, 5, 6), got)

	for _, c := range []struct {
		name  string
		shape *tensor.Tensor
		split *tensor.Tensor
	}{
		{"rank mismatch", vec[int64](4, 3, 1), splits},
		{"splits beyond the values", vec[int64](-1, -1), vec[int64](0, 3, 9)},
		{"decreasing splits", vec[int64](-1, -1), vec[int64](0, 3, 2, 6)},
	} {
		err := call("RaggedTensorToTensor", attrs, c.shape, values, tensor.Scalar(int32(0)), c.split)
		assert.ErrorIs(t, err, kernel.ErrInvalidArgument, c.name)
	}
}

// Out-of-range indices are refused as ragged_gather_op.cc refuses them.
func TestRaggedGatherErrors(t *testing.T) {
	attrs := map[string]any{"Tvalues": tensor.Float32, "Tindices": tensor.Int64, "PARAMS_RAGGED_RANK": int64(1), "OUTPUT_RAGGED_RANK": int64(1)}
	err := call("RaggedGather", attrs, vec[int64](0, 2, 3), vec[float32](1, 2, 3), vec[int64](2))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
	assert.ErrorContains(t, err, "indices[0] = 2 is not in [0, 2)")
	err = call("RaggedGather", attrs, vec[int64](0, 2, 5), vec[float32](1, 2, 3), vec[int64](1))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument, "splits beyond the values")
}

// tensorflow/python/ops/ragged/ragged_to_sparse_op_test.py:
// testDocStringExample ([[1, 2, 3], [4], [], [5, 6]]) and
// test3DRaggedTensorWithOneRaggedDimension (values of shape [., 2]).
func TestRaggedTensorToSparseTF(t *testing.T) {
	for _, st := range raggedIndexTypes {
		out := run(t, "RaggedTensorToSparse", map[string]any{"T": tensor.Int32, "Tsplits": st, "RAGGED_RANK": int64(1)},
			int64Vector(st, []int64{0, 3, 4, 4, 6}), vec[int32](1, 2, 3, 4, 5, 6))
		assert.Equal(t, tt(tensor.Shape{6, 2}, int64(0), 0, 0, 1, 0, 2, 1, 0, 3, 0, 3, 1), out[0])
		assert.Equal(t, vec[int32](1, 2, 3, 4, 5, 6), out[1])
		assert.Equal(t, vec[int64](4, 3), out[2])

		values := make([]int32, 14)
		for i := range values {
			values[i] = int32(i + 1)
		}
		out = run(t, "RaggedTensorToSparse", map[string]any{"T": tensor.Int32, "Tsplits": st, "RAGGED_RANK": int64(1)},
			int64Vector(st, []int64{0, 2, 5, 6, 6, 7}), tt(tensor.Shape{7, 2}, values...))
		assert.Equal(t, tt(tensor.Shape{14, 3}, int64(0), 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 2, 0, 1, 2, 1,
			2, 0, 0, 2, 0, 1, 4, 0, 0, 4, 0, 1), out[0])
		assert.Equal(t, vec(values...), out[1])
		assert.Equal(t, vec[int64](5, 3, 2), out[2])
	}
	// Two ragged levels: [[[1, 2], [3]], [], [[4, 5, 6]]].
	out := run(t, "RaggedTensorToSparse", map[string]any{"T": tensor.Int32, "RAGGED_RANK": int64(2)},
		vec[int64](0, 2, 2, 3), vec[int64](0, 2, 3, 6), vec[int32](1, 2, 3, 4, 5, 6))
	assert.Equal(t, tt(tensor.Shape{6, 3}, int64(0), 0, 0, 0, 0, 1, 0, 1, 0, 2, 0, 0, 2, 0, 1, 2, 0, 2), out[0])
	assert.Equal(t, vec[int64](3, 2, 3), out[2])
	err := call("RaggedTensorToSparse", map[string]any{"T": tensor.Int32, "RAGGED_RANK": int64(1)}, vec[int64](0, 3, 5), vec[int32](1, 2, 3, 4))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument, "splits beyond the values")
}
