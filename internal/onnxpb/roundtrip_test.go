package onnxpb_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/internal/testutil"
)

// Where Debian's libonnx-testdata package puts ONNX's backend test data
// (`dpkg -L libonnx-testdata`). ONNX_TESTDATA overrides it.
var testdataDirs = []string{
	"/usr/share/libonnx-testdata/data",
	"/usr/lib/python3/dist-packages/onnx/backend/test/data",
}

// onnxTestdata returns the ONNX backend test-data folder, skipping the test
// when it is absent unless CI or TFOFFLOAD_REQUIRE_SHARED=1 is set.
func onnxTestdata(t *testing.T) string {
	t.Helper()
	dirs := testdataDirs
	if d := os.Getenv("ONNX_TESTDATA"); d != "" {
		dirs = []string{d}
	}
	for _, d := range dirs {
		if st, err := os.Stat(filepath.Join(d, "node")); err == nil && st.IsDir() {
			return d
		}
	}
	testutil.RequireOrSkip(t, "ONNX test data (apt-get install libonnx-testdata)", fmt.Errorf("not found in %v", dirs))
	return ""
}

// unknownFields walks m and returns one line per message (by field path)
// that carries unknown fields, i.e. bytes our schema has no field for.
func unknownFields(m protoreflect.Message, path string) []string {
	var out []string
	if u := m.GetUnknown(); len(u) > 0 {
		out = append(out, fmt.Sprintf("%s (%s): %d bytes of unknown fields", path, m.Descriptor().FullName(), len(u)))
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		p := path + "." + string(fd.Name())
		switch {
		case fd.IsMap():
			if fd.MapValue().Message() == nil {
				return true
			}
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				out = append(out, unknownFields(mv.Message(), fmt.Sprintf("%s[%v]", p, k.Interface()))...)
				return true
			})
		case fd.IsList():
			if fd.Message() == nil {
				return true
			}
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				out = append(out, unknownFields(l.Get(i).Message(), fmt.Sprintf("%s[%d]", p, i))...)
			}
		case fd.Message() != nil:
			out = append(out, unknownFields(v.Message(), p)...)
		}
		return true
	})
	return out
}

// decodeStrict unmarshals data into m, requires that no unknown fields
// remain anywhere, and that marshal -> unmarshal reproduces the message.
func decodeStrict(t *testing.T, data []byte, m proto.Message) {
	t.Helper()
	require.NoError(t, proto.Unmarshal(data, m))
	assert.Empty(t, unknownFields(m.ProtoReflect(), string(m.ProtoReflect().Descriptor().Name())),
		"schema is missing fields that ONNX wrote")
	again, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	require.NoError(t, err)
	back := m.ProtoReflect().New().Interface()
	require.NoError(t, proto.Unmarshal(again, back))
	assert.True(t, proto.Equal(m, back), "re-marshalled message differs")
}

func tensorValueInfo(name string, elem onnxpb.TensorProto_DataType, dims ...any) *onnxpb.ValueInfoProto {
	shape := &onnxpb.TensorShapeProto{}
	for _, d := range dims {
		dim := &onnxpb.TensorShapeProto_Dimension{}
		switch d := d.(type) {
		case int:
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}
		case string:
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: d}
		}
		shape.Dim = append(shape.Dim, dim)
	}
	return &onnxpb.ValueInfoProto{
		Name: proto.String(name),
		Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
			ElemType: proto.Int32(int32(elem)),
			Shape:    shape,
		}}},
	}
}

func addModel() *onnxpb.ModelProto {
	return &onnxpb.ModelProto{
		IrVersion:    proto.Int64(int64(onnxpb.Version_IR_VERSION_2021_7_30)),
		ProducerName: proto.String("tfoffload-test"),
		OpsetImport:  []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}},
		Graph: &onnxpb.GraphProto{
			Name: proto.String("add"),
			Node: []*onnxpb.NodeProto{{
				Name:   proto.String("add0"),
				OpType: proto.String("Add"),
				Input:  []string{"A", "B"},
				Output: []string{"C"},
			}},
			Input: []*onnxpb.ValueInfoProto{
				tensorValueInfo("A", onnxpb.TensorProto_FLOAT, "N", 3),
				tensorValueInfo("B", onnxpb.TensorProto_FLOAT, 1, 3),
			},
			Output: []*onnxpb.ValueInfoProto{tensorValueInfo("C", onnxpb.TensorProto_FLOAT, "N", 3)},
			Initializer: []*onnxpb.TensorProto{{
				Name:     proto.String("unused_bias"),
				Dims:     []int64{3},
				DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)),
				RawData:  []byte{0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64},
			}},
		},
		MetadataProps: []*onnxpb.StringStringEntryProto{{Key: proto.String("k"), Value: proto.String("v")}},
	}
}

func TestModelRoundTrip(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(m *onnxpb.ModelProto)
	}{
		{"plain", func(*onnxpb.ModelProto) {}},
		{"attributes", func(m *onnxpb.ModelProto) {
			m.Graph.Node[0].Attribute = []*onnxpb.AttributeProto{
				{Name: proto.String("f"), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: proto.Float32(0.5)},
				{Name: proto.String("ints"), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: []int64{1, -1}},
				{Name: proto.String("g"), Type: onnxpb.AttributeProto_GRAPH.Enum(), G: &onnxpb.GraphProto{Name: proto.String("body")}},
				{Name: proto.String("tp"), Type: onnxpb.AttributeProto_TYPE_PROTO.Enum(), Tp: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_SequenceType{
					SequenceType: &onnxpb.TypeProto_Sequence{ElemType: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_OptionalType{OptionalType: &onnxpb.TypeProto_Optional{}}}},
				}}},
				{Name: proto.String("ref"), RefAttrName: proto.String("outer")},
			}
		}},
		{"external_data", func(m *onnxpb.ModelProto) {
			init := m.Graph.Initializer[0]
			init.RawData = nil
			init.DataLocation = onnxpb.TensorProto_EXTERNAL.Enum()
			init.ExternalData = []*onnxpb.StringStringEntryProto{
				{Key: proto.String("location"), Value: proto.String("weights.bin")},
				{Key: proto.String("offset"), Value: proto.String("4096")},
			}
			init.Segment = &onnxpb.TensorProto_Segment{Begin: proto.Int64(0), End: proto.Int64(3)}
		}},
		{"functions_and_training", func(m *onnxpb.ModelProto) {
			m.Functions = []*onnxpb.FunctionProto{{
				Name: proto.String("MyAdd"), Domain: proto.String("local"), Overload: proto.String("v1"),
				Input: []string{"x", "y"}, Output: []string{"z"},
				Node:        []*onnxpb.NodeProto{{OpType: proto.String("Add"), Input: []string{"x", "y"}, Output: []string{"z"}}},
				OpsetImport: []*onnxpb.OperatorSetIdProto{{Version: proto.Int64(17)}},
			}}
			m.TrainingInfo = []*onnxpb.TrainingInfoProto{{
				Algorithm:     &onnxpb.GraphProto{Name: proto.String("step")},
				UpdateBinding: []*onnxpb.StringStringEntryProto{{Key: proto.String("w"), Value: proto.String("w_new")}},
			}}
			m.Graph.SparseInitializer = []*onnxpb.SparseTensorProto{{
				Values:  &onnxpb.TensorProto{Name: proto.String("sp"), Dims: []int64{1}, DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), FloatData: []float32{1}},
				Indices: &onnxpb.TensorProto{Dims: []int64{1}, DataType: proto.Int32(int32(onnxpb.TensorProto_INT64)), Int64Data: []int64{2}},
				Dims:    []int64{3},
			}}
			m.Graph.QuantizationAnnotation = []*onnxpb.TensorAnnotation{{
				TensorName:                proto.String("C"),
				QuantParameterTensorNames: []*onnxpb.StringStringEntryProto{{Key: proto.String("SCALE_TENSOR"), Value: proto.String("c_scale")}},
			}}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := addModel()
			tc.mutate(m)
			data, err := proto.Marshal(m)
			require.NoError(t, err)
			got := &onnxpb.ModelProto{}
			require.NoError(t, proto.Unmarshal(data, got))
			require.True(t, proto.Equal(m, got), "round trip changed the model")
			assert.Empty(t, unknownFields(got.ProtoReflect(), "ModelProto"))

			assert.Equal(t, int64(17), got.GetOpsetImport()[0].GetVersion())
			assert.Equal(t, "Add", got.GetGraph().GetNode()[0].GetOpType())
			// proto2 presence: an explicitly empty domain stays present.
			require.NotNil(t, got.GetOpsetImport()[0].Domain)
			assert.Equal(t, "", *got.GetOpsetImport()[0].Domain)
			assert.Nil(t, got.Domain, "unset optional field must stay absent")
			dims := got.GetGraph().GetInput()[0].GetType().GetTensorType().GetShape().GetDim()
			assert.Equal(t, "N", dims[0].GetDimParam())
			assert.Equal(t, int64(3), dims[1].GetDimValue())
		})
	}
}

// TestWireNumbers pins a few field numbers against hand-encoded bytes.
func TestWireNumbers(t *testing.T) {
	cases := []struct {
		name string
		msg  proto.Message
		want []byte
	}{
		{"ModelProto.ir_version=1", &onnxpb.ModelProto{IrVersion: proto.Int64(8)}, []byte{0x08, 8}},
		{"ModelProto.opset_import=8", &onnxpb.ModelProto{OpsetImport: []*onnxpb.OperatorSetIdProto{{}}}, []byte{0x42, 0}},
		{"NodeProto.domain=7", &onnxpb.NodeProto{Domain: proto.String("")}, []byte{0x3a, 0}},
		{"TensorProto.raw_data=9", &onnxpb.TensorProto{RawData: []byte{1}}, []byte{0x4a, 1, 1}},
		{"TensorProto.data_location=14", &onnxpb.TensorProto{DataLocation: onnxpb.TensorProto_EXTERNAL.Enum()}, []byte{0x70, 1}},
		{"TensorProto.int32_data=5 packed", &onnxpb.TensorProto{Int32Data: []int32{1, 2}}, []byte{0x2a, 2, 1, 2}},
		{"AttributeProto.type=20", &onnxpb.AttributeProto{Type: onnxpb.AttributeProto_TENSORS.Enum()}, []byte{0xa0, 0x01, 9}},
		{"TypeProto.optional_type=9", &onnxpb.TypeProto{Value: &onnxpb.TypeProto_OptionalType{OptionalType: &onnxpb.TypeProto_Optional{}}}, []byte{0x4a, 0}},
		{"GraphProto.sparse_initializer=15", &onnxpb.GraphProto{SparseInitializer: []*onnxpb.SparseTensorProto{{}}}, []byte{0x7a, 0}},
		{"ModelProto.functions=25", &onnxpb.ModelProto{Functions: []*onnxpb.FunctionProto{{}}}, []byte{0xca, 0x01, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := proto.Marshal(tc.msg)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestUnknownFieldsDetected(t *testing.T) {
	node := &onnxpb.NodeProto{OpType: proto.String("Add")}
	unknown := protowire.AppendTag(nil, 99, protowire.VarintType)
	unknown = protowire.AppendVarint(unknown, 1)
	node.ProtoReflect().SetUnknown(unknown)
	data, err := proto.Marshal(&onnxpb.GraphProto{Node: []*onnxpb.NodeProto{node}})
	require.NoError(t, err)
	g := &onnxpb.GraphProto{}
	require.NoError(t, proto.Unmarshal(data, g))
	got := unknownFields(g.ProtoReflect(), "GraphProto")
	require.Len(t, got, 1)
	assert.Contains(t, got[0], "GraphProto.node[0] (tfoffload.onnx.NodeProto)")
}

func TestDecodeTestAdd(t *testing.T) {
	dir := filepath.Join(onnxTestdata(t), "node", "test_add")

	data, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	require.NoError(t, err)
	m := &onnxpb.ModelProto{}
	decodeStrict(t, data, m)
	require.NotNil(t, m.IrVersion)
	require.NotEmpty(t, m.GetOpsetImport())
	require.Len(t, m.GetGraph().GetNode(), 1)
	assert.Equal(t, "Add", m.GetGraph().GetNode()[0].GetOpType())
	require.Len(t, m.GetGraph().GetInput(), 2)

	cases := []struct{ file, name string }{
		{"input_0.pb", m.GetGraph().GetInput()[0].GetName()},
		{"input_1.pb", m.GetGraph().GetInput()[1].GetName()},
		{"output_0.pb", m.GetGraph().GetOutput()[0].GetName()},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, "test_data_set_0", tc.file))
			require.NoError(t, err)
			tp := &onnxpb.TensorProto{}
			decodeStrict(t, data, tp)
			assert.Equal(t, int32(onnxpb.TensorProto_FLOAT), tp.GetDataType())
			assert.Equal(t, []int64{3, 4, 5}, tp.GetDims())
			assert.Len(t, tp.GetRawData(), 3*4*5*4)
			if tp.Name != nil {
				assert.Equal(t, tc.name, tp.GetName())
			}
		})
	}
}

// TestDecodeAllTestdataModels decodes every model.onnx of the ONNX backend
// test data and requires that no field is left unknown: the main check that
// our field numbers cover what ONNX writes.
func TestDecodeAllTestdataModels(t *testing.T) {
	root := onnxTestdata(t)
	var models []string
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == "model.onnx" {
			rel, _ := filepath.Rel(root, p)
			models = append(models, rel)
		}
		return nil
	}))
	sort.Strings(models)
	require.NotEmpty(t, models, "no model.onnx under %s", root)

	for _, rel := range models {
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(root, rel))
			require.NoError(t, err)
			m := &onnxpb.ModelProto{}
			decodeStrict(t, data, m)
			assert.NotNil(t, m.GetGraph())
		})
	}
}
