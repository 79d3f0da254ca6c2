package bridge

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/checkpoint"
	"github.com/tfoffload/tfoffload/freeze"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// runSignature runs one signature of a session, inputs and outputs keyed
// by the signature's keys.
func runSignature(t *testing.T, s *Session, key string, inputs map[string]*tensor.Tensor) map[string]*tensor.Tensor {
	t.Helper()
	sig := s.Model().Signature(key)
	require.NotNil(t, sig, "signature %q", key)
	feeds := map[string]*tensor.Tensor{}
	for _, in := range sig.Inputs {
		require.Contains(t, inputs, in.Key)
		feeds[in.Name] = inputs[in.Key]
	}
	var fetches []string
	for _, o := range sig.Outputs {
		fetches = append(fetches, o.Name)
	}
	outs, err := s.Run(context.Background(), feeds, fetches)
	require.NoError(t, err)
	byKey := map[string]*tensor.Tensor{}
	for i, o := range sig.Outputs {
		byKey[o.Key] = outs[i]
	}
	return byKey
}

func TestSavedModelsFrozenOnLoad(t *testing.T) {
	shared := testutil.SharedModels(t)
	x := tensor.MustFromSlice(tensor.Shape{3, 1}, []float32{-2, 0, 7.5})
	cases := []struct {
		model, sig, in, out string
		input               *tensor.Tensor
		want                []float32
		frozen              bool
	}{
		{"tfserving/saved_model_half_plus_two_cpu", "serving_default", "x", "y", x, []float32{1, 2, 5.75}, true},
		{"tfserving/saved_model_half_plus_two_tf2_cpu", "serving_default", "x", "y", tensor.MustFromSlice(tensor.Shape{1}, []float32{7.5}), []float32{5.75}, true},
		{"tfserving/saved_model_half_plus_three", "serving_default", "x", "y", tensor.MustFromSlice(tensor.Shape{3}, []float32{-2, 0, 7.5}), []float32{2, 3, 6.75}, true},
		{"tfserving/matrix_half_plus_two", "serving_default", "x", "y", tensor.MustFromSlice(tensor.Shape{1, 3, 3}, []float32{0, 1, 2, 3, 4, 5, 6, 7, 8}), []float32{2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6}, false},
		{"tfjs_node/times_three_float", "serving_default", "x", "output_0", tensor.Scalar[float32](-1.5), []float32{-4.5}, true},
	}
	for _, c := range cases {
		t.Run(c.model, func(t *testing.T) {
			s, err := LoadSession(filepath.Join(shared, "savedmodel", c.model), WithOffload(false))
			require.NoError(t, err)
			defer s.Close()
			got := runSignature(t, s, c.sig, map[string]*tensor.Tensor{c.in: c.input})[c.out]
			require.NotNil(t, got)
			assert.Equal(t, c.want, tensor.Values[float32](got))
			assert.Empty(t, s.Model().Variables)
			if c.frozen {
				assert.Positive(t, s.Stats().FreezeTime)
			} else {
				assert.Zero(t, s.Stats().FreezeTime)
			}
		})
	}
	t.Run("times_two_int", func(t *testing.T) {
		s, err := LoadSession(filepath.Join(shared, "savedmodel/tfjs_node/times_two_int"), WithOffload(false))
		require.NoError(t, err)
		defer s.Close()
		got := runSignature(t, s, "serving_default", map[string]*tensor.Tensor{"x": tensor.Scalar[int32](21)})
		assert.Equal(t, []int32{42}, tensor.Values[int32](got["output_0"]))
	})
	t.Run("stateful signatures are left out", func(t *testing.T) {
		s, err := LoadSession(filepath.Join(shared, "savedmodel/tfserving/saved_model_counter"), WithOffload(false))
		require.NoError(t, err)
		defer s.Close()
		assert.Nil(t, s.Model().Signature("incr_counter"))
		got := runSignature(t, s, "get_counter", nil)
		assert.Equal(t, []float32{0}, tensor.Values[float32](got["output"]))
	})
}

func TestFreezeFailureNamesTheCause(t *testing.T) {
	shared := testutil.SharedModels(t)
	// The SavedModel without its variables/ directory.
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(shared, "savedmodel/tfserving/saved_model_half_plus_two_tf2_cpu/saved_model.pb"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "saved_model.pb"), data, 0o644))
	_, err = LoadSession(dir, WithOffload(false))
	assert.ErrorIs(t, err, ErrNeedsFreeze)
	assert.ErrorIs(t, err, freeze.ErrNoCheckpoint)
}

// TestKerasFrozenOffloaded runs Keras and TF1 SavedModels frozen on load,
// offloaded and on the executor alone: the outputs agree, and each
// offloads every non-trivial node in one cluster.
func TestKerasFrozenOffloaded(t *testing.T) {
	enginetest.Require(t)
	shared := testutil.SharedModels(t)
	cases := []struct {
		model string
		input map[string]tensor.Shape
	}{
		{"tfrust/keras_single_input_saved_model", map[string]tensor.Shape{"test_in_input": {4, 5}}},
		{"tfrust/keras_multiple_inputs_saved_model", map[string]tensor.Shape{"test_in1": {4, 5}, "test_in2": {4, 5}}},
		{"freeze/tfnet_keras_mlp", map[string]tensor.Shape{"input_1": {3, 28, 28, 1}}},
		{"freeze/vespa_batchnorm_tf1", map[string]tensor.Shape{"x": {3, 784}}},
		{"freeze/mlnet_cifar_tf1", map[string]tensor.Shape{"Input": {2, 32, 32, 3}}},
	}
	for _, c := range cases {
		t.Run(c.model, func(t *testing.T) {
			path := filepath.Join(shared, "savedmodel", c.model)
			off, err := LoadSession(path, WithBackend("CPU"), WithOffload(true), WithDynamicFallback(false))
			require.NoError(t, err)
			defer off.Close()
			ref, err := LoadSession(path, WithOffload(false))
			require.NoError(t, err)
			defer ref.Close()
			inputs := map[string]*tensor.Tensor{}
			for k, shape := range c.input {
				v := tensor.MustNew(tensor.Float32, shape)
				for i := range tensor.Values[float32](v) {
					tensor.Values[float32](v)[i] = float32((i*37)%101) / 101
				}
				inputs[k] = v
			}
			got := runSignature(t, off, "serving_default", inputs)
			want := runSignature(t, ref, "serving_default", inputs)
			for k := range want {
				assert.NoError(t, tensor.Compare(got[k], want[k], tensor.Tolerance{RTol: 1e-4, ATol: 1e-5}), k)
			}
			st := off.Stats()
			t.Logf("%s: frozen in %v; %d of %d non-trivial nodes offloaded in %d cluster(s)", c.model, st.FreezeTime,
				st.NonTrivialOffloaded, st.NonTrivial, len(st.Clusters))
			require.Len(t, st.Clusters, 1)
			assert.Equal(t, st.NonTrivial, st.NonTrivialOffloaded)
			assert.False(t, st.Clusters[0].FellBack)
		})
	}
}

// TestEverySignatureStaysFetchable offloads a model with two signatures,
// one returning a tensor in the middle of the other's cluster: it must
// stay a cluster output, or fetching it would send the run to the
// unpartitioned graph.
func TestEverySignatureStaysFetchable(t *testing.T) {
	enginetest.Require(t)
	m := mlp(t)
	m.Signatures = []graph.Signature{
		{Key: "serving_default", Inputs: []graph.TensorInfo{{Key: "x", Name: "x:0"}}, Outputs: []graph.TensorInfo{{Key: "y", Name: "out:0"}}},
		{Key: "hidden", Inputs: []graph.TensorInfo{{Key: "x", Name: "x:0"}}, Outputs: []graph.TensorInfo{{Key: "h", Name: "sum:0"}}},
	}
	var logs bytes.Buffer
	s, err := NewSession(m, WithBackend("CPU"), WithOffload(true), WithMinNontrivialNodes(1), WithDynamicFallback(false),
		WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	defer s.Close()
	// The signatures are output groups: nodes only serving_default needs
	// form their own cluster, so a run of hidden never has to compute them.
	require.Len(t, s.Plan().Clusters, 2)
	got := runSignature(t, s, "hidden", map[string]*tensor.Tensor{"x": mlpInput(2)["x"]})
	assert.NotNil(t, got["h"])
	assert.NotContains(t, logs.String(), "inside an offloaded cluster")
}

// TestLookupTablesFrozenOnLoad loads a SavedModel without variables whose
// signature reads a lookup table that its main op fills from an asset
// file: the session must freeze it, running the init op once, or the
// table would never be initialised.
func TestLookupTablesFrozenOnLoad(t *testing.T) {
	var b graph.Builder
	b.Placeholder("words", tensor.String, graph.ShapeAttr{-1})
	b.Add("table", "HashTableV2", nil, map[string]any{"key_dtype": tensor.String, "value_dtype": tensor.Int64, "shared_name": "vocab"})
	b.Const("asset", tensor.Scalar("/somewhere/at/training/vocab.txt"))
	b.Add("table/init", "InitializeTableFromTextFileV2", []string{"table", "asset"}, map[string]any{"key_index": -2, "value_index": -1})
	b.Const("default", tensor.Scalar(int64(-1)))
	b.Add("ids", "LookupTableFindV2", []string{"table", "words", "default"}, map[string]any{"Tin": tensor.String, "Tout": tensor.Int64})
	b.Add("main_op", "NoOp", []string{"^table/init"}, nil)
	info := func(name string, dt tensor.DType) *tfpb.TensorInfo {
		return &tfpb.TensorInfo{Encoding: &tfpb.TensorInfo_Name{Name: name}, Dtype: tfpb.DataType(dt)}
	}
	sm := &tfpb.SavedModel{MetaGraphs: []*tfpb.MetaGraphDef{{
		MetaInfoDef: &tfpb.MetaGraphDef_MetaInfoDef{Tags: []string{"serve"}},
		GraphDef:    b.Graph(),
		CollectionDef: map[string]*tfpb.CollectionDef{"saved_model_main_op": {Kind: &tfpb.CollectionDef_NodeList_{
			NodeList: &tfpb.CollectionDef_NodeList{Value: []string{"main_op"}}}}},
		AssetFileDef: []*tfpb.AssetFileDef{{TensorInfo: info("asset:0", tensor.String), Filename: "vocab.txt"}},
		SignatureDef: map[string]*tfpb.SignatureDef{"serving_default": {
			Inputs:  map[string]*tfpb.TensorInfo{"words": info("words:0", tensor.String)},
			Outputs: map[string]*tfpb.TensorInfo{"ids": info("ids:0", tensor.Int64)},
		}},
	}}}
	data, err := proto.Marshal(sm)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "saved_model.pb"), data, 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "assets"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "assets", "vocab.txt"), []byte("red\ngreen\nblue\n"), 0o644))

	for _, offload := range []bool{false, true} {
		if offload {
			enginetest.Require(t)
		}
		s, err := LoadSession(dir, WithOffload(offload))
		require.NoError(t, err)
		assert.Positive(t, s.Stats().FreezeTime)
		for range 2 {
			got := runSignature(t, s, "serving_default", map[string]*tensor.Tensor{"words": tensor.MustFromSlice(tensor.Shape{3}, []string{"blue", "black", "red"})})
			assert.Equal(t, []int64{2, -1, 0}, tensor.Values[int64](got["ids"]), "offload %v", offload)
		}
		require.NoError(t, s.Close())
	}
}

// TestRegressionThreeForms loads tf2onnx's y = w·x + b as a frozen
// GraphDef, a TF1 checkpoint (.meta with the checkpoint beside it) and a
// SavedModel, each on the executor and offloaded: all six sessions give
// bit-identical outputs, and w and b in the checkpoint are the frozen
// graph's constants.
func TestRegressionThreeForms(t *testing.T) {
	dir := filepath.Join(testutil.SharedModels(t), "frozen/tf2onnx/regression")
	forms := []string{"graphdef/frozen.pb", "checkpoint/model.meta", "saved_model"}
	x := tensor.MustFromSlice(tensor.Shape{6}, []float32{-3.25, -1, 0, 0.1, 2.5, 1e3})
	var want *tensor.Tensor
	for _, offload := range []bool{false, true} {
		if offload {
			enginetest.Require(t)
		}
		for _, form := range forms {
			s, err := LoadSession(filepath.Join(dir, form), WithOffload(offload), WithBackend("CPU"),
				WithMinNontrivialNodes(1), WithDynamicFallback(false), WithOutputs("pred:0"))
			require.NoError(t, err, "%s offload %v", form, offload)
			out, err := s.Run(context.Background(), map[string]*tensor.Tensor{"X:0": x}, []string{"pred:0"})
			require.NoError(t, err, form)
			if offload {
				assert.Len(t, s.Plan().Clusters, 1, form)
			}
			require.NoError(t, s.Close())
			if want == nil {
				want = out[0]
				continue
			}
			assert.Equal(t, tensor.Values[float32](want), tensor.Values[float32](out[0]), "%s offload %v", form, offload)
		}
	}

	frozen, err := graph.Load(filepath.Join(dir, forms[0]))
	require.NoError(t, err)
	consts := map[string]*tensor.Tensor{}
	for _, n := range frozen.Graph.GetNode() {
		if n.GetOp() == "Const" {
			v, err := tensor.FromTFProto(n.GetAttr()["value"].GetTensor())
			require.NoError(t, err)
			consts[n.GetName()] = v
		}
	}
	r, err := checkpoint.Open(filepath.Join(dir, "checkpoint/model"))
	require.NoError(t, err)
	defer r.Close()
	for _, key := range []string{"W", "b"} {
		v, err := r.Tensor(key)
		require.NoError(t, err)
		require.Contains(t, consts, key)
		assert.Equal(t, consts[key].Shape(), v.Shape(), key)
		assert.Equal(t, tensor.Values[float32](consts[key]), tensor.Values[float32](v), key)
	}
	w, b := tensor.Values[float32](consts["W"])[0], tensor.Values[float32](consts["b"])[0]
	for i, xi := range tensor.Values[float32](x) {
		assert.Equal(t, float32(xi*w)+b, tensor.Values[float32](want)[i], "x=%v", xi)
	}
}
