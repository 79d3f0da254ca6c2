package parsing

// The rules of TensorFlow's fast parser (example_proto_fast_parsing.cc)
// beyond the docstring's examples: which entry of a repeated key wins,
// empty Features, fixed and variable-length dense shapes, the single
// Example forms, and the wire-format leniencies.

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

// Concatenated Examples merge as protobuf messages do: the last entry of a
// key wins. For a dense feature an empty Feature does not count, so the
// entry before it wins; a sparse feature of a batch takes the empty one.
func TestLastEntryWins(t *testing.T) {
	merged := example(t, features{"d": floatsF(1), "s": floatsF(1, 2)}) +
		example(t, features{"d": floatsF(2), "s": floatsF(3)}) +
		example(t, features{"d": emptyF(), "s": emptyF()})
	q := request{
		sparse: []sparseReq{{"s", tensor.Float32}},
		dense:  []denseReq{{"d", tensor.Float32, graph.ShapeAttr{}, noDefault(tensor.Float32)}},
	}
	t.Run("batch", func(t *testing.T) {
		got, err := q.v1(strs(merged), strs())
		require.NoError(t, err)
		assertTensors(t, []*tensor.Tensor{
			i64s(tensor.Shape{0, 2}), f32s(tensor.Shape{0}), i64s(tensor.Shape{2}, 1, 0),
			f32s(tensor.Shape{1}, 2),
		}, got)
	})
	// A single Example skips empty Features of every kind.
	t.Run("single", func(t *testing.T) {
		got, err := q.single(tensor.Scalar(merged))
		require.NoError(t, err)
		assertTensors(t, []*tensor.Tensor{
			i64s(tensor.Shape{1, 1}, 0), f32s(tensor.Shape{1}, 3), i64s(tensor.Shape{1}, 1),
			tensor.Scalar(float32(2)),
		}, got)
	})
}

// A dense shape with several dimensions takes exactly its number of
// values, row-major, and the default fills a missing example.
func TestFixedLenShapes(t *testing.T) {
	q := request{dense: []denseReq{
		{"m", tensor.Int64, graph.ShapeAttr{2, 2}, i64s(tensor.Shape{2, 2}, 9, 8, 7, 6)},
		{"s", tensor.String, graph.ShapeAttr{1}, strs("none")},
	}}
	got, err := q.v1(strs(
		example(t, features{"m": intsF(1, 2, 3, 4), "s": bytesF("a")}),
		example(t, features{}),
	), strs())
	require.NoError(t, err)
	assertTensors(t, []*tensor.Tensor{
		i64s(tensor.Shape{2, 2, 2}, 1, 2, 3, 4, 9, 8, 7, 6),
		tensor.MustFromSlice(tensor.Shape{2, 1}, []string{"a", "none"}),
	}, got)

	got, err = q.single(tensor.Scalar(example(t, features{"s": bytesF("b")})))
	require.NoError(t, err)
	assertTensors(t, []*tensor.Tensor{i64s(tensor.Shape{2, 2}, 9, 8, 7, 6), strs("b")}, got)
}

// A variable-length dense feature with inner dimensions takes whole rows,
// padded to the longest example in a batch and unpadded alone.
func TestVariableLengthDense(t *testing.T) {
	q := request{dense: []denseReq{{"v", tensor.Int64, graph.ShapeAttr{-1, 2}, tensor.Scalar(int64(-1))}}}
	got, err := q.v2(strs(
		example(t, features{"v": intsF(1, 2)}),
		example(t, features{"v": intsF(3, 4, 5, 6)}),
		example(t, features{}),
	), strs())
	require.NoError(t, err)
	assertTensors(t, []*tensor.Tensor{i64s(tensor.Shape{3, 2, 2}, 1, 2, -1, -1, 3, 4, 5, 6, -1, -1, -1, -1)}, got)

	got, err = q.single(tensor.Scalar(example(t, features{"v": intsF(3, 4, 5, 6)})))
	require.NoError(t, err)
	assertTensors(t, []*tensor.Tensor{i64s(tensor.Shape{2, 2}, 3, 4, 5, 6)}, got)

	got, err = q.single(tensor.Scalar(example(t, features{})))
	require.NoError(t, err)
	assertTensors(t, []*tensor.Tensor{i64s(tensor.Shape{0, 2})}, got)

	_, err = q.v2(strs(example(t, features{"v": intsF(1, 2, 3)})), strs())
	assert.EqualError(t, err, "Name: <unknown>, Key: v, Index: 0.  Number of int64 values is not a multiple of stride length. "+
		"Saw 3 values but output shape is: [?,2]")
	_, err = q.single(tensor.Scalar(example(t, features{"v": intsF(1, 2, 3)})))
	assert.EqualError(t, err, "Error while parsing feature with key v: number of elements should be divisible by 2, found 3 instead")
}

// ParseExampleV2 on a scalar parses one Example as ParseSingleExample
// does: sparse indices [n, 1], dense shape [n], empty ragged row splits.
func TestExampleV2OnAScalar(t *testing.T) {
	q := request{
		sparse: []sparseReq{{"s", tensor.String}, {"gone", tensor.Int64}},
		dense:  []denseReq{{"d", tensor.Float32, graph.ShapeAttr{2}, noDefault(tensor.Float32)}},
		ragged: []raggedReq{{"r", tensor.Int64, tensor.Int32}, {"none", tensor.Float32, tensor.Int64}},
	}
	got, err := q.v2(tensor.Scalar(example(t, features{
		"s": bytesF("x", "yz"), "d": floatsF(0.25, -4), "r": intsF(7, 8, 9), "other": intsF(1),
	})), tensor.Scalar("ex"))
	require.NoError(t, err)
	assertTensors(t, []*tensor.Tensor{
		i64s(tensor.Shape{2, 1}, 0, 1), i64s(tensor.Shape{0, 1}),
		strs("x", "yz"), i64s(tensor.Shape{0}),
		i64s(tensor.Shape{1}, 2), i64s(tensor.Shape{1}, 0),
		f32s(tensor.Shape{2}, 0.25, -4),
		i64s(tensor.Shape{3}, 7, 8, 9), f32s(tensor.Shape{0}),
		tensor.MustNew(tensor.Int32, tensor.Shape{0}), i64s(tensor.Shape{0}),
	}, got)
}

// An empty batch gives empty outputs of the right shapes.
func TestEmptyBatch(t *testing.T) {
	q := request{
		sparse: []sparseReq{{"s", tensor.Float32}},
		dense:  []denseReq{{"d", tensor.Int64, graph.ShapeAttr{3}, noDefault(tensor.Int64)}, {"v", tensor.String, graph.ShapeAttr{-1}, tensor.Scalar("")}},
		ragged: []raggedReq{{"r", tensor.Int64, tensor.Int64}},
	}
	got, err := q.v2(strs(), strs())
	require.NoError(t, err)
	assertTensors(t, []*tensor.Tensor{
		i64s(tensor.Shape{0, 2}), f32s(tensor.Shape{0}), i64s(tensor.Shape{2}, 0, 0),
		i64s(tensor.Shape{0, 3}), tensor.MustNew(tensor.String, tensor.Shape{0, 0}),
		i64s(tensor.Shape{0}), i64s(tensor.Shape{1}, 0),
	}, got)
}

// Wire forms that TensorFlow's parser reads besides the ones protobuf
// writers produce: unpacked lists, a map entry with its value first,
// unknown fields around the Features, the trailing bytes of a packed
// float list.
func TestWireForms(t *testing.T) {
	// Features{"k": Feature{...}} around a hand-encoded list.
	wrap := func(key, feature string) string {
		entry := "\x0a" + string(rune(len(key))) + key + "\x12" + string(rune(len(feature))) + feature
		features := "\x0a" + string(rune(len(entry))) + entry
		return "\x0a" + string(rune(len(features))) + features
	}
	for _, tc := range []struct {
		name       string
		serialized string
		want       *tensor.Tensor
	}{
		{"unpacked int64", wrap("i", "\x1a\x04\x08\x05\x08\x7f"), i64s(tensor.Shape{2}, 5, 127)},
		{"unpacked float", wrap("f", "\x12\x05\x0d\x00\x00\xc0\x3f"), f32s(tensor.Shape{1}, 1.5)},
		{"negative int64", wrap("i", "\x1a\x0c\x0a\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"), i64s(tensor.Shape{1}, -1)},
		{"value before key", "\x0a\x0b\x0a\x09\x12\x04\x1a\x02\x08\x03\x0a\x01i", i64s(tensor.Shape{1}, 3)},
		{"unknown fields skipped", "\x10\x01" + wrap("i", "\x1a\x03\x0a\x01\x02") + "\x1d\x00\x00\x00\x00", i64s(tensor.Shape{1}, 2)},
		{"packed float remainder ignored", wrap("f", "\x12\x07\x0a\x05\x00\x00\x80\x3f\x00"), f32s(tensor.Shape{1}, 1)},
		{"bytes", wrap("b", "\x0a\x07\x0a\x00\x0a\x03a\x00c"), strs("", "a\x00c")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var q request
			switch tc.want.DType() {
			case tensor.Int64:
				q.sparse = []sparseReq{{"i", tensor.Int64}}
			case tensor.Float32:
				q.sparse = []sparseReq{{"f", tensor.Float32}}
			default:
				q.sparse = []sparseReq{{"b", tensor.String}}
			}
			got, err := q.v1(strs(tc.serialized), strs())
			require.NoError(t, err)
			assertTensors(t, []*tensor.Tensor{tc.want}, got[1:2])
		})
	}
}

// Features that are not asked for are not read beyond their map entry, so
// their contents may be anything.
func TestUnrequestedFeaturesAreNotRead(t *testing.T) {
	junk := "\x0a\x0a\x0a\x08\x0a\x01j\x12\x03\xff\xff\xff"
	q := request{dense: []denseReq{{"x", tensor.Float32, graph.ShapeAttr{}, tensor.Scalar(float32(7))}}}
	got, err := q.v1(strs(junk), strs())
	require.NoError(t, err)
	assertTensors(t, []*tensor.Tensor{f32s(tensor.Shape{1}, 7)}, got)

	q.dense[0].key = "j"
	_, err = q.v1(strs(junk), strs())
	assert.EqualError(t, err, "Unsupported datatype.")
}
