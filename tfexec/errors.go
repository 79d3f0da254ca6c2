package tfexec

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// NodeError is an error raised while preparing or running one node.
type NodeError struct {
	Node, Op string
	Err      error
}

// Error prefixes the error with the node, unless its message (from
// graph.Attrs or a kernel) already starts by naming the same node.
func (e *NodeError) Error() string {
	prefix, msg := fmt.Sprintf("node %q (%s): ", e.Node, e.Op), e.Err.Error()
	if strings.HasPrefix(msg, prefix) {
		return msg
	}
	return prefix + msg
}

func (e *NodeError) Unwrap() error { return e.Err }

// ErrUnsupportedOps is wrapped by *UnsupportedOpsError.
var ErrUnsupportedOps = errors.New("tfexec: ops without a kernel")

// UnsupportedOpsError lists every op of a graph that has no kernel, with
// the nodes that use it. Prepare reports all of them at once.
type UnsupportedOpsError struct {
	// Ops maps op type to the names of the nodes using it.
	Ops map[string][]string
}

func (e *UnsupportedOpsError) Error() string {
	ops := make([]string, 0, len(e.Ops))
	for op := range e.Ops {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	parts := make([]string, len(ops))
	for i, op := range ops {
		nodes := e.Ops[op]
		example := fmt.Sprintf("%q", nodes[0])
		if len(nodes) > 1 {
			example += fmt.Sprintf(" and %d more", len(nodes)-1)
		}
		parts[i] = fmt.Sprintf("%s (node %s)", op, example)
	}
	return fmt.Sprintf("tfexec: no kernel for %d op type(s): %s", len(ops), strings.Join(parts, ", "))
}

func (e *UnsupportedOpsError) Unwrap() error { return ErrUnsupportedOps }

// ErrFeed is wrapped by errors about fed values: a missing placeholder
// feed, a feed of the wrong dtype or shape, or a feed naming no tensor.
var ErrFeed = errors.New("tfexec: bad feed")

// ErrFetch is wrapped by errors about fetches: a name that is not a tensor
// of the graph, or a tensor that was not produced because it is dead (it
// lies on an untaken branch of a Switch).
var ErrFetch = errors.New("tfexec: bad fetch")
