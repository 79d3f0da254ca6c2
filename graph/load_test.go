package graph

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// smallGraph is y = x·w + b with a 64×64 weight, big enough that cutting
// its encoding in half lands inside a field.
func smallGraph(t testing.TB) *tfpb.GraphDef {
	t.Helper()
	w := make([]float32, 64*64)
	for i := range w {
		w[i] = float32(i)
	}
	wp, err := tensor.ToTFProto(tensor.MustFromSlice(tensor.Shape{64, 64}, w))
	require.NoError(t, err)
	bp, err := tensor.ToTFProto(tensor.MustFromSlice(tensor.Shape{64}, make([]float32, 64)))
	require.NoError(t, err)
	f32 := &tfpb.AttrValue{Value: &tfpb.AttrValue_Type{Type: tfpb.DataType(tensor.Float32)}}
	shape := &tfpb.AttrValue{Value: &tfpb.AttrValue_Shape{Shape: &tfpb.TensorShapeProto{Dim: []*tfpb.TensorShapeProto_Dim{{Size: -1}, {Size: 64}}}}}
	return &tfpb.GraphDef{
		Node: []*tfpb.NodeDef{
			{Name: "x", Op: "Placeholder", Attr: map[string]*tfpb.AttrValue{"dtype": f32, "shape": shape}},
			{Name: "w", Op: "Const", Attr: map[string]*tfpb.AttrValue{"dtype": f32, "value": {Value: &tfpb.AttrValue_Tensor{Tensor: wp}}}},
			{Name: "b", Op: "Const", Attr: map[string]*tfpb.AttrValue{"dtype": f32, "value": {Value: &tfpb.AttrValue_Tensor{Tensor: bp}}}},
			{Name: "mm", Op: "MatMul", Input: []string{"x", "w"}, Attr: map[string]*tfpb.AttrValue{"T": f32}},
			{Name: "y", Op: "BiasAdd", Input: []string{"mm", "b"}, Attr: map[string]*tfpb.AttrValue{"T": f32}},
		},
		Versions: &tfpb.VersionDef{Producer: 1205},
	}
}

func marshal(t testing.TB, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	require.NoError(t, err)
	return b
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

// savedModel wraps graphs into a SavedModel, one MetaGraphDef per tag set.
func savedModel(t testing.TB, tagSets ...[]string) *tfpb.SavedModel {
	sm := &tfpb.SavedModel{SavedModelSchemaVersion: 1}
	for _, tags := range tagSets {
		sm.MetaGraphs = append(sm.MetaGraphs, &tfpb.MetaGraphDef{
			MetaInfoDef: &tfpb.MetaGraphDef_MetaInfoDef{Tags: tags, TensorflowVersion: "2.14.0", TensorflowGitVersion: "v2.14.0-rc1-21-g4dacf3f368e"},
			GraphDef:    smallGraph(t),
			SignatureDef: map[string]*tfpb.SignatureDef{
				"serving_default": {
					MethodName: "tensorflow/serving/predict",
					Inputs:     map[string]*tfpb.TensorInfo{"x": {Encoding: &tfpb.TensorInfo_Name{Name: "x:0"}, Dtype: tfpb.DataType(tensor.Float32), TensorShape: &tfpb.TensorShapeProto{Dim: []*tfpb.TensorShapeProto_Dim{{Size: -1}, {Size: 64}}}}},
					Outputs:    map[string]*tfpb.TensorInfo{"y": {Encoding: &tfpb.TensorInfo_Name{Name: "y"}, Dtype: tfpb.DataType(tensor.Float32)}},
				},
				"aaa": {Outputs: map[string]*tfpb.TensorInfo{"b": {Encoding: &tfpb.TensorInfo_Name{Name: "b:0"}, Dtype: tfpb.DataType(tensor.Float32)}, "a": {Encoding: &tfpb.TensorInfo_Name{Name: "w:0"}, Dtype: tfpb.DataType(tensor.Float32)}}},
			},
		})
	}
	return sm
}

func TestLoadFrozenForms(t *testing.T) {
	g := smallGraph(t)
	bin := marshal(t, g)
	text, err := prototext.Marshal(g)
	require.NoError(t, err)
	dir := t.TempDir()
	tests := []struct {
		name   string
		file   string
		data   []byte
		format Format
	}{
		{"binary .pb", "m.pb", bin, FormatFrozen},
		{"binary, no extension", "model", bin, FormatFrozen},
		{"binary, odd extension", "model.bytes", bin, FormatFrozen},
		{"text .pbtxt", "m.pbtxt", text, FormatText},
		{"text, no extension", "graph", text, FormatText},
		{"text .prototxt", "m.prototxt", text, FormatText},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, dir, tc.file, tc.data)
			m, err := Load(p)
			require.NoError(t, err)
			assert.Equal(t, tc.format, m.Format)
			assert.Equal(t, p, m.Path)
			assert.Len(t, m.Graph.GetNode(), 5)
			assert.Equal(t, int32(1205), m.GraphProducer)
			assert.Equal(t, "GraphDef producer 1205", m.Producer)
			assert.Equal(t, int64((64*64+64)*4), m.WeightBytes)
			assert.False(t, m.HasVariables())
			require.Len(t, m.Inputs(), 1)
			assert.Equal(t, TensorInfo{Name: "x:0", DType: tensor.Float32, Shape: []int64{-1, 64}, RankKnown: true}, m.Inputs()[0])
			require.Len(t, m.Outputs(), 1)
			assert.Equal(t, "y:0", m.Outputs()[0].Name)
		})
	}
}

func TestLoadKeepsUnknownFields(t *testing.T) {
	g := smallGraph(t)
	bin := marshal(t, g)
	// Field 100 of GraphDef, varint 42: a field from a newer TensorFlow.
	bin = append(bin, 0xa0, 0x06, 42)
	p := writeFile(t, t.TempDir(), "m.pb", bin)
	m, err := Load(p)
	require.NoError(t, err)
	assert.Equal(t, []byte{0xa0, 0x06, 42}, []byte(m.Graph.ProtoReflect().GetUnknown()))
}

func TestLoadSavedModel(t *testing.T) {
	dir := t.TempDir()
	sm := savedModel(t, []string{"serve"})
	pb := writeFile(t, dir, "sm/saved_model.pb", marshal(t, sm))
	writeFile(t, dir, "sm/variables/variables.index", []byte("idx"))
	writeFile(t, dir, "sm/variables/variables.data-00000-of-00002", make([]byte, 100))
	writeFile(t, dir, "sm/variables/variables.data-00001-of-00002", make([]byte, 23))
	text, err := prototext.Marshal(sm)
	require.NoError(t, err)
	writeFile(t, dir, "smtxt/saved_model.pbtxt", text)

	for _, path := range []string{filepath.Join(dir, "sm"), pb, filepath.Join(dir, "smtxt")} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			m, err := Load(path)
			require.NoError(t, err)
			assert.Equal(t, FormatSavedModel, m.Format)
			assert.Equal(t, []string{"serve"}, m.Tags)
			assert.Equal(t, "TensorFlow 2.14.0 (v2.14.0-rc1-21-g4dacf3f368e)", m.Producer)
			require.Len(t, m.Signatures, 2)
			assert.Equal(t, "aaa", m.Signatures[0].Key)
			assert.Equal(t, []string{"a", "b"}, []string{m.Signatures[0].Outputs[0].Key, m.Signatures[0].Outputs[1].Key})
			s := m.DefaultSignature()
			require.NotNil(t, s)
			assert.Equal(t, "serving_default", s.Key)
			assert.Equal(t, "tensorflow/serving/predict", s.Method)
			assert.Equal(t, []TensorInfo{{Key: "x", Name: "x:0", DType: tensor.Float32, Shape: []int64{-1, 64}, RankKnown: true}}, s.Inputs)
			assert.Equal(t, []TensorInfo{{Key: "y", Name: "y:0", DType: tensor.Float32}}, s.Outputs)
			assert.Equal(t, s.Inputs, m.Inputs())
			if strings.HasSuffix(path, "smtxt") {
				assert.Empty(t, m.VariablesDir)
				assert.Equal(t, int64((64*64+64)*4), m.WeightBytes)
			} else {
				assert.Equal(t, filepath.Join(dir, "sm", "variables"), m.VariablesDir)
				assert.Equal(t, filepath.Join(dir, "sm", "variables", "variables"), m.CheckpointPrefix)
				assert.Equal(t, int64((64*64+64)*4+123), m.WeightBytes)
			}
		})
	}
}

func TestLoadSavedModelTags(t *testing.T) {
	tests := []struct {
		name     string
		sets     [][]string
		opts     []Option
		wantTags []string
		wantErr  string
	}{
		{name: "default serve", sets: [][]string{{"train"}, {"serve"}}, wantTags: []string{"serve"}},
		{name: "explicit", sets: [][]string{{"train"}, {"serve"}}, opts: []Option{WithTags("train")}, wantTags: []string{"train"}},
		{name: "explicit set, any order", sets: [][]string{{"serve"}, {"serve", "gpu"}}, opts: []Option{WithTags("gpu", "serve")}, wantTags: []string{"serve", "gpu"}},
		{name: "default accepts the only set holding serve", sets: [][]string{{"train", "serve"}}, wantTags: []string{"train", "serve"}},
		{name: "default accepts a lone untagged graph", sets: [][]string{nil}, wantTags: []string{}},
		{name: "explicit empty set", sets: [][]string{{"serve"}, nil}, opts: []Option{WithTags()}, wantTags: []string{}},
		{
			name: "explicit tags must match exactly", sets: [][]string{{"train", "serve"}}, opts: []Option{WithTags("serve")},
			wantErr: "no MetaGraphDef with the requested tags [serve]; available tag sets: [train,serve]",
		},
		{
			name: "explicit tags do not take the untagged graph", sets: [][]string{nil}, opts: []Option{WithTags("serve")},
			wantErr: "available tag sets: []",
		},
		{
			name: "ambiguous superset", sets: [][]string{{"serve", "gpu"}, {"serve", "tpu"}},
			wantErr: "no MetaGraphDef with the requested tags [serve]; available tag sets: [serve,gpu], [serve,tpu]",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "saved_model.pb", marshal(t, savedModel(t, tc.sets...)))
			m, err := Load(dir, tc.opts...)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrNoMetaGraph)
				var te *TagsError
				require.ErrorAs(t, err, &te)
				assert.Len(t, te.Available, len(tc.sets))
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			if len(tc.wantTags) == 0 {
				assert.Empty(t, m.Tags)
			} else {
				assert.Equal(t, tc.wantTags, m.Tags)
			}
		})
	}
}

func TestLoadMetaGraphFile(t *testing.T) {
	dir := t.TempDir()
	g := smallGraph(t)
	g.Node = append(g.Node, &tfpb.NodeDef{Name: "v", Op: "VariableV2"}, &tfpb.NodeDef{Name: "h", Op: "VarHandleOp"})
	mg := &tfpb.MetaGraphDef{MetaInfoDef: &tfpb.MetaGraphDef_MetaInfoDef{TensorflowVersion: "1.11.0", TensorflowGitVersion: "b'v1.11.0-rc2-4-gc19e29306c'"}, GraphDef: g}
	p := writeFile(t, dir, "model.meta", marshal(t, mg))
	writeFile(t, dir, "model.index", []byte("x"))
	writeFile(t, dir, "model.data-00000-of-00001", make([]byte, 10))
	m, err := Load(p)
	require.NoError(t, err)
	assert.Equal(t, FormatMetaGraph, m.Format)
	assert.Equal(t, "meta-graph", m.Format.String())
	assert.Equal(t, "TensorFlow 1.11.0 (v1.11.0-rc2-4-gc19e29306c)", m.Producer)
	assert.Equal(t, []string{"v", "h"}, m.Variables)
	assert.Equal(t, filepath.Join(dir, "model"), m.CheckpointPrefix)
	assert.Equal(t, int64((64*64+64)*4+10), m.WeightBytes)

	// The same bytes under a .pb name are recognised by content.
	p2 := writeFile(t, dir, "renamed.pb", marshal(t, mg))
	m, err = Load(p2)
	require.NoError(t, err)
	assert.Equal(t, FormatMetaGraph, m.Format)

	// And a SavedModel under another name too.
	p3 := writeFile(t, dir, "exported.pb", marshal(t, savedModel(t, []string{"serve"})))
	m, err = Load(p3)
	require.NoError(t, err)
	assert.Equal(t, FormatSavedModel, m.Format)
}

func TestVariableNodes(t *testing.T) {
	g := graphOf(node("a", "VariableV2"), node("c", "Const"), node("b", "Variable"), node("h", "VarHandleOp"), node("hs", "_VarHandlesOp"))
	g.Library = &tfpb.FunctionDefLibrary{Function: []*tfpb.FunctionDef{{
		Signature: &tfpb.OpDef{Name: "fn"},
		NodeDef:   []*tfpb.NodeDef{node("inner", "VarHandleOp"), node("read", "ReadVariableOp", "inner")},
	}}}
	assert.Equal(t, []string{"a", "b", "h", "hs", "fn/inner"}, VariableNodes(g))
	assert.True(t, IsVariableOp("VariableV2"))
	assert.False(t, IsVariableOp("ReadVariableOp"))
}

func TestOpCounts(t *testing.T) {
	g := graphOf(node("a", "Const"), node("b", "Neg"), node("c", "Const"), node("d", "Abs"), node("e", "Neg"), node("f", "Const"))
	assert.Equal(t, []OpCount{{"Const", 3}, {"Neg", 2}, {"Abs", 1}}, OpCounts(g))
}

func TestTensorProtoBytes(t *testing.T) {
	dims := func(d ...int64) *tfpb.TensorShapeProto {
		s := &tfpb.TensorShapeProto{}
		for _, x := range d {
			s.Dim = append(s.Dim, &tfpb.TensorShapeProto_Dim{Size: x})
		}
		return s
	}
	tests := []struct {
		name string
		p    *tfpb.TensorProto
		want int64
	}{
		{"nil", nil, 0},
		{"float32 broadcast scalar value", &tfpb.TensorProto{Dtype: 1, TensorShape: dims(10, 10), FloatVal: []float32{1}}, 400},
		{"int64 content", &tfpb.TensorProto{Dtype: 9, TensorShape: dims(3), TensorContent: make([]byte, 24)}, 24},
		{"strings", &tfpb.TensorProto{Dtype: 7, TensorShape: dims(2), StringVal: [][]byte{[]byte("ab"), []byte("cde")}}, 5},
		{"broadcast string", &tfpb.TensorProto{Dtype: 7, TensorShape: dims(3), StringVal: [][]byte{[]byte("ab")}}, 6},
		{"negative dim counts content", &tfpb.TensorProto{Dtype: 1, TensorShape: dims(-5), TensorContent: make([]byte, 8)}, 8},
		{"overflow saturates", &tfpb.TensorProto{Dtype: 1, TensorShape: dims(1<<40, 1<<40)}, 1<<63 - 1},
		{"resource", &tfpb.TensorProto{Dtype: 20, TensorShape: dims()}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, TensorProtoBytes(tc.p))
		})
	}
}

func TestFormatShape(t *testing.T) {
	assert.Equal(t, "[-1,224,224,3]", FormatShape([]int64{-1, 224, 224, 3}, true))
	assert.Equal(t, "[]", FormatShape(nil, true))
	assert.Equal(t, "?", FormatShape(nil, false))
	assert.Equal(t, "unknown", DTypeName(tensor.Invalid))
	assert.Equal(t, "uint8", DTypeName(tensor.Uint8))
	assert.Equal(t, "x:0 float32 [2]", TensorInfo{Name: "x:0", DType: tensor.Float32, Shape: []int64{2}, RankKnown: true}.String())
}

func TestDefaultSignature(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		want string
	}{
		{"serving_default wins", []string{"a", "serving_default"}, "serving_default"},
		{"only one", []string{"predict"}, "predict"},
		{"init op does not count", []string{"__saved_model_init_op", "predict"}, "predict"},
		{"ambiguous", []string{"a", "b"}, ""},
		{"none", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := &Model{Graph: graphOf(node("p", "Placeholder"))}
			for _, k := range tc.keys {
				m.Signatures = append(m.Signatures, Signature{Key: k, Inputs: []TensorInfo{{Key: "in", Name: k + ":0"}}})
			}
			s := m.DefaultSignature()
			if tc.want == "" {
				assert.Nil(t, s)
				assert.Equal(t, "p:0", m.Inputs()[0].Name, "falls back to placeholders")
				return
			}
			require.NotNil(t, s)
			assert.Equal(t, tc.want, s.Key)
			assert.Equal(t, tc.want+":0", m.Inputs()[0].Name)
		})
	}
}

func TestLoadMalformed(t *testing.T) {
	g := smallGraph(t)
	bin := marshal(t, g)
	jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0}, make([]byte, 200)...)
	random := []byte("\xc7\x93\x11\xfe\x02\x9a\xb4\x00\x13\x77\xe1\x5c\x08\xff\x42\x99\x31")
	noOp := marshal(t, &tfpb.GraphDef{Node: []*tfpb.NodeDef{{Name: "a"}}})
	dangling := marshal(t, graphOf(node("a", "Neg", "ghost")))
	dup := marshal(t, graphOf(node("a", "Const"), node("a", "Const")))
	otherProto := marshal(t, &tfpb.TensorProto{Dtype: 1, FloatVal: []float32{1, 2}})

	tests := []struct {
		name    string
		files   map[string][]byte
		load    string // relative to the temp dir; "" loads the dir
		is      error
		message string // substring
	}{
		{name: "truncated .pb", files: map[string][]byte{"m.pb": bin[:len(bin)/2]}, load: "m.pb", is: ErrCorrupt, message: "truncated or damaged GraphDef"},
		{name: "JPEG as .pb", files: map[string][]byte{"m.pb": jpeg}, load: "m.pb", is: ErrNotModel, message: "JPEG image data"},
		{name: "JPEG without extension", files: map[string][]byte{"photo": jpeg}, load: "photo", is: ErrNotModel, message: "JPEG"},
		{name: "random bytes as .pb", files: map[string][]byte{"m.pb": random}, load: "m.pb", is: ErrNotModel},
		{name: "empty file", files: map[string][]byte{"m.pb": nil}, load: "m.pb", is: ErrNotModel, message: "empty"},
		{name: "empty json", files: map[string][]byte{"model.json": []byte("  \n")}, load: "model.json", is: ErrNotModel, message: "empty"},
		{name: "node without op", files: map[string][]byte{"m.pb": noOp}, load: "m.pb", is: ErrNotModel, message: `node 0 ("a") has no op`},
		{name: "another protobuf", files: map[string][]byte{"m.pb": otherProto}, load: "m.pb", is: ErrNotModel},
		{name: "dangling input", files: map[string][]byte{"m.pb": dangling}, load: "m.pb", is: ErrCorrupt, message: `node "a" (Neg) has input "ghost"`},
		{name: "duplicate node", files: map[string][]byte{"m.pb": dup}, load: "m.pb", is: ErrCorrupt, message: `two nodes are named "a"`},
		{name: "bad text", files: map[string][]byte{"m.pbtxt": []byte("node {\n  name: \"a\"\n  op: \n}")}, load: "m.pbtxt", is: ErrCorrupt, message: "line 4"},
		{name: "prose without extension", files: map[string][]byte{"notes": []byte("Hello, world: this is text.\n")}, load: "notes", is: ErrNotModel, message: "the file is text but not protobuf text format (proto:"},
		{name: "damaged text graph without extension", files: map[string][]byte{"g": []byte("node {\n  name: \"a\"\n  op: \n}")}, load: "g", is: ErrCorrupt, message: "line 4"},
		{name: "text of nothing", files: map[string][]byte{"m.pbtxt": []byte("# just a comment\n")}, load: "m.pbtxt", is: ErrNotModel},
		{name: "directory without a model", files: map[string][]byte{"README.md": []byte("hi"), "data.json": []byte("{}")}, load: "", is: ErrNotModel, message: "holds no saved_model.pb"},
		{name: "truncated saved_model.pb", files: map[string][]byte{"saved_model.pb": marshal(t, savedModel(t, []string{"serve"}))[:300]}, load: "", is: ErrCorrupt, message: "saved_model.pb"},
		{name: "JPEG as saved_model.pb", files: map[string][]byte{"saved_model.pb": jpeg}, load: "", is: ErrNotModel, message: "JPEG"},
		{name: "missing file", files: nil, load: "nope.pb", is: fs.ErrNotExist, message: "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tc.files {
				writeFile(t, dir, name, data)
			}
			path := filepath.Join(dir, tc.load)
			if tc.load == "" {
				path = dir
			}
			m, err := Load(path)
			require.Error(t, err)
			assert.Nil(t, m)
			assertLoadError(t, err, tc.is, tc.message)
		})
	}
}

// assertLoadError checks the contract of every Load failure: one
// *LoadError naming a file under the loaded path, wrapping the sentinel,
// on one line.
func assertLoadError(t *testing.T, err error, is error, message string) {
	t.Helper()
	var le *LoadError
	require.ErrorAs(t, err, &le)
	assert.NotEmpty(t, le.Path)
	assert.True(t, strings.HasPrefix(err.Error(), "load "+le.Path+": "), err.Error())
	assert.ErrorIs(t, err, is)
	assert.NotContains(t, err.Error(), "\n")
	if message != "" {
		assert.Contains(t, err.Error(), message)
	}
	// Exactly one sentinel of this package; a refused file may also be a
	// bad TF.js weight shard.
	n := 0
	for _, s := range []error{ErrNotModel, ErrCorrupt, ErrNoMetaGraph, ErrWeights, ErrUnsupported, ErrUnsafePath, ErrTooLarge} {
		if errors.Is(err, s) {
			n++
		}
	}
	file := errors.Is(err, ErrUnsafePath) || errors.Is(err, ErrTooLarge)
	switch {
	case file && errors.Is(err, ErrWeights):
		assert.Equal(t, 2, n, "sentinels in %v", err)
	case !errors.Is(err, fs.ErrNotExist):
		assert.Equal(t, 1, n, "sentinels in %v", err)
	}
}

func TestParseGraphDefDirect(t *testing.T) {
	g, err := ParseGraphDef(marshal(t, smallGraph(t)))
	require.NoError(t, err)
	assert.Len(t, g.GetNode(), 5)
	_, err = ParseGraphDef(nil)
	assert.ErrorIs(t, err, ErrNotModel)
	text, err := prototext.Marshal(smallGraph(t))
	require.NoError(t, err)
	g, err = ParseGraphDefText(text)
	require.NoError(t, err)
	assert.Len(t, g.GetNode(), 5)
}
