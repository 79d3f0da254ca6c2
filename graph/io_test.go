package graph

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// placeholder is a Placeholder node declaring a float32 [-1, 2] value.
func placeholder(name string) *tfpb.NodeDef {
	n := node(name, "Placeholder")
	n.Attr = map[string]*tfpb.AttrValue{
		"dtype": {Value: &tfpb.AttrValue_Type{Type: tfpb.DataType_DT_FLOAT}},
		"shape": {Value: &tfpb.AttrValue_Shape{Shape: &tfpb.TensorShapeProto{Dim: []*tfpb.TensorShapeProto_Dim{{Size: -1}, {Size: 2}}}}},
	}
	return n
}

// TestInputsOf: a signature's inputs are the ones it lists, then the
// placeholders its outputs need that it does not list; placeholders that
// only other signatures need are not among them.
func TestInputsOf(t *testing.T) {
	g := graphOf(placeholder("a"), placeholder("b"), placeholder("other"),
		node("sum", "AddV2", "a", "b"), node("twice", "AddV2", "other", "other"))
	placeholderInfo := func(name string) TensorInfo {
		return TensorInfo{Name: name + ":0", DType: tensor.Float32, Shape: []int64{-1, 2}, RankKnown: true}
	}
	listedA := TensorInfo{Key: "a_key", Name: "a:0", DType: tensor.Float32, Shape: []int64{4, 2}, RankKnown: true}
	sum := TensorInfo{Key: "out", Name: "sum:0"}
	tests := []struct {
		name string
		sig  *Signature
		want []TensorInfo
	}{
		{"no signature: every placeholder", nil,
			[]TensorInfo{placeholderInfo("a"), placeholderInfo("b"), placeholderInfo("other")}},
		{"only outputs: the placeholders they need", &Signature{Key: "s", Outputs: []TensorInfo{sum}},
			[]TensorInfo{placeholderInfo("a"), placeholderInfo("b")}},
		{"one input missing: listed first, then the missing one", &Signature{Key: "s", Inputs: []TensorInfo{listedA}, Outputs: []TensorInfo{sum}},
			[]TensorInfo{listedA, placeholderInfo("b")}},
		{"all listed: as listed", &Signature{Key: "s", Inputs: []TensorInfo{listedA, {Key: "b_key", Name: "b:0"}}, Outputs: []TensorInfo{sum}},
			[]TensorInfo{listedA, {Key: "b_key", Name: "b:0"}}},
		{"output not in the graph: every unlisted placeholder", &Signature{Key: "s", Inputs: []TensorInfo{listedA}, Outputs: []TensorInfo{{Name: "gone:0"}}},
			[]TensorInfo{listedA, placeholderInfo("b"), placeholderInfo("other")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := &Model{Graph: g}
			assert.Equal(t, tc.want, m.InputsOf(tc.sig))
			if tc.sig != nil {
				m.Signatures = []Signature{*tc.sig}
				assert.Equal(t, tc.want, m.Inputs(), "the only signature is the default")
			}
		})
	}
}

// TestOutputsOf: a signature without outputs falls back to the sinks.
func TestOutputsOf(t *testing.T) {
	m := &Model{Graph: graphOf(placeholder("a"), node("neg", "Neg", "a"))}
	assert.Equal(t, []TensorInfo{{Key: "y", Name: "neg:0"}}, m.OutputsOf(&Signature{Outputs: []TensorInfo{{Key: "y", Name: "neg:0"}}}))
	assert.Equal(t, "neg:0", m.OutputsOf(&Signature{Inputs: []TensorInfo{{Name: "a:0"}}})[0].Name)
	assert.Equal(t, "neg:0", m.OutputsOf(nil)[0].Name)
}

// TestOutputsOnlySignatureFixture: the fixture whose model.json signature
// names only its output (testdata/gen) takes its input from the
// placeholder.
func TestOutputsOnlySignatureFixture(t *testing.T) {
	m, err := Load("../testdata/models/outputs_only_tfjs")
	require.NoError(t, err)
	require.Len(t, m.Signatures, 1)
	assert.Empty(t, m.Signatures[0].Inputs, "the file lists no input")
	assert.Equal(t, []TensorInfo{{Name: "x:0", DType: tensor.Float32, Shape: []int64{-1, 4}, RankKnown: true}}, m.Inputs())
	assert.Equal(t, "probs:0", m.Outputs()[0].Name)
}

// TestInputsOfStopsAtFedTensors: a signature input that is not a
// placeholder (TF Serving's half_plus_two feeds the Identity after its
// ParseExample) cuts off the placeholder behind it.
func TestInputsOfStopsAtFedTensors(t *testing.T) {
	m := &Model{Graph: graphOf(placeholder("serialized"), node("parsed", "Identity", "serialized"), node("y", "Neg", "parsed"))}
	x := TensorInfo{Key: "x", Name: "parsed:0"}
	assert.Equal(t, []TensorInfo{x}, m.InputsOf(&Signature{Inputs: []TensorInfo{x}, Outputs: []TensorInfo{{Name: "y:0"}}}))
}

func TestFindTensor(t *testing.T) {
	infos := []TensorInfo{{Key: "images", Name: "input:0"}, {Name: "x:1"}, {Key: "x:1", Name: "other:0"}}
	for _, tc := range []struct {
		name, want string
		found, err bool
	}{
		{name: "images", want: "input:0", found: true},
		{name: "input", want: "input:0", found: true},
		{name: "input:0", want: "input:0", found: true},
		{name: "x:1", want: "other:0", found: true}, // a key before a tensor name
		{name: "y"},
		{name: "^input", err: true},
		{name: "", err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, found, err := FindTensor(infos, tc.name)
			if tc.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.found, found)
			assert.Equal(t, tc.want, got.Name)
		})
	}
}

// TestMatchDType: a value of the input's dtype (or for an input of unknown
// dtype) passes as it is; float32 widens to bfloat16; any other mismatch
// names both dtypes.
func TestMatchDType(t *testing.T) {
	f32 := tensor.MustFromSlice(tensor.Shape{2}, []float32{1.5, -2.25})
	got, err := MatchDType(f32, tensor.Float32)
	require.NoError(t, err)
	assert.Same(t, f32, got)
	got, err = MatchDType(f32, tensor.Invalid)
	require.NoError(t, err)
	assert.Same(t, f32, got)

	got, err = MatchDType(f32, tensor.BFloat16)
	require.NoError(t, err)
	require.Equal(t, tensor.BFloat16, got.DType())
	vals, err := tensor.Float64s(got)
	require.NoError(t, err)
	assert.Equal(t, []float64{1.5, -2.25}, vals, "both are exact in bfloat16")

	_, err = MatchDType(f32, tensor.Int32)
	assert.EqualError(t, err, "the input is int32, the file holds float32")
}
