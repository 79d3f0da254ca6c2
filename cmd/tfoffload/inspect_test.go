package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// checkGolden compares got with testdata/<name>, or rewrites it with
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", filepath.FromSlash(name))
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test ./cmd/tfoffload -update")
	assert.Equal(t, string(want), string(got), "differs from %s; run go test ./cmd/tfoffload -update after checking the change", path)
}

// sharedRel returns a shared model's path relative to the working
// directory, so that golden output holds no absolute path.
func sharedRel(t *testing.T, rel string) string {
	t.Helper()
	abs := testutil.SharedModel(t, rel)
	wd, err := os.Getwd()
	require.NoError(t, err)
	r, err := filepath.Rel(wd, abs)
	require.NoError(t, err)
	return filepath.ToSlash(r)
}

func TestInspectGolden(t *testing.T) {
	tests := []struct {
		golden string
		model  string
		args   []string
	}{
		{golden: "inspect/nsfwjs.json.golden", model: "tfjs/nsfwjs_mobilenet_v2/model.json", args: []string{"--json"}},
		{golden: "inspect/kws_ds_cnn_s.json.golden", model: "frozen/kws/DS_CNN_S.pb", args: []string{"--json"}},
		{golden: "inspect/half_plus_two_tf2.json.golden", model: "savedmodel/tfserving/saved_model_half_plus_two_tf2_cpu", args: []string{"--json"}},
		{golden: "inspect/lenet.json.golden", model: "frozen/lenet/lenet_frozen.pb", args: []string{"--json"}},
		{golden: "inspect/tfops_cond_true.json.golden", model: "tfops/cond/cond_true/frozen_model.pb", args: []string{"--json"}},
		{golden: "inspect/regression_meta.json.golden", model: "frozen/tf2onnx/regression/checkpoint/model.meta", args: []string{"--json"}},
		{golden: "inspect/handtrack.txt.golden", model: "tfjs/handtrack", args: nil},
		{golden: "inspect/half_plus_two_tf1.txt.golden", model: "savedmodel/tfserving/saved_model_half_plus_two_cpu", args: nil},
		{golden: "inspect/max_lstm_unfrozen.txt.golden", model: "frozen/unfrozen/max_lstm.pb", args: nil},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			path := sharedRel(t, tc.model)
			code, stdout, stderr := runCLI(append(append([]string{"inspect"}, tc.args...), path)...)
			require.Equal(t, exitOK, code, stderr)
			assert.Empty(t, stderr)
			wd, err := os.Getwd()
			require.NoError(t, err)
			assert.NotContains(t, stdout, wd, "no absolute paths in output")
			checkGolden(t, tc.golden, []byte(stdout))
		})
	}
}

// tinyModel writes a frozen graph with one placeholder of unknown rank, a
// constant, a variable and an op, and returns its path.
func tinyModel(t *testing.T) string {
	t.Helper()
	f32 := &tfpb.AttrValue{Value: &tfpb.AttrValue_Type{Type: 1}}
	g := &tfpb.GraphDef{
		Node: []*tfpb.NodeDef{
			{Name: "x", Op: "Placeholder", Attr: map[string]*tfpb.AttrValue{"dtype": f32}},
			{Name: "c", Op: "Const", Attr: map[string]*tfpb.AttrValue{"dtype": f32, "value": {Value: &tfpb.AttrValue_Tensor{Tensor: &tfpb.TensorProto{
				Dtype: 1, TensorShape: &tfpb.TensorShapeProto{Dim: []*tfpb.TensorShapeProto_Dim{{Size: 3}}}, FloatVal: []float32{1, 2, 3},
			}}}}},
			{Name: "v", Op: "VariableV2", Attr: map[string]*tfpb.AttrValue{"dtype": f32}},
			{Name: "y", Op: "AddV2", Input: []string{"x", "c"}, Attr: map[string]*tfpb.AttrValue{"T": f32}},
		},
		Versions: &tfpb.VersionDef{Producer: 27},
	}
	data, err := proto.Marshal(g)
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "tiny.pb")
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

func TestInspectJSON(t *testing.T) {
	p := tinyModel(t)
	code, stdout, stderr := runCLI("inspect", "--json", p)
	require.Equal(t, exitOK, code, stderr)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	assert.Equal(t, p, got["path"])
	assert.Equal(t, "frozen-graph", got["format"])
	assert.Equal(t, "GraphDef producer 27", got["producer"])
	assert.EqualValues(t, 4, got["nodes"])
	assert.EqualValues(t, 12, got["weight_bytes"])
	assert.Equal(t, []any{}, got["tags"])
	assert.Equal(t, []any{map[string]any{"name": "x:0", "dtype": "float32", "shape": nil}}, got["inputs"])
	assert.Equal(t, map[string]any{"count": 1.0, "names": []any{"v"}}, got["variables"])
	assert.Equal(t, map[string]any{"count": 0.0, "names": []any{}}, got["functions"])
	assert.Equal(t, []any{
		map[string]any{"op": "AddV2", "count": 1.0}, map[string]any{"op": "Const", "count": 1.0},
		map[string]any{"op": "Placeholder", "count": 1.0}, map[string]any{"op": "VariableV2", "count": 1.0},
	}, got["ops"])

	// Field order is the documented one.
	var keys []string
	dec := json.NewDecoder(strings.NewReader(stdout))
	_, err := dec.Token()
	require.NoError(t, err)
	for dec.More() {
		tok, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	assert.Equal(t, jsonFields(reflect.TypeFor[inspectReport]()), keys)
}

func TestInspectText(t *testing.T) {
	p := tinyModel(t)
	code, stdout, stderr := runCLI("inspect", p)
	require.Equal(t, exitOK, code, stderr)
	for _, want := range []string{
		"Model:      " + p + "\n",
		"Format:     frozen-graph\n",
		"Producer:   GraphDef producer 27\n",
		"Graph:      4 nodes\n",
		"Weights:    12 B (12 bytes)\n",
		"Variables:  1 (cannot be frozen; see Freezing): v\n",
		"Functions:  none\n",
		"Inputs:\n  x:0  float32  ?\n",
		"Outputs:\n  y:0  float32  ?\n",
		"Ops (4 types):\n  AddV2        1\n",
	} {
		assert.Contains(t, stdout, want)
	}
	assert.NotContains(t, stdout, "Signatures")
}

func TestInspectErrors(t *testing.T) {
	dir := t.TempDir()
	jpeg := filepath.Join(dir, "photo.pb")
	require.NoError(t, os.WriteFile(jpeg, []byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F'}, 0o644))
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"JPEG", []string{"inspect", jpeg}, "tfoffload: load " + jpeg + ": not a TensorFlow model: the file holds JPEG image data\n"},
		{"empty directory", []string{"inspect", dir + "/"}, "not a TensorFlow model: the directory holds no saved_model.pb, saved_model.pbtxt or TF.js model JSON\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "empty directory" {
				require.NoError(t, os.Remove(jpeg))
			}
			code, stdout, stderr := runCLI(tc.args...)
			assert.Equal(t, exitError, code)
			assert.Empty(t, stdout)
			assert.True(t, strings.HasPrefix(stderr, "tfoffload: load "), stderr)
			assert.True(t, strings.HasSuffix(stderr, tc.stderr), stderr)
			assert.Equal(t, 1, strings.Count(stderr, "\n"))
		})
	}
}

func TestInspectTags(t *testing.T) {
	path := sharedRel(t, "savedmodel/tfrust/regression-model")
	code, _, stderr := runCLI("inspect", "--tags", "serve", path)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "no MetaGraphDef with the requested tags [serve]; available tag sets: [train,serve]")

	code, stdout, stderr := runCLI("inspect", "--json", "--tags", "serve,train", path)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, `"tags": [
    "train",
    "serve"
  ]`)

	code, _, stderr = runCLI("inspect", "--tags", "", sharedRel(t, "savedmodel/tfexamples/hub_module_v1_mini_train"))
	assert.Equal(t, exitOK, code, stderr)
}

// jsonFields lists the JSON names of a struct's fields, in order.
func jsonFields(typ reflect.Type) []string {
	var out []string
	for f := range typ.Fields() {
		out = append(out, strings.Split(f.Tag.Get("json"), ",")[0])
	}
	return out
}

func TestInspectHelpDocumentsEveryJSONField(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[inspectReport](), reflect.TypeFor[tensorReport](),
		reflect.TypeFor[signatureReport](), reflect.TypeFor[nameList](),
	} {
		for _, name := range jsonFields(typ) {
			assert.Regexp(t, `\b`+name+`\b`, inspectLong, "%s.%s is not documented in inspect's help", typ.Name(), name)
		}
	}
	// The top-level fields each start a line of the field list.
	for _, name := range jsonFields(reflect.TypeFor[inspectReport]()) {
		assert.Regexp(t, `(?m)^  `+name+` `, inspectLong)
	}
	code, stdout, _ := runCLI("inspect", "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "weight_bytes")
}
