package opdefs

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

func TestStaticInputs(t *testing.T) {
	cases := []struct {
		name string
		op   string
		in   []string
		attr map[string]any
		want []int
	}{
		{"last input of ConcatV2", "ConcatV2", []string{"a", "b", "c", "axis"}, nil, []int{3}},
		{"control inputs do not count", "ConcatV2", []string{"a", "b", "axis", "^c"}, nil, []int{2}},
		{"float division needs nothing", "FloorDiv", []string{"a", "b"}, map[string]any{"T": tensor.Float32}, nil},
		{"integer division needs its divisor", "FloorDiv", []string{"a", "b"}, map[string]any{"T": tensor.Int32}, []int{1}},
		{"an index past the inputs is dropped", "StridedSlice", []string{"x", "begin"}, nil, []int{1}},
		{"no facts", "Relu", []string{"x"}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, StaticInputs(graph.NewNode("n", c.op, c.in, c.attr)))
		})
	}
}

func TestTrivial(t *testing.T) {
	assert.True(t, IsTrivial("Identity"))
	assert.True(t, IsTrivial("Const"))
	assert.False(t, IsTrivial("Relu"))
	assert.False(t, IsTrivial("Shape"), "Shape computes something")
}

// TestAnalyze checks which tensors of a region are known at compile time:
// constants, shapes fixed by the region's input shapes, what is computed
// from those only — never values downstream of data-dependent shapes or
// of non-static inputs.
func TestAnalyze(t *testing.T) {
	var b graph.Builder
	b.Placeholder("x", tensor.Float32, graph.ShapeAttr{-1, 3})
	b.Placeholder("n", tensor.Int32, graph.ShapeAttr{})
	b.Const("zero", tensor.Scalar(int32(0)))
	b.Const("one", tensor.Scalar(int32(1)))
	b.Add("sx", "Shape", []string{"x"}, map[string]any{"T": tensor.Float32})
	b.Add("add", "Add", []string{"sx", "one"}, map[string]any{"T": tensor.Int32})
	b.Add("pos", "Greater", []string{"x", "x"}, map[string]any{"T": tensor.Float32})
	b.Add("w", "Where", []string{"pos"}, map[string]any{"T": tensor.Bool})
	b.Add("sw", "Shape", []string{"w"}, map[string]any{"T": tensor.Int64})
	b.Add("r", "Range", []string{"zero", "n", "one"}, map[string]any{"Tidx": tensor.Int32})
	b.Add("sr", "Shape", []string{"r"}, map[string]any{"T": tensor.Int32})
	region := b.Graph().Node[2:]

	none := Analyze(region, func(graph.TensorName) bool { return false })
	for node, want := range map[string]bool{"zero": true, "sx": true, "add": true, "pos": false, "w": false, "sw": false, "r": false, "sr": false} {
		assert.Equal(t, want, none.Value[node], "value of %s", node)
	}
	assert.False(t, none.Shape["w"], "Where's shape depends on data")
	assert.False(t, none.Shape["r"], "a range to a run-time bound")
	assert.True(t, none.Shape["pos"])

	withN := Analyze(region, func(t graph.TensorName) bool { return t.Node == "n" })
	assert.True(t, withN.Value["r"], "a range of known bounds")
	assert.True(t, withN.Value["sr"])
	assert.False(t, withN.Value["sw"])
}
