package tensorflow

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// addOp adds an operation or fails the test.
func addOp(t *testing.T, g *Graph, spec OpSpec) *Operation {
	t.Helper()
	op, err := g.AddOperation(spec)
	require.NoError(t, err)
	return op
}

func constOp(t *testing.T, g *Graph, name string, v any) *Operation {
	t.Helper()
	x, err := NewTensor(v)
	require.NoError(t, err)
	return addOp(t, g, OpSpec{Type: "Const", Name: name, Attrs: map[string]any{"dtype": x.DataType(), "value": x}})
}

// smallGraph is y = softmax(x + c) with x a [-1,3] float placeholder.
func smallGraph(t *testing.T) *Graph {
	g := NewGraph()
	x := addOp(t, g, OpSpec{Type: "Placeholder", Name: "x", Attrs: map[string]any{"dtype": Float, "shape": MakeShape(-1, 3)}})
	c := constOp(t, g, "c", []float32{1, 2, 3})
	sum := addOp(t, g, OpSpec{Type: "AddV2", Name: "sum", Input: []Input{x.Output(0), c.Output(0)}})
	addOp(t, g, OpSpec{Type: "Softmax", Name: "y", Input: []Input{sum.Output(0)}})
	return g
}

func TestGraphOperations(t *testing.T) {
	g := smallGraph(t)
	assert.Nil(t, g.Operation("missing"))
	a, b := g.Operation("sum"), g.Operation("sum")
	require.NotNil(t, a)
	assert.NotSame(t, a, b, "Operation returns a fresh value each call")
	assert.Equal(t, "AddV2", a.Type())
	assert.Equal(t, 1, a.NumOutputs())
	assert.Equal(t, 2, a.NumInputs())
	assert.Equal(t, Float, a.Output(0).DataType())
	shape, err := a.Output(0).Shape().ToSlice()
	require.NoError(t, err)
	assert.Equal(t, []int64{-1, 3}, shape)
	tAttr, err := a.Attr("T")
	require.NoError(t, err)
	assert.Equal(t, Float, tAttr, "T is inferred from the inputs")
	sq, err := g.AddOperation(OpSpec{Type: "Squeeze", Name: "sq", Input: []Input{a.Output(0)}, Attrs: map[string]any{"squeeze_dims": []int64{}}})
	require.NoError(t, err)
	dims, err := sq.Attr("squeeze_dims")
	require.NoError(t, err)
	assert.Equal(t, []int64(nil), dims)
	ph, err := g.Operation("x").Attr("shape")
	require.NoError(t, err)
	assert.Equal(t, "[?, 3]", ph.(Shape).String())
	_, err = a.Attr("nope")
	assert.EqualError(t, err, "operation 'sum' has no attr named 'nope'")

	var names []string
	for _, op := range g.Operations() {
		names = append(names, op.Name())
	}
	assert.Equal(t, []string{"x", "c", "sum", "y", "sq"}, names)

	cons := g.Operation("c").Output(0).Consumers()
	require.Len(t, cons, 1)
	assert.Equal(t, "sum", cons[0].Op.Name())
	assert.Equal(t, 1, cons[0].Index)
	assert.Equal(t, "c", cons[0].Producer().Op.Name())
	assert.Equal(t, Float, cons[0].DataType())

	scalar := constOp(t, g, "s", float32(1))
	assert.Equal(t, 0, scalar.Output(0).Shape().NumDimensions(), "a scalar's shape has no dimensions")
	assert.Nil(t, g.Operation("y").Output(0).Consumers())
	assert.Equal(t, -1, g.Operation("x").Output(1).Shape().NumDimensions(), "an output index out of range has no shape")
	assert.PanicsWithValue(t, "nil-Operation. If the Output was created with a Scope object, see Scope.Err() for details.", func() { Output{}.DataType() })
}

func TestAddOperationErrors(t *testing.T) {
	g := smallGraph(t)
	x := g.Operation("x").Output(0)
	i32 := constOp(t, g, "i", []int32{1})
	tests := []struct {
		name string
		spec OpSpec
		err  string
	}{
		{"invalid name", OpSpec{Type: "Identity", Name: "a b", Input: []Input{x}}, "node name contains invalid characters"},
		{"duplicate name", OpSpec{Type: "Identity", Name: "sum", Input: []Input{x}}, "duplicate node name in graph: 'sum'"},
		{"unknown op", OpSpec{Type: "NoSuchOp", Name: "n"}, "op type not registered 'NoSuchOp'"},
		{"int attr", OpSpec{Type: "Placeholder", Name: "p", Attrs: map[string]any{"dtype": Float, "shape": 3}}, `attribute "shape" has a type (int) which is not valid for operation attributes`},
		{"float64 attr", OpSpec{Type: "LeakyRelu", Name: "l", Input: []Input{x}, Attrs: map[string]any{"alpha": 0.2}}, `attribute "alpha" has a type (float64)`},
		{"wrong kind", OpSpec{Type: "Placeholder", Name: "p2", Attrs: map[string]any{"dtype": int64(1)}}, `attribute "dtype"`},
		{"missing required", OpSpec{Type: "Placeholder", Name: "p3"}, `required attribute "dtype" is missing`},
		{"mixed types", OpSpec{Type: "AddV2", Name: "bad", Input: []Input{x, i32.Output(0)}}, "inconsistent values for attr 'T'"},
		{"input count", OpSpec{Type: "AddV2", Name: "bad2", Input: []Input{x}}, "expected 2 inputs"},
		{"list for single", OpSpec{Type: "Identity", Name: "bad3", Input: []Input{OutputList{x}}}, "pass an Output"},
		{"output out of range", OpSpec{Type: "Identity", Name: "bad4", Input: []Input{g.Operation("x").Output(3)}}, "has no output 3"},
		{"disallowed type", OpSpec{Type: "Softmax", Name: "bad5", Input: []Input{i32.Output(0)}}, `attribute "T"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := g.AddOperation(tt.spec)
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.err)
		})
	}
	assert.Nil(t, g.Operation("bad"), "a refused operation is not added")
}

func TestAddOperationListInput(t *testing.T) {
	g := NewGraph()
	a := constOp(t, g, "a", [][]float32{{1, 2}})
	b := constOp(t, g, "b", [][]float32{{3, 4}})
	axis := constOp(t, g, "axis", int32(0))
	cat := addOp(t, g, OpSpec{Type: "ConcatV2", Name: "cat", Input: []Input{OutputList{a.Output(0), b.Output(0)}, axis.Output(0)}})
	n, err := cat.Attr("N")
	require.NoError(t, err)
	assert.Equal(t, int64(2), n)
	assert.Equal(t, "[2, 2]", cat.Output(0).Shape().String())
	s, err := NewSession(g, nil)
	require.NoError(t, err)
	defer s.Close()
	out, err := s.Run(nil, []Output{cat.Output(0)}, nil)
	require.NoError(t, err)
	assert.Equal(t, [][]float32{{1, 2}, {3, 4}}, out[0].Value())
}

func TestSessionRun(t *testing.T) {
	g := smallGraph(t)
	s, err := NewSession(g, nil)
	require.NoError(t, err)
	x, err := NewTensor([][]float32{{0, 0, 0}, {1, 1, 1}})
	require.NoError(t, err)
	// Feeds and fetches use Operation values obtained separately.
	out, err := s.Run(map[Output]*Tensor{g.Operation("x").Output(0): x},
		[]Output{g.Operation("y").Output(0), g.Operation("sum").Output(0)}, nil)
	require.NoError(t, err)
	require.Len(t, out, 2)
	assert.Equal(t, [][]float32{{1, 2, 3}, {2, 3, 4}}, out[1].Value(), "results come in fetch order")
	y := out[0].Value().([][]float32)
	assert.InDelta(t, 0.0900306, y[0][0], 1e-6)

	none, err := s.Run(nil, nil, []*Operation{g.Operation("y")})
	require.NoError(t, err)
	assert.Empty(t, none)

	other := smallGraph(t)
	_, err = s.Run(nil, []Output{other.Operation("y").Output(0)}, nil)
	assert.ErrorContains(t, err, "not an operation of the session's graph")
	_, err = s.Run(nil, []Output{{}}, nil)
	assert.ErrorContains(t, err, "nil operation")

	// The graph grows after the session exists; the new op is fetched.
	c2 := constOp(t, g, "two", float32(2))
	addOp(t, g, OpSpec{Type: "Mul", Name: "twice", Input: []Input{g.Operation("sum").Output(0), c2.Output(0)}})
	out, err = s.Run(map[Output]*Tensor{g.Operation("x").Output(0): x}, []Output{g.Operation("twice").Output(0)}, nil)
	require.NoError(t, err)
	assert.Equal(t, [][]float32{{2, 4, 6}, {4, 6, 8}}, out[0].Value())

	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close is idempotent")
	_, err = s.Run(nil, []Output{g.Operation("c").Output(0)}, nil)
	assert.ErrorIs(t, err, ErrSessionClosed)
	assert.EqualError(t, err, "session is closed")
}

func TestSessionConcurrentRunAndClose(t *testing.T) {
	g := smallGraph(t)
	s, err := NewSession(g, nil)
	require.NoError(t, err)
	x, err := NewTensor([][]float32{{0, 1, 2}})
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				out, err := s.Run(map[Output]*Tensor{g.Operation("x").Output(0): x}, []Output{g.Operation("sum").Output(0)}, nil)
				if err != nil {
					errs[i] = err
					return
				}
				if got := out[0].Value().([][]float32); got[0][2] != 5 {
					t.Errorf("got %v", got)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
}

func TestImport(t *testing.T) {
	src := smallGraph(t)
	var buf bytes.Buffer
	_, err := src.WriteTo(&buf)
	require.NoError(t, err)

	g := NewGraph()
	require.NoError(t, g.Import(buf.Bytes(), "a"))
	require.NotNil(t, g.Operation("a/y"))
	assert.Nil(t, g.Operation("y"))
	cons := g.Operation("a/sum").Output(0).Consumers()
	require.Len(t, cons, 1)
	assert.Equal(t, "a/y", cons[0].Op.Name(), "inputs are renamed with the prefix")
	err = g.Import(buf.Bytes(), "a")
	assert.ErrorContains(t, err, "duplicate node name in graph: 'a/x'")

	// Map the second copy's placeholder onto a constant of g.
	k := constOp(t, g, "k", [][]float32{{1, 1, 1}})
	opts := GraphImportOptions{Prefix: "b"}
	opts.AddInputMapping("x", 0, k.Output(0))
	require.NoError(t, g.ImportWithOptions(buf.Bytes(), opts))
	s, err := NewSession(g, nil)
	require.NoError(t, err)
	defer s.Close()
	out, err := s.Run(nil, []Output{g.Operation("b/sum").Output(0)}, nil)
	require.NoError(t, err)
	assert.Equal(t, [][]float32{{2, 3, 4}}, out[0].Value())

	err = g.Import([]byte("not a graph"), "")
	assert.Error(t, err)
	err = g.Import(buf.Bytes(), "bad prefix")
	assert.ErrorContains(t, err, "node name contains invalid characters")
}

// TestFeedIntermediate: as in TensorFlow, any tensor can be fed, and what
// it depends on (here an unfed placeholder) is not run.
func TestFeedIntermediate(t *testing.T) {
	g := smallGraph(t)
	s, err := NewSession(g, nil)
	require.NoError(t, err)
	defer s.Close()
	sum, err := NewTensor([][]float32{{0, 0, 0}})
	require.NoError(t, err)
	out, err := s.Run(map[Output]*Tensor{g.Operation("sum").Output(0): sum}, []Output{g.Operation("y").Output(0)}, nil)
	require.NoError(t, err)
	y := out[0].Value().([][]float32)[0]
	assert.InDelta(t, 1.0/3, y[0], 1e-6)
}

func TestNotSupported(t *testing.T) {
	g := smallGraph(t)
	s, err := NewSession(g, nil)
	require.NoError(t, err)
	defer s.Close()
	_, err = g.AddGradients("", []Output{g.Operation("y").Output(0)}, []Output{g.Operation("x").Output(0)}, nil)
	assert.ErrorIs(t, err, ErrNotSupported)
	_, err = s.NewPartialRun(nil, nil, nil)
	assert.ErrorIs(t, err, ErrNotSupported)
	_, err = (&PartialRun{}).Run(nil, nil, nil)
	assert.ErrorIs(t, err, ErrNotSupported)
	_, err = LoadLibrary("libops.so")
	assert.ErrorIs(t, err, ErrNotSupported)
	_, err = NewContext(nil)
	assert.ErrorIs(t, err, ErrNotSupported)
	_, err = NewTensorHandle(nil)
	assert.ErrorIs(t, err, ErrNotSupported)
	_, err = NewSession(g, &SessionOptions{Target: "grpc://host:2222"})
	assert.ErrorIs(t, err, ErrNotSupported)
	devices, err := s.ListDevices()
	require.NoError(t, err)
	require.Len(t, devices, 1)
	assert.Equal(t, "CPU", devices[0].Type)
	assert.Contains(t, Version(), "tfoffload")
}

// TestFetchTwiceAndFetchAFeed: a fetch may repeat, and a fed tensor
// fetched gives the fed value, as in TensorFlow.
func TestFetchTwiceAndFetchAFeed(t *testing.T) {
	g := smallGraph(t)
	s, err := NewSession(g, nil)
	require.NoError(t, err)
	defer s.Close()
	x, err := NewTensor([][]float32{{1, 1, 1}})
	require.NoError(t, err)
	xo := g.Operation("x").Output(0)
	out, err := s.Run(map[Output]*Tensor{xo: x}, []Output{g.Operation("sum").Output(0), xo, g.Operation("sum").Output(0)}, nil)
	require.NoError(t, err)
	require.Len(t, out, 3)
	assert.Equal(t, [][]float32{{2, 3, 4}}, out[0].Value())
	assert.Equal(t, [][]float32{{1, 1, 1}}, out[1].Value())
	assert.Equal(t, out[0].Value(), out[2].Value())
}

// TestReadFileAnywhere: a graph the program builds reads any file, as
// TensorFlow's does, though bridge refuses models from disk the same read
// outside their folder.
func TestReadFileAnywhere(t *testing.T) {
	path := filepath.Join(t.TempDir(), "photo.bin")
	require.NoError(t, os.WriteFile(path, []byte("\x00bytes"), 0o644))
	g := NewGraph()
	name := constOp(t, g, "filename", path)
	read := addOp(t, g, OpSpec{Type: "ReadFile", Name: "read", Input: []Input{name.Output(0)}})
	s, err := NewSession(g, nil)
	require.NoError(t, err)
	defer s.Close()
	out, err := s.Run(nil, []Output{read.Output(0)}, nil)
	require.NoError(t, err)
	assert.Equal(t, "\x00bytes", out[0].Value())
}
