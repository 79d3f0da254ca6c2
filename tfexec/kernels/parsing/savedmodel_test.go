package parsing_test

// The parsing ops in the shared SavedModels: TF Serving's classify and
// regress signatures (ParseExample in front of y = a·x + b) and the TFX
// Chicago taxi export (ParseExampleV2 with 17 sparse features), fed
// tf.Example bytes built with the project's protos.

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec"
	"github.com/tfoffload/tfoffload/tfexec/kernels/parsing"
)

// serialize returns the serialized tf.Examples of fs, a batch.
func serialize(t *testing.T, fs ...map[string]*tfpb.Feature) *tensor.Tensor {
	t.Helper()
	out := make([]string, len(fs))
	for i, f := range fs {
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(&tfpb.Example{Features: &tfpb.Features{Feature: f}})
		require.NoError(t, err)
		out[i] = string(b)
	}
	return tensor.MustFromSlice(tensor.Shape{len(out)}, out)
}

func floatFeature(v ...float32) *tfpb.Feature {
	return &tfpb.Feature{Kind: &tfpb.Feature_FloatList{FloatList: &tfpb.FloatList{Value: v}}}
}

// TestServingSignatures runs the classify and regress signatures of TF
// Serving's test models, loaded (and frozen) by bridge.LoadSession, on
// tf.Examples: y = 0.5·x + 2 (or + 3) exactly, on the executor and
// offloaded (one frozen graph serves every signature, so its clusters must
// not join nodes that different signatures need).
func TestServingSignatures(t *testing.T) {
	xs := []float32{1, -2.5, 0, 1e6, 3.25}
	for _, tc := range []struct {
		model, signature string
		b                float32
	}{
		{"saved_model_half_plus_two_cpu", "classify_x_to_y", 2},
		{"saved_model_half_plus_two_cpu", "regress_x_to_y", 2},
		{"saved_model_half_plus_two_cpu", "regress_x_to_y2", 3},
		{"saved_model_half_plus_two_tf2_cpu", "classify_x_to_y", 2},
		{"saved_model_half_plus_two_tf2_cpu", "regress_x_to_y", 2},
		{"saved_model_half_plus_two_tf2_cpu", "regress_x_to_y2", 3},
		{"saved_model_half_plus_three", "tensorflow/serving/regress", 3},
	} {
		for _, offload := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/%s/offload=%v", tc.model, tc.signature, offload), func(t *testing.T) {
				if offload {
					enginetest.Require(t)
				}
				s, err := bridge.LoadSession(testutil.SharedModel(t, "savedmodel/tfserving/"+tc.model), bridge.WithOffload(offload))
				require.NoError(t, err)
				defer s.Close() // at the end of the test, after both runs
				sig := s.Model().Signature(tc.signature)
				require.NotNil(t, sig)
				require.Len(t, sig.Inputs, 1)
				require.Len(t, sig.Outputs, 1)
				var examples []map[string]*tfpb.Feature
				want := make([]float32, len(xs))
				for i, x := range xs {
					f := map[string]*tfpb.Feature{"x": floatFeature(x)}
					if i%2 == 1 {
						f["x2"] = floatFeature(-x) // not read by these signatures
					}
					examples = append(examples, f)
					want[i] = 0.5*x + tc.b
				}
				out, err := s.Run(context.Background(), map[string]*tensor.Tensor{sig.Inputs[0].Name: serialize(t, examples...)},
					[]string{sig.Outputs[0].Name})
				require.NoError(t, err)
				assert.Equal(t, tensor.Shape{len(xs), 1}, out[0].Shape())
				assert.Equal(t, want, tensor.Values[float32](out[0]))
			})
		}
	}
}

// TestHalfPlusTwoParseExample fetches the ParseExample node of
// saved_model_half_plus_two_cpu itself: "x" is required (an empty
// default), "x2" defaults to 0, both of dense shape [1].
func TestHalfPlusTwoParseExample(t *testing.T) {
	m, err := graph.Load(testutil.SharedModel(t, "savedmodel/tfserving/saved_model_half_plus_two_cpu"))
	require.NoError(t, err)
	e, err := tfexec.New(m.Graph)
	require.NoError(t, err)
	const node = "ParseExample/ParseExample"
	feeds := map[string]*tensor.Tensor{"tf_example:0": serialize(t,
		map[string]*tfpb.Feature{"x": floatFeature(7), "x2": floatFeature(-1.5)},
		map[string]*tfpb.Feature{"x": floatFeature(0.125)},
	)}
	out, err := e.Run(context.Background(), feeds, []string{node + ":0", node + ":1"})
	require.NoError(t, err)
	assert.Equal(t, tensor.Shape{2, 1}, out[0].Shape())
	assert.Equal(t, []float32{7, 0.125}, tensor.Values[float32](out[0]))
	assert.Equal(t, []float32{-1.5, 0}, tensor.Values[float32](out[1]))

	feeds["tf_example:0"] = serialize(t, map[string]*tfpb.Feature{"x": floatFeature(1)}, map[string]*tfpb.Feature{"x2": floatFeature(1)})
	_, err = e.Run(context.Background(), feeds, []string{node + ":0"})
	require.ErrorIs(t, err, parsing.ErrInvalidExample)
	var ne *tfexec.NodeError
	require.ErrorAs(t, err, &ne)
	assert.Equal(t, node, ne.Node)
	assert.Equal(t, `node "ParseExample/ParseExample" (ParseExample): Name: <unknown>, Feature: x (data type: float) is required but could not be found.`, err.Error())
}

// TestChicagoTaxiParseExampleV2 feeds the TFX Chicago taxi estimator's
// ParseExampleV2 node Examples built from its own feature spec (the node's
// sparse_keys and sparse_types): every feature in the first Example, every
// other one in the second, none in the third.
func TestChicagoTaxiParseExampleV2(t *testing.T) {
	m, err := graph.Load(testutil.SharedModel(t, "savedmodel/freeze/tfx_chicago_taxi_estimator"))
	require.NoError(t, err)
	const node = "ParseExample/ParseExampleV2"
	var keys []string
	var types []tensor.DType
	for _, n := range m.Graph.GetNode() {
		switch n.GetName() {
		case node + "/sparse_keys":
			k, err := graph.AttrsOf(n).Tensor("value")
			require.NoError(t, err)
			keys = tensor.Values[string](k)
		case node:
			types, err = graph.AttrsOf(n).Types("sparse_types", nil)
			require.NoError(t, err)
		}
	}
	require.Len(t, keys, 17)
	require.Len(t, types, len(keys))

	// value returns the i-th feature's values in example e.
	value := func(i, e int) *tfpb.Feature {
		switch types[i] {
		case tensor.Int64:
			return &tfpb.Feature{Kind: &tfpb.Feature_Int64List{Int64List: &tfpb.Int64List{Value: []int64{int64(100*i + e)}}}}
		case tensor.Float32:
			return floatFeature(float32(i) + 0.5*float32(e))
		}
		return &tfpb.Feature{Kind: &tfpb.Feature_BytesList{BytesList: &tfpb.BytesList{Value: [][]byte{[]byte(fmt.Sprintf("%s-%d", keys[i], e))}}}}
	}
	examples := []map[string]*tfpb.Feature{{}, {}, {}}
	for i, k := range keys {
		examples[0][k] = value(i, 0)
		if i%2 == 0 {
			examples[1][k] = value(i, 1)
		}
	}
	e, err := tfexec.New(m.Graph)
	require.NoError(t, err)
	fetches := make([]string, 3*len(keys))
	for i := range fetches {
		fetches[i] = fmt.Sprintf("%s:%d", node, i)
	}
	out, err := e.Run(context.Background(), map[string]*tensor.Tensor{"input_example_tensor:0": serialize(t, examples...)}, fetches)
	require.NoError(t, err)
	for i, k := range keys {
		rows := []int64{0}
		if i%2 == 0 {
			rows = append(rows, 1)
		}
		indices, values, shape := out[i], out[len(keys)+i], out[2*len(keys)+i]
		var wantIndices []int64
		for _, r := range rows {
			wantIndices = append(wantIndices, r, 0)
		}
		assert.Equal(t, wantIndices, tensor.Values[int64](indices), k)
		assert.Equal(t, []int64{3, 1}, tensor.Values[int64](shape), k)
		assert.Equal(t, types[i], values.DType(), k)
		for j, r := range rows {
			f := value(i, int(r))
			switch types[i] {
			case tensor.Int64:
				assert.Equal(t, f.GetInt64List().GetValue()[0], tensor.Values[int64](values)[j], k)
			case tensor.Float32:
				assert.Equal(t, f.GetFloatList().GetValue()[0], tensor.Values[float32](values)[j], k)
			default:
				assert.Equal(t, string(f.GetBytesList().GetValue()[0]), tensor.Values[string](values)[j], k)
			}
		}
	}
}

// TestChicagoTaxiPredicts runs the TFX Chicago taxi estimator's predict
// signature through bridge.LoadSession (frozen on load: variables, two
// vocabulary tables, then sparse features, hashing and bucketizing on the
// executor) on Examples built from its own feature spec: every feature,
// half of them, none. Each gives a probability in [0, 1], and the two
// classes' probabilities sum to 1.
func TestChicagoTaxiPredicts(t *testing.T) {
	dir := testutil.SharedModel(t, "savedmodel/freeze/tfx_chicago_taxi_estimator")
	m, err := graph.Load(dir)
	require.NoError(t, err)
	const node = "ParseExample/ParseExampleV2"
	var keys []string
	var types []tensor.DType
	for _, n := range m.Graph.GetNode() {
		switch n.GetName() {
		case node + "/sparse_keys":
			k, err := graph.AttrsOf(n).Tensor("value")
			require.NoError(t, err)
			keys = tensor.Values[string](k)
		case node:
			types, err = graph.AttrsOf(n).Types("sparse_types", nil)
			require.NoError(t, err)
		}
	}
	require.Len(t, keys, 17)
	examples := []map[string]*tfpb.Feature{{}, {}, {}}
	for i, k := range keys {
		var f *tfpb.Feature
		switch types[i] {
		case tensor.Int64:
			f = &tfpb.Feature{Kind: &tfpb.Feature_Int64List{Int64List: &tfpb.Int64List{Value: []int64{int64(7 * i)}}}}
		case tensor.Float32:
			f = floatFeature(float32(i) + 0.25)
		default:
			f = &tfpb.Feature{Kind: &tfpb.Feature_BytesList{BytesList: &tfpb.BytesList{Value: [][]byte{[]byte("Cash")}}}}
		}
		examples[0][k] = f
		if i%2 == 0 {
			examples[1][k] = f
		}
	}
	for _, offload := range []bool{false, true} {
		if offload {
			enginetest.Require(t)
		}
		s, err := bridge.LoadSession(dir, bridge.WithOffload(offload))
		require.NoError(t, err)
		defer s.Close() // at the end of the test, after both runs
		sig := s.Model().Signature("predict")
		require.NotNil(t, sig)
		fetch := ""
		for _, o := range sig.Outputs {
			if o.Key == "probabilities" {
				fetch = o.Name
			}
		}
		require.NotEmpty(t, fetch, "predict has a probabilities output")
		out, err := s.Run(context.Background(), map[string]*tensor.Tensor{sig.Inputs[0].Name: serialize(t, examples...)}, []string{fetch})
		require.NoError(t, err)
		require.Equal(t, tensor.Shape{3, 2}, out[0].Shape())
		p := tensor.Values[float32](out[0])
		for e := 0; e < 3; e++ {
			assert.GreaterOrEqual(t, p[2*e], float32(0))
			assert.LessOrEqual(t, p[2*e], float32(1))
			assert.InDelta(t, 1, p[2*e]+p[2*e+1], 1e-6, "example %d", e)
		}
		t.Logf("offload %v: probabilities %v", offload, p)
	}
}
