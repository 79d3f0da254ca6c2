package freeze

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec"
)

// tableSavedModel builds a SavedModel with two lookup tables, as TF1
// exports with tf.Transform vocabularies have them: "ids" maps the words
// of assets/vocab.txt to their line numbers (InitializeTableFromTextFileV2
// of an asset tensor holding the path at training time), "scores" maps
// ids to constants (LookupTableImportV2); both are initialised by the
// saved_model_main_op. Signatures: serving_default reads both; orphan
// reads a table nothing initialises; insert writes into a mutable table;
// mutable reads it.
func tableSavedModel(collectionAssets bool) *tfpb.SavedModel {
	s, i64, f32 := tensor.String, tensor.Int64, tensor.Float32
	var b graph.Builder
	b.Placeholder("words", s, graph.ShapeAttr{-1})
	b.Add("ids_table", "HashTableV2", nil, map[string]any{"key_dtype": s, "value_dtype": i64, "shared_name": "hash_table_vocab_-2_-1"})
	b.Const("asset_path", tensor.Scalar("/tmp/training/run7/vocab.txt"))
	b.Add("asset_path/read", "Identity", []string{"asset_path"}, map[string]any{"T": s})
	b.Add("ids_table/init", "InitializeTableFromTextFileV2", []string{"ids_table", "asset_path/read"}, map[string]any{"key_index": -2, "value_index": -1})
	b.Const("ids_table/default", tensor.Scalar(int64(-1)))
	b.Add("ids", "LookupTableFindV2", []string{"ids_table", "words", "ids_table/default"}, map[string]any{"Tin": s, "Tout": i64})
	b.Add("vocab_size", "LookupTableSizeV2", []string{"ids_table"}, nil)

	b.Add("scores_table", "HashTableV2", nil, map[string]any{"key_dtype": i64, "value_dtype": f32})
	b.Const("scores_table/keys", tensor.MustFromSlice(tensor.Shape{3}, []int64{0, 1, 2}))
	b.Const("scores_table/values", tensor.MustFromSlice(tensor.Shape{3}, []float32{0.5, 1.5, 2.5}))
	b.Add("scores_table/init", "LookupTableImportV2", []string{"scores_table", "scores_table/keys", "scores_table/values"}, map[string]any{"Tin": i64, "Tout": f32})
	b.Const("scores_table/default", tensor.Scalar(float32(0)))
	b.Add("scores_table/read", "Identity", []string{"scores_table"}, map[string]any{"T": tensor.Resource})
	b.Add("scores", "LookupTableFindV2", []string{"scores_table/read", "ids", "scores_table/default"}, map[string]any{"Tin": i64, "Tout": f32})
	b.Add("main_op", "NoOp", []string{"^ids_table/init", "^scores_table/init"}, nil)

	b.Add("orphan_table", "HashTableV2", nil, map[string]any{"key_dtype": s, "value_dtype": i64, "shared_name": "orphan"})
	b.Add("orphan", "LookupTableFindV2", []string{"orphan_table", "words", "ids_table/default"}, map[string]any{"Tin": s, "Tout": i64})
	b.Add("mutable_table", "MutableHashTableV2", nil, map[string]any{"key_dtype": s, "value_dtype": i64})
	b.Add("mutable_read", "LookupTableFindV2", []string{"mutable_table", "words", "ids_table/default"}, map[string]any{"Tin": s, "Tout": i64})
	b.Add("insert", "LookupTableInsertV2", []string{"mutable_table", "words", "ids"}, map[string]any{"Tin": s, "Tout": i64})
	b.Add("inserted", "Identity", []string{"words", "^insert"}, map[string]any{"T": s})

	info := func(name string, dt tensor.DType) *tfpb.TensorInfo {
		return &tfpb.TensorInfo{Encoding: &tfpb.TensorInfo_Name{Name: name}, Dtype: tfpb.DataType(dt)}
	}
	words := map[string]*tfpb.TensorInfo{"words": info("words:0", s)}
	asset := &tfpb.AssetFileDef{TensorInfo: info("asset_path:0", s), Filename: "vocab.txt"}
	mg := &tfpb.MetaGraphDef{
		MetaInfoDef: &tfpb.MetaGraphDef_MetaInfoDef{Tags: []string{"serve"}},
		GraphDef:    b.Graph(),
		CollectionDef: map[string]*tfpb.CollectionDef{
			mainOpKey: {Kind: &tfpb.CollectionDef_NodeList_{NodeList: &tfpb.CollectionDef_NodeList{Value: []string{"main_op"}}}},
		},
		SignatureDef: map[string]*tfpb.SignatureDef{
			"serving_default": {Inputs: words, Outputs: map[string]*tfpb.TensorInfo{
				"ids": info("ids:0", i64), "scores": info("scores:0", f32), "vocab_size": info("vocab_size:0", i64),
			}},
			"orphan":  {Inputs: words, Outputs: map[string]*tfpb.TensorInfo{"ids": info("orphan:0", i64)}},
			"mutable": {Inputs: words, Outputs: map[string]*tfpb.TensorInfo{"ids": info("mutable_read:0", i64)}},
			"insert":  {Inputs: words, Outputs: map[string]*tfpb.TensorInfo{"words": info("inserted:0", s)}},
		},
	}
	if collectionAssets {
		a, err := anypb.New(asset)
		if err != nil {
			panic(err)
		}
		mg.CollectionDef[assetsKey] = &tfpb.CollectionDef{Kind: &tfpb.CollectionDef_AnyList_{AnyList: &tfpb.CollectionDef_AnyList{Value: []*anypb.Any{a}}}}
	} else {
		mg.AssetFileDef = []*tfpb.AssetFileDef{asset}
	}
	return &tfpb.SavedModel{SavedModelSchemaVersion: 1, MetaGraphs: []*tfpb.MetaGraphDef{mg}}
}

// writeTableModel writes tableSavedModel with the vocabulary file holding
// vocab (none when vocab is "").
func writeTableModel(t *testing.T, collectionAssets bool, vocab string) string {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "saved_model.pb"), mustMarshal(t, tableSavedModel(collectionAssets)), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "assets"), 0o755))
	if vocab != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "assets", "vocab.txt"), []byte(vocab), 0o644))
	}
	return dir
}

func statusOf(t *testing.T, r *Report, key string) SignatureStatus {
	i := slices.IndexFunc(r.Signatures, func(s SignatureStatus) bool { return s.Key == key })
	require.GreaterOrEqual(t, i, 0, "signature %q in the report", key)
	return r.Signatures[i]
}

func TestTablesFrozen(t *testing.T) {
	for _, collection := range []bool{false, true} {
		name := "asset_file_def"
		if collection {
			name = "saved_model_assets collection"
		}
		t.Run(name, func(t *testing.T) {
			res, err := SavedModel(writeTableModel(t, collection, "a\nb\nc\n"))
			require.NoError(t, err)
			s := res.Signature("serving_default")
			require.NotNil(t, s, "%v", statusOf(t, res.Report, "serving_default").Err)
			ops := map[string]int{}
			for _, n := range s.Graph.GetNode() {
				ops[n.GetOp()]++
				if n.GetOp() == "LookupTableImportV2" {
					for _, in := range dataInputs(n)[1:] {
						assert.Equal(t, "Const", indexNodes(s.Graph.GetNode())[in].GetOp(), "the import of %s reads constants", n.GetName())
					}
				}
			}
			assert.Zero(t, ops["InitializeTableFromTextFileV2"], "no file is read at run time")
			assert.Zero(t, ops["LookupTableSizeV2"], "the size is a constant")
			assert.Equal(t, 2, ops["LookupTableImportV2"])
			assert.Equal(t, 2, ops["HashTableV2"])
			require.Len(t, res.Report.Tables, 2)
			assert.Equal(t, Table{Node: "ids_table", Op: "HashTableV2", KeyDType: tensor.String, ValueDType: tensor.Int64, Size: 3,
				Initializers: []string{"ids_table/init"}}, res.Report.Tables[0])
			assert.Equal(t, 3, res.Report.Tables[1].Size)

			// The frozen graph runs on an executor that reads no files,
			// once written out and read back too, and again in a second
			// run, when the tables are initialised already.
			data, err := proto.Marshal(s.Graph)
			require.NoError(t, err)
			g := &tfpb.GraphDef{}
			require.NoError(t, proto.Unmarshal(data, g))
			e, err := tfexec.New(g)
			require.NoError(t, err)
			for range 2 {
				out, err := e.Run(t.Context(), map[string]*tensor.Tensor{"words": tensor.MustFromSlice(tensor.Shape{4}, []string{"b", "zz", "a", "c"})},
					[]string{"ids", "scores", "vocab_size"})
				require.NoError(t, err)
				assert.Equal(t, []int64{1, -1, 0, 2}, tensor.Values[int64](out[0]))
				assert.Equal(t, []float32{1.5, 0, 0.5, 2.5}, tensor.Values[float32](out[1]))
				assert.Equal(t, []int64{3}, tensor.Values[int64](out[2]))
			}
		})
	}
}

// TestTableSignaturesRefused checks the signatures that cannot be frozen,
// each for its own reason, while serving_default still is.
func TestTableSignaturesRefused(t *testing.T) {
	res, err := SavedModel(writeTableModel(t, false, "a\nb\n"))
	require.NoError(t, err)
	assert.True(t, statusOf(t, res.Report, "serving_default").Frozen)

	var te *TableError
	err = statusOf(t, res.Report, "orphan").Err
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "orphan_table", te.Table)
	assert.ErrorIs(t, err, ErrTableNotInitialized)

	err = statusOf(t, res.Report, "mutable").Err
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "mutable_table", te.Table)
	assert.ErrorContains(t, err, "MutableHashTableV2")

	var se *StatefulError
	require.ErrorAs(t, statusOf(t, res.Report, "insert").Err, &se)
	assert.Equal(t, "insert", se.Node)
	assert.Equal(t, "LookupTableInsertV2", se.Op)
}

// TestTableInitFailures checks that a vocabulary the init op cannot read
// refuses the signatures that need it, naming the table and the file.
func TestTableInitFailures(t *testing.T) {
	t.Run("missing file", func(t *testing.T) {
		res, err := SavedModel(writeTableModel(t, false, ""), WithSignatures("serving_default"))
		require.Error(t, err)
		var te *TableError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, "ids_table", te.Table)
		assert.ErrorIs(t, err, fs.ErrNotExist)
		assert.ErrorContains(t, err, "assets/vocab.txt")
		assert.Empty(t, res.Signatures)
	})
	t.Run("duplicate key", func(t *testing.T) {
		_, err := SavedModel(writeTableModel(t, false, "a\nb\na\n"), WithSignatures("serving_default"))
		require.ErrorContains(t, err, "HashTable has different value for same key. Key a has 0 and trying to add value 2")
		assert.ErrorContains(t, err, `"ids_table"`)
	})
	t.Run("asset outside the model", func(t *testing.T) {
		sm := tableSavedModel(false)
		sm.MetaGraphs[0].AssetFileDef[0].Filename = "../../etc/passwd"
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "saved_model.pb"), mustMarshal(t, sm), 0o644))
		_, err := SavedModel(dir)
		assert.ErrorIs(t, err, graph.ErrUnsafePath, "the loader refuses it before any init op runs")
	})
}

// TestTablesInModel checks Model, which bridge uses: the signatures that
// freeze share one graph, and the report lists the tables.
func TestTablesInModel(t *testing.T) {
	m, err := graph.Load(writeTableModel(t, false, "x\ny\n"))
	require.NoError(t, err)
	fm, rep, err := Model(m)
	require.NoError(t, err)
	assert.Equal(t, []string{"serving_default"}, signatureKeys(fm.Signatures))
	require.Len(t, rep.Tables, 2)
	assert.Contains(t, rep.String(), "table ids_table (HashTableV2): string to int64, 2 entries, from ids_table/init")
	out, err := runGraph(t, fm.Graph, map[string]*tensor.Tensor{"words": tensor.MustFromSlice(tensor.Shape{2}, []string{"y", "x"})}, []string{"ids"})
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 0}, tensor.Values[int64](out[0]))
}

func signatureKeys(sigs []graph.Signature) []string {
	var keys []string
	for _, s := range sigs {
		keys = append(keys, s.Key)
	}
	return keys
}

// TestChicagoTaxiTables freezes the TFX Chicago taxi estimator, whose
// tf.Transform vocabularies are HashTableV2s initialised from its asset
// files by its saved_model_main_op, and checks the tables against the
// files: line i of each vocabulary maps to i.
func TestChicagoTaxiTables(t *testing.T) {
	dir := filepath.Join(testutil.SharedModels(t), "savedmodel", "freeze", "tfx_chicago_taxi_estimator")
	res, err := SavedModel(dir, WithSignatures("predict"))
	require.NoError(t, err)
	require.Len(t, res.Report.Tables, 2)
	s := res.Signature("predict")
	require.NotNil(t, s)
	ix := indexNodes(s.Graph.GetNode())
	for i, vocab := range []string{"vocab_compute_and_apply_vocabulary_vocabulary", "vocab_compute_and_apply_vocabulary_1_vocabulary"} {
		table := res.Report.Tables[i]
		data, err := os.ReadFile(filepath.Join(dir, "assets", vocab))
		require.NoError(t, err)
		words := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		assert.Equal(t, len(words), table.Size, table.Node)

		// Look every word up, and one that is not there, with the
		// frozen graph's own find node.
		find := slices.IndexFunc(s.Graph.GetNode(), func(n *tfpb.NodeDef) bool {
			if n.GetOp() != "LookupTableFindV2" {
				return false
			}
			src, _ := ix.source(n.GetInput()[0])
			return src.GetName() == table.Node
		})
		require.GreaterOrEqual(t, find, 0)
		n := s.Graph.GetNode()[find]
		keys := tensor.MustFromSlice(tensor.Shape{len(words) + 1}, append(slices.Clone(words), "no such word"))
		out, err := runGraph(t, s.Graph, map[string]*tensor.Tensor{dataInputs(n)[1]: keys}, []string{n.GetName()})
		require.NoError(t, err)
		want := make([]int64, len(words)+1)
		for j := range words {
			want[j] = int64(j)
		}
		want[len(words)] = -1
		assert.Equal(t, want, tensor.Values[int64](out[0]), table.Node)
	}
}
