package tfgo

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	tf "github.com/tfoffload/tfoffload/compat/tf"
	"github.com/tfoffload/tfoffload/internal/testutil"
)

// TestReadmeGraph is the first program of tfgo's README: Y = A·x + b with
// x cast to A's type, Y the same *Tensor as A, Z a clone.
func TestReadmeGraph(t *testing.T) {
	root := NewRoot()
	A := NewTensor(root, Const(root, [2][2]int32{{1, 2}, {-1, -2}}))
	x := NewTensor(root, Const(root, [2][1]int64{{10}, {100}}))
	b := NewTensor(root, Const(root, [2][1]int32{{-10}, {10}}))
	Y := A.MatMul(x.Output).Add(b.Output)
	Z := A.Clone()
	results := Exec(root, []tf.Output{Y.Output, Z.Output}, nil, &tf.SessionOptions{})
	assert.Equal(t, [][]int32{{200}, {-200}}, results[0].Value())
	assert.Equal(t, [][]int32{{200}, {-200}}, results[1].Value())
	assert.Same(t, A, Y)
	assert.NotSame(t, A, Z)
	assert.Equal(t, []int64{2, 1}, Y.Shape64(true))
	assert.Equal(t, []int32{1}, Y.Shape32(false))
}

func TestTensorMethods(t *testing.T) {
	root := NewRoot()
	v := NewTensor(root, Const(root, []float32{4, 9}))
	sq := v.Clone().Square()
	rt := v.Clone().Sqrt()
	c := v.Clone().Cast(tf.Int32)
	m := v.Clone().Mul(Const(root, int32(2)))
	assert.Equal(t, tf.Int32, c.Dtype())
	res := Exec(root, []tf.Output{sq.Output, rt.Output, c.Output, m.Output}, nil, nil)
	assert.Equal(t, []float32{16, 81}, res[0].Value())
	assert.Equal(t, []float32{2, 3}, res[1].Value())
	assert.Equal(t, []int32{4, 9}, res[2].Value())
	assert.Equal(t, []float32{8, 18}, res[3].Value())
}

func TestBatchifyAndIsClose(t *testing.T) {
	root := NewRoot()
	one := Batchify(root, []tf.Output{Const(root, []float32{1, 2})})
	two := Batchify(root, []tf.Output{Const(root, []float32{1, 2}), Const(root, []float32{3, 4})})
	assert.Equal(t, "[1, 2]", one.Shape().String())
	assert.Equal(t, "[2, 2]", two.Shape().String())
	a, b := Const(root, []float32{1, 2}), Const(root, []float32{1.05, 3})
	close := IsClose(root, a, b, Const(root, float32(0.1)), Const(root, float32(0)))
	assert.Equal(t, a, Cast(root, a, tf.Float), "Cast to the same type adds nothing")
	res := Exec(root, []tf.Output{two, close}, nil, nil)
	assert.Equal(t, [][]float32{{1, 2}, {3, 4}}, res[0].Value())
	assert.Equal(t, []bool{true, false}, res[1].Value())
	_, err := root.Finalize()
	assert.EqualError(t, err, "Scope has been finalized and is no longer usable", "Exec finalizes the scope")
}

func TestTypeHelpers(t *testing.T) {
	assert.True(t, IsInteger(tf.Uint8))
	assert.False(t, IsInteger(tf.Float))
	assert.True(t, IsFloat(tf.Half))
	assert.Equal(t, 255.0, MaxValue(tf.Uint8))
	assert.Equal(t, -128.0, MinValue(tf.Int8))
	assert.PanicsWithValue(t, "dtype 7 not supported", func() { MaxValue(tf.String) })
}

func TestExecPanics(t *testing.T) {
	assert.Panics(t, func() {
		r := NewRoot()
		r.AddOperation(tf.OpSpec{Type: "NoSuchOp"})
		Exec(r, nil, nil, nil)
	}, "Exec panics when the scope recorded an error")
	assert.Panics(t, func() {
		r := NewRoot()
		p := r.AddOperation(tf.OpSpec{Type: "Placeholder", Attrs: map[string]any{"dtype": tf.Float}})
		Exec(r, []tf.Output{p.Output(0)}, nil, nil)
	}, "Exec panics when the run fails (a placeholder not fed)")
}

func TestLoadModel(t *testing.T) {
	dir := testutil.SharedModel(t, "savedmodel/tfrust/keras_single_input_saved_model")
	model := LoadModel(dir, []string{"serve"}, nil)
	input, err := tf.NewTensor([1][5]float32{{1, 2, 3, 4, 5}})
	require.NoError(t, err)
	results := model.Exec([]tf.Output{model.Op("StatefulPartitionedCall", 0)},
		map[tf.Output]*tf.Tensor{model.Op("serving_default_test_in_input", 0): input})
	require.Len(t, results, 1)
	assert.Equal(t, []int64{1, 1}, results[0].Shape())

	assert.PanicsWithError(t, "op nope not found", func() { model.Op("nope", 0) })
	assert.PanicsWithError(t, "op StatefulPartitionedCall has 1 outputs. Requested output number 3", func() { model.Op("StatefulPartitionedCall", 3) })
	assert.Panics(t, func() { LoadModel(dir, []string{"no-such-tag"}, nil) })
	assert.Panics(t, func() {
		model.Exec([]tf.Output{model.Op("StatefulPartitionedCall", 0)}, nil)
	}, "a run without its input panics")
}

func TestImportModel(t *testing.T) {
	pb := testutil.SharedModel(t, "frozen/tiny/addition.pb")
	model := ImportModel(pb, "", nil)
	var inputs []string
	for _, op := range model.saved.Graph.Operations() {
		if op.Type() == "Placeholder" {
			require.Equal(t, tf.Int32, op.Output(0).DataType(), "addition.pb adds int32 scalars")
			inputs = append(inputs, op.Name())
		}
	}
	require.Len(t, inputs, 2)
	feeds := map[tf.Output]*tf.Tensor{}
	for i, name := range inputs {
		v, err := tf.NewTensor(int32(i + 1))
		require.NoError(t, err)
		feeds[model.Op(name, 0)] = v
	}
	var add string
	for _, op := range model.saved.Graph.Operations() {
		if op.Type() == "Add" || op.Type() == "AddV2" {
			add = op.Name()
		}
	}
	require.NotEmpty(t, add)
	res := model.Exec([]tf.Output{model.Op(add, 0)}, feeds)
	assert.Equal(t, int32(3), res[0].Value())
	assert.Panics(t, func() { ImportModel(pb+".missing", "", nil) })
}
