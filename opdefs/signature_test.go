package opdefs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// sigAttrs builds an attribute map from Go values, as graph.NewNode does.
func sigAttrs(t *testing.T, kv map[string]any) map[string]*tfpb.AttrValue {
	t.Helper()
	out := map[string]*tfpb.AttrValue{}
	for k, v := range kv {
		av, err := graph.AttrValue(v)
		require.NoError(t, err, k)
		out[k] = av
	}
	return out
}

func mustSignature(t *testing.T, op string) *Signature {
	t.Helper()
	s, ok := SignatureOf(op)
	require.True(t, ok, "no signature for %s", op)
	return s
}

func TestParseSignatures(t *testing.T) {
	src := `# a comment
op Demo
  input x: T
  input rest: N * T
  input flags: bool
  input ref: Ref(T)
  input args: Targs
  output y: float
  output handle: resource
  attr T: {float, half, qint8} = DT_HALF
  attr N: int
  attr Targs: list(type) >= 0
  attr mode: {'A', 'B'} = 'B'
  attr tab: string = '\t'
  attr shape: shape = { unknown_rank: true }
  attr dims: shape = { dim { size: 2 } dim { size: -1 } }
  attr ks: list(int) >= 2 = [1, 2]
  attr num: numbertype
  attr names: list({'x', 'y'}) = []
  attr eps: float = 1e-3

op Marked
  stateful
`
	sigs, err := parseSignatures("t.txt", src)
	require.NoError(t, err)
	require.Len(t, sigs, 2)
	s := sigs["Demo"]
	assert.Equal(t, []Arg{
		{Name: "x", TypeAttr: "T"},
		{Name: "rest", NumberAttr: "N", TypeAttr: "T"},
		{Name: "flags", Type: tensor.Bool},
		{Name: "ref", TypeAttr: "T", Ref: true},
		{Name: "args", TypeListAttr: "Targs"},
	}, s.Inputs)
	assert.Equal(t, []Arg{{Name: "y", Type: tensor.Float32}, {Name: "handle", Type: tensor.Resource}}, s.Outputs)
	assert.True(t, s.Stateful, "a resource argument makes the op stateful")
	assert.True(t, sigs["Marked"].Stateful)

	byName := map[string]AttrDef{}
	for _, d := range s.Attrs {
		byName[d.Name] = d
	}
	assert.Equal(t, []tensor.DType{tensor.Float32, tensor.Float16, tensor.DType(tfpb.DataType_DT_QINT8)}, byName["T"].AllowedTypes)
	assert.Equal(t, tfpb.DataType_DT_HALF, byName["T"].Default.GetType())
	require.NotNil(t, byName["N"].Minimum, "a number attr gets minimum 1")
	assert.EqualValues(t, 1, *byName["N"].Minimum)
	assert.Nil(t, byName["N"].Default)
	assert.Equal(t, "list(type)", byName["Targs"].Type)
	assert.EqualValues(t, 0, *byName["Targs"].Minimum)
	assert.Equal(t, "string", byName["mode"].Type)
	assert.Equal(t, []string{"A", "B"}, byName["mode"].AllowedValues)
	assert.Equal(t, "\t", string(byName["tab"].Default.GetS()))
	assert.True(t, byName["shape"].Default.GetShape().GetUnknownRank())
	dims, ok := graph.ShapeDims(byName["dims"].Default.GetShape())
	assert.True(t, ok)
	assert.Equal(t, []int64{2, -1}, dims)
	assert.Equal(t, []int64{1, 2}, byName["ks"].Default.GetList().GetI())
	assert.Len(t, byName["num"].AllowedTypes, 17, "numbertype is TensorFlow's kNumberTypes")
	assert.Equal(t, "list(string)", byName["names"].Type)
	assert.Equal(t, []string{"x", "y"}, byName["names"].AllowedValues)
	assert.InDelta(t, 1e-3, byName["eps"].Default.GetF(), 1e-9)
}

func TestParseSignaturesRejects(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
		want      string
	}{
		{"body outside an op", "  input x: T\n", 1, "outside an op"},
		{"unknown keyword", "op A\n  inpt x: float\n", 2, "unknown line"},
		{"bad indent", "op A\n   input x: float\n", 2, "indented by two spaces"},
		{"tab", "op A\n\tinput x: float\n", 2, "tab"},
		{"duplicate op", "op A\nop A\n", 2, "listed twice"},
		{"duplicate input", "op A\n  input x: float\n  input x: float\n", 3, "declared twice"},
		{"duplicate attr", "op A\n  attr T: type\n  attr T: type\n", 3, "declared twice"},
		{"unknown type attr", "op A\n  input x: T\n", 2, "neither a type nor an attr"},
		{"number attr not int", "op A\n  input x: N * float\n  attr N: float\n", 2, "not an int attr"},
		{"list(type) with number", "op A\n  input x: N * T\n  attr N: int\n  attr T: list(type)\n", 2, "cannot give its type"},
		{"unknown attr kind", "op A\n  attr x: integer\n", 2, "unknown type"},
		{"unknown dtype in set", "op A\n  attr T: {float, flaot}\n", 2, "unknown type \"flaot\""},
		{"default outside set", "op A\n  attr T: {float, half} = DT_INT32\n", 2, "not one of the allowed types"},
		{"string default outside set", "op A\n  attr p: {'SAME', 'VALID'} = 'FULL'\n", 2, "not one of"},
		{"bad int default", "op A\n  attr k: int = one\n", 2, "not an int"},
		{"int below minimum", "op A\n  attr k: int >= 2 = 1\n", 2, "less than 2"},
		{"list below minimum", "op A\n  attr k: list(int) >= 2 = [1]\n", 2, "fewer than 2"},
		{"bad bool", "op A\n  attr b: bool = yes\n", 2, "true or false"},
		{"unquoted string", "op A\n  attr s: string = abc\n", 2, "not a quoted string"},
		{"bad escape", "op A\n  attr s: string = '\\q'\n", 2, "unknown escape"},
		{"bad shape", "op A\n  attr s: shape = [2, 3]\n", 2, "is not {...}"},
		{"tensor default", "op A\n  attr v: tensor = {}\n", 2, "cannot have a default"},
		{"minimum on float", "op A\n  attr f: float >= 1\n", 2, "needs an int or a list"},
		{"trailing text", "op A\n  attr k: int = 1 2\n", 2, "not an int"},
		{"unbalanced", "op A\n  attr T: {float, half\n", 2, "unbalanced"},
		{"bad op name", "op 1A\n", 1, "bad op name"},
		{"bad arg", "op A\n  input x float\n", 2, "bad argument"},
		{"stateful twice", "op A\n  stateful\n  stateful\n", 3, "appears once"},
		{"unclosed Ref", "op A\n  input x: Ref(T\n  attr T: type\n", 2, "unclosed Ref"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseSignatures("bad.txt", tc.src)
			require.Error(t, err)
			assert.Contains(t, err.Error(), fmt.Sprintf("bad.txt:%d:", tc.line))
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func FuzzParseSignatures(f *testing.F) {
	f.Add("op A\n  input x: N * T\n  output y: T\n  attr N: int >= 1\n  attr T: {float, half} = DT_FLOAT\n")
	f.Add("op B\n  attr s: shape = { dim { size: 3 } }\n  attr l: list(string) = ['a', \"b\\n\"]\n  stateful\n")
	f.Add(opsTxt[:2000])
	f.Fuzz(func(t *testing.T, src string) {
		sigs, err := parseSignatures("fuzz.txt", src)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.txt:") {
				t.Fatalf("error without its line: %v", err)
			}
			return
		}
		for _, s := range sigs {
			// Every default the parser accepts is a valid value of its attr.
			for i := range s.Attrs {
				if d := &s.Attrs[i]; d.Default != nil {
					if why := d.checkValue(d.Default); why != "" {
						t.Fatalf("%s: default of %s %s", s.Op, d.Name, why)
					}
				}
			}
			if _, err := s.NumInputs(s.FillDefaults(nil)); err != nil && !errors.Is(err, ErrMissingAttr) {
				t.Fatalf("%s: %v", s.Op, err)
			}
		}
	})
}

func TestSignatureTable(t *testing.T) {
	ops := SignatureOps()
	require.True(t, slices.IsSorted(ops))
	assert.Greater(t, len(ops), 300)
	ops[0] = "changed"
	assert.NotEqual(t, "changed", SignatureOps()[0], "SignatureOps returns a copy")

	_, ok := SignatureOf("NoSuchOp")
	assert.False(t, ok)

	conv := mustSignature(t, "Conv2D")
	assert.Equal(t, []string{"T", "strides", "use_cudnn_on_gpu", "padding", "explicit_paddings", "data_format", "dilations"},
		attrNames(conv))
	assert.Equal(t, []string{"SAME", "VALID", "EXPLICIT"}, mustAttr(t, conv, "padding").AllowedValues)
	assert.False(t, conv.Stateful)

	assert.Equal(t, []Arg{{Name: "input", TypeListAttr: "T"}}, mustSignature(t, "IdentityN").Inputs)
	assert.Equal(t, Arg{Name: "values", NumberAttr: "N", TypeAttr: "T"}, mustSignature(t, "ConcatV2").Inputs[0])
	assert.Equal(t, Arg{Name: "ref", TypeAttr: "dtype", Ref: true}, mustSignature(t, "VariableV2").Outputs[0])
	assert.True(t, mustSignature(t, "VarHandleOp").Stateful)
	assert.True(t, mustSignature(t, "ReadVariableOp").Stateful, "resource input")
	assert.True(t, mustSignature(t, "RandomUniform").Stateful)
	assert.False(t, mustSignature(t, "StatelessWhile").Stateful)
	assert.True(t, mustSignature(t, "While").Stateful)
	ph := mustSignature(t, "Placeholder")
	def, ok := ph.AttrDefault("shape")
	require.True(t, ok)
	assert.True(t, def.GetShape().GetUnknownRank())

	// Every type attr an argument names is declared with a matching kind.
	for _, op := range SignatureOps() {
		s := mustSignature(t, op)
		for _, a := range append(slices.Clone(s.Inputs), s.Outputs...) {
			kinds := 0
			for _, x := range []string{a.TypeAttr, a.TypeListAttr} {
				if x != "" {
					kinds++
				}
			}
			if a.Type != tensor.Invalid {
				kinds++
			}
			assert.Equal(t, 1, kinds, "%s.%s has exactly one type source", op, a.Name)
		}
	}
}

func attrNames(s *Signature) []string {
	var names []string
	for _, d := range s.Attrs {
		names = append(names, d.Name)
	}
	return names
}

func mustAttr(t *testing.T, s *Signature, name string) *AttrDef {
	t.Helper()
	d, ok := s.attrDef(name)
	require.True(t, ok, "%s has no attr %s", s.Op, name)
	return d
}

func TestArgumentCounts(t *testing.T) {
	types := func(ts ...tfpb.DataType) *tfpb.AttrValue {
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_List{List: &tfpb.AttrValue_ListValue{Type: ts}}}
	}
	pe := mustSignature(t, "ParseExampleV2")
	attrs := sigAttrs(t, map[string]any{"num_sparse": int64(2)})
	attrs["Tdense"] = types(tfpb.DataType_DT_FLOAT)
	attrs["sparse_types"] = types(tfpb.DataType_DT_INT64, tfpb.DataType_DT_STRING)
	attrs["ragged_value_types"] = types()
	attrs["ragged_split_types"] = types()

	cases := []struct {
		arg        string
		start, end int
	}{
		{"sparse_indices", 0, 2},
		{"sparse_values", 2, 4},
		{"sparse_shapes", 4, 6},
		{"dense_values", 6, 7},
		{"ragged_values", 7, 7},
		{"ragged_row_splits", 7, 7},
	}
	for _, tc := range cases {
		t.Run(tc.arg, func(t *testing.T) {
			start, end, err := pe.OutputRange(tc.arg, attrs)
			require.NoError(t, err)
			assert.Equal(t, [2]int{tc.start, tc.end}, [2]int{start, end})
		})
	}
	n, err := pe.NumOutputs(attrs)
	require.NoError(t, err)
	assert.Equal(t, 7, n)
	n, err = pe.NumInputs(attrs)
	require.NoError(t, err)
	assert.Equal(t, 6, n)
	start, end, err := pe.InputRange("dense_defaults", attrs)
	require.NoError(t, err)
	assert.Equal(t, [2]int{5, 6}, [2]int{start, end})

	_, _, err = pe.OutputRange("nope", attrs)
	assert.ErrorIs(t, err, ErrNoArg)

	t.Run("missing attribute", func(t *testing.T) {
		_, err := mustSignature(t, "Split").NumOutputs(nil)
		require.ErrorIs(t, err, ErrMissingAttr)
		assert.Contains(t, err.Error(), `"num_split"`)
	})
	t.Run("default fills in", func(t *testing.T) {
		n, err := mustSignature(t, "_FusedBatchNormEx").NumInputs(nil)
		require.NoError(t, err)
		assert.Equal(t, 5, n, "num_side_inputs defaults to 0")
	})
	t.Run("placeholder", func(t *testing.T) {
		a := map[string]*tfpb.AttrValue{"N": {Value: &tfpb.AttrValue_Placeholder{Placeholder: "N"}}}
		_, err := mustSignature(t, "Pack").NumInputs(a)
		require.ErrorIs(t, err, ErrMissingAttr)
		assert.Contains(t, err.Error(), "$N")
	})
	t.Run("unpack", func(t *testing.T) {
		n, err := mustSignature(t, "Unpack").NumOutputs(sigAttrs(t, map[string]any{"num": int64(3)}))
		require.NoError(t, err)
		assert.Equal(t, 3, n)
	})
}

func TestFillDefaults(t *testing.T) {
	s := mustSignature(t, "Conv2D")
	in := sigAttrs(t, map[string]any{"strides": []int64{1, 2, 2, 1}, "padding": "SAME", "data_format": "NCHW"})
	out := s.FillDefaults(in)
	assert.Len(t, in, 3, "the input map is not changed")
	assert.Same(t, in["strides"], out["strides"], "given values are shared")
	assert.Equal(t, "NCHW", string(out["data_format"].GetS()), "given values win over defaults")
	assert.True(t, out["use_cudnn_on_gpu"].GetB())
	assert.Equal(t, []int64{1, 1, 1, 1}, out["dilations"].GetList().GetI())
	assert.NotContains(t, out, "T", "a required attribute has no default to fill")

	out["dilations"].GetList().I[0] = 7
	def, ok := s.AttrDefault("dilations")
	require.True(t, ok)
	assert.Equal(t, []int64{1, 1, 1, 1}, def.GetList().GetI(), "defaults are copies")
	def.GetList().I[0] = 9
	again, _ := s.AttrDefault("dilations")
	assert.EqualValues(t, 1, again.GetList().GetI()[0])

	_, ok = s.AttrDefault("T")
	assert.False(t, ok)
	_, ok = s.AttrDefault("nope")
	assert.False(t, ok)
}

func TestCheck(t *testing.T) {
	conv := func(mut func(n *tfpb.NodeDef)) *tfpb.NodeDef {
		n := graph.NewNode("c", "Conv2D", []string{"x", "w", "^dep"}, map[string]any{
			"T": tensor.Float32, "strides": []int64{1, 1, 1, 1}, "padding": "VALID",
		})
		if mut != nil {
			mut(n)
		}
		return n
	}
	s := mustSignature(t, "Conv2D")
	require.NoError(t, s.Check(conv(nil)))
	require.NoError(t, s.Check(conv(func(n *tfpb.NodeDef) {
		n.Attr["_output_shapes"] = &tfpb.AttrValue{}
		n.Attr["T"] = &tfpb.AttrValue{Value: &tfpb.AttrValue_Placeholder{Placeholder: "T"}}
	})), "internal attributes and placeholders pass")

	cases := []struct {
		name string
		mut  func(n *tfpb.NodeDef)
		want string
	}{
		{"undeclared", func(n *tfpb.NodeDef) { n.Attr["foo"] = n.Attr["T"] }, `attribute "foo" is not declared`},
		{"missing", func(n *tfpb.NodeDef) { delete(n.Attr, "strides") }, `required attribute "strides" is missing`},
		{"wrong kind", func(n *tfpb.NodeDef) { n.Attr["padding"] = n.Attr["T"] }, `attribute "padding" is not a string`},
		{"disallowed type", func(n *tfpb.NodeDef) {
			n.Attr["T"] = &tfpb.AttrValue{Value: &tfpb.AttrValue_Type{Type: tfpb.DataType_DT_STRING}}
		}, `attribute "T" is string, not one of the allowed types`},
		{"disallowed string", func(n *tfpb.NodeDef) {
			n.Attr["padding"] = &tfpb.AttrValue{Value: &tfpb.AttrValue_S{S: []byte("FULL")}}
		}, `attribute "padding" is "FULL"`},
		{"input count", func(n *tfpb.NodeDef) { n.Input = n.Input[1:] }, "it has 1 data inputs, its attributes say 2"},
		{"list kind", func(n *tfpb.NodeDef) {
			n.Attr["strides"] = &tfpb.AttrValue{Value: &tfpb.AttrValue_List{List: &tfpb.AttrValue_ListValue{F: []float32{1}}}}
		}, `attribute "strides" is a list of another kind`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Check(conv(tc.mut))
			require.Error(t, err)
			var me *MismatchError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, "c", me.Node)
			assert.Contains(t, err.Error(), tc.want)
		})
	}

	split := graph.NewNode("s", "Split", []string{"dim", "x"}, map[string]any{"T": tensor.Float32, "num_split": int64(0)})
	err := mustSignature(t, "Split").Check(split)
	assert.ErrorContains(t, err, `attribute "num_split" is 0, less than 1`)
}

// sigModelStats counts what the real-model check saw.
type sigModelStats struct {
	graphs, nodes, checked, functions int
	ops, unknown                      map[string]int
	mismatches                        []string
}

// checkGraph checks every node of g and its function library.
func (st *sigModelStats) checkGraph(where string, g *tfpb.GraphDef) {
	st.graphs++
	st.checkNodes(where, g.GetNode())
	for _, f := range g.GetLibrary().GetFunction() {
		st.functions++
		st.checkNodes(where+" function "+f.GetSignature().GetName(), f.GetNodeDef())
	}
}

func (st *sigModelStats) checkNodes(where string, nodes []*tfpb.NodeDef) {
	for _, n := range nodes {
		st.nodes++
		s, ok := SignatureOf(n.GetOp())
		if !ok {
			st.unknown[n.GetOp()]++
			continue
		}
		st.checked++
		st.ops[n.GetOp()]++
		if err := s.Check(n); err != nil {
			st.mismatches = append(st.mismatches, where+": "+err.Error())
		}
	}
}

// loadSharedGraphs returns every GraphDef of the shared models, by the
// file it came from: frozen graphs, TF.js models, TF1 meta graphs and
// every MetaGraphDef of each SavedModel.
func loadSharedGraphs(t *testing.T, root string) map[string][]*tfpb.GraphDef {
	t.Helper()
	out := map[string][]*tfpb.GraphDef{}
	skip := map[string]bool{"fingerprint.pb": true, "keras_metadata.pb": true, "tfhub_module.pb": true}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || skip[d.Name()] {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		switch ext := filepath.Ext(path); {
		case d.Name() == "saved_model.pb" || d.Name() == "saved_model.pbtxt":
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			var sm tfpb.SavedModel
			if ext == ".pb" {
				err = proto.Unmarshal(data, &sm)
			} else {
				err = prototext.Unmarshal(data, &sm)
			}
			require.NoError(t, err, rel)
			for _, mg := range sm.GetMetaGraphs() {
				out[rel] = append(out[rel], mg.GetGraphDef())
			}
		case ext == ".pb" || ext == ".pbtxt" || ext == ".meta" || ext == ".json":
			m, err := graph.Load(path)
			if errors.Is(err, graph.ErrNotModel) && ext == ".json" {
				return nil // a JSON file that is not a TF.js model
			}
			require.NoError(t, err, rel)
			out[rel] = append(out[rel], m.Graph)
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// TestSignaturesHoldOnRealModels checks every node of every shared model
// whose op has a signature against it: its data inputs are the
// signature's expansion from its attributes, every attribute it carries is
// declared, every required one present and every value allowed.
func TestSignaturesHoldOnRealModels(t *testing.T) {
	graphs := loadSharedGraphs(t, testutil.SharedModels(t))
	files := make([]string, 0, len(graphs))
	for f := range graphs {
		files = append(files, f)
	}
	slices.Sort(files)
	st := &sigModelStats{ops: map[string]int{}, unknown: map[string]int{}}
	for _, f := range files {
		for i, g := range graphs[f] {
			st.checkGraph(fmt.Sprintf("%s[%d]", f, i), g)
		}
	}
	t.Logf("signatures: %d files, %d graphs, %d functions, %d nodes, %d checked against %d ops, %d nodes of %d ops without a signature",
		len(files), st.graphs, st.functions, st.nodes, st.checked, len(st.ops), st.nodes-st.checked, len(st.unknown))
	var unknown []string
	for op, n := range st.unknown {
		unknown = append(unknown, fmt.Sprintf("%s×%d", op, n))
	}
	slices.Sort(unknown)
	t.Logf("ops without a signature: %s", strings.Join(unknown, " "))
	assert.Greater(t, st.checked, 10000, "the models hold many nodes with signatures")
	for i, m := range st.mismatches {
		if i == 50 {
			t.Errorf("… and %d more", len(st.mismatches)-i)
			break
		}
		t.Error(m)
	}
}
