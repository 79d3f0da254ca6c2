package freeze

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/function"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// simplified runs the simplifier over g for the given outputs and inputs.
func simplified(t *testing.T, g *tfpb.GraphDef, outputs, inputs []string, ratio int) *tfpb.GraphDef {
	t.Helper()
	s := newSimplifier(g, outputs, inputs, ratio)
	require.NoError(t, s.run())
	out, err := graph.Prune(s.graph(), append(outputs, inputs...))
	require.NoError(t, err)
	return out
}

func ops(g *tfpb.GraphDef) map[string]string {
	m := map[string]string{}
	for _, n := range g.GetNode() {
		m[n.GetName()] = n.GetOp()
	}
	return m
}

func f32(v ...float32) *tensor.Tensor { return tensor.MustFromSlice(tensor.Shape{len(v)}, v) }

func TestPruneConstantSwitch(t *testing.T) {
	for _, pred := range []bool{true, false} {
		t.Run(map[bool]string{true: "true", false: "false"}[pred], func(t *testing.T) {
			var b graph.Builder
			b.Placeholder("x", tensor.Float32, graph.ShapeAttr{-1})
			b.Placeholder("training", tensor.Bool, graph.ShapeAttr{})
			b.Const("flag", tensor.Scalar(pred))
			b.Add("phase", "PlaceholderWithDefault", []string{"flag"}, map[string]any{"dtype": tensor.Bool, "shape": graph.ShapeAttr{}})
			b.Add("sw", "Switch", []string{"x", "phase"}, map[string]any{"T": tensor.Float32})
			b.Add("pivot_f", "Identity", []string{"sw"}, map[string]any{"T": tensor.Float32})
			b.Add("two", "Const", []string{"^pivot_f"}, map[string]any{"dtype": tensor.Float32, "value": tensor.Scalar[float32](2)})
			b.Add("neg", "Mul", []string{"pivot_f", "two"}, map[string]any{"T": tensor.Float32})
			b.Add("abs", "Abs", []string{"sw:1"}, map[string]any{"T": tensor.Float32})
			b.Add("m", "Merge", []string{"neg", "abs"}, map[string]any{"T": tensor.Float32, "N": 2})
			b.Add("y", "Identity", []string{"m"}, map[string]any{"T": tensor.Float32})
			b.Add("idx", "Identity", []string{"m:1"}, map[string]any{"T": tensor.Int32})
			g := simplified(t, b.Graph(), []string{"y", "idx"}, []string{"x"}, DefaultFoldRatio)

			for name, op := range ops(g) {
				assert.NotContains(t, []string{"Switch", "Merge", "PlaceholderWithDefault"}, op, name)
			}
			x := f32(-1, 3)
			out, err := runGraph(t, g, map[string]*tensor.Tensor{"x": x}, []string{"y", "idx"})
			require.NoError(t, err)
			want, index := []float32{1, 3}, int32(1)
			if !pred {
				want, index = []float32{-2, 6}, 0
			}
			assert.Equal(t, want, tensor.Values[float32](out[0]))
			assert.Equal(t, []int32{index}, tensor.Values[int32](out[1]))
		})
	}
}

func TestSwitchLeftWhenFed(t *testing.T) {
	// A fed flag is not a constant: the cond stays.
	var b graph.Builder
	b.Placeholder("x", tensor.Float32, graph.ShapeAttr{-1})
	b.Const("flag", tensor.Scalar(false))
	b.Add("phase", "PlaceholderWithDefault", []string{"flag"}, map[string]any{"dtype": tensor.Bool, "shape": graph.ShapeAttr{}})
	b.Add("sw", "Switch", []string{"x", "phase"}, map[string]any{"T": tensor.Float32})
	b.Add("m", "Merge", []string{"sw", "sw:1"}, map[string]any{"T": tensor.Float32, "N": 2})
	g := simplified(t, b.Graph(), []string{"m"}, []string{"x", "phase"}, DefaultFoldRatio)
	assert.Equal(t, "Switch", ops(g)["sw"])
	assert.Equal(t, "PlaceholderWithDefault", ops(g)["phase"])
}

func TestFoldBound(t *testing.T) {
	build := func(n int32) *tfpb.GraphDef {
		var b graph.Builder
		b.Const("dims", tensor.MustFromSlice(tensor.Shape{1}, []int32{n}))
		b.Const("one", tensor.Scalar[float32](1))
		b.Add("fill", "Fill", []string{"dims", "one"}, map[string]any{"T": tensor.Float32, "index_type": tensor.Int32})
		b.Placeholder("x", tensor.Float32, graph.ShapeAttr{-1})
		b.Add("y", "Mul", []string{"x", "fill"}, map[string]any{"T": tensor.Float32})
		return b.Graph()
	}
	cases := []struct {
		name   string
		n      int32
		ratio  int
		folded bool
	}{
		{"small output always folds", 16, DefaultFoldRatio, true},
		{"within 16x the inputs", 2, DefaultFoldRatio, true},
		{"a Fill of 1000 floats from 8 bytes stays", 1000, DefaultFoldRatio, false},
		{"folding off", 16, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := simplified(t, build(c.n), []string{"y"}, []string{"x"}, c.ratio)
			if c.folded {
				assert.Equal(t, "Const", ops(g)["fill"])
			} else {
				assert.Equal(t, "Fill", ops(g)["fill"])
			}
		})
	}
}

func TestFoldKeepsControlInputs(t *testing.T) {
	var b graph.Builder
	b.Placeholder("x", tensor.Float32, graph.ShapeAttr{})
	b.Add("gate", "Identity", []string{"x"}, map[string]any{"T": tensor.Float32})
	b.Add("c", "Const", []string{"^gate"}, map[string]any{"dtype": tensor.Float32, "value": tensor.Scalar[float32](2)})
	b.Add("neg", "Neg", []string{"c"}, map[string]any{"T": tensor.Float32})
	b.Add("y", "AddV2", []string{"neg", "x"}, map[string]any{"T": tensor.Float32})
	g := simplified(t, b.Graph(), []string{"y"}, []string{"x"}, DefaultFoldRatio)
	n := indexNodes(g.GetNode())["neg"]
	require.Equal(t, "Const", n.GetOp())
	// The gate is an identity and goes, but its dependency stays: on x.
	assert.Equal(t, []string{"^x"}, n.GetInput())
}

func TestSelectConstantCondition(t *testing.T) {
	var b graph.Builder
	b.Placeholder("t", tensor.Float32, graph.ShapeAttr{1, 3})
	b.Placeholder("e", tensor.Float32, graph.ShapeAttr{1, 3})
	b.Const("training", tensor.Scalar(false))
	b.Const("shape", tensor.MustFromSlice(tensor.Shape{1}, []int32{1}))
	b.Add("cond", "Reshape", []string{"training", "shape"}, map[string]any{"T": tensor.Bool, "Tshape": tensor.Int32})
	b.Add("sel", "Select", []string{"cond", "t", "e"}, map[string]any{"T": tensor.Float32})
	g := simplified(t, b.Graph(), []string{"sel"}, []string{"t", "e"}, DefaultFoldRatio)
	n := indexNodes(g.GetNode())["sel"]
	assert.Equal(t, "Identity", n.GetOp())
	assert.Equal(t, []string{"e"}, n.GetInput())
}

func TestBypass(t *testing.T) {
	var b graph.Builder
	b.Placeholder("x", tensor.Float32, graph.ShapeAttr{})
	b.Placeholder("p", tensor.Bool, graph.ShapeAttr{})
	b.Const("k", tensor.Scalar[float32](1))
	b.Add("init", "NoOp", []string{"^x"}, nil)
	b.Add("group", "NoOp", []string{"^init", "^k"}, nil)
	b.Add("read", "Identity", []string{"x", "^group"}, map[string]any{"T": tensor.Float32})
	b.Add("snap", "StopGradient", []string{"read"}, map[string]any{"T": tensor.Float32})
	b.Add("sq", "Square", []string{"snap", "^k"}, map[string]any{"T": tensor.Float32})
	// Cond anchors: an identity of a Switch output and an identity with a
	// control input feeding a Merge stay.
	b.Add("sw", "Switch", []string{"sq", "p"}, map[string]any{"T": tensor.Float32})
	b.Add("anchor", "Identity", []string{"sw:1"}, map[string]any{"T": tensor.Float32})
	b.Add("gated", "Identity", []string{"x", "^anchor"}, map[string]any{"T": tensor.Float32})
	b.Add("m", "Merge", []string{"sw", "gated"}, map[string]any{"T": tensor.Float32, "N": 2})
	g := simplified(t, b.Graph(), []string{"m"}, []string{"x", "p"}, DefaultFoldRatio)
	got := ops(g)
	for _, gone := range []string{"init", "group", "read", "snap", "k"} {
		assert.NotContains(t, got, gone)
	}
	assert.Contains(t, got, "anchor")
	assert.Contains(t, got, "gated")
	ix := indexNodes(g.GetNode())
	assert.Equal(t, []string{"x"}, ix["sq"].GetInput(), "the data edge from x makes ^x redundant")
}

func TestSlicePart(t *testing.T) {
	full := tensor.MustFromSlice(tensor.Shape{3, 4}, []int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	cases := []struct {
		spec  string
		shape tensor.Shape
		want  []int32
		err   string
	}{
		{"3 4 1,2:-", tensor.Shape{2, 4}, []int32{4, 5, 6, 7, 8, 9, 10, 11}, ""},
		{"3 4 -:1,2", tensor.Shape{3, 2}, []int32{1, 2, 5, 6, 9, 10}, ""},
		{"3 4 2,1:3,1", tensor.Shape{1, 1}, []int32{11}, ""},
		{"3 4 2,2:-", nil, nil, "bad extent"},
		{"3 5 -:-", nil, nil, "full shape"},
		{"3 4 -", nil, nil, "extents"},
	}
	for _, c := range cases {
		t.Run(c.spec, func(t *testing.T) {
			got, err := slicePart(full, c.spec)
			if c.err != "" {
				assert.ErrorContains(t, err, c.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.shape, got.Shape())
			assert.Equal(t, c.want, tensor.Values[int32](got))
		})
	}
}

func TestSelectImplementations(t *testing.T) {
	body := func(name, device string, op string) *tfpb.FunctionDef {
		return &tfpb.FunctionDef{
			Signature: &tfpb.OpDef{
				Name:      name,
				InputArg:  []*tfpb.OpDef_ArgDef{{Name: "x", Type: tfpb.DataType_DT_FLOAT}},
				OutputArg: []*tfpb.OpDef_ArgDef{{Name: "y", Type: tfpb.DataType_DT_FLOAT}},
			},
			Attr: map[string]*tfpb.AttrValue{
				"api_implements":       {Value: &tfpb.AttrValue_S{S: []byte("lstm_abc")}},
				"api_preferred_device": {Value: &tfpb.AttrValue_S{S: []byte(device)}},
			},
			NodeDef: []*tfpb.NodeDef{{Name: "op", Op: op, Input: []string{"x"}, Attr: map[string]*tfpb.AttrValue{"T": typeAttr(tfpb.DataType_DT_FLOAT)}}},
			Ret:     map[string]string{"y": "op:y:0"},
		}
	}
	lib := &tfpb.FunctionDefLibrary{Function: []*tfpb.FunctionDef{body("gpu_lstm", "GPU", "CudnnRNN"), body("standard_lstm", "CPU", "Tanh")}}
	sel, impls := selectImplementations(lib)
	assert.Equal(t, map[string]string{"gpu_lstm": "standard_lstm"}, impls)

	var b graph.Builder
	b.Placeholder("x", tensor.Float32, graph.ShapeAttr{})
	call := b.Add("call", "StatefulPartitionedCall", []string{"x"}, map[string]any{
		"Tin": []tensor.DType{tensor.Float32}, "Tout": []tensor.DType{tensor.Float32}, "f": graph.FuncAttr{Name: "gpu_lstm"},
	})
	renameFunctions([]*tfpb.NodeDef{call}, impls)
	g := b.Graph()
	require.NoError(t, function.Inline(g, sel, "call"))
	assert.Equal(t, "Tanh", ops(g)["call/op"], "the CPU body is inlined")
}

// nameModel is a model whose variables map by name to the half_plus_two
// checkpoint (keys a, b, c, a2, c2).
func nameModel(t *testing.T, vars map[string]tensor.DType) *graph.Model {
	var b graph.Builder
	b.Placeholder("x", tensor.Float32, graph.ShapeAttr{-1})
	prev := "x"
	for _, name := range sortedKeys(vars) {
		b.Add(name, "VariableV2", nil, map[string]any{"dtype": vars[name], "shape": graph.ShapeAttr{}})
		b.Add(name+"/read", "Identity", []string{name}, map[string]any{"T": vars[name]})
		b.Add("add_"+name, "AddV2", []string{prev, name + "/read"}, map[string]any{"T": tensor.Float32})
		prev = "add_" + name
	}
	m := &graph.Model{Path: "test", Format: graph.FormatSavedModel, Graph: b.Graph(),
		CheckpointPrefix: filepath.Join(sharedSavedModel(t, "tfserving/saved_model_half_plus_two_cpu"), "variables", "variables"),
		Signatures: []graph.Signature{{Key: "serving_default",
			Inputs:  []graph.TensorInfo{{Key: "x", Name: "x:0", DType: tensor.Float32}},
			Outputs: []graph.TensorInfo{{Key: "y", Name: prev + ":0", DType: tensor.Float32}}}},
	}
	m.Variables = graph.VariableNodes(m.Graph)
	return m
}

func TestVariableErrors(t *testing.T) {
	t.Run("mapped by name", func(t *testing.T) {
		fm, rep, err := Model(nameModel(t, map[string]tensor.DType{"a": tensor.Float32, "b": tensor.Float32}))
		require.NoError(t, err)
		assert.Empty(t, fm.Variables)
		for _, v := range rep.Variables {
			assert.Equal(t, sourceName, v.Source)
		}
		out, err := runGraph(t, fm.Graph, map[string]*tensor.Tensor{"x": f32(1)}, []string{fm.Signatures[0].Outputs[0].Name})
		require.NoError(t, err)
		assert.Equal(t, []float32{1 + 0.5 + 2}, tensor.Values[float32](out[0]))
	})
	t.Run("unmapped", func(t *testing.T) {
		_, rep, err := Model(nameModel(t, map[string]tensor.DType{"a": tensor.Float32, "nowhere": tensor.Float32}))
		require.ErrorIs(t, err, ErrUnmapped)
		var ve *VariableError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "nowhere", ve.Variable)
		assert.False(t, rep.Signatures[0].Frozen)
	})
	t.Run("the other signatures still serve", func(t *testing.T) {
		m := nameModel(t, map[string]tensor.DType{"a": tensor.Float32, "nowhere": tensor.Float32})
		good := m.Signatures[0]
		good.Key, good.Outputs = "good", []graph.TensorInfo{{Key: "y", Name: "add_a:0", DType: tensor.Float32}}
		m.Signatures = append(m.Signatures, good)
		fm, rep, err := Model(m)
		require.NoError(t, err)
		require.Len(t, fm.Signatures, 1)
		assert.Equal(t, "good", fm.Signatures[0].Key)
		for _, st := range rep.Signatures {
			assert.Equal(t, st.Key == "good", st.Frozen, st.Key)
			if st.Key != "good" {
				assert.ErrorIs(t, st.Err, ErrUnmapped)
			}
		}
		out, err := runGraph(t, fm.Graph, map[string]*tensor.Tensor{"x": f32(1)}, []string{"add_a"})
		require.NoError(t, err)
		assert.Equal(t, []float32{1.5}, tensor.Values[float32](out[0]))
	})
	t.Run("wrong dtype", func(t *testing.T) {
		_, _, err := Model(nameModel(t, map[string]tensor.DType{"a": tensor.Int32}))
		var ve *VariableError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, VariableError{Variable: "a", Key: "a", Err: ve.Err}, *ve)
		assert.ErrorContains(t, err, "the checkpoint holds float32[], the variable is int32")
	})
	t.Run("no checkpoint", func(t *testing.T) {
		m := nameModel(t, map[string]tensor.DType{"a": tensor.Float32})
		m.CheckpointPrefix = ""
		_, _, err := Model(m)
		assert.ErrorIs(t, err, ErrNoCheckpoint)
	})
}

func TestModelServesEverySignature(t *testing.T) {
	m, err := graph.Load(sharedSavedModel(t, "tfserving/saved_model_half_plus_two_cpu"))
	require.NoError(t, err)
	fm, rep, err := Model(m)
	require.NoError(t, err)
	assert.Nil(t, fm.MetaGraph)
	assert.Empty(t, fm.Variables)
	assert.Empty(t, graph.VariableNodes(fm.Graph))
	assert.Len(t, fm.Signatures, 5)
	assert.Equal(t, 5, rep.Mapped())
	// serving_default feeds x, classify_x_to_y computes it from a
	// tf.Example: in the one graph for both, x stays computed.
	ix := indexNodes(fm.Graph.GetNode())
	assert.NotEqual(t, "Placeholder", ix["x"].GetOp())
	assert.Equal(t, "Placeholder", ix["x2"].GetOp(), "x2 is only fed")
	x := tensor.MustFromSlice(tensor.Shape{2, 1}, []float32{1, 4})
	out, err := runGraph(t, fm.Graph, map[string]*tensor.Tensor{"x:0": x, "x2:0": x}, []string{"y:0", "y3:0"})
	require.NoError(t, err)
	assert.Equal(t, []float32{2.5, 4}, tensor.Values[float32](out[0]))
	assert.Equal(t, []float32{3.5, 5}, tensor.Values[float32](out[1]))
}
