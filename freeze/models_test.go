package freeze

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/checkpoint"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec"
)

// sharedSavedModel returns the path of a SavedModel under
// ../shared/models/savedmodel.
func sharedSavedModel(t *testing.T, rel string) string {
	return testutil.SharedModel(t, filepath.Join("savedmodel", rel))
}

// runGraph runs g on the executor.
func runGraph(t *testing.T, g *tfpb.GraphDef, feeds map[string]*tensor.Tensor, fetches []string) ([]*tensor.Tensor, error) {
	t.Helper()
	e, err := tfexec.New(g)
	if err != nil {
		return nil, err
	}
	return e.Run(context.Background(), feeds, fetches)
}

// runSignature freezes dir and runs signature key on the given inputs,
// keyed by the signature's input keys; it returns the outputs by key.
func runSignature(t *testing.T, dir, key string, inputs map[string]*tensor.Tensor) map[string]*tensor.Tensor {
	t.Helper()
	res, err := SavedModel(dir)
	require.NoError(t, err)
	s := res.Signature(key)
	require.NotNil(t, s, "signature %q frozen", key)
	feeds := map[string]*tensor.Tensor{}
	for _, in := range s.Inputs {
		require.Contains(t, inputs, in.Key)
		feeds[in.Name] = inputs[in.Key]
	}
	var fetches []string
	for _, o := range s.Outputs {
		fetches = append(fetches, o.Name)
	}
	outs, err := runGraph(t, s.Graph, feeds, fetches)
	require.NoError(t, err)
	byKey := map[string]*tensor.Tensor{}
	for i, o := range s.Outputs {
		byKey[o.Key] = outs[i]
	}
	return byKey
}

func TestHalfPlusN(t *testing.T) {
	x := []float32{0, 1, 2.5, -3, 1e6}
	col := func() *tensor.Tensor { return tensor.MustFromSlice(tensor.Shape{len(x), 1}, x) }
	cases := []struct {
		model, sig, in, out string
		input               *tensor.Tensor
		add                 float32
	}{
		{"tfserving/saved_model_half_plus_two_cpu", "serving_default", "x", "y", col(), 2},
		{"tfserving/saved_model_half_plus_two_cpu", "regress_x2_to_y3", "inputs", "outputs", col(), 3},
		{"tfserving/saved_model_half_plus_two_tf2_cpu", "serving_default", "x", "y", tensor.MustFromSlice(tensor.Shape{1}, x[2:3]), 2},
		{"tfserving/saved_model_half_plus_two_tf2_cpu", "classify_x2_to_y3", "inputs", "scores", tensor.MustFromSlice(tensor.Shape{1}, x[3:4]), 3},
		{"tfserving/saved_model_half_plus_three", "serving_default", "x", "y", tensor.MustFromSlice(tensor.Shape{len(x)}, x), 3},
		{"tfserving/matrix_half_plus_two", "serving_default", "x", "y", tensor.MustFromSlice(tensor.Shape{1, 3, 3}, []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}), 2},
	}
	for _, c := range cases {
		t.Run(c.model+"/"+c.sig, func(t *testing.T) {
			got := runSignature(t, sharedSavedModel(t, c.model), c.sig, map[string]*tensor.Tensor{c.in: c.input})[c.out]
			require.NotNil(t, got)
			in := tensor.Values[float32](c.input)
			want := make([]float32, len(in))
			for i, v := range in {
				want[i] = 0.5*v + c.add
			}
			assert.Equal(t, want, tensor.Values[float32](got))
		})
	}
}

func TestTFJSNodeModels(t *testing.T) {
	i32 := func(v ...int32) *tensor.Tensor { return tensor.MustFromSlice(tensor.Shape{}, v) }
	cases := []struct {
		model, sig string
		in         map[string]*tensor.Tensor
		want       map[string]*tensor.Tensor
	}{
		{"times_two_int", "serving_default", map[string]*tensor.Tensor{"x": i32(21)}, map[string]*tensor.Tensor{"output_0": i32(42)}},
		{"times_three_float", "serving_default", map[string]*tensor.Tensor{"x": tensor.Scalar[float32](1.5)}, map[string]*tensor.Tensor{"output_0": tensor.Scalar[float32](4.5)}},
		{"module_with_multiple_signatures", "serving_default", map[string]*tensor.Tensor{"x": tensor.Scalar[float32](2)}, map[string]*tensor.Tensor{"output_0": tensor.Scalar[float32](6)}},
		{"module_with_multiple_signatures", "timestwo", map[string]*tensor.Tensor{"x": tensor.Scalar[float32](2)}, map[string]*tensor.Tensor{"output_0": tensor.Scalar[float32](4)}},
		{"model_multi_output", "serving_default", map[string]*tensor.Tensor{"x": i32(3), "y": i32(5)}, map[string]*tensor.Tensor{"output_0": i32(6), "output_1": i32(5)}},
		{"model_single_input_multi_output", "serving_default", map[string]*tensor.Tensor{"x": i32(3)}, map[string]*tensor.Tensor{"output_0": i32(6), "output_1": i32(3)}},
		// int64_multiply and uint8_multiply multiply by two variables, 2 and 3.
		{"int64_multiply", "serving_default", map[string]*tensor.Tensor{"x": tensor.MustFromSlice(tensor.Shape{2}, []int64{1, -7})}, map[string]*tensor.Tensor{"output_0": tensor.MustFromSlice(tensor.Shape{2}, []int64{6, -42})}},
		{"uint8_multiply", "serving_default", map[string]*tensor.Tensor{"x": tensor.MustFromSlice(tensor.Shape{1}, []uint8{200})}, map[string]*tensor.Tensor{"output_0": tensor.MustFromSlice(tensor.Shape{1}, []int32{1200})}},
	}
	for _, c := range cases {
		t.Run(c.model+"/"+c.sig, func(t *testing.T) {
			got := runSignature(t, sharedSavedModel(t, "tfjs_node/"+c.model), c.sig, c.in)
			for k, want := range c.want {
				require.Contains(t, got, k)
				assert.NoError(t, tensor.Compare(got[k], want, tensor.Tolerance{}), k)
			}
		})
	}
}

func TestMultiplyVariables(t *testing.T) {
	// The "by name" expectation of int64_multiply and uint8_multiply: the
	// product of the two variables the checkpoint holds.
	for _, m := range []string{"int64_multiply", "uint8_multiply"} {
		r, err := checkpoint.Open(sharedSavedModel(t, "tfjs_node/"+m))
		require.NoError(t, err)
		prod := 1.0
		for _, k := range r.Keys() {
			if e, _ := r.Entry(k); e.DType == tensor.String {
				continue // the object graph
			}
			v, err := r.Tensor(k)
			require.NoError(t, err)
			f, err := tensor.Float64s(v)
			require.NoError(t, err)
			prod *= f[0]
		}
		require.NoError(t, r.Close())
		assert.Equal(t, 6.0, prod, m)
	}
}

func TestMultisigModule(t *testing.T) {
	dir := sharedSavedModel(t, "freeze/tfjava_multisig_module")
	x := tensor.MustFromSlice(tensor.Shape{3}, []float32{1, -2, 3.5})
	got := runSignature(t, dir, "get_variable", map[string]*tensor.Tensor{"dummy": tensor.Scalar[float32](7)})
	assert.Equal(t, []float32{2}, tensor.Values[float32](got["output_0"]))
	// The captured constants are zeros of shape [], [3] and [2,3]
	// (source_model.py): the result is the input broadcast against them.
	got = runSignature(t, dir, "get_const_scalar", map[string]*tensor.Tensor{"input": x})
	assert.NoError(t, tensor.Compare(got["output_0"], x, tensor.Tolerance{}))
	got = runSignature(t, dir, "get_const_vector", map[string]*tensor.Tensor{"input": x})
	assert.NoError(t, tensor.Compare(got["output_0"], x, tensor.Tolerance{}))
	got = runSignature(t, dir, "get_const_matrix", map[string]*tensor.Tensor{"input": x})
	assert.NoError(t, tensor.Compare(got["output_0"], tensor.MustFromSlice(tensor.Shape{2, 3}, []float32{1, -2, 3.5, 1, -2, 3.5}), tensor.Tolerance{}))
	got = runSignature(t, dir, "add", map[string]*tensor.Tensor{"a": x, "b": x})
	assert.Equal(t, []float32{2, -4, 7}, tensor.Values[float32](got["output_0"]))
}

func TestStatefulSignaturesRefused(t *testing.T) {
	cases := []struct {
		model      string
		frozen     []string
		refused    map[string]string // signature → op of the node named
		refusedOps []string
	}{
		{"tfserving/saved_model_counter", []string{"get_counter"},
			map[string]string{"incr_counter": "AssignAdd", "incr_counter_by": "AssignAdd", "reset_counter": "Assign"}, nil},
		{"tfrust/regression_savedmodel", []string{"b", "w"}, map[string]string{"train": "ResourceApplyGradientDescent"}, nil},
	}
	for _, c := range cases {
		t.Run(c.model, func(t *testing.T) {
			res, err := SavedModel(sharedSavedModel(t, c.model))
			require.NoError(t, err)
			var frozen []string
			for _, s := range res.Signatures {
				frozen = append(frozen, s.Key)
			}
			assert.Equal(t, c.frozen, frozen)
			for _, st := range res.Report.Signatures {
				op, refused := c.refused[st.Key]
				if !refused {
					assert.True(t, st.Frozen, st.Key)
					continue
				}
				var se *StatefulError
				require.ErrorAs(t, st.Err, &se, st.Key)
				assert.Equal(t, st.Key, se.Signature)
				assert.Equal(t, op, se.Op)
				assert.Contains(t, st.Err.Error(), se.Node)
			}
		})
	}
	t.Run("only the stateful signature asked for", func(t *testing.T) {
		_, err := SavedModel(sharedSavedModel(t, "tfserving/saved_model_counter"), WithSignatures("incr_counter"))
		require.ErrorIs(t, err, ErrNothingFrozen)
		var se *StatefulError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "incr_counter_op/AssignAdd", se.Node)
	})
	t.Run("counter reads 0", func(t *testing.T) {
		got := runSignature(t, sharedSavedModel(t, "tfserving/saved_model_counter"), "get_counter", nil)
		assert.Equal(t, []float32{0}, tensor.Values[float32](got["output"]))
	})
}

func TestKerasMLPKeys(t *testing.T) {
	dir := sharedSavedModel(t, "freeze/tfnet_keras_mlp")
	res, err := SavedModel(dir)
	require.NoError(t, err)
	vars := map[string]Variable{}
	for _, v := range res.Report.Variables {
		vars[v.Node] = v
	}
	r, err := checkpoint.Open(dir)
	require.NoError(t, err)
	defer r.Close()
	for node, file := range map[string]string{"dense_1/kernel": "kernel1.npy", "dense/bias": "bias0.npy"} {
		v, ok := vars[node]
		require.True(t, ok, "variable %s found", node)
		assert.Equal(t, sourceRestore, v.Source)
		got, err := r.Tensor(v.Key)
		require.NoError(t, err)
		want, err := tensor.ReadNPYFile(filepath.Join(dir, file))
		require.NoError(t, err)
		assert.NoError(t, tensor.Compare(got, want, tensor.Tolerance{}), node)
	}
}

// TestObjectGraphAgrees checks that the TF2 object graph maps every
// captured variable to the key the restore function reads it from:
// dropping the restore op leaves the object graph to find the same keys.
func TestObjectGraphAgrees(t *testing.T) {
	for _, rel := range []string{"tfrust/keras_single_input_saved_model", "freeze/tfnet_keras_mlp", "tfjs_node/times_two_int"} {
		t.Run(rel, func(t *testing.T) {
			m, err := graph.Load(sharedSavedModel(t, rel))
			require.NoError(t, err)
			f, err := newFreezer(m, newOptions(nil))
			require.NoError(t, err)
			defer f.close()
			noSaver := *m
			mg := proto.CloneOf(m.MetaGraph)
			mg.SaverDef = nil
			noSaver.MetaGraph = mg
			// Without any restore op: only the object graph and names.
			noSaver.Graph = &tfpb.GraphDef{Library: m.Graph.GetLibrary(), Versions: m.Graph.GetVersions()}
			for _, n := range m.Graph.GetNode() {
				if _, isRestore := restoreOps[n.GetOp()]; !isRestore && !isRestoreCall(n, f) {
					noSaver.Graph.Node = append(noSaver.Graph.Node, n)
				}
			}
			g, err := newFreezer(&noSaver, newOptions(nil))
			require.NoError(t, err)
			defer g.close()
			objects := 0
			for i, v := range f.report.Variables {
				w := g.report.Variables[i]
				if w.Source == sourceObjects {
					objects++
					assert.Equal(t, v.Key, w.Key, v.Node)
				}
			}
			assert.Positive(t, objects, "variables mapped through the object graph")
		})
	}
}

func isRestoreCall(n *tfpb.NodeDef, f *freezer) bool {
	return n.GetName() == f.model.MetaGraph.GetSaverDef().GetRestoreOpName()
}

func TestMLNetCheckpointMatchesTensorFlowFreeze(t *testing.T) {
	dir := sharedSavedModel(t, "freeze/mlnet_cifar_tf1/extra_ckpt_meta")
	res, err := Checkpoint(filepath.Join(dir, "model.ckpt.meta"), "", WithOutputs("Output"))
	require.NoError(t, err)
	require.Len(t, res.Signatures, 1)
	ours := res.Signatures[0].Graph
	data, err := os.ReadFile(filepath.Join(dir, "frozen_model.pb"))
	require.NoError(t, err)
	theirs, err := graph.ParseGraphDef(data)
	require.NoError(t, err)

	mine := indexNodes(ours.GetNode())
	weights := 0
	for _, n := range theirs.GetNode() {
		if n.GetOp() != "Const" || !slices.Contains([]string{"Wconv1", "bconv1", "W1", "b1"}, n.GetName()) {
			continue
		}
		weights++
		m := mine[n.GetName()]
		require.NotNil(t, m, "weight %s in our frozen graph", n.GetName())
		want, err := tensor.FromTFProto(n.GetAttr()["value"].GetTensor())
		require.NoError(t, err)
		got, err := tensor.FromTFProto(m.GetAttr()["value"].GetTensor())
		require.NoError(t, err)
		assert.Equal(t, want.Shape(), got.Shape(), n.GetName())
		assert.Equal(t, want.Bytes(), got.Bytes(), "weight %s byte-identical", n.GetName())
	}
	assert.GreaterOrEqual(t, weights, 3)

	in := tensor.MustNew(tensor.Float32, tensor.Shape{2, 32, 32, 3})
	for i := range tensor.Values[float32](in) {
		tensor.Values[float32](in)[i] = float32(math.Sin(float64(i)))
	}
	feeds := map[string]*tensor.Tensor{"Input": in}
	got, err := runGraph(t, ours, feeds, []string{"Output"})
	require.NoError(t, err)
	want, err := runGraph(t, theirs, feeds, []string{"Output"})
	require.NoError(t, err)
	assert.NoError(t, tensor.Compare(got[0], want[0], tensor.Tolerance{}))
}

func TestVespaBatchNormFolded(t *testing.T) {
	dir := sharedSavedModel(t, "freeze/vespa_batchnorm_tf1")
	res, err := SavedModel(dir)
	require.NoError(t, err)
	s := res.Signature("serving_default")
	require.NotNil(t, s)
	for _, n := range s.Graph.GetNode() {
		assert.NotContains(t, []string{"PlaceholderWithDefault", "Select", "Switch", "Merge", "Identity", "Mean", "SquaredDifference"}, n.GetOp(), "node %s", n.GetName())
	}

	// An independent inference-mode forward pass from the checkpoint:
	// batch normalization with the moving statistics (epsilon 0.001).
	r, err := checkpoint.Open(dir)
	require.NoError(t, err)
	defer r.Close()
	get := func(key string) []float32 {
		v, err := r.Tensor(key)
		require.NoError(t, err, key)
		return tensor.Values[float32](v)
	}
	const batch, nin = 2, 784
	x := make([]float32, batch*nin)
	for i := range x {
		x[i] = float32(i%97) / 97
	}
	dense := func(in []float32, n int, layer string) []float32 {
		w, b := get(layer+"/kernel"), get(layer+"/bias")
		m := len(b)
		out := make([]float32, batch*m)
		for r := range batch {
			for j := range m {
				acc := float64(b[j])
				for k := range n {
					acc += float64(in[r*n+k]) * float64(w[k*m+j])
				}
				out[r*m+j] = float32(acc)
			}
		}
		return out
	}
	bn := func(in []float32, name string) []float32 {
		g, be, mu, va := get(name+"/gamma"), get(name+"/beta"), get(name+"/moving_mean"), get(name+"/moving_variance")
		out := make([]float32, len(in))
		for i, v := range in {
			j := i % len(g)
			out[i] = float32(float64(g[j])*(float64(v)-float64(mu[j]))/math.Sqrt(float64(va[j])+0.001) + float64(be[j]))
		}
		return out
	}
	apply := func(in []float32, f func(float64) float64) []float32 {
		out := make([]float32, len(in))
		for i, v := range in {
			out[i] = float32(f(float64(v)))
		}
		return out
	}
	elu := func(v float64) float64 {
		if v > 0 {
			return v
		}
		return math.Expm1(v)
	}
	selu := func(v float64) float64 {
		const alpha, scale = 1.6732632423543772, 1.0507009873554805
		if v > 0 {
			return scale * v
		}
		return scale * alpha * math.Expm1(v)
	}
	h := apply(dense(x, nin, "hidden1"), func(v float64) float64 { return math.Max(0.01*v, v) })
	h = apply(bn(h, "batch_normalization"), elu)
	h = apply(dense(h, 300, "hidden2"), elu)
	h = apply(bn(h, "batch_normalization_1"), elu)
	h = apply(dense(h, 100, "outputs"), selu)
	want := tensor.MustFromSlice(tensor.Shape{batch, 10}, bn(h, "batch_normalization_2"))

	got, err := runGraph(t, s.Graph, map[string]*tensor.Tensor{s.Inputs[0].Name: tensor.MustFromSlice(tensor.Shape{batch, nin}, x)}, []string{s.Outputs[0].Name})
	require.NoError(t, err)
	assert.NoError(t, tensor.Compare(got[0], want, tensor.Tolerance{RTol: 1e-4, ATol: 1e-4}))
}

// pendingKernels are ops the unfrozen reference run cannot execute: the
// TFX taxi model reads its embedding variables with ResourceGather on
// VarHandleOp handles, which only freezing resolves (its frozen predict
// signature runs: parsing's TestChicagoTaxiPredicts).
var pendingKernels = map[string]bool{
	"ResourceGather": true, "VarHandleOp": true,
}

// skipPending skips the test when err is only a lack of kernels that are
// pending elsewhere.
func skipPending(t *testing.T, err error) {
	var ue *tfexec.UnsupportedOpsError
	if !errors.As(err, &ue) {
		return
	}
	for op := range ue.Ops {
		if !pendingKernels[op] {
			return
		}
	}
	t.Skipf("no kernel yet: %v", err)
}

// TestFrozenMatchesUnfrozen runs every frozen signature of every shared
// SavedModel against the same signature unfrozen: its calls inlined but
// nothing else changed, with each variable read fed its checkpoint value.
// Folding, pruning and the rewrites must not change a bit.
func TestFrozenMatchesUnfrozen(t *testing.T) {
	root := filepath.Join(testutil.SharedModels(t), "savedmodel")
	var dirs []string
	require.NoError(t, filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (d.Name() == "saved_model.pb" || d.Name() == "saved_model.pbtxt") {
			dirs = append(dirs, filepath.Dir(path))
		}
		return err
	}))
	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		t.Run(rel, func(t *testing.T) {
			m, err := graph.Load(dir)
			require.NoError(t, err)
			f, err := newFreezer(m, newOptions(nil))
			require.NoError(t, err)
			defer f.close()
			sigs, err := f.targets()
			require.NoError(t, err)
			for _, s := range sigs {
				t.Run(s.Key, func(t *testing.T) {
					compareUnfrozen(t, f, s)
				})
			}
		})
	}
}

func compareUnfrozen(t *testing.T, f *freezer, s graph.Signature) {
	frozen, _, err := f.freeze(s, s.Inputs)
	var se *StatefulError
	if errors.As(err, &se) {
		t.Skipf("refused: %v", err)
	}
	require.NoError(t, err)
	feeds := map[string]*tensor.Tensor{}
	for _, in := range s.Inputs {
		// A signature may misstate its input's dtype (half_plus_three's
		// regress says float for its tf.Example strings); the graph's
		// placeholder is what a feed must match.
		in.DType = placeholderDType(frozen, in)
		v, ok := sampleInput(in)
		if !ok {
			t.Skipf("input %s is %v", in.Name, in.DType)
		}
		feeds[in.Name] = v
	}
	var fetches []string
	for _, o := range s.Outputs {
		fetches = append(fetches, o.Name)
	}
	got, err := runGraph(t, frozen, feeds, fetches)
	skipPending(t, err)
	require.NoError(t, err)

	unfrozen, err := f.prepare(s, s.Inputs)
	require.NoError(t, err)
	ix := indexNodes(unfrozen.GetNode())
	for _, n := range unfrozen.GetNode() {
		var v *tfpb.NodeDef
		switch n.GetOp() {
		case "ReadVariableOp":
			v, _ = ix.source(n.GetInput()[0])
		case "VariableV2", "Variable":
			v = n
		default:
			continue
		}
		p, err := f.value(v)
		require.NoError(t, err)
		val, err := tensor.FromTFProto(p)
		require.NoError(t, err)
		feeds[n.GetName()+":0"] = val
	}
	want, err := runGraph(t, unfrozen, feeds, fetches)
	skipPending(t, err)
	require.NoError(t, err)
	for i := range want {
		assert.NoError(t, tensor.Compare(got[i], want[i], tensor.Tolerance{}), fetches[i])
	}
}

// sampleInput makes a deterministic value for a signature input: unknown
// dimensions are 2, an unknown rank is [3].
func sampleInput(in graph.TensorInfo) (*tensor.Tensor, bool) {
	shape := tensor.Shape{3}
	if in.RankKnown {
		shape = tensor.Shape{}
		for _, d := range in.Shape {
			shape = append(shape, int(max(d, 2)))
			if d >= 0 {
				shape[len(shape)-1] = int(d)
			}
		}
	}
	n := shape.NumElements()
	switch in.DType {
	case tensor.Float32:
		return tensor.MustFromSlice(shape, sample(n, func(i int) float32 { return float32(i%7) - 2.5 })), true
	case tensor.Float64:
		return tensor.MustFromSlice(shape, sample(n, func(i int) float64 { return float64(i%7) - 2.5 })), true
	case tensor.Int32:
		return tensor.MustFromSlice(shape, sample(n, func(i int) int32 { return int32(i%5 + 1) })), true
	case tensor.Int64:
		return tensor.MustFromSlice(shape, sample(n, func(i int) int64 { return int64(i%5 + 1) })), true
	case tensor.Uint8:
		return tensor.MustFromSlice(shape, sample(n, func(i int) uint8 { return uint8(i%5 + 1) })), true
	case tensor.String:
		// The shared models' string inputs are batches of serialized
		// tf.Examples (TF Serving's classify and regress signatures, TFX
		// exports); these hold the features half_plus_two and
		// half_plus_three read.
		return tensor.MustFromSlice(shape, sample(n, func(i int) string { return sampleExample(float32(i%7) - 2.5) })), true
	}
	return nil, false
}

// sampleExample serializes a tf.Example whose float features "x" and "x2"
// hold v.
func sampleExample(v float32) string {
	x := &tfpb.Feature{Kind: &tfpb.Feature_FloatList{FloatList: &tfpb.FloatList{Value: []float32{v}}}}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(&tfpb.Example{Features: &tfpb.Features{
		Feature: map[string]*tfpb.Feature{"x": x, "x2": x},
	}})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// placeholderDType returns the dtype of the placeholder g feeds in through,
// or the signature's dtype when in does not name a placeholder of g.
func placeholderDType(g *tfpb.GraphDef, in graph.TensorInfo) tensor.DType {
	name := graph.MustParseTensorName(in.Name).Node
	for _, n := range g.GetNode() {
		if n.GetName() == name && (n.GetOp() == "Placeholder" || n.GetOp() == "PlaceholderWithDefault") {
			if dt, err := graph.AttrsOf(n).Type("dtype", tensor.Invalid); err == nil && dt != tensor.Invalid {
				return dt
			}
		}
	}
	return in.DType
}

func sample[T any](n int, f func(int) T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}
