package parsing

// The worked examples of TensorFlow's tf.io.parse_example docstring
// (tensorflow/python/ops/parsing_ops.py, parse_example_v2), run on the
// ops the Python function builds: ParseExampleV2 (and ParseExample, the
// TF1 op, where it applies).

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

// ftBatch is the docstring's three Examples: "ft" holding [1.0, 2.0], no
// feature, and [3.0].
func ftBatch(t *testing.T) *tensor.Tensor {
	return strs(
		example(t, features{"ft": floatsF(1, 2)}),
		example(t, features{}),
		example(t, features{"ft": floatsF(3)}),
	)
}

// "if one expects a tf.float32 VarLenFeature ft and three serialized
// Examples are provided ... {"ft": SparseTensor(indices=[[0, 0], [0, 1],
// [2, 0]], values=[1.0, 2.0, 3.0], dense_shape=(3, 2))}".
func TestDocstringVarLenFeature(t *testing.T) {
	q := request{sparse: []sparseReq{{"ft", tensor.Float32}}}
	want := []*tensor.Tensor{
		i64s(tensor.Shape{3, 2}, 0, 0, 0, 1, 2, 0),
		f32s(tensor.Shape{3}, 1, 2, 3),
		i64s(tensor.Shape{2}, 3, 2),
	}
	for name, run := range map[string]func(s, n *tensor.Tensor) ([]*tensor.Tensor, error){"ParseExample": q.v1, "ParseExampleV2": q.v2} {
		t.Run(name, func(t *testing.T) {
			got, err := run(ftBatch(t), strs())
			require.NoError(t, err)
			assertTensors(t, want, got)
		})
	}
}

// "If instead a FixedLenSequenceFeature with default_value = -1.0 and
// shape=[] is used then the output will look like: {"ft": [[1.0, 2.0],
// [3.0, -1.0]]}". The docstring leaves out the middle Example's row; the
// kernel (FillAndCopyVarLen) pads it with the default like the others,
// and parse_example asks for it with dense shape [-1].
func TestDocstringFixedLenSequenceFeature(t *testing.T) {
	q := request{dense: []denseReq{{"ft", tensor.Float32, graph.ShapeAttr{-1}, tensor.Scalar(float32(-1))}}}
	got, err := q.v2(ftBatch(t), strs())
	require.NoError(t, err)
	assertTensors(t, []*tensor.Tensor{f32s(tensor.Shape{3, 2}, 1, 2, -1, -1, 3, -1)}, got)
}

// "If instead a RaggedFeature with value_key="ft" is used, then the output
// will look like: {"ft": tf.ragged.constant([[1.0, 2.0], [], [3.0]])}"
// (the TF 2 docstring): values and row splits.
func TestDocstringRaggedFeature(t *testing.T) {
	for _, splits := range []tensor.DType{tensor.Int64, tensor.Int32} {
		t.Run(splits.String(), func(t *testing.T) {
			q := request{ragged: []raggedReq{{"ft", tensor.Float32, splits}}}
			got, err := q.v2(ftBatch(t), strs())
			require.NoError(t, err)
			rowSplits := i64s(tensor.Shape{4}, 0, 2, 2, 3)
			if splits == tensor.Int32 {
				rowSplits = tensor.MustFromSlice(tensor.Shape{4}, []int32{0, 2, 2, 3})
			}
			assertTensors(t, []*tensor.Tensor{f32s(tensor.Shape{3}, 1, 2, 3), rowSplits}, got)
		})
	}
}

// The docstring's kw/dank/gps Examples with three VarLenFeatures: "gps"
// holds an empty float_list in the first and an empty Feature in the
// second, and the output has "indices=[], values=[], dense_shape=[2, 0]".
func TestDocstringVarLenFeatures(t *testing.T) {
	serialized := strs(
		example(t, features{"kw": bytesF("knit", "big"), "gps": floatsF()}),
		example(t, features{"kw": bytesF("emmy"), "dank": intsF(42), "gps": emptyF()}),
	)
	q := request{sparse: []sparseReq{{"kw", tensor.String}, {"dank", tensor.Int64}, {"gps", tensor.Float32}}}
	want := []*tensor.Tensor{
		// indices
		i64s(tensor.Shape{3, 2}, 0, 0, 0, 1, 1, 0),
		i64s(tensor.Shape{1, 2}, 1, 0),
		i64s(tensor.Shape{0, 2}),
		// values
		strs("knit", "big", "emmy"),
		i64s(tensor.Shape{1}, 42),
		f32s(tensor.Shape{0}),
		// dense shapes
		i64s(tensor.Shape{2}, 2, 2),
		i64s(tensor.Shape{2}, 2, 1),
		i64s(tensor.Shape{2}, 2, 0),
	}
	for name, run := range map[string]func(s, n *tensor.Tensor) ([]*tensor.Tensor, error){"ParseExample": q.v1, "ParseExampleV2": q.v2} {
		t.Run(name, func(t *testing.T) {
			got, err := run(serialized, strs("input0", "input1"))
			require.NoError(t, err)
			assertTensors(t, want, got)
		})
	}
}

// The docstring's dense example: "age" FixedLenFeature([], tf.int64,
// default_value=-1) and "gender" FixedLenFeature([], tf.string). Its
// second Example holds "age" as an empty int64_list, which TensorFlow's
// kernel rejects as the wrong number of values (the docstring's
// {"age": [[0], [-1]]} is wrong, tensorflow/tensorflow#11986); without
// the feature, the default fills in, and the outputs have the dense
// shape [] after the batch: "age" [0, -1], "gender" ["f", "f"].
func TestDocstringFixedLenFeature(t *testing.T) {
	q := request{dense: []denseReq{
		{"age", tensor.Int64, graph.ShapeAttr{}, tensor.Scalar(int64(-1))},
		{"gender", tensor.String, graph.ShapeAttr{}, noDefault(tensor.String)},
	}}
	first := example(t, features{"age": intsF(0), "gender": bytesF("f")})

	_, err := q.v2(strs(first, example(t, features{"age": intsF(), "gender": bytesF("f")})), strs("input0", "input1"))
	require.EqualError(t, err, "Name: input1, Key: age, Index: 1.  Number of int64 values != expected.  Values size: 0 but output shape: []")

	got, err := q.v2(strs(first, example(t, features{"gender": bytesF("f")})), strs("input0", "input1"))
	require.NoError(t, err)
	assertTensors(t, []*tensor.Tensor{i64s(tensor.Shape{2}, 0, -1), strs("f", "f")}, got)
}

// The docstring's SparseFeature example parses "ix" and "val" as two
// VarLenFeatures (parse_example merges them into one SparseTensor after
// the op): ix [3, 20] and [42], val [0.5, -1.0] and [0.0].
func TestDocstringSparseFeature(t *testing.T) {
	serialized := strs(
		example(t, features{"val": floatsF(0.5, -1), "ix": intsF(3, 20)}),
		example(t, features{"val": floatsF(0), "ix": intsF(42)}),
	)
	q := request{sparse: []sparseReq{{"ix", tensor.Int64}, {"val", tensor.Float32}}}
	got, err := q.v1(serialized, strs())
	require.NoError(t, err)
	ix := i64s(tensor.Shape{3, 2}, 0, 0, 0, 1, 1, 0)
	assertTensors(t, []*tensor.Tensor{
		ix, ix,
		i64s(tensor.Shape{3}, 3, 20, 42), f32s(tensor.Shape{3}, 0.5, -1, 0),
		i64s(tensor.Shape{2}, 2, 2), i64s(tensor.Shape{2}, 2, 2),
	}, got)
}
