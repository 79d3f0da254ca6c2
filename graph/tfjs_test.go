package graph

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// tfjsConst is a TF.js-style Const node: dtype and shape, no content (the
// converter moves the content into the weight shards).
func tfjsConst(name string, dt tensor.DType, dims ...int64) *tfpb.NodeDef {
	shape := &tfpb.TensorShapeProto{}
	for _, d := range dims {
		shape.Dim = append(shape.Dim, &tfpb.TensorShapeProto_Dim{Size: d})
	}
	return &tfpb.NodeDef{Name: name, Op: "Const", Attr: map[string]*tfpb.AttrValue{
		"dtype": {Value: &tfpb.AttrValue_Type{Type: tfpb.DataType(dt)}},
		"value": {Value: &tfpb.AttrValue_Tensor{Tensor: &tfpb.TensorProto{Dtype: tfpb.DataType(dt), TensorShape: shape}}},
	}}
}

func topologyJSON(t testing.TB, g *tfpb.GraphDef) json.RawMessage {
	t.Helper()
	b, err := protojson.Marshal(g)
	require.NoError(t, err)
	return b
}

func le16(vs ...uint16) []byte {
	b := make([]byte, 2*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint16(b[2*i:], v)
	}
	return b
}

func le32(vs ...uint32) []byte {
	b := make([]byte, 4*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return b
}

func f32bytes(vs ...float32) []byte {
	u := make([]uint32, len(vs))
	for i, v := range vs {
		u[i] = math.Float32bits(v)
	}
	return le32(u...)
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// tfjsFixture is a TF.js graph model exercising every weight encoding.
type tfjsFixture struct {
	json   map[string]any
	shards map[string][]byte
}

func newTFJSFixture(t testing.TB) *tfjsFixture {
	g := &tfpb.GraphDef{
		Node: []*tfpb.NodeDef{
			{Name: "x", Op: "Placeholder", Attr: map[string]*tfpb.AttrValue{"dtype": {Value: &tfpb.AttrValue_Type{Type: 1}}}},
			tfjsConst("q8", tensor.Float32, 2, 2),
			tfjsConst("q16", tensor.Float32, 3),
			tfjsConst("h", tensor.Float32, 2),
			tfjsConst("qi", tensor.Int32, 3),
			tfjsConst("s", tensor.String, 2),
			tfjsConst("b", tensor.Bool, 3),
			tfjsConst("c", tensor.Complex64, 1),
			tfjsConst("i64", tensor.Int64, 2),
			tfjsConst("f", tensor.Float32, 1),
			tfjsConst("g2", tensor.Int32, 2),
			tfjsConst("g2f", tensor.Float32, 1),
			{Name: "y", Op: "AddV2", Input: []string{"x", "f"}},
		},
		Versions: &tfpb.VersionDef{Producer: 175},
	}
	init := &tfpb.GraphDef{Node: []*tfpb.NodeDef{tfjsConst("init_c", tensor.Int32, 1)}}
	group1 := cat(
		[]byte{0, 1, 2, 255},           // q8
		le16(0, 1000, 65535),           // q16
		le16(0x3c00, 0xc100),           // h: 1, -2.5
		[]byte{0, 1, 3},                // qi
		le32(2), []byte("ab"), le32(0), // s: "ab", ""
		[]byte{1, 0, 2},           // b
		f32bytes(1, 2),            // c: 1+2i
		le32(5, math.MaxUint32-6), // i64: 5, -7 as int32
		f32bytes(0.75),            // f
	)
	return &tfjsFixture{
		json: map[string]any{
			"format":           "graph-model",
			"generatedBy":      "2.14.0",
			"convertedBy":      "TensorFlow.js Converter v4.0.0",
			"modelTopology":    topologyJSON(t, g),
			"modelInitializer": topologyJSON(t, init),
			"signature": map[string]any{
				"inputs":  map[string]any{"x:0": map[string]any{"name": "x:0", "dtype": "DT_FLOAT", "tensorShape": map[string]any{"dim": []any{map[string]any{"size": "-1"}, map[string]any{"size": "3"}}}}},
				"outputs": map[string]any{"y:0": map[string]any{"name": "y:0", "dtype": "DT_FLOAT"}},
			},
			"weightsManifest": []any{
				map[string]any{
					"paths": []string{"group1-shard1of2.bin", "sub/group1-shard2of2.bin"},
					"weights": []any{
						map[string]any{"name": "q8", "shape": []int{2, 2}, "dtype": "float32", "quantization": map[string]any{"dtype": "uint8", "min": -1.0, "scale": 0.5}},
						map[string]any{"name": "q16", "shape": []int{3}, "dtype": "float32", "quantization": map[string]any{"dtype": "uint16", "min": 0.0, "scale": 0.001, "original_dtype": "float32"}},
						map[string]any{"name": "h", "shape": []int{2}, "dtype": "float32", "quantization": map[string]any{"dtype": "float16"}},
						map[string]any{"name": "qi", "shape": []int{3}, "dtype": "int32", "quantization": map[string]any{"dtype": "uint8", "min": -1.5, "scale": 1.0}},
						map[string]any{"name": "s", "shape": []int{2}, "dtype": "string"},
						map[string]any{"name": "b", "shape": []int{3}, "dtype": "bool"},
						map[string]any{"name": "c", "shape": []int{1}, "dtype": "complex64"},
						map[string]any{"name": "i64", "shape": []int{2}, "dtype": "int32"},
						map[string]any{"name": "f", "shape": []int{1}, "dtype": "float32"},
					},
				},
				map[string]any{
					"paths": []string{"group2-shard1of1.bin"},
					"weights": []any{
						map[string]any{"name": "g2", "shape": []int{2}, "dtype": "int32"},
						map[string]any{"name": "init_c", "shape": []int{1}, "dtype": "int32"},
						map[string]any{"name": "g2f", "shape": []int{1}, "dtype": "float32"},
					},
				},
			},
		},
		shards: map[string][]byte{
			// Split mid-weight: shards are cut by size, not by weight.
			"group1-shard1of2.bin":     group1[:13],
			"sub/group1-shard2of2.bin": group1[13:],
			"group2-shard1of1.bin":     cat(le32(10, 20), le32(99), f32bytes(3)),
		},
	}
}

func (f *tfjsFixture) bytes(t testing.TB) []byte {
	b, err := json.Marshal(f.json)
	require.NoError(t, err)
	return b
}

func (f *tfjsFixture) reader(name string) ([]byte, error) {
	b, ok := f.shards[name]
	if !ok {
		return nil, fmt.Errorf("open %s: %w", name, os.ErrNotExist)
	}
	return b, nil
}

// write stores the fixture in dir under jsonName and returns its path.
func (f *tfjsFixture) write(t testing.TB, dir, jsonName string) string {
	for name, data := range f.shards {
		writeFile(t, dir, name, data)
	}
	return writeFile(t, dir, jsonName, f.bytes(t))
}

func constValue(t *testing.T, g *tfpb.GraphDef, name string) *tensor.Tensor {
	t.Helper()
	ix, err := NewIndex(g)
	require.NoError(t, err)
	n := ix.Node(name)
	require.NotNil(t, n, name)
	v, err := AttrsOf(n).Tensor("value")
	require.NoError(t, err)
	return v
}

func TestParseTFJSWeights(t *testing.T) {
	f := newTFJSFixture(t)
	m, err := ParseTFJS(f.bytes(t), f.reader)
	require.NoError(t, err)
	assert.Equal(t, FormatTFJS, m.Format)
	assert.Equal(t, "format graph-model, generated by 2.14.0, converted by TensorFlow.js Converter v4.0.0", m.Producer)
	assert.Equal(t, int32(175), m.GraphProducer)

	tests := []struct {
		name  string
		dtype tensor.DType
		shape tensor.Shape
		want  any
	}{
		{"q8", tensor.Float32, tensor.Shape{2, 2}, []float32{-1, -0.5, 0, 126.5}},
		{"q16", tensor.Float32, tensor.Shape{3}, []float32{0, 1, float32(65.535)}},
		{"h", tensor.Float32, tensor.Shape{2}, []float32{1, -2.5}},
		// JavaScript's Math.round: -1.5 → -1, -0.5 → -0, 1.5 → 2.
		{"qi", tensor.Int32, tensor.Shape{3}, []int32{-1, 0, 2}},
		{"s", tensor.String, tensor.Shape{2}, []string{"ab", ""}},
		{"b", tensor.Bool, tensor.Shape{3}, []bool{true, false, true}},
		{"c", tensor.Complex64, tensor.Shape{1}, []complex64{1 + 2i}},
		{"i64", tensor.Int64, tensor.Shape{2}, []int64{5, -7}},
		{"f", tensor.Float32, tensor.Shape{1}, []float32{0.75}},
		{"g2", tensor.Int32, tensor.Shape{2}, []int32{10, 20}},
		{"g2f", tensor.Float32, tensor.Shape{1}, []float32{3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := constValue(t, m.Graph, tc.name)
			assert.Equal(t, tc.dtype, v.DType())
			assert.Equal(t, tc.shape, v.Shape())
			if want, ok := tc.want.([]float32); ok {
				assert.InDeltaSlice(t, want, tensor.Values[float32](v), 1e-6)
				return
			}
			assert.Equal(t, tc.want, v.Data())
		})
	}

	require.NotNil(t, m.Initializer)
	assert.Equal(t, []int32{99}, constValue(t, m.Initializer, "init_c").Data())

	require.Len(t, m.Signatures, 1)
	s := m.Signatures[0]
	assert.Equal(t, "serving_default", s.Key)
	assert.Equal(t, []TensorInfo{{Key: "x:0", Name: "x:0", DType: tensor.Float32, Shape: []int64{-1, 3}, RankKnown: true}}, s.Inputs)
	assert.Equal(t, s.Inputs, m.Inputs())
	assert.Equal(t, "y:0", m.Outputs()[0].Name)

	// 4·4 + 3·4 + 2·4 + 3·4 + 2 + 3 + 8 + 2·8 + 4 + 2·4 + 4 (graph) + 4 (initializer)
	assert.Equal(t, int64(16+12+8+12+2+3+8+16+4+8+4+4), m.WeightBytes)
}

func TestParseTFJSUserDefinedSignature(t *testing.T) {
	f := newTFJSFixture(t)
	f.json["userDefinedMetadata"] = map[string]any{"signature": f.json["signature"]}
	delete(f.json, "signature")
	m, err := ParseTFJS(f.bytes(t), f.reader)
	require.NoError(t, err)
	require.Len(t, m.Signatures, 1)
	assert.Equal(t, "x:0", m.Signatures[0].Inputs[0].Name)

	// A userDefinedMetadata of another shape is user data: ignored.
	f.json["userDefinedMetadata"] = map[string]any{"signature": "not an object"}
	m, err = ParseTFJS(f.bytes(t), f.reader)
	require.NoError(t, err)
	assert.Empty(t, m.Signatures)
	assert.Equal(t, "x:0", m.Inputs()[0].Name, "placeholders stand in")
}

func TestLoadTFJSPaths(t *testing.T) {
	f := newTFJSFixture(t)
	dir := t.TempDir()
	p := f.write(t, dir, "model.json")
	other := t.TempDir()
	q := f.write(t, other, "face.json")
	tests := []struct{ name, path string }{
		{"model.json", p},
		{"directory with model.json", dir},
		{"other json name", q},
		{"directory with one model json", other},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Load(tc.path)
			require.NoError(t, err)
			assert.Equal(t, FormatTFJS, m.Format)
			assert.Equal(t, tc.path, m.Path)
			assert.Equal(t, []float32{0.75}, constValue(t, m.Graph, "f").Data())
		})
	}

	// Two model JSON files in one directory are ambiguous.
	writeFile(t, other, "second.json", f.bytes(t))
	_, err := Load(other)
	assertLoadError(t, err, ErrNotModel, "several TF.js models (face.json, second.json)")
}

func TestLoadTFJSMalformed(t *testing.T) {
	weights := func(f *tfjsFixture, group int) []any {
		return f.json["weightsManifest"].([]any)[group].(map[string]any)["weights"].([]any)
	}
	weight := func(f *tfjsFixture, group, i int) map[string]any {
		return weights(f, group)[i].(map[string]any)
	}
	tests := []struct {
		name    string
		edit    func(f *tfjsFixture)
		raw     string // replaces model.json entirely
		is      error
		message string
		weight  string
		shard   string
	}{
		{
			name: "missing shard", edit: func(f *tfjsFixture) { delete(f.shards, "sub/group1-shard2of2.bin") },
			// q8 and q16 fit in the first 13 bytes; h straddles the shards.
			is: ErrWeights, message: `weight "h" (group 1): its bytes are in shard "sub/group1-shard2of2.bin", which cannot be read`,
			weight: "h", shard: "sub/group1-shard2of2.bin",
		},
		{
			name: "missing shard no weight needs", edit: func(f *tfjsFixture) {
				g := f.json["weightsManifest"].([]any)[1].(map[string]any)
				g["paths"] = []string{"group2-shard1of1.bin", "extra.bin"}
			},
			is: ErrWeights, message: `weight group 2: shard "extra.bin" cannot be read`, shard: "extra.bin",
		},
		{
			name: "short shard", edit: func(f *tfjsFixture) { f.shards["group2-shard1of1.bin"] = le32(10, 20, 99) },
			is: ErrWeights, message: `weight "g2f" (group 2): needs bytes 12 to 16 of the group's data, but its shards hold only 12 bytes (group2-shard1of1.bin: 12); shard "group2-shard1of1.bin" is short`,
			weight: "g2f", shard: "group2-shard1of1.bin",
		},
		{
			name: "short string", edit: func(f *tfjsFixture) {
				weight(f, 0, 4)["shape"] = []int{1000}
			},
			is: ErrWeights, weight: "s", shard: "sub/group1-shard2of2.bin", message: "is short",
		},
		{
			name: "bad quantization dtype", edit: func(f *tfjsFixture) { weight(f, 0, 0)["quantization"].(map[string]any)["dtype"] = "int4" },
			is: ErrWeights, weight: "q8", message: `unknown quantization dtype "int4" (want uint8, uint16 or float16)`,
		},
		{
			name: "quantization without scale", edit: func(f *tfjsFixture) { delete(weight(f, 0, 0)["quantization"].(map[string]any), "scale") },
			is: ErrWeights, weight: "q8", message: "uint8 quantization without min and scale",
		},
		{
			name: "float16 quantization of int32", edit: func(f *tfjsFixture) { weight(f, 0, 2)["dtype"] = "int32" },
			is: ErrWeights, weight: "h", message: "float16 quantization applies to float32 weights, not int32",
		},
		{
			name: "unknown dtype", edit: func(f *tfjsFixture) { weight(f, 0, 8)["dtype"] = "float128" },
			is: ErrWeights, weight: "f", message: `unknown dtype "float128"`,
		},
		{
			name: "negative shape", edit: func(f *tfjsFixture) { weight(f, 0, 8)["shape"] = []int{-1} },
			is: ErrWeights, weight: "f", message: "bad shape [-1]",
		},
		{
			name: "weight cannot become its node's dtype", edit: func(f *tfjsFixture) { weight(f, 0, 4)["name"] = "f"; weight(f, 0, 8)["name"] = "s" },
			is: ErrWeights, weight: "f", message: `node "f" (Const): the weight is string but the node holds float32`,
		},
		{
			name: "malformed JSON", raw: "{\n  \"format\": \"graph-model\",\n  \"modelTopology\": {\"node\": [}\n}",
			is: ErrCorrupt, message: "JSON syntax error at line 3, column 30",
		},
		{
			name: "wrong JSON type", raw: "{\"format\": 3, \"modelTopology\": {}}",
			is: ErrCorrupt, message: "at line 1, column 12: field format is a JSON number, want string",
		},
		{name: "JSON array", raw: "[1, 2]", is: ErrNotModel, message: "the JSON document is a top-level array, not an object"},
		{name: "no modelTopology", raw: `{"format": "graph-model", "weightsManifest": []}`, is: ErrNotModel, message: "no modelTopology"},
		{name: "empty topology", raw: `{"modelTopology": {}, "weightsManifest": []}`, is: ErrNotModel, message: "modelTopology: not a TensorFlow model: the GraphDef has no nodes"},
		{name: "topology not a GraphDef", raw: `{"modelTopology": {"node": 5}}`, is: ErrCorrupt, message: "modelTopology is not a GraphDef in protobuf JSON"},
		{name: "node name of the wrong type", raw: `{"modelTopology": {"node": [{"name": 5, "op": "Const"}]}}`, is: ErrCorrupt, message: "modelTopology is not a GraphDef"},
		{name: "layers model", raw: `{"format": "layers-model", "modelTopology": {"class_name": "Sequential"}}`, is: ErrUnsupported, message: "TF.js layers model"},
		{name: "layers model without format", raw: `{"modelTopology": {"class_name": "Model", "config": {}}}`, is: ErrUnsupported},
		{name: "bad signature", edit: func(f *tfjsFixture) { f.json["signature"] = map[string]any{"inputs": 3} }, is: ErrCorrupt, message: "signature is not a SignatureDef"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newTFJSFixture(t)
			if tc.edit != nil {
				tc.edit(f)
			}
			dir := t.TempDir()
			p := f.write(t, dir, "model.json")
			if tc.raw != "" {
				writeFile(t, dir, "model.json", []byte(tc.raw))
			}
			_, err := Load(p)
			require.Error(t, err)
			assertLoadError(t, err, tc.is, tc.message)
			var le *LoadError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, p, le.Path)
			if tc.weight != "" || tc.shard != "" {
				var we *WeightError
				require.ErrorAs(t, err, &we)
				assert.Equal(t, tc.weight, we.Weight)
				assert.Equal(t, tc.shard, we.Shard)
			}
		})
	}
}

func TestLoadTFJSMissingShardIsNotExist(t *testing.T) {
	f := newTFJSFixture(t)
	dir := t.TempDir()
	p := f.write(t, dir, "model.json")
	require.NoError(t, os.Remove(filepath.Join(dir, "group2-shard1of1.bin")))
	_, err := Load(p)
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.ErrorIs(t, err, ErrWeights)
	assert.Contains(t, err.Error(), "group2-shard1of1.bin")
}

func TestParseTFJSNilReader(t *testing.T) {
	f := newTFJSFixture(t)
	_, err := ParseTFJS(f.bytes(t), nil)
	assert.ErrorIs(t, err, ErrWeights)
}

// TestLoadTFJSManifestMismatch: the manifest and the graph must agree, as
// TensorFlow.js needs them to; before, a Const without a weight silently
// ran as zeros and a weight without a Const was dropped.
func TestLoadTFJSManifestMismatch(t *testing.T) {
	weights := func(f *tfjsFixture, group int) map[string]any {
		return f.json["weightsManifest"].([]any)[group].(map[string]any)
	}
	// dropF removes weight "f", the last of group 1, and its 4 bytes.
	dropF := func(f *tfjsFixture) {
		g := weights(f, 0)
		ws := g["weights"].([]any)
		g["weights"] = ws[:len(ws)-1]
		s := f.shards["sub/group1-shard2of2.bin"]
		f.shards["sub/group1-shard2of2.bin"] = s[:len(s)-4]
	}
	topology := func(f *tfjsFixture, field string, edit func(g *tfpb.GraphDef)) {
		g := &tfpb.GraphDef{}
		require.NoError(t, protojson.Unmarshal(f.json[field].(json.RawMessage), g))
		edit(g)
		f.json[field] = topologyJSON(t, g)
	}
	tests := []struct {
		name    string
		edit    func(f *tfjsFixture)
		message string // empty: the model loads
		node    string
		weight  string
	}{
		{name: "Const without weight", edit: dropF, message: `bad TF.js weights: Const node "f": has no weight in weightsManifest and no value of its own`, node: "f"},
		{name: "function Const without weight", edit: func(f *tfjsFixture) {
			topology(f, "modelTopology", func(g *tfpb.GraphDef) {
				g.Library = &tfpb.FunctionDefLibrary{Function: []*tfpb.FunctionDef{{
					Signature: &tfpb.OpDef{Name: "fn"},
					NodeDef:   []*tfpb.NodeDef{tfjsConst("fn_c", tensor.Float32, 3)},
				}}}
			})
		}, message: `Const node "fn_c": has no weight`, node: "fn_c"},
		{name: "initializer Const without weight", edit: func(f *tfjsFixture) {
			topology(f, "modelInitializer", func(g *tfpb.GraphDef) {
				g.Node = append(g.Node, tfjsConst("init_d", tensor.Int32, 2))
			})
		}, message: `Const node "init_d": has no weight`, node: "init_d"},
		{name: "weight naming no node", edit: func(f *tfjsFixture) {
			weights(f, 1)["weights"].([]any)[2].(map[string]any)["name"] = "ghost"
		}, message: `weight "ghost" (group 2): names no Const node of the graph`, weight: "ghost"},
		{name: "weight naming a Placeholder", edit: func(f *tfjsFixture) {
			weights(f, 1)["weights"].([]any)[2].(map[string]any)["name"] = "x"
		}, message: `weight "x" (group 2): names node "x", which is a Placeholder, not a Const`, weight: "x"},
		{name: "Const with an inline value needs no weight", edit: func(f *tfjsFixture) {
			dropF(f)
			topology(f, "modelTopology", func(g *tfpb.GraphDef) {
				for _, n := range g.Node {
					if n.Name == "f" {
						n.Attr["value"].GetTensor().FloatVal = []float32{0.25}
					}
				}
			})
		}},
		{name: "empty Const needs no weight", edit: func(f *tfjsFixture) {
			topology(f, "modelTopology", func(g *tfpb.GraphDef) {
				g.Node = append(g.Node, tfjsConst("none", tensor.Float32, 0, 3))
			})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newTFJSFixture(t)
			tc.edit(f)
			p := f.write(t, t.TempDir(), "model.json")
			m, err := Load(p)
			if tc.message == "" {
				require.NoError(t, err)
				assert.NotNil(t, m)
				return
			}
			require.Error(t, err)
			assertLoadError(t, err, ErrWeights, tc.message)
			var we *WeightError
			require.ErrorAs(t, err, &we)
			assert.Equal(t, tc.node, we.Node)
			assert.Equal(t, tc.weight, we.Weight)
		})
	}
}
