package tfexec

import (
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/tfoffload/tfoffload/opdefs"
	"github.com/tfoffload/tfoffload/tensor"
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
		switch len(nodes) {
		case 0:
			parts[i] = op
		case 1:
			parts[i] = fmt.Sprintf("%s (node %q)", op, nodes[0])
		default:
			parts[i] = fmt.Sprintf("%s (node %q and %d more)", op, nodes[0], len(nodes)-1)
		}
		if why := opdefs.RefusedReason(op); why != "" {
			parts[i] += ": not supported: " + why
		}
	}
	return fmt.Sprintf("tfexec: no kernel for %d op type(s): %s", len(ops), strings.Join(parts, ", "))
}

func (e *UnsupportedOpsError) Unwrap() error { return ErrUnsupportedOps }

// ErrFeed is wrapped by errors about fed values: a missing placeholder
// feed, a feed of the wrong dtype or shape, or a feed naming no tensor.
var ErrFeed = errors.New("tfexec: bad feed")

// ErrNilContext is returned by Run when its context is nil; pass
// context.Background() (or context.TODO()) instead.
var ErrNilContext = errors.New("tfexec: nil context")

// ErrNoGraph is wrapped by errors for an Executor that New did not build:
// a nil or zero Executor.
var ErrNoGraph = errors.New("tfexec: no graph")

// ErrFetch is wrapped by errors about fetches: a name that is not a tensor
// of the graph, or a tensor that was not produced because it is dead (it
// lies on an untaken branch of a Switch).
var ErrFetch = errors.New("tfexec: bad fetch")

// ErrCallDepth is wrapped by the error of a run whose function calls nest
// deeper than MaxCallDepth; the error names the innermost calls.
var ErrCallDepth = errors.New("tfexec: function calls nest too deeply")

// PanicError is a kernel panic turned into an error. It means a bug in the
// kernel, not in the model: Error is one line, and Stack holds the
// panicking goroutine's stack for the bug report.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("kernel panicked: %v", e.Value) }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// panicError turns a recovered kernel panic into an error. A tensor over
// the memory budget (tensor.MustNew panics with it) is an ordinary error
// of the node, not a bug: it is returned as is, without a stack.
func panicError(rec any) error {
	if err, ok := rec.(error); ok && errors.Is(err, tensor.ErrTooLarge) {
		return err
	}
	return &PanicError{Value: rec, Stack: debug.Stack()}
}
