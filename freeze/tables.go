package freeze

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels" // the init op's kernels
)

// ErrTableNotInitialized is wrapped by a TableError for a table a
// signature reads that the model's init op does not initialise.
var ErrTableNotInitialized = errors.New("the model's init op does not initialise it")

// TableError reports a lookup table a signature reads whose contents
// cannot be had: the init op does not initialise it, fails, or the table
// is not one freezing can make constant.
type TableError struct {
	// Table is the table's node (HashTableV2, ...).
	Table string
	Err   error
}

// Error names the table.
func (e *TableError) Error() string { return fmt.Sprintf("lookup table %q: %v", e.Table, e.Err) }

// Unwrap returns the cause.
func (e *TableError) Unwrap() error { return e.Err }

// Table is one lookup table that freezing made constant.
type Table struct {
	// Node and Op name the table's node (HashTableV2 or HashTable).
	Node, Op string
	// KeyDType and ValueDType are its dtypes; Size its number of entries.
	KeyDType, ValueDType tensor.DType
	Size                 int
	// Initializers are the init op's nodes that filled it.
	Initializers []string
}

// tableOps create the tables freezing makes constant: TensorFlow's
// HashTable, which is read-only once initialised.
var tableOps = map[string]string{"HashTableV2": "LookupTableImportV2", "HashTable": "LookupTableImport"}

// tableInitOps initialise tables (the init op's table initialisers).
var tableInitOps = map[string]bool{
	"InitializeTable": true, "InitializeTableV2": true, "InitializeTableFromTextFile": true,
	"InitializeTableFromTextFileV2": true, "LookupTableImport": true, "LookupTableImportV2": true,
}

// tableReaders are the ops that read a table without changing it; the
// size ones become constants.
var tableReaders = map[string]bool{
	"LookupTableFind": true, "LookupTableFindV2": true, "LookupTableExport": true, "LookupTableExportV2": true,
	"LookupTableSize": true, "LookupTableSizeV2": true,
}

// frozenTable is a table's contents, read once per model.
type frozenTable struct {
	info         Table
	keys, values *tfpb.TensorProto
	err          error
}

// freezeTables makes every table g reads constant, the way TensorFlow
// serialises an initialised table (InitializableLookupTable's
// InitializerSerializer): the table's node is kept and filled by a
// LookupTableImportV2 of Const keys and values, run before each reader
// (a control edge), so the first run of the frozen graph initialises the
// table and later runs find it initialised; nothing is read from files.
// LookupTableSize(V2) becomes the constant size.
func (f *freezer) freezeTables(g *tfpb.GraphDef) error {
	ix := indexNodes(g.GetNode())
	readers := map[string][]*tfpb.NodeDef{}
	for _, n := range g.GetNode() {
		if !tableReaders[n.GetOp()] {
			continue
		}
		data := dataInputs(n)
		if len(data) == 0 {
			return fmt.Errorf("node %q (%s) has no table input", n.GetName(), n.GetOp())
		}
		t, _ := ix.source(data[0])
		if t == nil {
			return fmt.Errorf("node %q (%s): its table handle %q comes from no node", n.GetName(), n.GetOp(), data[0])
		}
		if _, ok := tableOps[t.GetOp()]; !ok {
			return &TableError{Table: t.GetName(), Err: fmt.Errorf("node %q (%s) reads it, and freezing makes only HashTable(V2) constant, not %s", n.GetName(), n.GetOp(), t.GetOp())}
		}
		readers[t.GetName()] = append(readers[t.GetName()], n)
	}
	names := make([]string, 0, len(readers))
	for name := range readers {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		ft := f.tableContents(ix[name])
		if ft.err != nil {
			return ft.err
		}
		f.recordTable(ft.info)
		imp := addImport(g, ix, ix[name], ft)
		for _, r := range readers[name] {
			if strings.HasPrefix(r.GetOp(), "LookupTableSize") {
				*r = *graph.NewNode(r.GetName(), "Const", controlInputs(r), map[string]any{"dtype": tensor.Int64, "value": tensor.Scalar(int64(ft.info.Size))})
				continue
			}
			if !slices.Contains(r.Input, "^"+imp) {
				r.Input = append(r.Input, "^"+imp)
			}
		}
	}
	return nil
}

// addImport adds to g the Const keys and values of table t and the
// import that fills t with them, and returns the import's name.
func addImport(g *tfpb.GraphDef, ix nodeIndex, t *tfpb.NodeDef, ft *frozenTable) string {
	unique := func(name string) string {
		for i := 1; ix[name] != nil; i++ {
			name = fmt.Sprintf("%s_%d", strings.TrimRight(name, "_0123456789"), i)
		}
		return name
	}
	constNode := func(name string, p *tfpb.TensorProto) *tfpb.NodeDef {
		n := &tfpb.NodeDef{Name: unique(name), Op: "Const", Attr: map[string]*tfpb.AttrValue{
			"dtype": typeAttr(p.GetDtype()), "value": {Value: &tfpb.AttrValue_Tensor{Tensor: p}},
		}}
		ix[n.Name] = n
		return n
	}
	keys := constNode(t.GetName()+"/frozen_keys", ft.keys)
	values := constNode(t.GetName()+"/frozen_values", ft.values)
	imp := &tfpb.NodeDef{Name: unique(t.GetName() + "/frozen_import"), Op: tableOps[t.GetOp()],
		Input: []string{t.GetName(), keys.Name, values.Name}, Device: t.GetDevice(),
		Attr: map[string]*tfpb.AttrValue{"Tin": typeAttr(ft.keys.GetDtype()), "Tout": typeAttr(ft.values.GetDtype())}}
	ix[imp.Name] = imp
	g.Node = append(g.Node, keys, values, imp)
	return imp.Name
}

// recordTable adds a table to the report, once.
func (f *freezer) recordTable(t Table) {
	if !slices.ContainsFunc(f.report.Tables, func(x Table) bool { return x.Node == t.Node }) {
		f.report.Tables = append(f.report.Tables, t)
		slices.SortFunc(f.report.Tables, func(a, b Table) int { return strings.Compare(a.Node, b.Node) })
	}
}

// tableContents returns the contents of the model's table t (a node of
// the model's graph, or one naming the same table), computed once per
// model as TensorFlow's loader computes them: by running the
// initialisers of the model's init op that fill it, with the SavedModel's
// asset tensors fed the paths of its assets/ files.
func (f *freezer) tableContents(t *tfpb.NodeDef) *frozenTable {
	id := tableID(t)
	if ft, ok := f.tables[id]; ok {
		return ft
	}
	ft := &frozenTable{info: Table{Node: t.GetName(), Op: t.GetOp()}}
	ft.info.KeyDType = tensor.DType(t.GetAttr()["key_dtype"].GetType())
	ft.info.ValueDType = tensor.DType(t.GetAttr()["value_dtype"].GetType())
	if err := f.initializeTable(t, ft); err != nil {
		ft.err = &TableError{Table: t.GetName(), Err: err}
	}
	f.tables[id] = ft
	return ft
}

// tableID names a table as TensorFlow's resource manager does: container
// and shared_name, else (use_node_name_sharing or a table private to its
// node) the node's name.
func tableID(t *tfpb.NodeDef) string {
	a := t.GetAttr()
	container := a["container"].GetS()
	if len(container) == 0 {
		container = []byte("localhost")
	}
	if shared := a["shared_name"].GetS(); len(shared) > 0 {
		return string(container) + "\x00" + string(shared)
	}
	return string(container) + "\x00node:" + t.GetName()
}

// initializeTable runs the init op's initialisers of table t and exports
// its contents into ft.
func (f *freezer) initializeTable(t *tfpb.NodeDef, ft *frozenTable) error {
	init := f.initTargets()
	if len(init) == 0 {
		return fmt.Errorf("%w: the model has no init op (main_op, legacy_init_op, __saved_model_init_op or table_initializer)", ErrTableNotInitialized)
	}
	src := &tfpb.GraphDef{Node: f.model.Graph.GetNode(), Library: f.lib, Versions: f.model.Graph.GetVersions()}
	g, err := graph.Prune(src, init)
	if err != nil {
		return fmt.Errorf("init op: %w", err)
	}
	for i, n := range g.Node {
		g.Node[i] = proto.CloneOf(n)
	}
	if err := f.inlineCalls(g); err != nil {
		return fmt.Errorf("init op: %w", err)
	}
	ix := indexNodes(g.GetNode())
	id := tableID(t)
	var inits []string
	for _, n := range g.GetNode() {
		if !tableInitOps[n.GetOp()] {
			continue
		}
		if data := dataInputs(n); len(data) > 0 {
			if src, _ := ix.source(data[0]); src != nil && tableOps[src.GetOp()] != "" && tableID(src) == id {
				inits = append(inits, n.GetName())
			}
		}
	}
	if len(inits) == 0 {
		return ErrTableNotInitialized
	}
	ft.info.Initializers = inits
	if g, err = graph.Prune(g, inits); err != nil {
		return err
	}
	if indexNodes(g.Node)[t.GetName()] == nil {
		g.Node = append(g.Node, proto.CloneOf(t)) // the same table, through its shared_name
	}
	if err := f.freezeInitVariables(g); err != nil {
		return fmt.Errorf("init op: %w", err)
	}
	export := graph.NewNode(uniqueName(g, t.GetName()+"/frozen_export"), exportOp(t), []string{t.GetName()},
		map[string]any{"Tkeys": ft.info.KeyDType, "Tvalues": ft.info.ValueDType})
	for _, i := range inits {
		export.Input = append(export.Input, "^"+i)
	}
	g.Node = append(g.Node, export)
	e, err := tfexec.New(g, tfexec.WithModelFiles(f.model.Dir))
	if err != nil {
		return err
	}
	out, err := e.Run(context.Background(), f.assetFeeds(g), []string{export.GetName() + ":0", export.GetName() + ":1"})
	if err != nil {
		return fmt.Errorf("running the init op: %w", err)
	}
	ft.info.Size = out[0].NumElements()
	if ft.keys, err = tensor.ToTFProto(out[0]); err != nil {
		return err
	}
	ft.values, err = tensor.ToTFProto(out[1])
	return err
}

func exportOp(t *tfpb.NodeDef) string {
	if t.GetOp() == "HashTable" {
		return "LookupTableExport"
	}
	return "LookupTableExportV2"
}

func uniqueName(g *tfpb.GraphDef, name string) string {
	ix := indexNodes(g.GetNode())
	for i := 1; ix[name] != nil; i++ {
		name = fmt.Sprintf("%s_%d", name, i)
	}
	return name
}

// freezeInitVariables makes the variables an initialiser reads
// constants, as in a signature.
func (f *freezer) freezeInitVariables(g *tfpb.GraphDef) error {
	if !slices.ContainsFunc(g.GetNode(), func(n *tfpb.NodeDef) bool { return graph.IsVariableOp(n.GetOp()) }) {
		return nil
	}
	if err := f.rewriteReads(g); err != nil {
		return err
	}
	_, err := f.constantVariables(g)
	return err
}

// The keys under which SavedModels name their init op.
const (
	mainOpKey       = "saved_model_main_op"
	legacyInitOpKey = "legacy_init_op"
	tableInitKey    = "table_initializer"
	assetsKey       = "saved_model_assets"
)

// initTargets returns the model's init op, found where TensorFlow's
// loader looks: the __saved_model_init_op signature (TF2), else the
// saved_model_main_op collection, else legacy_init_op; a MetaGraph
// without any (a checkpoint's .meta) has its table_initializer
// collection, what tf.tables_initializer() runs.
func (f *freezer) initTargets() []string {
	if s := f.model.Signature(initOpSignature); s != nil {
		var out []string
		for _, o := range s.Outputs {
			out = append(out, o.Name)
		}
		return out
	}
	cols := f.model.MetaGraph.GetCollectionDef()
	for _, key := range []string{mainOpKey, legacyInitOpKey, tableInitKey} {
		if names := cols[key].GetNodeList().GetValue(); len(names) > 0 {
			return names
		}
	}
	return nil
}

// assetFeeds returns the asset tensors of g with the paths, relative to
// the model's directory, of the files they name: the MetaGraph's
// asset_file_def, else (TF1) its saved_model_assets collection, as
// TensorFlow's loader finds them.
func (f *freezer) assetFeeds(g *tfpb.GraphDef) map[string]*tensor.Tensor {
	mg := f.model.MetaGraph
	assets := mg.GetAssetFileDef()
	if len(assets) == 0 {
		for _, a := range mg.GetCollectionDef()[assetsKey].GetAnyList().GetValue() {
			def := &tfpb.AssetFileDef{}
			if strings.HasSuffix(a.GetTypeUrl(), "tensorflow.AssetFileDef") && proto.Unmarshal(a.GetValue(), def) == nil {
				assets = append(assets, def)
			}
		}
	}
	ix := indexNodes(g.GetNode())
	feeds := map[string]*tensor.Tensor{}
	for _, a := range assets {
		tn, err := graph.ParseTensorName(a.GetTensorInfo().GetName())
		if err != nil || ix[tn.Node] == nil {
			continue
		}
		feeds[tn.Canonical()] = tensor.Scalar(filepath.ToSlash(filepath.Join("assets", filepath.FromSlash(a.GetFilename()))))
	}
	return feeds
}
