package clusters

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// ErrUntranslatable is wrapped by every error saying a node cannot be
// translated to ONNX.
var ErrUntranslatable = errors.New("cannot be translated to ONNX")

// Entry is one row of the translator table.
type Entry struct {
	// TypeAttr names the attribute holding the node's element type ("T"
	// when empty) and DTypes the types allowed in it; a nil DTypes allows
	// every type. Nodes without the attribute pass this check.
	TypeAttr string
	DTypes   []tensor.DType
	// Check, if set, vets attributes after the dtype check; its error says
	// why the node stays on the fallback.
	Check func(n *tfpb.NodeDef, a graph.Attrs) error
	// Translate emits the node's ONNX form.
	Translate func(c *Ctx) error
}

var table = map[string]Entry{}

// register adds ops to the table; it panics on a duplicate, which is a
// programming error found at init.
func register(e Entry, ops ...string) {
	for _, op := range ops {
		if _, dup := table[op]; dup {
			panic("clusters: duplicate translator for " + op)
		}
		table[op] = e
	}
}

// Ops returns the op types with a translator, sorted.
func Ops() []string {
	ops := make([]string, 0, len(table))
	for op := range table {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return ops
}

// Supported reports whether n can be translated, and if not, why.
func Supported(n *tfpb.NodeDef) (bool, string) {
	e, ok := table[n.GetOp()]
	if !ok {
		return false, fmt.Sprintf("op %s has no ONNX translator", n.GetOp())
	}
	a := graph.AttrsOf(n)
	attr := e.TypeAttr
	if attr == "" {
		attr = "T"
	}
	if e.DTypes != nil && a.Has(attr) {
		dt, err := a.Type(attr, tensor.Invalid)
		if err != nil {
			return false, err.Error()
		}
		if !slices.Contains(e.DTypes, dt) {
			return false, fmt.Sprintf("%s with %s=%v is not translated (supported: %s)", n.GetOp(), attr, dt, dtypeList(e.DTypes))
		}
	}
	if e.Check != nil {
		if err := e.Check(n, a); err != nil {
			return false, fmt.Sprintf("%s: %v", n.GetOp(), err)
		}
	}
	return true, ""
}

func dtypeList(ds []tensor.DType) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, ", ")
}

// untranslatable builds an ErrUntranslatable error.
func untranslatable(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrUntranslatable)
}

// OpDTypes returns the attribute holding op's element type and the dtypes
// its translator accepts there (nil: every dtype), and false when op has
// no translator. The caller owns the slice.
func OpDTypes(op string) (attr string, dtypes []tensor.DType, ok bool) {
	e, ok := table[op]
	if !ok {
		return "", nil, false
	}
	attr = e.TypeAttr
	if attr == "" {
		attr = "T"
	}
	return attr, slices.Clone(e.DTypes), true
}
