package parsing

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// Features of a tf.Example, built with the project's generated protos.
func floatsF(v ...float32) *tfpb.Feature {
	return &tfpb.Feature{Kind: &tfpb.Feature_FloatList{FloatList: &tfpb.FloatList{Value: v}}}
}

func intsF(v ...int64) *tfpb.Feature {
	return &tfpb.Feature{Kind: &tfpb.Feature_Int64List{Int64List: &tfpb.Int64List{Value: v}}}
}

func bytesF(v ...string) *tfpb.Feature {
	b := make([][]byte, len(v))
	for i, s := range v {
		b[i] = []byte(s)
	}
	return &tfpb.Feature{Kind: &tfpb.Feature_BytesList{BytesList: &tfpb.BytesList{Value: b}}}
}

// emptyF is a Feature with no list set (`value { }` in text format).
func emptyF() *tfpb.Feature { return &tfpb.Feature{} }

type features = map[string]*tfpb.Feature

// example serializes a tf.Example holding f, deterministically.
func example(t testing.TB, f features) string {
	t.Helper()
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(&tfpb.Example{Features: &tfpb.Features{Feature: f}})
	require.NoError(t, err)
	return string(b)
}

func strs(v ...string) *tensor.Tensor { return tensor.MustFromSlice(tensor.Shape{len(v)}, v) }

func i64s(shape tensor.Shape, v ...int64) *tensor.Tensor { return tensor.MustFromSlice(shape, v) }

func f32s(shape tensor.Shape, v ...float32) *tensor.Tensor { return tensor.MustFromSlice(shape, v) }

// noDefault is the empty default of a required dense feature.
func noDefault(dt tensor.DType) *tensor.Tensor { return tensor.MustNew(dt, tensor.Shape{0}) }

// request is the features a test parse asks for.
type request struct {
	sparse []sparseReq
	dense  []denseReq
	ragged []raggedReq
}

type sparseReq struct {
	key   string
	dtype tensor.DType
}

type denseReq struct {
	key   string
	dtype tensor.DType
	shape graph.ShapeAttr
	def   *tensor.Tensor
}

type raggedReq struct {
	key           string
	dtype, splits tensor.DType
}

func (q request) sparseTypes() []tensor.DType {
	ts := []tensor.DType{}
	for _, s := range q.sparse {
		ts = append(ts, s.dtype)
	}
	return ts
}

func (q request) dense3() (keys []string, types []tensor.DType, shapes []graph.ShapeAttr, defaults []*tensor.Tensor) {
	types, shapes = []tensor.DType{}, []graph.ShapeAttr{}
	for _, d := range q.dense {
		keys = append(keys, d.key)
		types = append(types, d.dtype)
		shapes = append(shapes, d.shape)
		defaults = append(defaults, d.def)
	}
	return keys, types, shapes, defaults
}

// v1 runs ParseExample.
func (q request) v1(serialized, names *tensor.Tensor) ([]*tensor.Tensor, error) {
	keys, types, shapes, defaults := q.dense3()
	in := []*tensor.Tensor{serialized, names}
	for _, s := range q.sparse {
		in = append(in, tensor.Scalar(s.key))
	}
	for _, k := range keys {
		in = append(in, tensor.Scalar(k))
	}
	in = append(in, defaults...)
	return kerneltest.Call(graph.NewNode("parse", "ParseExample", nil, map[string]any{
		"Nsparse": len(q.sparse), "Ndense": len(q.dense), "sparse_types": q.sparseTypes(),
		"Tdense": types, "dense_shapes": shapes,
	}), in...)
}

// v2 runs ParseExampleV2.
func (q request) v2(serialized, names *tensor.Tensor) ([]*tensor.Tensor, error) {
	keys, types, shapes, defaults := q.dense3()
	var sparseKeys, raggedKeys []string
	for _, s := range q.sparse {
		sparseKeys = append(sparseKeys, s.key)
	}
	values, splits := []tensor.DType{}, []tensor.DType{}
	for _, r := range q.ragged {
		raggedKeys = append(raggedKeys, r.key)
		values = append(values, r.dtype)
		splits = append(splits, r.splits)
	}
	in := append([]*tensor.Tensor{serialized, names, strs(sparseKeys...), strs(keys...), strs(raggedKeys...)}, defaults...)
	return kerneltest.Call(graph.NewNode("parse", "ParseExampleV2", nil, map[string]any{
		"num_sparse": len(q.sparse), "sparse_types": q.sparseTypes(), "Tdense": types, "dense_shapes": shapes,
		"ragged_value_types": values, "ragged_split_types": splits,
	}), in...)
}

// single runs ParseSingleExample.
func (q request) single(serialized *tensor.Tensor) ([]*tensor.Tensor, error) {
	keys, types, shapes, defaults := q.dense3()
	sparseKeys := []string{}
	for _, s := range q.sparse {
		sparseKeys = append(sparseKeys, s.key)
	}
	if keys == nil {
		keys = []string{}
	}
	return kerneltest.Call(graph.NewNode("parse", "ParseSingleExample", nil, map[string]any{
		"num_sparse": len(q.sparse), "sparse_keys": sparseKeys, "dense_keys": keys,
		"sparse_types": q.sparseTypes(), "Tdense": types, "dense_shapes": shapes,
	}), append([]*tensor.Tensor{serialized}, defaults...)...)
}

// assertTensors compares outputs exactly, dtype and shape included.
func assertTensors(t *testing.T, want, got []*tensor.Tensor) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		assert.NoError(t, tensor.Compare(got[i], want[i], tensor.Tolerance{}), "output %d: %v", i, got[i])
	}
}
