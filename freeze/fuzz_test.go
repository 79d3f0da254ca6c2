package freeze

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

var update = flag.Bool("update", false, "rewrite testdata: the fuzz seed corpus in fuzz/FuzzFreeze, the LSTM reference (lstm_*.npy)")

// fuzzSeeds are the synthetic SavedModel and variants of it that take
// other paths: no saver (keys by name), no library (a call of a missing
// function), a restore op that is a function call (TF2), and the
// signatures alone; then the lookup-table SavedModel of tables_test.go,
// its asset named by asset_file_def and by the TF1 collection.
func fuzzSeeds(t testing.TB) [][]byte {
	variants := []func(*tfpb.MetaGraphDef){
		func(*tfpb.MetaGraphDef) {},
		func(mg *tfpb.MetaGraphDef) { mg.SaverDef = nil },
		func(mg *tfpb.MetaGraphDef) { mg.GraphDef.Library = nil },
		func(mg *tfpb.MetaGraphDef) { delete(mg.SignatureDef, "serving_default") },
		func(mg *tfpb.MetaGraphDef) {
			// The restore graph inside a function, called as TF2 calls
			// __inference__traced_restore.
			g := mg.GetGraphDef()
			var keep []*tfpb.NodeDef
			restore := &tfpb.FunctionDef{
				Signature: &tfpb.OpDef{Name: "restore", ControlOutput: []string{"done"}, InputArg: []*tfpb.OpDef_ArgDef{
					{Name: "c", Type: tfpb.DataType_DT_FLOAT, IsRef: true}, {Name: "v", Type: tfpb.DataType_DT_RESOURCE}, {Name: "w", Type: tfpb.DataType_DT_FLOAT, IsRef: true},
				}},
				ControlRet: map[string]string{"done": "save/restore_all"},
			}
			for _, n := range g.GetNode() {
				if len(n.GetName()) > 5 && n.GetName()[:5] == "save/" {
					restore.NodeDef = append(restore.NodeDef, n)
					continue
				}
				keep = append(keep, n)
			}
			keep = append(keep, graph.NewNode("restore_call", "StatefulPartitionedCall", []string{"c", "v", "w"}, map[string]any{
				"Tin": []tensor.DType{tensor.Float32, tensor.Resource, tensor.Float32}, "Tout": []tensor.DType{}, "f": graph.FuncAttr{Name: "restore"},
			}))
			g.Node = keep
			g.Library.Function = append(g.Library.Function, restore)
			mg.SaverDef.RestoreOpName = "restore_call"
		},
	}
	var out [][]byte
	for _, v := range variants {
		sm := syntheticSavedModel()
		v(sm.GetMetaGraphs()[0])
		out = append(out, mustMarshal(t, sm))
	}
	return append(out, mustMarshal(t, tableSavedModel(false)), mustMarshal(t, tableSavedModel(true)))
}

// addSharedSavedModels adds the small real SavedModels as seeds when
// ../shared/models is there; they are never committed.
func addSharedSavedModels(add func([]byte)) {
	root, err := testutil.SharedModelsDir()
	if err != nil {
		return
	}
	for _, rel := range []string{
		"savedmodel/tfserving/saved_model_half_plus_two_tf2_cpu/saved_model.pb",
		"savedmodel/tfjs_node/model_multi_output/saved_model.pb",
		"savedmodel/freeze/tfjava_multisig_module/saved_model.pb",
	} {
		if data, err := os.ReadFile(filepath.Join(root, rel)); err == nil {
			add(data)
		}
	}
}

// FuzzFreeze freezes a fuzzed saved_model.pb next to the synthetic
// checkpoint and a vocabulary asset, through SavedModel and Model: it
// must never panic, and what
// it returns must be a graph without variables or calls whose inputs all
// name nodes of the graph, in an order the executor can run.
func FuzzFreeze(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	addSharedSavedModels(func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := writeSynthetic(t, data)
		require.NoError(t, os.Mkdir(filepath.Join(dir, "assets"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "assets", "vocab.txt"), []byte("a\nb\nc\n"), 0o644))
		if res, err := SavedModel(dir); err == nil {
			for _, s := range res.Signatures {
				checkFrozen(t, s.Graph)
			}
		}
		m, err := graph.Load(dir)
		if err != nil {
			return
		}
		if fm, _, err := Model(m); err == nil {
			checkFrozen(t, fm.Graph)
		}
	})
}

func checkFrozen(t *testing.T, g *tfpb.GraphDef) {
	t.Helper()
	for _, n := range g.GetNode() {
		if graph.IsVariableOp(n.GetOp()) || n.GetOp() == "ReadVariableOp" || n.GetOp() == "StatefulPartitionedCall" || n.GetOp() == "PartitionedCall" {
			t.Fatalf("frozen graph keeps node %q (%s)", n.GetName(), n.GetOp())
		}
	}
	if _, err := graph.TopoSort(g); err != nil {
		t.Fatalf("frozen graph does not sort: %v", err)
	}
	if _, err := proto.Marshal(g); err != nil {
		t.Fatalf("frozen graph does not marshal: %v", err)
	}
}

// TestWriteFuzzSeeds writes fuzzSeeds as the committed seed corpus when
// run with -update.
func TestWriteFuzzSeeds(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/fuzz/FuzzFreeze")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzFreeze")
	require.NoError(t, os.RemoveAll(dir))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for i, s := range fuzzSeeds(t) {
		body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(s)) + ")\n"
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644))
	}
}
