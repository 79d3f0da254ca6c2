package engine

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/internal/testutil"
)

// skipOrFail skips t, or fails it where testutil.Required says so.
func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if testutil.Required() {
		t.Fatalf(format+" (failing: CI or TFOFFLOAD_REQUIRE_SHARED=1 is set)", args...)
	}
	t.Skipf(format, args...)
}

// requireORT skips or fails t when ONNX Runtime cannot be loaded.
func requireORT(t testing.TB) {
	t.Helper()
	if err := Init(); err != nil {
		skipOrFail(t, "ONNX Runtime is not available; run scripts/install-onnxruntime.sh: %v", err)
	}
}

// graph builds small ONNX models for tests.
type graph struct {
	g     *onnxpb.GraphProto
	opset int64
}

func newGraph(opset int64) *graph {
	return &graph{g: &onnxpb.GraphProto{Name: proto.String("test")}, opset: opset}
}

// valueInfo declares a tensor value; each dim is an int (static) or a
// string (symbolic). With noShape set the value has no shape at all.
func valueInfo(name string, elem onnxpb.TensorProto_DataType, noShape bool, dims ...any) *onnxpb.ValueInfoProto {
	tt := &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(int32(elem))}
	if !noShape {
		tt.Shape = &onnxpb.TensorShapeProto{}
		for _, d := range dims {
			dim := &onnxpb.TensorShapeProto_Dimension{}
			switch d := d.(type) {
			case int:
				dim.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}
			case string:
				dim.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: d}
			}
			tt.Shape.Dim = append(tt.Shape.Dim, dim)
		}
	}
	return &onnxpb.ValueInfoProto{
		Name: proto.String(name),
		Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: tt}},
	}
}

func (g *graph) input(name string, elem onnxpb.TensorProto_DataType, dims ...any) *graph {
	g.g.Input = append(g.g.Input, valueInfo(name, elem, false, dims...))
	return g
}

func (g *graph) output(name string, elem onnxpb.TensorProto_DataType, dims ...any) *graph {
	g.g.Output = append(g.g.Output, valueInfo(name, elem, false, dims...))
	return g
}

func (g *graph) node(op string, in, out []string, attrs ...*onnxpb.AttributeProto) *graph {
	g.g.Node = append(g.g.Node, &onnxpb.NodeProto{
		OpType: proto.String(op), Input: in, Output: out, Attribute: attrs,
		Name: proto.String(op + "_" + out[0]),
	})
	return g
}

func (g *graph) initializer(t *onnxpb.TensorProto) *graph {
	g.g.Initializer = append(g.g.Initializer, t)
	return g
}

func (g *graph) bytes(t testing.TB) []byte {
	t.Helper()
	m := &onnxpb.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(g.opset)}},
		Graph:       g.g,
	}
	b, err := proto.Marshal(m)
	require.NoError(t, err)
	return b
}

// floatTensor is an initializer of float32 values.
func floatTensor(name string, dims []int64, vals []float32) *onnxpb.TensorProto {
	return &onnxpb.TensorProto{
		Name: proto.String(name), Dims: dims, FloatData: vals,
		DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)),
	}
}

func intAttr(name string, v int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{
		Name: proto.String(name), I: proto.Int64(v),
		Type: onnxpb.AttributeProto_INT.Enum(),
	}
}

// addModel is y = a + b over float32 [N,4].
func addModel(t testing.TB) []byte {
	return newGraph(13).
		input("a", onnxpb.TensorProto_FLOAT, "N", 4).
		input("b", onnxpb.TensorProto_FLOAT, "N", 4).
		output("y", onnxpb.TensorProto_FLOAT, "N", 4).
		node("Add", []string{"a", "b"}, []string{"y"}).
		bytes(t)
}
