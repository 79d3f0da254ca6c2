package op

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/compat/internal/genop"
	tf "github.com/tfoffload/tfoffload/compat/tf"
)

func TestSubScopeNames(t *testing.T) {
	root := NewScope()
	a := Const(root.SubScope("x"), float32(1))
	b := Const(root.SubScope("x"), float32(2))
	c := Const(root.SubScope("x").SubScope("y"), float32(3))
	require.NoError(t, root.Err())
	d := Const(root.SubScope("x_1"), float32(4))
	assert.Equal(t, "x/Const", a.Op.Name())
	assert.Equal(t, "x_1/Const", b.Op.Name())
	assert.Equal(t, "x_2/y/Const", c.Op.Name())
	// A namespace is de-duplicated by its own name only, as in TensorFlow:
	// "x_1" was not yet used as a namespace name in root, so its Const
	// collides with the one of the second "x" scope.
	assert.Nil(t, d.Op)
	assert.ErrorContains(t, root.Err(), "duplicate node name in graph: 'x_1/Const'")
}

func TestSecondOpWithSameNameIsAnError(t *testing.T) {
	s := NewScope()
	Const(s, float32(1))
	out := Const(s, float32(2))
	assert.Nil(t, out.Op)
	require.Error(t, s.Err())
	assert.ErrorContains(t, s.Err(), `failed to add operation "Const": duplicate node name in graph: 'Const'`)
	_, err := s.Finalize()
	assert.Error(t, err, "Finalize returns the recorded error")
	// Later additions are skipped.
	assert.Nil(t, Const(s.SubScope("z"), float32(3)).Op)
}

func TestFinalize(t *testing.T) {
	s := NewScope()
	Const(s, int32(1))
	g, err := s.Finalize()
	require.NoError(t, err)
	require.NotNil(t, g.Operation("Const"))
	assert.EqualError(t, s.Err(), "Scope has been finalized and is no longer usable")
	assert.Nil(t, Const(s.SubScope("a"), int32(1)).Op)
}

func TestConstErrors(t *testing.T) {
	s := NewScope()
	Const(s, []int{1, 2})
	assert.ErrorContains(t, s.Err(), "unsupported type int")
}

func TestWithControlDependenciesAndDevice(t *testing.T) {
	s := NewScope()
	init := NoOp(s.SubScope("init"))
	dep := s.WithControlDependencies(init).WithDevice("/device:CPU:0")
	c := Const(dep, float32(1))
	require.NoError(t, s.Err())
	assert.Equal(t, "/device:CPU:0", c.Op.Device())
	g, err := s.Finalize()
	require.NoError(t, err)
	var buf = &writer{}
	_, err = g.WriteTo(buf)
	require.NoError(t, err)
	assert.Contains(t, string(buf.b), "^init/NoOp", "the control dependency is an input")
}

type writer struct{ b []byte }

func (w *writer) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// TestPreprocessingShapes builds the classic image preprocessing graph
// and checks types and shapes before running, then the values.
func TestPreprocessingShapes(t *testing.T) {
	s := NewScope()
	img := Placeholder(s, tf.Uint8, PlaceholderShape(tf.MakeShape(-1, -1, 3)))
	f := Cast(s, img, tf.Float)
	batch := ExpandDims(s, f, Const(s.SubScope("dim"), int32(0)))
	resized := ResizeBilinear(s, batch, Const(s.SubScope("size"), []int32{4, 4}))
	norm := Div(s, Sub(s, resized, Const(s.SubScope("mean"), float32(128))), Const(s.SubScope("scale"), float32(128)))
	g, err := s.Finalize()
	require.NoError(t, err)

	shapes := map[string][]int64{"Cast": {-1, -1, 3}, "ExpandDims": {1, -1, -1, 3}, "ResizeBilinear": {1, 4, 4, 3}, "Div": {1, 4, 4, 3}}
	for name, want := range shapes {
		got, err := g.Operation(name).Output(0).Shape().ToSlice()
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
		assert.Equal(t, tf.Float, g.Operation(name).Output(0).DataType(), name)
	}
	align, err := resized.Op.Attr("align_corners")
	require.NoError(t, err)
	assert.Equal(t, false, align, "TensorFlow's default")

	sess, err := tf.NewSession(g, nil)
	require.NoError(t, err)
	defer sess.Close()
	px := make([][][]uint8, 2)
	for i := range px {
		px[i] = [][]uint8{{0, 128, 255}, {64, 64, 64}}
	}
	in, err := tf.NewTensor(px)
	require.NoError(t, err)
	out, err := sess.Run(map[tf.Output]*tf.Tensor{img: in}, []tf.Output{norm}, nil)
	require.NoError(t, err)
	v := out[0].Value().([][][][]float32)
	assert.Equal(t, []float32{-1, 0, 127.0 / 128}, v[0][0][0])
	assert.Equal(t, []float32{-0.5, -0.5, -0.5}, v[0][3][3], "legacy resize keeps the last pixel at the edge")
}

func TestListOutputs(t *testing.T) {
	s := NewScope()
	x := Const(s, [][]float32{{1, 2}, {3, 4}, {5, 6}})
	parts := Unpack(s, x, 3)
	require.NoError(t, s.Err())
	require.Len(t, parts, 3)
	assert.Equal(t, -1, parts[0].Shape().NumDimensions(), "Unpack has no shape rule: the rank is unknown")
	g, err := s.Finalize()
	require.NoError(t, err)
	sess, err := tf.NewSession(g, nil)
	require.NoError(t, err)
	defer sess.Close()
	out, err := sess.Run(nil, parts, nil)
	require.NoError(t, err)
	assert.Equal(t, []float32{5, 6}, out[2].Value())
}

// TestGeneratedUpToDate: wrappers.go, compat/tfproto and the drop-in
// modules' alias packages are what the generator writes from the current
// op table and messages.
func TestGeneratedUpToDate(t *testing.T) {
	files, err := genop.GeneratedFiles()
	require.NoError(t, err)
	for p, want := range files {
		got, err := os.ReadFile(filepath.Join("..", "..", "..", filepath.FromSlash(p)))
		require.NoError(t, err)
		assert.True(t, string(got) == string(want), "%s is stale: run go generate ./compat/tf/op", p)
	}
	assert.NotEmpty(t, genop.Ops())
}

func TestWindowShapes(t *testing.T) {
	s := NewScope()
	img := Placeholder(s, tf.Float, PlaceholderShape(tf.MakeShape(-1, 224, 224, 3)))
	tests := []struct {
		name string
		out  tf.Output
		want string
	}{
		{"conv same stride 2", Conv2D(s.SubScope("a"), img, Const(s.SubScope("f"), [3][3][3][32]float32{}), []int64{1, 2, 2, 1}, "SAME"), "[?, 112, 112, 32]"},
		{"conv valid", Conv2D(s.SubScope("b"), img, Const(s.SubScope("f"), [7][7][3][8]float32{}), []int64{1, 1, 1, 1}, "VALID"), "[?, 218, 218, 8]"},
		{"depthwise", DepthwiseConv2dNative(s.SubScope("c"), img, Const(s.SubScope("f"), [3][3][3][2]float32{}), []int64{1, 1, 1, 1}, "SAME"), "[?, 224, 224, 6]"},
		{"max pool", MaxPool(s.SubScope("d"), img, []int64{1, 3, 3, 1}, []int64{1, 2, 2, 1}, "VALID"), "[?, 111, 111, 3]"},
		{"avg pool same", AvgPool(s.SubScope("e"), img, []int64{1, 2, 2, 1}, []int64{1, 2, 2, 1}, "SAME"), "[?, 112, 112, 3]"},
	}
	require.NoError(t, s.Err())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.out.Shape().String())
		})
	}
}
