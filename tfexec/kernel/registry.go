package kernel

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/internal/tfshape"
	"github.com/tfoffload/tfoffload/tensor"
)

// Kernel computes one node: it receives the node's data inputs, in order,
// and returns its outputs. See the package documentation for its duties.
type Kernel func(ctx *Context, inputs []*tensor.Tensor) ([]*tensor.Tensor, error)

// Factory prepares the kernel of one node, validating its attributes.
type Factory func(n *Node) (Kernel, error)

// Node is what a Factory sees: the NodeDef with its attributes and input
// counts.
type Node struct {
	Def   *tfpb.NodeDef
	Attrs graph.Attrs
	// NumInputs is the number of data inputs (control inputs excluded).
	NumInputs int
}

// NewNode wraps a NodeDef, counting its data inputs.
func NewNode(def *tfpb.NodeDef) *Node {
	n := &Node{Def: def, Attrs: graph.AttrsOf(def)}
	for _, in := range def.GetInput() {
		if len(in) == 0 || in[0] != '^' {
			n.NumInputs++
		}
	}
	return n
}

// Name returns the node's name.
func (n *Node) Name() string { return n.Def.GetName() }

// Op returns the node's op type.
func (n *Node) Op() string { return n.Def.GetOp() }

// AttrError wraps err, an error about attribute attr, with the node's
// name and op.
func (n *Node) AttrError(attr string, err error) error {
	return fmt.Errorf("node %q (%s): attribute %q: %w", n.Name(), n.Op(), attr, err)
}

// Context is what a Kernel sees at run time besides its inputs.
type Context struct {
	context.Context
	Node *Node
	// Resources is the executor's store of what outlives a run (lookup
	// tables); nil outside an executor.
	Resources *Resources
}

// ErrInvalidArgument is wrapped by kernel errors for inputs TensorFlow
// rejects with InvalidArgument (or OutOfRange, FailedPrecondition): wrong
// ranks, mismatched dimensions, out-of-range indices, integer division by
// zero and the like. It is tfshape.ErrInvalidArgument, so the shape
// arithmetic kernels share with translators reports the same condition.
var ErrInvalidArgument = tfshape.ErrInvalidArgument

// ErrUnsupported is wrapped by errors for dtypes or attribute values a
// kernel does not implement. It is tfshape.ErrUnsupported.
var ErrUnsupported = tfshape.ErrUnsupported

// Unsupported returns an ErrUnsupported error, for example
// Unsupported("dtype %v", dt).
func Unsupported(format string, args ...any) error {
	return fmt.Errorf("%s %w", fmt.Sprintf(format, args...), ErrUnsupported)
}

// Def is one row of the kernel table: an op type, the element types its
// kernel implements and the factory that prepares it. Each kernel package
// lists its rows in a table and registers them in one init function.
type Def struct {
	// Op is the op type, as in NodeDef.op.
	Op string
	// DTypes are the element types the kernel implements for the type
	// attribute TypeAttr: a node whose attribute holds another dtype is
	// refused with ErrUnsupported, when it is prepared or when it runs.
	// Nil means the op is not type-polymorphic (its dtypes are fixed, or
	// set by several attributes the factory checks itself).
	DTypes []tensor.DType
	// TypeAttr names the attribute that holds the type; "T" when empty.
	// Defs returns it filled in.
	TypeAttr string
	// New prepares the kernel of one node.
	New Factory
}

var (
	mu       sync.RWMutex
	registry = map[string]Def{}
)

// Register adds rows to the kernel table. It panics on a row without an
// op or a factory, on dtypes that are invalid, repeated or an empty list,
// on a type attribute without dtypes, and on an op that already has a row:
// registration happens in init functions, where these are programming
// errors.
func Register(defs ...Def) {
	mu.Lock()
	defer mu.Unlock()
	for _, d := range defs {
		d = d.normalized()
		if _, dup := registry[d.Op]; dup {
			panic("kernel: duplicate registration of " + d.Op)
		}
		registry[d.Op] = d
	}
}

// normalized checks d and returns it with its dtypes copied and sorted and
// its type attribute filled in.
func (d Def) normalized() Def {
	switch {
	case d.Op == "":
		panic("kernel: a Def without an op")
	case d.New == nil:
		panic("kernel: " + d.Op + " has no factory")
	case d.DTypes == nil && d.TypeAttr != "":
		panic("kernel: " + d.Op + " names type attribute " + d.TypeAttr + " but no dtypes")
	case d.DTypes != nil && len(d.DTypes) == 0:
		panic("kernel: " + d.Op + " lists an empty set of dtypes")
	}
	if d.DTypes == nil {
		return d
	}
	if d.TypeAttr == "" {
		d.TypeAttr = "T"
	}
	d.DTypes = slices.Clone(d.DTypes)
	slices.Sort(d.DTypes)
	for i, dt := range d.DTypes {
		if !dt.Valid() || (i > 0 && dt == d.DTypes[i-1]) {
			panic(fmt.Sprintf("kernel: %s lists dtype %v twice or it is invalid", d.Op, dt))
		}
	}
	d.New = checkingType(d.TypeAttr, d.DTypes, d.New)
	return d
}

// checkingType wraps a factory so that a node whose type attribute holds
// a dtype the row does not declare is refused with ErrUnsupported even
// where the factory itself lets it pass (its own refusal, if any, comes
// first). Without it a kernel that moves elements by their Go type would
// take the quantized types (qint8 is held as int8) for integers it
// implements.
func checkingType(attr string, dtypes []tensor.DType, f Factory) Factory {
	return func(n *Node) (Kernel, error) {
		k, err := f(n)
		if err != nil {
			return nil, err
		}
		if err := CheckTypeAttr(n, attr, dtypes); err != nil {
			return nil, err
		}
		return k, nil
	}
}

// Lookup returns the factory registered for op.
func Lookup(op string) (Factory, bool) {
	mu.RLock()
	defer mu.RUnlock()
	d, ok := registry[op]
	return d.New, ok
}

// Defs returns the kernel table, sorted by op. The rows are copies: the
// caller may keep and modify them.
func Defs() []Def {
	mu.RLock()
	defer mu.RUnlock()
	defs := make([]Def, 0, len(registry))
	for _, d := range registry {
		d.DTypes = slices.Clone(d.DTypes)
		defs = append(defs, d)
	}
	slices.SortFunc(defs, func(a, b Def) int { return strings.Compare(a.Op, b.Op) })
	return defs
}

// Ops returns the registered op types, sorted.
func Ops() []string {
	mu.RLock()
	defer mu.RUnlock()
	ops := make([]string, 0, len(registry))
	for op := range registry {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return ops
}

// Stateless wraps a kernel that needs no attributes as a Factory.
func Stateless(k Kernel) Factory {
	return func(*Node) (Kernel, error) { return k, nil }
}

// CheckInputs reports an error unless the kernel got exactly n inputs.
func CheckInputs(in []*tensor.Tensor, n int) error {
	if len(in) != n {
		return fmt.Errorf("expected %d inputs, got %d", n, len(in))
	}
	return nil
}
