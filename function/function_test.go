package function_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/function"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels" // every kernel, to run inlined graphs (an external test: tfexec may import function)
)

func typeAttr(t tfpb.DataType) *tfpb.AttrValue {
	return &tfpb.AttrValue{Value: &tfpb.AttrValue_Type{Type: t}}
}

func placeholderAttr(name string) *tfpb.AttrValue {
	return &tfpb.AttrValue{Value: &tfpb.AttrValue_Placeholder{Placeholder: name}}
}

func intAttr(i int64) *tfpb.AttrValue { return &tfpb.AttrValue{Value: &tfpb.AttrValue_I{I: i}} }

func typeListAttr(ts ...tfpb.DataType) *tfpb.AttrValue {
	return &tfpb.AttrValue{Value: &tfpb.AttrValue_List{List: &tfpb.AttrValue_ListValue{Type: ts}}}
}

func funcAttr(name string, attrs map[string]*tfpb.AttrValue) *tfpb.AttrValue {
	return &tfpb.AttrValue{Value: &tfpb.AttrValue_Func{Func: &tfpb.NameAttrList{Name: name, Attr: attrs}}}
}

func constNode(name string, v float32) *tfpb.NodeDef {
	return graph.NewNode(name, "Const", nil, map[string]any{"dtype": tensor.Float32, "value": tensor.Scalar(v)})
}

func arg(name string, t tfpb.DataType) *tfpb.OpDef_ArgDef {
	return &tfpb.OpDef_ArgDef{Name: name, Type: t}
}

// affine is f(x) = x*a + b over float, written as tf.function writes
// FunctionDefs: node:out_arg:idx references and a control output.
func affine(name string, a, b float32) *tfpb.FunctionDef {
	return &tfpb.FunctionDef{
		Signature: &tfpb.OpDef{
			Name:          name,
			InputArg:      []*tfpb.OpDef_ArgDef{arg("x", tfpb.DataType_DT_FLOAT)},
			OutputArg:     []*tfpb.OpDef_ArgDef{arg("y", tfpb.DataType_DT_FLOAT)},
			ControlOutput: []string{"done"},
		},
		NodeDef: []*tfpb.NodeDef{
			constNode("a", a),
			constNode("b", b),
			{Name: "mul", Op: "Mul", Input: []string{"x", "a:output:0"}, Attr: map[string]*tfpb.AttrValue{"T": typeAttr(tfpb.DataType_DT_FLOAT)}},
			{Name: "add", Op: "AddV2", Input: []string{"mul:z:0", "b:output:0"}, Attr: map[string]*tfpb.AttrValue{"T": typeAttr(tfpb.DataType_DT_FLOAT)}},
			{Name: "noop", Op: "NoOp", Input: []string{"^mul"}},
		},
		Ret:        map[string]string{"y": "add:z:0"},
		ControlRet: map[string]string{"done": "noop"},
	}
}

func TestInstantiateResolvesReferences(t *testing.T) {
	lib := &tfpb.FunctionDefLibrary{Function: []*tfpb.FunctionDef{affine("f", 3, 1)}}
	b, err := function.Instantiate(lib, "f", nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"x"}, b.Args)
	assert.Equal(t, []tfpb.DataType{tfpb.DataType_DT_FLOAT}, b.ArgTypes)
	assert.Equal(t, []string{"add"}, b.Rets)
	assert.Equal(t, []string{"noop"}, b.ControlRets)
	nodes := map[string]*tfpb.NodeDef{}
	for _, n := range b.Nodes {
		nodes[n.GetName()] = n
	}
	assert.Equal(t, "Placeholder", nodes["x"].GetOp())
	assert.Equal(t, []string{"x", "a"}, nodes["mul"].GetInput())
	assert.Equal(t, []string{"mul", "b"}, nodes["add"].GetInput())
	assert.Equal(t, []string{"^mul"}, nodes["noop"].GetInput())
}

func TestInstantiateMultiOutputsAndLists(t *testing.T) {
	f := &tfpb.FunctionDef{
		Signature: &tfpb.OpDef{
			Name: "lists",
			InputArg: []*tfpb.OpDef_ArgDef{
				{Name: "xs", TypeAttr: "T", NumberAttr: "N"},
				{Name: "v", Type: tfpb.DataType_DT_INT32},
			},
			OutputArg: []*tfpb.OpDef_ArgDef{
				{Name: "sum", TypeAttr: "T"},
				{Name: "idx", Type: tfpb.DataType_DT_INT32},
				{Name: "second", TypeAttr: "T"},
				{Name: "pair", TypeAttr: "T", NumberAttr: "N"},
			},
			Attr: []*tfpb.OpDef_AttrDef{{Name: "T", Type: "type"}, {Name: "N", Type: "int"}},
		},
		NodeDef: []*tfpb.NodeDef{
			{Name: "addn", Op: "AddN", Input: []string{"xs"}, Attr: map[string]*tfpb.AttrValue{"T": placeholderAttr("T"), "N": placeholderAttr("N")}},
			{Name: "u", Op: "Unique", Input: []string{"v"}, Attr: map[string]*tfpb.AttrValue{"T": typeAttr(tfpb.DataType_DT_INT32)}},
			{Name: "ident", Op: "IdentityN", Input: []string{"xs:0", "xs:1"}, Attr: map[string]*tfpb.AttrValue{"T": typeListAttr(tfpb.DataType_DT_FLOAT, tfpb.DataType_DT_FLOAT)}},
		},
		Ret: map[string]string{"sum": "addn:sum:0", "idx": "u:idx:0", "second": "xs:1", "pair": "ident:output"},
	}
	lib := &tfpb.FunctionDefLibrary{Function: []*tfpb.FunctionDef{f}}
	b, err := function.Instantiate(lib, "lists", map[string]*tfpb.AttrValue{"T": typeAttr(tfpb.DataType_DT_FLOAT), "N": intAttr(2)})
	require.NoError(t, err)
	assert.Equal(t, []string{"xs_0", "xs_1", "v"}, b.Args)
	assert.Equal(t, []string{"addn", "u:1", "xs_1", "ident", "ident:1"}, b.Rets)
	assert.Equal(t, []tfpb.DataType{tfpb.DataType_DT_FLOAT, tfpb.DataType_DT_INT32, tfpb.DataType_DT_FLOAT, tfpb.DataType_DT_FLOAT, tfpb.DataType_DT_FLOAT}, b.RetTypes)
	for _, n := range b.Nodes {
		switch n.GetName() {
		case "addn":
			assert.Equal(t, []string{"xs_0", "xs_1"}, n.GetInput())
			assert.Equal(t, tfpb.DataType_DT_FLOAT, n.GetAttr()["T"].GetType(), "placeholder $T substituted")
			assert.Equal(t, int64(2), n.GetAttr()["N"].GetI())
		case "ident":
			assert.Equal(t, []string{"xs_0", "xs_1"}, n.GetInput())
		}
	}
}

func TestInstantiateNestedCallOutputs(t *testing.T) {
	two := &tfpb.FunctionDef{
		Signature: &tfpb.OpDef{
			Name:      "two",
			InputArg:  []*tfpb.OpDef_ArgDef{arg("x", tfpb.DataType_DT_FLOAT)},
			OutputArg: []*tfpb.OpDef_ArgDef{arg("p", tfpb.DataType_DT_FLOAT), arg("q", tfpb.DataType_DT_FLOAT)},
		},
		Ret: map[string]string{"p": "x", "q": "x"},
	}
	outer := &tfpb.FunctionDef{
		Signature: &tfpb.OpDef{
			Name:      "outer",
			InputArg:  []*tfpb.OpDef_ArgDef{arg("x", tfpb.DataType_DT_FLOAT)},
			OutputArg: []*tfpb.OpDef_ArgDef{arg("a", tfpb.DataType_DT_FLOAT), arg("b", tfpb.DataType_DT_FLOAT)},
		},
		NodeDef: []*tfpb.NodeDef{
			{Name: "direct", Op: "two", Input: []string{"x"}},
			{Name: "spc", Op: "StatefulPartitionedCall", Input: []string{"x"}, Attr: map[string]*tfpb.AttrValue{
				"Tin": typeListAttr(tfpb.DataType_DT_FLOAT), "Tout": typeListAttr(tfpb.DataType_DT_FLOAT, tfpb.DataType_DT_FLOAT),
				"f": funcAttr("two", nil),
			}},
		},
		Ret: map[string]string{"a": "direct:q:0", "b": "spc:output:1"},
	}
	lib := &tfpb.FunctionDefLibrary{Function: []*tfpb.FunctionDef{two, outer}}
	b, err := function.Instantiate(lib, "outer", nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"direct:1", "spc:1"}, b.Rets)
}

func TestInstantiateErrors(t *testing.T) {
	unknown := &tfpb.FunctionDef{
		Signature: &tfpb.OpDef{Name: "g", OutputArg: []*tfpb.OpDef_ArgDef{arg("y", tfpb.DataType_DT_FLOAT)}},
		NodeDef:   []*tfpb.NodeDef{{Name: "mystery", Op: "NoSuchOp"}},
		Ret:       map[string]string{"y": "mystery:out:0"},
	}
	lib := &tfpb.FunctionDefLibrary{Function: []*tfpb.FunctionDef{unknown, affine("f", 1, 1)}}

	t.Run("unknown op names function, node and op", func(t *testing.T) {
		_, err := function.Instantiate(lib, "g", nil)
		var ue *function.UnknownOpError
		require.ErrorAs(t, err, &ue)
		assert.Equal(t, function.UnknownOpError{Function: "g", Node: "mystery", Op: "NoSuchOp"}, *ue)
		assert.Contains(t, err.Error(), "NoSuchOp")
	})
	t.Run("op list describes the op", func(t *testing.T) {
		ops := &tfpb.OpList{Op: []*tfpb.OpDef{{Name: "NoSuchOp", OutputArg: []*tfpb.OpDef_ArgDef{arg("out", tfpb.DataType_DT_FLOAT)}}}}
		b, err := function.Instantiate(lib, "g", nil, function.WithOpList(ops))
		require.NoError(t, err)
		assert.Equal(t, []string{"mystery"}, b.Rets)
	})
	t.Run("missing function", func(t *testing.T) {
		_, err := function.Instantiate(lib, "nope", nil)
		assert.ErrorIs(t, err, function.ErrNotFound)
	})
	t.Run("bad output arg", func(t *testing.T) {
		bad := affine("h", 1, 1)
		bad.Ret["y"] = "add:nope:0"
		_, err := function.Instantiate(&tfpb.FunctionDefLibrary{Function: []*tfpb.FunctionDef{bad}}, "h", nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `node "add" (AddV2)`)
	})
	t.Run("index out of range", func(t *testing.T) {
		bad := affine("h", 1, 1)
		bad.Ret["y"] = "add:z:1"
		_, err := function.Instantiate(&tfpb.FunctionDefLibrary{Function: []*tfpb.FunctionDef{bad}}, "h", nil)
		assert.ErrorContains(t, err, "out of range")
	})
	t.Run("unbound placeholder", func(t *testing.T) {
		bad := affine("h", 1, 1)
		bad.NodeDef[2].Attr["T"] = placeholderAttr("T")
		_, err := function.Instantiate(&tfpb.FunctionDefLibrary{Function: []*tfpb.FunctionDef{bad}}, "h", nil)
		assert.ErrorContains(t, err, "$T")
	})
}

// callGraph feeds x to a StatefulPartitionedCall of fname, gated by the
// control input ^gate.
func callGraph(fname string) *tfpb.GraphDef {
	var b graph.Builder
	b.Placeholder("x", tensor.Float32, graph.ShapeAttr{})
	b.Add("gate", "NoOp", nil, nil)
	call := b.Add("call", "StatefulPartitionedCall", []string{"x", "^gate"}, nil)
	call.Attr = map[string]*tfpb.AttrValue{
		"Tin": typeListAttr(tfpb.DataType_DT_FLOAT), "Tout": typeListAttr(tfpb.DataType_DT_FLOAT),
		"f": funcAttr(fname, nil),
	}
	b.Add("out", "Identity", []string{"call"}, map[string]any{"T": tensor.Float32})
	b.Add("after", "NoOp", []string{"^call"}, nil)
	return b.Graph()
}

func nodeMap(g *tfpb.GraphDef) map[string]*tfpb.NodeDef {
	m := map[string]*tfpb.NodeDef{}
	for _, n := range g.GetNode() {
		m[n.GetName()] = n
	}
	return m
}

func runScalar(t *testing.T, g *tfpb.GraphDef, x float32, fetch string) float32 {
	t.Helper()
	e, err := tfexec.New(g)
	require.NoError(t, err)
	out, err := e.Run(context.Background(), map[string]*tensor.Tensor{"x": tensor.Scalar(x)}, []string{fetch})
	require.NoError(t, err)
	return tensor.Values[float32](out[0])[0]
}

func TestInlineNamingAndControl(t *testing.T) {
	lib := &tfpb.FunctionDefLibrary{Function: []*tfpb.FunctionDef{affine("f", 3, 1)}}
	g := callGraph("f")
	require.NoError(t, function.Inline(g, lib, "call"))
	m := nodeMap(g)

	require.Contains(t, m, "call/input_control_node")
	assert.Equal(t, []string{"^gate"}, m["call/input_control_node"].GetInput())
	assert.Equal(t, "Identity", m["call/x"].GetOp())
	assert.Equal(t, []string{"x", "^call/input_control_node"}, m["call/x"].GetInput())
	assert.Equal(t, []string{"^call/input_control_node"}, m["call/a"].GetInput(), "a source node in the body waits for the call's control inputs")
	assert.Equal(t, []string{"call/x", "call/a"}, m["call/mul"].GetInput())
	assert.Equal(t, "IdentityN", m["call"].GetOp())
	assert.Equal(t, []string{"call/add", "^call/noop"}, m["call"].GetInput(), "the stand-in returns the rets and waits for the control outputs")
	assert.Equal(t, []string{"call"}, m["out"].GetInput())

	assert.Equal(t, float32(3*2+1), runScalar(t, g, 2, "out"))
	assert.Equal(t, float32(3*5+1), runScalar(t, g, 5, "call:0"))
}

func TestInlineNested(t *testing.T) {
	inner := affine("inner", 2, 0)
	outer := &tfpb.FunctionDef{
		Signature: &tfpb.OpDef{
			Name:      "outer",
			InputArg:  []*tfpb.OpDef_ArgDef{arg("x", tfpb.DataType_DT_FLOAT)},
			OutputArg: []*tfpb.OpDef_ArgDef{arg("y", tfpb.DataType_DT_FLOAT)},
		},
		NodeDef: []*tfpb.NodeDef{
			{Name: "pc", Op: "PartitionedCall", Input: []string{"x"}, Attr: map[string]*tfpb.AttrValue{
				"Tin": typeListAttr(tfpb.DataType_DT_FLOAT), "Tout": typeListAttr(tfpb.DataType_DT_FLOAT), "f": funcAttr("inner", nil),
			}},
			{Name: "again", Op: "inner", Input: []string{"pc:output:0"}},
		},
		Ret: map[string]string{"y": "again:y:0"},
	}
	lib := &tfpb.FunctionDefLibrary{Function: []*tfpb.FunctionDef{inner, outer}}
	g := callGraph("outer")
	require.NoError(t, function.Inline(g, lib, "call"))
	m := nodeMap(g)
	for _, n := range g.GetNode() {
		_, _, isCall := function.Callee(n, lib)
		assert.False(t, isCall, "node %s still calls a function", n.GetName())
	}
	assert.Contains(t, m, "call/pc/mul")
	assert.Contains(t, m, "call/again/mul")
	assert.Equal(t, []string{"call/pc"}, m["call/again/x"].GetInput())
	assert.Equal(t, float32(4*3), runScalar(t, g, 3, "out"))
}

func TestInlineErrors(t *testing.T) {
	self := &tfpb.FunctionDef{
		Signature: &tfpb.OpDef{
			Name:      "self",
			InputArg:  []*tfpb.OpDef_ArgDef{arg("x", tfpb.DataType_DT_FLOAT)},
			OutputArg: []*tfpb.OpDef_ArgDef{arg("y", tfpb.DataType_DT_FLOAT)},
		},
		NodeDef: []*tfpb.NodeDef{{Name: "again", Op: "self", Input: []string{"x"}}},
		Ret:     map[string]string{"y": "again:y:0"},
	}
	lib := &tfpb.FunctionDefLibrary{Function: []*tfpb.FunctionDef{self, affine("f", 1, 1)}}
	t.Run("recursion", func(t *testing.T) {
		g := callGraph("self")
		before := len(g.GetNode())
		err := function.Inline(g, lib, "call")
		assert.ErrorContains(t, err, "calls itself")
		assert.Len(t, g.GetNode(), before, "the graph is unchanged on error")
	})
	t.Run("not a call", func(t *testing.T) {
		err := function.Inline(callGraph("f"), lib, "out")
		assert.True(t, errors.Is(err, function.ErrNotCall))
	})
	t.Run("no such node", func(t *testing.T) {
		assert.ErrorContains(t, function.Inline(callGraph("f"), lib, "nope"), "no such node")
	})
	t.Run("argument count", func(t *testing.T) {
		g := callGraph("f")
		g.Node[2].Input = []string{"x", "x"}
		assert.ErrorContains(t, function.Inline(g, lib, "call"), "takes 1 argument")
	})
	t.Run("name clash", func(t *testing.T) {
		g := callGraph("f")
		g.Node = append(g.Node, constNode("call/a", 0))
		assert.ErrorContains(t, function.Inline(g, lib, "call"), "clashes")
	})
}
