package tensorflow

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/opdefs"
)

// Graph represents a computation graph. Graphs may be shared between
// sessions and may grow while sessions use them: a session prepares the
// graph as it is when a Run first asks for a set of feeds and fetches.
// A Graph is safe for concurrent use.
type Graph struct {
	mu       sync.RWMutex
	nodes    []*tfpb.NodeDef // never changed once added
	index    map[string]*tfpb.NodeDef
	library  *tfpb.FunctionDefLibrary
	versions *tfpb.VersionDef
	// source is the SavedModel the graph was loaded from (variables,
	// checkpoint, signatures); nil for graphs built or imported here.
	source *graph.Model

	infoMu sync.Mutex
	info   map[string][]outInfo // inferred output types and shapes by node
}

// NewGraph returns a new, empty Graph.
func NewGraph() *Graph {
	return &Graph{index: map[string]*tfpb.NodeDef{}, info: map[string][]outInfo{}}
}

// WriteTo writes the graph as a serialized GraphDef to w. It implements
// io.WriterTo.
func (g *Graph) WriteTo(w io.Writer) (int64, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(g.graphDef())
	if err != nil {
		return 0, err
	}
	n, err := w.Write(b)
	return int64(n), err
}

// graphDef returns a snapshot of the graph. Nodes are shared: they are
// never changed once added.
func (g *Graph) graphDef() *tfpb.GraphDef {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return &tfpb.GraphDef{Node: slices.Clone(g.nodes), Library: g.library, Versions: g.versions}
}

// GraphImportOptions holds the options of ImportWithOptions.
type GraphImportOptions struct {
	// Prefix is added before the names of the imported nodes: "p" turns
	// "x" into "p/x".
	Prefix string
	// Device sets the device of imported nodes that name none.
	Device string

	inputMapping map[string]Output
}

// AddInputMapping makes inputs of the imported graph that read output
// srcIndex of node src (a name in the imported GraphDef) read dst, an
// output already in the graph, instead.
func (o *GraphImportOptions) AddInputMapping(src string, srcIndex int, dst Output) {
	if o.inputMapping == nil {
		o.inputMapping = map[string]Output{}
	}
	o.inputMapping[graph.TensorName{Node: src, Output: srcIndex}.Canonical()] = dst
}

// Import imports the nodes and edges of a serialized GraphDef into g,
// with prefix (when not empty) and "/" before every imported name.
func (g *Graph) Import(def []byte, prefix string) error {
	return g.ImportWithOptions(def, GraphImportOptions{Prefix: prefix})
}

// ImportWithOptions imports a serialized GraphDef into g. A name that
// already exists in g, an input that refers to no node, or a GraphDef
// that does not parse is an error, and g is left unchanged.
func (g *Graph) ImportWithOptions(def []byte, options GraphImportOptions) error {
	gd, err := graph.ParseGraphDef(def)
	if err != nil {
		return fmt.Errorf("import graph: %w", err)
	}
	return g.importGraphDef(gd, options)
}

func (g *Graph) importGraphDef(gd *tfpb.GraphDef, o GraphImportOptions) error {
	prefix := o.Prefix
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	imported := map[string]bool{}
	for _, n := range gd.GetNode() {
		imported[n.GetName()] = true
	}
	for _, k := range sortedKeys(o.inputMapping) {
		if out := o.inputMapping[k]; out.Op == nil || out.Op.g != g {
			return fmt.Errorf("import graph: input mapping for %s: the destination is not an operation of this graph", k)
		}
	}
	rename := func(in string) (string, error) {
		tn, err := graph.ParseTensorName(in)
		if err != nil {
			return "", err
		}
		if dst, ok := o.inputMapping[tn.Canonical()]; ok && !tn.Control {
			return dst.name(), nil
		}
		if !imported[tn.Node] {
			return "", fmt.Errorf("input %q refers to no node of the imported graph", in)
		}
		tn.Node = prefix + tn.Node
		return tn.String(), nil
	}
	nodes := make([]*tfpb.NodeDef, 0, len(gd.GetNode()))
	g.mu.Lock()
	defer g.mu.Unlock()
	seen := map[string]bool{}
	// gd is the importer's own (parsed for this import), so its nodes are
	// renamed in place rather than copied: a large frozen graph is not held
	// twice.
	for _, c := range gd.GetNode() {
		orig := c.GetName()
		c.Name = prefix + orig
		if _, dup := g.index[c.Name]; dup || seen[c.Name] {
			return fmt.Errorf("import graph: duplicate node name in graph: '%s'", c.Name)
		}
		if !validNodeName.MatchString(c.Name) {
			return fmt.Errorf("import graph: node '%s': node name contains invalid characters", c.Name)
		}
		seen[c.Name] = true
		for i, in := range c.GetInput() {
			var err error
			if c.Input[i], err = rename(in); err != nil {
				return fmt.Errorf("import graph: node %s: %w", orig, err)
			}
		}
		if c.GetDevice() == "" {
			c.Device = o.Device
		}
		if sig, ok := opdefs.SignatureOf(c.GetOp()); ok {
			c.Attr = sig.FillDefaults(c.GetAttr())
		}
		nodes = append(nodes, c)
	}
	lib, err := mergeLibrary(g.library, gd.GetLibrary())
	if err != nil {
		return fmt.Errorf("import graph: %w", err)
	}
	for _, n := range nodes {
		g.nodes = append(g.nodes, n)
		g.index[n.GetName()] = n
	}
	g.library = lib
	if g.versions == nil {
		g.versions = gd.GetVersions()
	}
	return nil
}

// mergeLibrary adds the functions of add to lib; a function defined in
// both must be the same.
func mergeLibrary(lib, add *tfpb.FunctionDefLibrary) (*tfpb.FunctionDefLibrary, error) {
	if len(add.GetFunction()) == 0 && len(add.GetGradient()) == 0 {
		return lib, nil
	}
	out := &tfpb.FunctionDefLibrary{}
	if lib != nil {
		out.Function = slices.Clone(lib.GetFunction())
		out.Gradient = slices.Clone(lib.GetGradient())
	}
	have := map[string]*tfpb.FunctionDef{}
	for _, f := range out.Function {
		have[f.GetSignature().GetName()] = f
	}
	for _, f := range add.GetFunction() {
		name := f.GetSignature().GetName()
		if old, ok := have[name]; ok {
			if !proto.Equal(old, f) {
				return nil, fmt.Errorf("function %s is already defined differently", name)
			}
			continue
		}
		out.Function = append(out.Function, f)
	}
	out.Gradient = append(out.Gradient, add.GetGradient()...)
	return out, nil
}

// Operation returns the Operation named name in the Graph, or nil if no
// such operation is present. Each call returns a new value: compare
// operations by Name, never by pointer.
func (g *Graph) Operation(name string) *Operation {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if _, ok := g.index[name]; !ok {
		return nil
	}
	return &Operation{g: g, nodeName: name}
}

// Operations returns all operations of the graph, in the order they were
// added.
func (g *Graph) Operations() []Operation {
	g.mu.RLock()
	defer g.mu.RUnlock()
	ops := make([]Operation, len(g.nodes))
	for i, n := range g.nodes {
		ops[i] = Operation{g: g, nodeName: n.GetName()}
	}
	return ops
}

func (g *Graph) node(name string) *tfpb.NodeDef {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.index[name]
}

// ErrNotSupported is wrapped by the errors of the bindings' functions
// tfoffload does not provide: gradients, partial runs, eager execution,
// loading op libraries, adding functions.
var ErrNotSupported = errors.New("not supported by tfoffload (it runs inference only)")

// AddGradients is not supported: tfoffload runs inference only.
func (g *Graph) AddGradients(prefix string, y []Output, x []Output, dx []Output) ([]Output, error) {
	return nil, fmt.Errorf("tensorflow: AddGradients: %w", ErrNotSupported)
}

// validNodeName is TensorFlow's rule for node names (IsValidNodeName).
var validNodeName = regexp.MustCompile(`^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$`)

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
