package kernel

import (
	"context"
	"fmt"
	"slices"
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

// Context is what a Kernel sees at run time besides its inputs.
type Context struct {
	context.Context
	Node *Node
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

var (
	mu       sync.RWMutex
	registry = map[string]Factory{}
)

// Register makes a kernel factory available for an op type. It panics if
// the op already has one: registration happens in init functions, where a
// duplicate is a programming error.
func Register(op string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[op]; dup {
		panic("kernel: duplicate registration of " + op)
	}
	registry[op] = f
}

// Lookup returns the factory registered for op.
func Lookup(op string) (Factory, bool) {
	mu.RLock()
	defer mu.RUnlock()
	f, ok := registry[op]
	return f, ok
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
