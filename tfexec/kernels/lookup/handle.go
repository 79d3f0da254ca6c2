package lookup

import (
	"fmt"
	"strings"
	"sync"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// defaultContainer is the resource manager's default container, the one
// a table whose container attribute is empty lives in.
const defaultContainer = "localhost"

// registry holds one executor's tables by container and name, as
// TensorFlow's resource manager does for a session.
type registry struct {
	mu      sync.Mutex
	tables  map[[2]string]table
	private map[*tfpb.NodeDef]string // the generated names of unshared tables
	next    int
}

type registryKey struct{}

// registryOf returns the table registry of the executor running ctx.
func registryOf(ctx *kernel.Context) (*registry, error) {
	r, err := ctx.Resources.LookupOrCreate(registryKey{}, func() (any, error) {
		return &registry{tables: map[[2]string]table{}, private: map[*tfpb.NodeDef]string{}}, nil
	})
	if err != nil {
		return nil, err
	}
	return r.(*registry), nil
}

// spec is what a table-creating node says about its table.
type spec struct {
	container, shared string
	nodeNameSharing   bool
	kt, vt            tensor.DType
	mutable           bool
}

// name returns the table's container and name, as ContainerInfo::Init
// chooses them: shared_name, else the node's name with
// use_node_name_sharing, else a name private to the node ("_N_node"),
// which every run of the node reuses.
func (r *registry) name(s spec, n *tfpb.NodeDef) [2]string {
	c := s.container
	if c == "" {
		c = defaultContainer
	}
	switch {
	case s.shared != "":
		return [2]string{c, s.shared}
	case s.nodeNameSharing:
		return [2]string{c, n.GetName()}
	}
	name, ok := r.private[n]
	if !ok {
		r.next++
		name = fmt.Sprintf("_%d_%s", r.next, n.GetName())
		r.private[n] = name
	}
	return [2]string{c, name}
}

// lookupOrCreate returns the table node n names, creating it on first
// use. An existing table of other dtypes is an error, as in TensorFlow.
func (r *registry) lookupOrCreate(s spec, n *tfpb.NodeDef) (table, [2]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.name(s, n)
	t, ok := r.tables[id]
	if !ok {
		t = newTable(s, id[0]+" "+id[1])
		r.tables[id] = t
	}
	if t.keyType() != s.kt || t.valueType() != s.vt {
		return nil, id, kernel.Invalid("Conflicting key/value dtypes %v->%v with %v-%v for table %s", s.kt, s.vt, t.keyType(), t.valueType(), id[1])
	}
	return t, id, nil
}

// lookup returns the table a V1 handle names.
func (r *registry) lookup(id [2]string) (table, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.tables[id]
	if !ok {
		return nil, kernel.Invalid("Container %s does not exist. (Could not find resource: %s/%s)", id[0], id[0], id[1])
	}
	return t, nil
}

// resourceHandle wraps a table as the resource scalar V2 ops pass on.
func resourceHandle(t table) *tensor.Tensor {
	h, _ := tensor.FromAny(tensor.Resource, tensor.Shape{}, []any{t})
	return h
}

// refHandle is a V1 handle: the two strings container and name.
func refHandle(id [2]string) *tensor.Tensor {
	return tensor.MustFromSlice(tensor.Shape{2}, []string{id[0], id[1]})
}

// tableOf returns the table behind a handle input: a resource scalar
// (V2 ops) or a V1 handle looked up in the executor's registry.
func tableOf(ctx *kernel.Context, h *tensor.Tensor) (table, error) {
	switch h.DType() {
	case tensor.Resource:
		if h.NumElements() != 1 {
			return nil, kernel.Invalid("table handle must be a scalar, got shape %v", h.Shape())
		}
		t, ok := h.Data().([]any)[0].(table)
		if !ok {
			return nil, kernel.Invalid("the resource handle does not hold a lookup table (it holds %T)", h.Data().([]any)[0])
		}
		return t, nil
	case tensor.String:
		if h.NumElements() != 2 {
			return nil, kernel.Invalid("Lookup table handle must be scalar, but had shape: %v", h.Shape())
		}
		r, err := registryOf(ctx)
		if err != nil {
			return nil, err
		}
		v := tensor.Values[string](h)
		return r.lookup([2]string{v[0], v[1]})
	}
	return nil, kernel.Invalid("a table handle is a resource or two strings, got %v%v", h.DType(), h.Shape())
}

// hashPairs and mutablePairs are the key and value dtypes TensorFlow
// registers HashTable and MutableHashTable kernels for (lookup_table_op.cc;
// MutableHashTable's int64 → variant is left out).
var (
	hashPairs = pairs(map[tensor.DType][]tensor.DType{
		tensor.Int32:  {tensor.Float64, tensor.Float32, tensor.Int32, tensor.String},
		tensor.Int64:  {tensor.Float64, tensor.Float32, tensor.Int32, tensor.Int64, tensor.String},
		tensor.String: {tensor.Bool, tensor.Float64, tensor.Float32, tensor.Int32, tensor.Int64, tensor.String},
	})
	mutablePairs = pairs(map[tensor.DType][]tensor.DType{
		tensor.Int32:  {tensor.Float64, tensor.Float32, tensor.Int32},
		tensor.Int64:  {tensor.Float64, tensor.Float32, tensor.Int32, tensor.Int64, tensor.String},
		tensor.String: {tensor.Bool, tensor.Float64, tensor.Float32, tensor.Int32, tensor.Int64},
	})
)

func pairs(m map[tensor.DType][]tensor.DType) map[[2]tensor.DType]bool {
	out := map[[2]tensor.DType]bool{}
	for k, vs := range m {
		for _, v := range vs {
			out[[2]tensor.DType{k, v}] = true
		}
	}
	return out
}

// readSpec reads and checks the attributes of a table-creating node.
func readSpec(n *kernel.Node, mutable bool) (spec, error) {
	s := spec{mutable: mutable}
	var err error
	if s.container, err = n.Attrs.String("container", ""); err != nil {
		return s, err
	}
	if s.shared, err = n.Attrs.String("shared_name", ""); err != nil {
		return s, err
	}
	if strings.HasPrefix(s.shared, "_") {
		return s, n.AttrError("shared_name", kernel.Invalid("shared_name cannot start with '_':%s", s.shared))
	}
	if s.nodeNameSharing, err = n.Attrs.Bool("use_node_name_sharing", false); err != nil {
		return s, err
	}
	if s.kt, err = n.Attrs.Type("key_dtype", tensor.Invalid); err != nil {
		return s, err
	}
	if s.vt, err = n.Attrs.Type("value_dtype", tensor.Invalid); err != nil {
		return s, err
	}
	registered := hashPairs
	if mutable {
		registered = mutablePairs
	}
	if !registered[[2]tensor.DType{s.kt, s.vt}] {
		return s, kernel.Unsupported("node %q (%s): key_dtype %v with value_dtype %v", n.Name(), n.Op(), s.kt, s.vt)
	}
	return s, nil
}

// newTable makes an empty table of s's dtypes, which readSpec checked.
func newTable(s spec, label string) table {
	switch s.kt {
	case tensor.String:
		return newTableOf[string](s, label)
	case tensor.Int32:
		return newTableOf[int32](s, label)
	default:
		return newTableOf[int64](s, label)
	}
}

func newTableOf[K key](s spec, label string) table {
	switch s.vt {
	case tensor.String:
		return &hashTable[K, string]{label: label, kt: s.kt, vt: s.vt, mutable: s.mutable}
	case tensor.Int32:
		return &hashTable[K, int32]{label: label, kt: s.kt, vt: s.vt, mutable: s.mutable}
	case tensor.Int64:
		return &hashTable[K, int64]{label: label, kt: s.kt, vt: s.vt, mutable: s.mutable}
	case tensor.Float32:
		return &hashTable[K, float32]{label: label, kt: s.kt, vt: s.vt, mutable: s.mutable}
	case tensor.Float64:
		return &hashTable[K, float64]{label: label, kt: s.kt, vt: s.vt, mutable: s.mutable}
	default:
		return &hashTable[K, bool]{label: label, kt: s.kt, vt: s.vt, mutable: s.mutable}
	}
}
