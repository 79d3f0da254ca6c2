package parsing

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestDataErrors checks the errors about the data against TensorFlow's
// wording (example_proto_fast_parsing.cc). The "required" one is the
// message users report, for example in tensorflow/ranking#227: "Name:
// <unknown>, Feature: document_bert_encoder_outputs (data type: float) is
// required but could not be found."
func TestDataErrors(t *testing.T) {
	required := request{dense: []denseReq{{"x", tensor.Float32, graph.ShapeAttr{1}, noDefault(tensor.Float32)}}}
	pair := request{dense: []denseReq{{"x", tensor.Float32, graph.ShapeAttr{2}, f32s(tensor.Shape{2}, 0, 0)}}}
	sparseInt := request{sparse: []sparseReq{{"x", tensor.Int64}}}
	str := request{dense: []denseReq{{"x", tensor.String, graph.ShapeAttr{1}, noDefault(tensor.String)}}}
	floatX := example(t, features{"x": floatsF(1)})
	intX := example(t, features{"x": intsF(1)})
	for _, tc := range []struct {
		name, want string
		run        func() ([]*tensor.Tensor, error)
	}{
		{"required", "Name: <unknown>, Feature: x (data type: float) is required but could not be found.",
			func() ([]*tensor.Tensor, error) {
				return required.v1(strs(example(t, features{"y": floatsF(1)})), strs())
			}},
		{"required named", "Name: second, Feature: x (data type: float) is required but could not be found.",
			func() ([]*tensor.Tensor, error) { return required.v2(strs(floatX, ""), strs("first", "second")) }},
		{"required single", "Feature: x (data type: float) is required but could not be found.",
			func() ([]*tensor.Tensor, error) { return required.single(tensor.Scalar("")) }},
		{"dense type", "Name: <unknown>, Key: x, Index: 0.  Data types don't match. Data type: int64 but expected type: float",
			func() ([]*tensor.Tensor, error) { return required.v1(strs(intX), strs()) }},
		{"dense type single", "Key: x.  Data types don't match. Data type: int64 but expected type: float",
			func() ([]*tensor.Tensor, error) { return required.single(tensor.Scalar(intX)) }},
		{"sparse type", "Name: <unknown>, Key: x, Index: 1.  Data types don't match. Expected type: int64, Actual type: float",
			func() ([]*tensor.Tensor, error) { return sparseInt.v1(strs(intX, floatX), strs()) }},
		{"sparse type single", "Key: x.  Data types don't match. Expected type: int64, Actual type: float",
			func() ([]*tensor.Tensor, error) { return sparseInt.single(tensor.Scalar(floatX)) }},
		{"too few", "Name: <unknown>, Key: x, Index: 0.  Number of float values != expected.  Values size: 1 but output shape: [2]",
			func() ([]*tensor.Tensor, error) { return pair.v1(strs(floatX), strs()) }},
		{"too many", "Name: <unknown>, Key: x, Index: 0.  Number of float values != expected.  Values size: 3 but output shape: [2]",
			func() ([]*tensor.Tensor, error) {
				return pair.v1(strs(example(t, features{"x": floatsF(1, 2, 3)})), strs())
			}},
		{"too many single", "Key: x.  Can't parse serialized Example: Some float_list slice was not parsed.",
			func() ([]*tensor.Tensor, error) {
				return pair.single(tensor.Scalar(example(t, features{"x": floatsF(1, 2, 3)})))
			}},
		// More strings than the shape holds fail the parse itself.
		{"too many strings", "Name: <unknown>, Key: x, Index: 0.  Can't parse serialized Example.",
			func() ([]*tensor.Tensor, error) {
				return str.v1(strs(example(t, features{"x": bytesF("a", "b")})), strs())
			}},
		{"too many strings single", "Key: x.  Can't parse serialized Example: Parsing bytes_list failed.",
			func() ([]*tensor.Tensor, error) {
				return str.single(tensor.Scalar(example(t, features{"x": bytesF("a", "b")})))
			}},
		{"truncated list", "Name: <unknown>, Key: x, Index: 0.  Can't parse serialized Example.",
			func() ([]*tensor.Tensor, error) {
				return sparseInt.v1(strs("\x0a\x0a\x0a\x08\x0a\x01x\x12\x03\x1a\x01\x08"), strs())
			}},
		{"malformed", `Could not parse example input, value: '\n\x05\n\x03\n\x01x'`,
			func() ([]*tensor.Tensor, error) { return required.v1(strs("\x0a\x05\x0a\x03\x0a\x01x"), strs()) }},
		{"malformed single", `Could not parse example input, value: '\xff'`,
			func() ([]*tensor.Tensor, error) { return required.single(tensor.Scalar("\xff")) }},
		{"unsupported kind", "Unsupported datatype.",
			func() ([]*tensor.Tensor, error) {
				return sparseInt.v1(strs("\x0a\x09\x0a\x07\x0a\x01x\x12\x02\x22\x00"), strs())
			}},
		{"unprintable key", `Name: <unknown>, Feature: "a\nb" (data type: float) is required but could not be found.`,
			func() ([]*tensor.Tensor, error) {
				q := request{dense: []denseReq{{"a\nb", tensor.Float32, graph.ShapeAttr{}, noDefault(tensor.Float32)}}}
				return q.v1(strs(""), strs())
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.run()
			require.EqualError(t, err, tc.want)
			assert.ErrorIs(t, err, ErrInvalidExample)
			assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
		})
	}
}

// A malformed Example's error shows at most 64 of its bytes.
func TestMalformedErrorIsShort(t *testing.T) {
	q := request{sparse: []sparseReq{{"x", tensor.Int64}}}
	_, err := q.v1(strs("\x0a\xff\xff\xff\xff\x0f"+strings.Repeat("\n", 1000)), strs())
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 400)
	assert.NotContains(t, err.Error(), "\n")
	assert.Contains(t, err.Error(), "(1006 bytes)")
}

// TestInputErrors checks the inputs' shapes and dtypes as TensorFlow's
// kernels do before parsing.
func TestInputErrors(t *testing.T) {
	q := request{dense: []denseReq{{"x", tensor.Float32, graph.ShapeAttr{2}, f32s(tensor.Shape{2}, 0, 0)}}}
	varLen := request{dense: []denseReq{{"x", tensor.Float32, graph.ShapeAttr{-1}, f32s(tensor.Shape{2}, 0, 0)}}}
	wrongType := request{dense: []denseReq{{"x", tensor.Float32, graph.ShapeAttr{2}, i64s(tensor.Shape{2}, 0, 0)}}}
	wrongShape := request{dense: []denseReq{{"x", tensor.Float32, graph.ShapeAttr{2}, f32s(tensor.Shape{1, 2}, 0, 0)}}}
	twice := request{sparse: []sparseReq{{"x", tensor.Float32}}, dense: q.dense}
	for _, tc := range []struct {
		name, want string
		run        func() ([]*tensor.Tensor, error)
	}{
		{"v1 scalar", "Expected serialized to be a vector, got shape: []",
			func() ([]*tensor.Tensor, error) { return q.v1(tensor.Scalar(""), strs()) }},
		{"v2 matrix", "Expected serialized to be a scalar or vector, got shape: [1,1]",
			func() ([]*tensor.Tensor, error) {
				return q.v2(tensor.MustFromSlice(tensor.Shape{1, 1}, []string{""}), strs())
			}},
		{"single vector", "Expected serialized to be a scalar, got shape: [1]",
			func() ([]*tensor.Tensor, error) { return q.single(strs("")) }},
		{"names", "Expected names have the same shape as serialized: name.shape=[1], serialized.shape=[2]",
			func() ([]*tensor.Tensor, error) { return q.v1(strs("", ""), strs("a")) }},
		{"default dtype", "dense_defaults[0].dtype() == int64 != dense_types_[0] == float",
			func() ([]*tensor.Tensor, error) { return wrongType.v1(strs(""), strs()) }},
		{"default shape", "def_value[0].shape() == [1,2] is not compatible with dense_shapes_[0] == [2]",
			func() ([]*tensor.Tensor, error) { return wrongShape.v2(strs(""), strs()) }},
		{"padding", "dense_shape[0] is a variable length shape: [?], therefore def_value[0] must contain a single element " +
			"(the padding element).  But its shape is: [2]",
			func() ([]*tensor.Tensor, error) { return varLen.single(tensor.Scalar("")) }},
		{"key twice", "Could not avoid collision: feature key x is requested twice",
			func() ([]*tensor.Tensor, error) { return twice.v2(strs(""), strs()) }},
		{"v1 key not scalar", "sparse_keys[0] must be a string scalar, got string [1]",
			func() ([]*tensor.Tensor, error) {
				return kerneltest.Call(graph.NewNode("p", "ParseExample", nil, map[string]any{
					"Nsparse": 1, "Ndense": 0, "sparse_types": []tensor.DType{tensor.Int64},
					"Tdense": []tensor.DType{}, "dense_shapes": []graph.ShapeAttr{},
				}), strs(""), strs(), strs("x"))
			}},
		{"v2 key count", "Expected len(dense_keys) == len(dense_types) but got: 2 vs. 1",
			func() ([]*tensor.Tensor, error) {
				return kerneltest.Call(graph.NewNode("p", "ParseExampleV2", nil, map[string]any{
					"num_sparse": 0, "sparse_types": []tensor.DType{}, "Tdense": []tensor.DType{tensor.Float32},
					"dense_shapes": []graph.ShapeAttr{{}}, "ragged_value_types": []tensor.DType{}, "ragged_split_types": []tensor.DType{},
				}), strs(""), strs(), strs(), strs("x", "y"), strs(), tensor.Scalar(float32(0)))
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.run()
			require.Error(t, err)
			assert.Equal(t, "invalid argument: "+tc.want, err.Error())
			assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
			assert.NotErrorIs(t, err, ErrInvalidExample)
		})
	}
}

// TestAttributeErrors: attributes TensorFlow refuses when it builds the
// kernel are refused when the node is prepared.
func TestAttributeErrors(t *testing.T) {
	v1 := func(attrs map[string]any) map[string]any {
		base := map[string]any{"Nsparse": 0, "Ndense": 1, "sparse_types": []tensor.DType{},
			"Tdense": []tensor.DType{tensor.Float32}, "dense_shapes": []graph.ShapeAttr{{1}}}
		for k, v := range attrs {
			base[k] = v
		}
		return base
	}
	for _, tc := range []struct {
		name  string
		op    string
		attrs map[string]any
		want  string
	}{
		{"unknown rank", "ParseExample", v1(map[string]any{"dense_shapes": []graph.ShapeAttr{nil}}),
			"dense_shapes[0] has unknown rank or unknown inner dimensions: <unknown>"},
		{"unknown inner", "ParseExample", v1(map[string]any{"dense_shapes": []graph.ShapeAttr{{2, -1}}}),
			"dense_shapes[0] has unknown rank or unknown inner dimensions: [2,?]"},
		{"empty rows", "ParseExample", v1(map[string]any{"dense_shapes": []graph.ShapeAttr{{-1, 0}}}),
			"dense_shapes[0] [?,0] is variable-length with no elements per row"},
		{"shape count", "ParseExample", v1(map[string]any{"dense_shapes": []graph.ShapeAttr{{1}, {1}}}),
			"len(dense_keys) != len(dense_shapes)"},
		{"Nsparse", "ParseExample", v1(map[string]any{"Nsparse": 1}), "len(sparse_keys) != len(sparse_types)"},
		{"Ndense", "ParseExample", v1(map[string]any{"Ndense": 2}), "len(dense_keys) != len(dense_types)"},
		{"dtype", "ParseExample", v1(map[string]any{"Tdense": []tensor.DType{tensor.Int32}}), "dtype int32 not supported"},
		{"split type", "ParseExampleV2", map[string]any{"num_sparse": 0, "ragged_value_types": []tensor.DType{tensor.Int64},
			"ragged_split_types": []tensor.DType{tensor.Float32}}, "dtype float32 not supported"},
		{"single num_sparse", "ParseSingleExample", map[string]any{"num_sparse": 1, "sparse_keys": []string{"a"}},
			"num_sparse (1) must match the size of sparse_keys (1) and sparse_types (0)"},
		{"single key twice", "ParseSingleExample", map[string]any{"num_sparse": 1, "sparse_keys": []string{"a"},
			"sparse_types": []tensor.DType{tensor.Int64}, "dense_keys": []string{"a"},
			"Tdense": []tensor.DType{tensor.Int64}, "dense_shapes": []graph.ShapeAttr{{}}},
			"Could not avoid collision: feature key a is requested twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := kernel.Lookup(tc.op)
			require.True(t, ok)
			_, err := f(kernel.NewNode(graph.NewNode("p", tc.op, nil, tc.attrs)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestInputCount: a node whose inputs disagree with its attributes is
// refused when prepared.
func TestInputCount(t *testing.T) {
	f, _ := kernel.Lookup("ParseExample")
	_, err := f(kernel.NewNode(graph.NewNode("p", "ParseExample", []string{"s", "n", "k"}, map[string]any{
		"Nsparse": 0, "Ndense": 1, "sparse_types": []tensor.DType{}, "Tdense": []tensor.DType{tensor.Float32},
		"dense_shapes": []graph.ShapeAttr{{1}},
	})))
	require.ErrorIs(t, err, kernel.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "3 inputs, its attributes declare 4")
}

// TestBudget: outputs and buffers sized by the data or the attributes are
// checked against the memory budget before they are allocated.
func TestBudget(t *testing.T) {
	prev := tensor.SetMaxTensorBytes(1 << 20)
	t.Cleanup(func() { tensor.SetMaxTensorBytes(prev) })

	// A dense shape of 2²⁰ floats, 4 MiB an example.
	big := request{dense: []denseReq{{"x", tensor.Float32, graph.ShapeAttr{1 << 20}, noDefault(tensor.Float32)}}}
	_, err := big.v1(strs(""), strs())
	var tl *tensor.TooLargeError
	require.ErrorAs(t, err, &tl)
	_, err = big.single(tensor.Scalar(example(t, features{"x": floatsF(1)})))
	require.ErrorAs(t, err, &tl)

	// 2¹⁷+1 one-byte int64s: 128 KiB of input, 1 MiB of values and more,
	// twice that of batch sparse indices.
	ints := make([]int64, 1<<17+1)
	serialized := example(t, features{"x": intsF(ints...)})
	sparseInt := request{sparse: []sparseReq{{"x", tensor.Int64}}}
	_, err = sparseInt.v1(strs(serialized), strs())
	require.ErrorAs(t, err, &tl)
	_, err = sparseInt.single(tensor.Scalar(serialized))
	require.ErrorAs(t, err, &tl)

	// One long example padded across a batch of empty ones.
	padded := request{dense: []denseReq{{"x", tensor.Int64, graph.ShapeAttr{-1}, tensor.Scalar(int64(0))}}}
	batch := make([]string, 64)
	batch[0] = example(t, features{"x": intsF(make([]int64, 4096)...)})
	_, err = padded.v2(strs(batch...), strs())
	require.ErrorAs(t, err, &tl)
	assert.Equal(t, tensor.Shape{64, 4096}, tl.Shape)

	// Under the budget the same parses run.
	got, err := padded.v2(strs(batch[:2]...), strs())
	require.NoError(t, err)
	assert.Equal(t, tensor.Shape{2, 4096}, got[0].Shape())
}
