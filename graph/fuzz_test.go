package graph

import (
	"encoding/json"
	"errors"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
)

// The fuzz targets' seeds are the committed corpora under testdata/fuzz/
// (seedCorpora, built from the repository's fixture models in
// ../testdata/models), synthetic ones added in the targets, and, when the
// shared models folder is present, a few small real files read from it at
// run time: the real files stay out of the repository, as the folder's
// README asks. Crashers the fuzzer finds are committed under
// testdata/fuzz/ too.

var update = flag.Bool("update", false, "rewrite the committed fuzz seed corpora under testdata/fuzz/")

// fixtureModel reads a file of the repository's fixture models
// (../testdata/models, written by ../testdata/gen).
func fixtureModel(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "models", filepath.FromSlash(rel)))
	require.NoError(t, err)
	return b
}

// seedCorpora returns the committed seed corpus of each fuzz target: one
// list of arguments per seed.
func seedCorpora(t testing.TB) map[string][][]any {
	mlpPB := fixtureModel(t, "mlp.pb")
	mlp, err := ParseGraphDef(mlpPB)
	require.NoError(t, err)
	sm := &tfpb.SavedModel{SavedModelSchemaVersion: 1, MetaGraphs: []*tfpb.MetaGraphDef{{
		MetaInfoDef: &tfpb.MetaGraphDef_MetaInfoDef{Tags: []string{"serve"}, TensorflowVersion: "2.14.0"},
		GraphDef:    mlp,
		SignatureDef: map[string]*tfpb.SignatureDef{"serving_default": {
			MethodName: "tensorflow/serving/predict",
			Inputs:     map[string]*tfpb.TensorInfo{"x": {Encoding: &tfpb.TensorInfo_Name{Name: "x:0"}, Dtype: 1}},
			Outputs:    map[string]*tfpb.TensorInfo{"probs": {Encoding: &tfpb.TensorInfo_Name{Name: "probs:0"}, Dtype: 1}},
		}},
		AssetFileDef: []*tfpb.AssetFileDef{{Filename: "vocab.txt"}},
	}}}
	smUnsafe := proto.Clone(sm).(*tfpb.SavedModel)
	// Names of the special files FuzzLoadSavedModel puts in assets/.
	smUnsafe.MetaGraphs[0].AssetFileDef = []*tfpb.AssetFileDef{{Filename: "vocab.txt"}, {Filename: "pipe"}, {Filename: "escape"}, {Filename: "zero"}}
	smBin, smText := stableBinary(t, sm), textOf(t, sm)
	mlpJSON, mlpShard := fixtureModel(t, "mlp_tfjs/model.json"), fixtureModel(t, "mlp_tfjs/group1-shard1of1.bin")
	fusedJSON, fusedShard := fixtureModel(t, "fused_tfjs/model.json"), fixtureModel(t, "fused_tfjs/group1-shard1of1.bin")
	return map[string][][]any{
		"FuzzParseGraphDef": {{mlpPB}, {mlpPB[:len(mlpPB)/2]}, {smBin}},
		"FuzzParseTFJS":     {{mlpJSON, mlpShard}, {fusedJSON, fusedShard}},
		"FuzzLoadGraphDefText": {
			{fixtureModel(t, "mlp.pbtxt")}, {smText},
			{textOf(t, &tfpb.MetaGraphDef{GraphDef: mlp, MetaInfoDef: &tfpb.MetaGraphDef_MetaInfoDef{Tags: []string{"serve"}}})},
		},
		"FuzzLoadSavedModel": {{smBin, false}, {smText, true}, {stableBinary(t, smUnsafe), false}},
		"FuzzLoadTFJS": {
			{mlpJSON, mlpShard}, {fusedJSON, fusedShard},
			// Paths to the neighbours FuzzLoadTFJS plants: a FIFO, links
			// out and to the zero device, a directory.
			{bytesReplace(mlpJSON, "group1-shard1of1.bin", "pipe"), mlpShard},
			{bytesReplace(mlpJSON, "group1-shard1of1.bin", "escape"), mlpShard},
			{bytesReplace(fusedJSON, "group1-shard1of1.bin", "../zero"), fusedShard},
		},
	}
}

// stableBinary and textOf encode m the same way on every run, so the
// committed seeds can be checked: maps in key order, and text with the
// spacing protobuf-go varies on purpose settled.
func stableBinary(t testing.TB, m proto.Message) []byte {
	t.Helper()
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	require.NoError(t, err)
	return b
}

func textOf(t testing.TB, m proto.Message) []byte {
	t.Helper()
	b, err := prototext.MarshalOptions{Multiline: true}.Marshal(m)
	require.NoError(t, err)
	return textSpaces.ReplaceAll(b, []byte(": "))
}

var textSpaces = regexp.MustCompile(`:\s+`)

func bytesReplace(b []byte, old, new string) []byte {
	return []byte(strings.ReplaceAll(string(b), old, new))
}

// TestFuzzSeedCorpora checks that the committed seed corpora are what
// seedCorpora builds from the fixtures; -update rewrites them.
func TestFuzzSeedCorpora(t *testing.T) {
	corpora := seedCorpora(t)
	for _, name := range slices.Sorted(maps.Keys(corpora)) {
		t.Run(name, func(t *testing.T) {
			testutil.CheckFuzzCorpus(t, filepath.Join("testdata", "fuzz", name), corpora[name], *update,
				"go test ./graph -run TestFuzzSeedCorpora -update")
		})
	}
}

// addSharedSeeds adds the named shared files (relative to the shared
// models folder) as seeds through add, skipping silently when the folder
// or a file is missing: seeds are optional.
func addSharedSeeds(rels []string, add func(root string, data []byte)) {
	root, err := testutil.SharedModelsDir()
	if err != nil {
		return
	}
	for _, rel := range rels {
		if data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel))); err == nil {
			add(root, data)
		}
	}
}

// loadSentinels are the errors every parser failure must wrap.
var loadSentinels = []error{ErrNotModel, ErrCorrupt, ErrNoMetaGraph, ErrWeights, ErrUnsupported, ErrUnsafePath, ErrTooLarge}

func wrapsSentinel(err error) bool {
	for _, s := range loadSentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func FuzzParseGraphDef(f *testing.F) {
	// Seeds stay small: the fuzzer minimizes every new interesting input,
	// and a large seed makes that slow.
	bin := marshal(f, graphOf(node("x", "Placeholder"), node("w", "Const"), node("y", "MatMul", "x", "w:0", "^w")))
	f.Add(bin)
	f.Add(bin[:len(bin)/2])
	f.Add(marshal(f, &tfpb.SavedModel{MetaGraphs: []*tfpb.MetaGraphDef{{MetaInfoDef: &tfpb.MetaGraphDef_MetaInfoDef{Tags: []string{"serve"}}, GraphDef: graphOf(node("a", "Const"))}}}))
	f.Add(marshal(f, &tfpb.MetaGraphDef{GraphDef: graphOf(node("v", "VariableV2"))}))
	f.Add(marshal(f, tf1Loop()))
	f.Add(marshal(f, graphOf(node("a", "Neg", "a"))))
	text, err := prototext.Marshal(tf1Loop())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(text)
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xd8, 0xff, 0xe0})
	addSharedSeeds([]string{
		"frozen/tiny/addition.pb",
		"frozen/tiny/multiplication.pb",
		"tfops/cond/cond_true/frozen_model.pb",
	}, func(_ string, data []byte) { f.Add(data) })

	f.Fuzz(func(t *testing.T, data []byte) {
		for _, parse := range []func([]byte) (*tfpb.GraphDef, error){ParseGraphDef, ParseGraphDefText} {
			g, err := parse(data)
			if err != nil {
				if !wrapsSentinel(err) {
					t.Fatalf("error wraps no sentinel: %v", err)
				}
				continue
			}
			if len(g.GetNode()) == 0 {
				t.Fatal("accepted a graph without nodes")
			}
			// Everything a loaded graph is used for must survive it.
			_, _ = TopoSort(g)
			_ = OpCounts(g)
			_ = VariableNodes(g)
			_ = ConstBytes(g)
			_ = Inputs(g)
			_ = Sinks(g)
		}
		// The cascades that try SavedModel and MetaGraphDef too.
		_, _ = loadBinary("fuzz.pb", data, options{tags: defaultTags})
		_, _ = loadText("fuzz.pbtxt", data, false, options{tags: defaultTags})
	})
}

func FuzzParseTFJS(f *testing.F) {
	fx := newTFJSFixture(f)
	// One group, one shard, so the fuzzer's single shard argument feeds it.
	manifest := fx.json["weightsManifest"].([]any)
	group := manifest[0].(map[string]any)
	group["paths"] = []string{"shard"}
	fx.json["weightsManifest"] = []any{group}
	shard := append(append([]byte{}, fx.shards["group1-shard1of2.bin"]...), fx.shards["sub/group1-shard2of2.bin"]...)
	f.Add(fx.bytes(f), shard)
	f.Add(fx.bytes(f), shard[:7])
	f.Add([]byte(`{"modelTopology":{"node":[{"name":"w","op":"Const","attr":{"dtype":{"type":"DT_STRING"}}}]},"weightsManifest":[{"paths":["a"],"weights":[{"name":"w","shape":[2],"dtype":"string"}]}]}`),
		[]byte("\x02\x00\x00\x00hi\x00\x00\x00\x00"))
	f.Add([]byte(`{"format":"layers-model","modelTopology":{"class_name":"Sequential"}}`), []byte{})
	f.Add([]byte(`{"modelTopology": {"node": [}`), []byte{})
	addSharedSeeds([]string{"tfjs/tiny_dense/model.json", "tfjs/tiny_dense/model_new.json"}, func(root string, data []byte) {
		if weights, err := os.ReadFile(filepath.Join(root, "tfjs", "tiny_dense", "weights.bin")); err == nil {
			f.Add(data, weights)
		}
	})

	f.Fuzz(func(t *testing.T, modelJSON, shard []byte) {
		m, err := ParseTFJS(modelJSON, func(string) ([]byte, error) { return shard, nil })
		if err != nil {
			if !wrapsSentinel(err) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		checkModel(t, m)
	})
}

// checkModel checks what every loaded model must satisfy, and that what
// a model is used for survives it.
func checkModel(t *testing.T, m *Model) {
	if len(m.Graph.GetNode()) == 0 {
		t.Fatal("accepted a model without nodes")
	}
	_, _ = TopoSort(m.Graph)
	_ = m.Inputs()
	_ = m.Outputs()
	if m.WeightBytes < 0 {
		t.Fatalf("negative weight bytes %d", m.WeightBytes)
	}
	if _, err := json.Marshal(m.Signatures); err != nil {
		t.Fatal(err)
	}
}
