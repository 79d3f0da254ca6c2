package tfpb_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
)

// sharedModels returns ../shared/models (relative to the repo root),
// skipping or failing as testutil decides when it is absent.
func sharedModels(t *testing.T) string {
	t.Helper()
	return testutil.SharedModels(t)
}

// unknownFields walks m and returns one line per message (by field path)
// that carries unknown fields, i.e. bytes our schema has no field for.
// google.protobuf.Any payloads whose type is registered are walked too.
func unknownFields(m protoreflect.Message, path string) []string {
	var out []string
	if u := m.GetUnknown(); len(u) > 0 {
		out = append(out, fmt.Sprintf("%s (%s): %d bytes of unknown fields", path, m.Descriptor().FullName(), len(u)))
	}
	if a, ok := m.Interface().(*anypb.Any); ok {
		if inner, err := anypb.UnmarshalNew(a, proto.UnmarshalOptions{Resolver: tfpb.Resolver}); err == nil {
			out = append(out, unknownFields(inner.ProtoReflect(), path+"<"+a.GetTypeUrl()+">")...)
		}
		return out
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
	unknown := unknownFields(m.ProtoReflect(), string(m.ProtoReflect().Descriptor().Name()))
	assert.Empty(t, unknown, "schema is missing fields that TensorFlow wrote")

	again, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	require.NoError(t, err)
	back := m.ProtoReflect().New().Interface()
	require.NoError(t, proto.Unmarshal(again, back))
	assert.True(t, proto.Equal(m, back), "re-marshalled message differs")
	assert.Empty(t, unknownFields(back.ProtoReflect(), "remarshalled"))
}

func float32Tensor(shape []int64, vals ...float32) *tfpb.TensorProto {
	dims := make([]*tfpb.TensorShapeProto_Dim, len(shape))
	for i, s := range shape {
		dims[i] = &tfpb.TensorShapeProto_Dim{Size: s}
	}
	return &tfpb.TensorProto{
		Dtype:       tfpb.DataType_DT_FLOAT,
		TensorShape: &tfpb.TensorShapeProto{Dim: dims},
		FloatVal:    vals,
	}
}

func TestGraphDefRoundTrip(t *testing.T) {
	shape := &tfpb.TensorShapeProto{Dim: []*tfpb.TensorShapeProto_Dim{{Size: -1}, {Size: 3, Name: "features"}}}
	tensor := float32Tensor([]int64{2}, 1.5, -2)
	fn := &tfpb.NameAttrList{Name: "my_fn", Attr: map[string]*tfpb.AttrValue{
		"T": {Value: &tfpb.AttrValue_Type{Type: tfpb.DataType_DT_HALF}},
	}}

	attrs := []struct {
		name  string
		value *tfpb.AttrValue
	}{
		{"s", &tfpb.AttrValue{Value: &tfpb.AttrValue_S{S: []byte("SAME")}}},
		{"i", &tfpb.AttrValue{Value: &tfpb.AttrValue_I{I: -7}}},
		{"f", &tfpb.AttrValue{Value: &tfpb.AttrValue_F{F: 0.25}}},
		{"b", &tfpb.AttrValue{Value: &tfpb.AttrValue_B{B: true}}},
		{"type", &tfpb.AttrValue{Value: &tfpb.AttrValue_Type{Type: tfpb.DataType_DT_BFLOAT16}}},
		{"shape", &tfpb.AttrValue{Value: &tfpb.AttrValue_Shape{Shape: shape}}},
		{"unknown_rank", &tfpb.AttrValue{Value: &tfpb.AttrValue_Shape{Shape: &tfpb.TensorShapeProto{UnknownRank: true}}}},
		{"tensor", &tfpb.AttrValue{Value: &tfpb.AttrValue_Tensor{Tensor: tensor}}},
		{"func", &tfpb.AttrValue{Value: &tfpb.AttrValue_Func{Func: fn}}},
		{"placeholder", &tfpb.AttrValue{Value: &tfpb.AttrValue_Placeholder{Placeholder: "outer_T"}}},
		{"list", &tfpb.AttrValue{Value: &tfpb.AttrValue_List{List: &tfpb.AttrValue_ListValue{
			S:      [][]byte{[]byte("a"), []byte("b")},
			I:      []int64{1, 2, 3},
			F:      []float32{0.5},
			B:      []bool{true, false},
			Type:   []tfpb.DataType{tfpb.DataType_DT_INT32, tfpb.DataType_DT_FLOAT_REF, tfpb.DataType_DT_UINT64},
			Shape:  []*tfpb.TensorShapeProto{shape},
			Tensor: []*tfpb.TensorProto{tensor},
			Func:   []*tfpb.NameAttrList{fn},
		}}}},
		{"empty_list", &tfpb.AttrValue{Value: &tfpb.AttrValue_List{List: &tfpb.AttrValue_ListValue{}}}},
	}

	allTensorFields := &tfpb.TensorProto{
		Dtype:         tfpb.DataType_DT_VARIANT,
		TensorShape:   &tfpb.TensorShapeProto{},
		VersionNumber: 1,
		TensorContent: []byte{1, 2, 3, 4},
		HalfVal:       []int32{0x3c00},
		FloatVal:      []float32{1},
		DoubleVal:     []float64{2},
		IntVal:        []int32{-3},
		StringVal:     [][]byte{[]byte("x")},
		ScomplexVal:   []float32{1, 2},
		Int64Val:      []int64{1 << 40},
		BoolVal:       []bool{true},
		DcomplexVal:   []float64{3, 4},
		ResourceHandleVal: []*tfpb.ResourceHandleProto{{
			Device: "/cpu:0", Container: "c", Name: "v", HashCode: 42, MaybeTypeName: "Var",
			DtypesAndShapes: []*tfpb.ResourceHandleProto_DtypeAndShape{{Dtype: tfpb.DataType_DT_FLOAT, Shape: shape}},
		}},
		VariantVal: []*tfpb.VariantTensorDataProto{{TypeName: "tensorflow::TensorList", Metadata: []byte{9}, Tensors: []*tfpb.TensorProto{tensor}}},
		Uint32Val:  []uint32{1 << 31},
		Uint64Val:  []uint64{1 << 63},
		Float8Val:  []byte{0x38, 0x40},
	}

	build := func(attr map[string]*tfpb.AttrValue) *tfpb.GraphDef {
		return &tfpb.GraphDef{
			Node: []*tfpb.NodeDef{
				{Name: "x", Op: "Placeholder", Attr: map[string]*tfpb.AttrValue{
					"dtype": {Value: &tfpb.AttrValue_Type{Type: tfpb.DataType_DT_FLOAT}},
				}},
				{Name: "c", Op: "Const", Attr: map[string]*tfpb.AttrValue{
					"value": {Value: &tfpb.AttrValue_Tensor{Tensor: allTensorFields}},
				}},
				{
					Name: "n", Op: "Custom", Input: []string{"x", "c:0", "^x"}, Device: "/device:CPU:0",
					Attr:                  attr,
					ExperimentalDebugInfo: &tfpb.NodeDef_ExperimentalDebugInfo{OriginalNodeNames: []string{"a", "b"}, OriginalFuncNames: []string{"f"}},
					ExperimentalType: &tfpb.FullTypeDef{TypeId: tfpb.FullTypeId_TFT_PRODUCT, Args: []*tfpb.FullTypeDef{
						{TypeId: tfpb.FullTypeId_TFT_TENSOR, Args: []*tfpb.FullTypeDef{{TypeId: tfpb.FullTypeId_TFT_FLOAT}}},
						{TypeId: tfpb.FullTypeId_TFT_VAR, Attr: &tfpb.FullTypeDef_S{S: "T"}},
					}},
				},
			},
			Versions: &tfpb.VersionDef{Producer: 1882, MinConsumer: 12, BadConsumers: []int32{3}},
			Library: &tfpb.FunctionDefLibrary{
				Function: []*tfpb.FunctionDef{{
					Signature: &tfpb.OpDef{
						Name:      "my_fn",
						InputArg:  []*tfpb.OpDef_ArgDef{{Name: "a", TypeAttr: "T"}},
						OutputArg: []*tfpb.OpDef_ArgDef{{Name: "out", TypeAttr: "T"}},
						Attr:      []*tfpb.OpDef_AttrDef{{Name: "T", Type: "type"}},
					},
					Attr:                map[string]*tfpb.AttrValue{"_noinline": {Value: &tfpb.AttrValue_B{B: true}}},
					ArgAttr:             map[uint32]*tfpb.FunctionDef_ArgAttrs{0: {Attr: map[string]*tfpb.AttrValue{"_user_specified_name": {Value: &tfpb.AttrValue_S{S: []byte("a")}}}}},
					ResourceArgUniqueId: map[uint32]uint32{0: 0},
					NodeDef:             []*tfpb.NodeDef{{Name: "id", Op: "Identity", Input: []string{"a"}}},
					Ret:                 map[string]string{"out": "id:output:0"},
					ControlRet:          map[string]string{"side": "id"},
				}},
				Gradient:            []*tfpb.GradientDef{{FunctionName: "my_fn", GradientFunc: "my_fn_grad"}},
				RegisteredGradients: []*tfpb.RegisteredGradient{{GradientFunc: "g", RegisteredOpType: "Custom"}},
			},
			DebugInfo: &tfpb.GraphDebugInfo{
				Files:         []string{"model.py"},
				FramesById:    map[uint64]*tfpb.GraphDebugInfo_FileLineCol{7: {FileIndex: proto.Int32(0), Line: proto.Int32(12)}},
				TracesById:    map[uint64]*tfpb.GraphDebugInfo_StackTrace{9: {FrameId: []uint64{7}}},
				NameToTraceId: map[string]uint64{"n": 9},
			},
		}
	}

	all := map[string]*tfpb.AttrValue{}
	for _, a := range attrs {
		all[a.name] = a.value
	}
	cases := []struct {
		name string
		attr map[string]*tfpb.AttrValue
	}{{"all_kinds", all}}
	for _, a := range attrs {
		cases = append(cases, struct {
			name string
			attr map[string]*tfpb.AttrValue
		}{a.name, map[string]*tfpb.AttrValue{a.name: a.value}})
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := build(tc.attr)
			data, err := proto.Marshal(g)
			require.NoError(t, err)
			got := &tfpb.GraphDef{}
			require.NoError(t, proto.Unmarshal(data, got))
			require.True(t, proto.Equal(g, got), "round trip changed the GraphDef")
			assert.Empty(t, unknownFields(got.ProtoReflect(), "GraphDef"))
			for name, want := range tc.attr {
				gotAttr := got.GetNode()[2].GetAttr()[name]
				require.NotNil(t, gotAttr, name)
				// The oneof case must survive, not just the bytes.
				assert.IsType(t, want.GetValue(), gotAttr.GetValue(), name)
			}
			assert.Equal(t, []byte{0x38, 0x40}, got.GetNode()[1].GetAttr()["value"].GetTensor().GetFloat8Val())
		})
	}
}

// TestWireNumbers pins a few field numbers against hand-encoded bytes, so a
// renumbering in the .proto cannot go unnoticed even without real files.
func TestWireNumbers(t *testing.T) {
	cases := []struct {
		name string
		msg  proto.Message
		want []byte
	}{
		{"NodeDef.name=1,op=2", &tfpb.NodeDef{Name: "a", Op: "Add"}, []byte{0x0a, 1, 'a', 0x12, 3, 'A', 'd', 'd'}},
		{"TensorProto.dtype=1", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_HALF}, []byte{0x08, 19}},
		{"TensorProto.half_val=13 packed", &tfpb.TensorProto{HalfVal: []int32{1}}, []byte{0x6a, 1, 1}},
		{"TensorProto.float8_val=18", &tfpb.TensorProto{Float8Val: []byte{7}}, []byte{0x92, 0x01, 1, 7}},
		{"AttrValue.list=1", &tfpb.AttrValue{Value: &tfpb.AttrValue_List{List: &tfpb.AttrValue_ListValue{}}}, []byte{0x0a, 0}},
		{"AttrValue.placeholder=9", &tfpb.AttrValue{Value: &tfpb.AttrValue_Placeholder{Placeholder: "T"}}, []byte{0x4a, 1, 'T'}},
		{"AttrValue.func=10", &tfpb.AttrValue{Value: &tfpb.AttrValue_Func{Func: &tfpb.NameAttrList{}}}, []byte{0x52, 0}},
		{"TensorShapeProto.dim=2", &tfpb.TensorShapeProto{Dim: []*tfpb.TensorShapeProto_Dim{{Size: 1}}}, []byte{0x12, 2, 0x08, 1}},
		{"MetaGraphDef.object_graph_def=7", &tfpb.MetaGraphDef{ObjectGraphDef: &tfpb.SavedObjectGraph{}}, []byte{0x3a, 0}},
		{"StructuredValue.int64_value=12 sint64", &tfpb.StructuredValue{Kind: &tfpb.StructuredValue_Int64Value{Int64Value: -1}}, []byte{0x60, 1}},
		{"BundleEntryProto.crc32c=6 fixed32", &tfpb.BundleEntryProto{Crc32C: 1}, []byte{0x35, 1, 0, 0, 0}},
		{"DT_UINT4_REF=130", &tfpb.SerializedDType{Datatype: tfpb.DataType_DT_UINT4_REF}, []byte{0x08, 0x82, 0x01}},
		{"FloatList.value=1 packed", &tfpb.FloatList{Value: []float32{1}}, []byte{0x0a, 4, 0, 0, 0x80, 0x3f}},
		{"Int64List.value=1 packed", &tfpb.Int64List{Value: []int64{1, -1}},
			[]byte{0x0a, 11, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"Feature.int64_list=3", &tfpb.Feature{Kind: &tfpb.Feature_Int64List{Int64List: &tfpb.Int64List{}}}, []byte{0x1a, 0}},
		{"SequenceExample.feature_lists=2", &tfpb.SequenceExample{FeatureLists: &tfpb.FeatureLists{}}, []byte{0x12, 0}},
		// What TensorFlow's tf.train.Example(features=tf.train.Features(
		// feature={"x": tf.train.Feature(float_list=tf.train.FloatList(
		// value=[1.0]))})).SerializeToString() returns.
		{"Example.features=1", &tfpb.Example{Features: &tfpb.Features{Feature: map[string]*tfpb.Feature{
			"x": {Kind: &tfpb.Feature_FloatList{FloatList: &tfpb.FloatList{Value: []float32{1}}}},
		}}}, []byte("\n\x0f\n\r\n\x01x\x12\x08\x12\x06\n\x04\x00\x00\x80?")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := proto.Marshal(tc.msg)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestDecodeTinyAddition(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(sharedModels(t), "frozen", "tiny", "addition.pb"))
	require.NoError(t, err)
	g := &tfpb.GraphDef{}
	decodeStrict(t, data, g)

	ops := map[string]int{}
	for _, n := range g.GetNode() {
		ops[n.GetOp()]++
	}
	assert.Positive(t, ops["AddV2"], "ops: %v", ops)
	assert.Positive(t, ops["Placeholder"], "ops: %v", ops)
	for _, n := range g.GetNode() {
		if n.GetOp() == "Placeholder" {
			assert.NotEqual(t, tfpb.DataType_DT_INVALID, n.GetAttr()["dtype"].GetType(), n.GetName())
		}
	}
}

func TestDecodeHalfPlusTwoTF2(t *testing.T) {
	path := filepath.Join(sharedModels(t), "savedmodel", "tfserving", "saved_model_half_plus_two_tf2_cpu", "saved_model.pb")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	sm := &tfpb.SavedModel{}
	decodeStrict(t, data, sm)

	var serve *tfpb.MetaGraphDef
	for _, mg := range sm.GetMetaGraphs() {
		for _, tag := range mg.GetMetaInfoDef().GetTags() {
			if tag == "serve" {
				serve = mg
			}
		}
	}
	require.NotNil(t, serve, "no MetaGraphDef tagged serve")
	sig, ok := serve.GetSignatureDef()["serving_default"]
	require.True(t, ok, "no serving_default signature; have %v", keys(serve.GetSignatureDef()))
	assert.NotEmpty(t, sig.GetInputs())
	assert.NotEmpty(t, sig.GetOutputs())
	require.NotNil(t, serve.GetObjectGraphDef(), "TF2 export must carry an object graph")
	assert.NotEmpty(t, serve.GetObjectGraphDef().GetNodes())
	assert.NotEmpty(t, serve.GetObjectGraphDef().GetConcreteFunctions())
	assert.NotEmpty(t, serve.GetGraphDef().GetLibrary().GetFunction())
}

// TestDecodeAllSharedModels is the main check that our field numbers cover
// what TensorFlow writes: every saved_model.pb, frozen graph and .meta file
// in the shared folder must decode with no unknown fields anywhere.
func TestDecodeAllSharedModels(t *testing.T) {
	root := sharedModels(t)

	type file struct {
		rel  string
		kind string
	}
	var files []file
	add := func(sub string, pick func(path string) string) {
		dir := filepath.Join(root, sub)
		if _, err := os.Stat(dir); err != nil {
			return
		}
		require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if kind := pick(p); kind != "" {
				rel, _ := filepath.Rel(root, p)
				files = append(files, file{rel, kind})
			}
			return nil
		}))
	}
	add("savedmodel", func(p string) string {
		if filepath.Base(p) == "saved_model.pb" {
			return "SavedModel"
		}
		return ""
	})
	add("frozen", func(p string) string {
		switch {
		case filepath.Base(p) == "saved_model.pb":
			return "SavedModel"
		case strings.HasSuffix(p, ".pb"):
			return "GraphDef"
		case strings.HasSuffix(p, ".meta"):
			return "MetaGraphDef"
		}
		return ""
	})
	sort.Slice(files, func(i, j int) bool { return files[i].rel < files[j].rel })
	require.NotEmpty(t, files, "no model files found under %s", root)

	for _, f := range files {
		t.Run(f.rel, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(root, f.rel))
			require.NoError(t, err)
			var m proto.Message
			switch f.kind {
			case "SavedModel":
				m = &tfpb.SavedModel{}
			case "MetaGraphDef":
				m = &tfpb.MetaGraphDef{}
			default:
				m = &tfpb.GraphDef{}
			}
			decodeStrict(t, data, m)
			switch v := m.(type) {
			case *tfpb.SavedModel:
				assert.NotEmpty(t, v.GetMetaGraphs())
			case *tfpb.GraphDef:
				assert.NotEmpty(t, v.GetNode())
			case *tfpb.MetaGraphDef:
				assert.NotEmpty(t, v.GetGraphDef().GetNode())
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestUnknownFieldsDetected proves the walker used by the real-file checks
// does report unknown fields, and where they are.
func TestUnknownFieldsDetected(t *testing.T) {
	node := &tfpb.NodeDef{Name: "n"}
	unknown := protowire.AppendTag(nil, 99, protowire.VarintType)
	unknown = protowire.AppendVarint(unknown, 1)
	node.ProtoReflect().SetUnknown(unknown)
	attr := &tfpb.AttrValue{Value: &tfpb.AttrValue_I{I: 1}}
	attr.ProtoReflect().SetUnknown(unknown)
	node.Attr = map[string]*tfpb.AttrValue{"k": attr}

	data, err := proto.Marshal(&tfpb.GraphDef{Node: []*tfpb.NodeDef{node}})
	require.NoError(t, err)
	g := &tfpb.GraphDef{}
	require.NoError(t, proto.Unmarshal(data, g))
	got := unknownFields(g.ProtoReflect(), "GraphDef")
	require.Len(t, got, 2)
	sort.Strings(got)
	assert.True(t, strings.HasPrefix(got[0], "GraphDef.node[0] (tfoffload.tensorflow.NodeDef)"), got[0])
	assert.True(t, strings.HasPrefix(got[1], "GraphDef.node[0].attr[k] (tfoffload.tensorflow.AttrValue)"), got[1])
}
