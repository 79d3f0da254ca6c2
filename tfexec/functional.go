package tfexec

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/function"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// MaxCallDepth bounds how deeply function calls nest while a graph runs:
// a recursion that never reaches its base case, or a library built to
// exhaust the stack, stops with an error wrapping ErrCallDepth.
const MaxCallDepth = 64

// functionalKernel returns the kernel constructor of an op that runs
// functions of the graph's library (see graph.FunctionalKind), nil for
// other ops. Its kernels are made per executor, since they need its
// library; a node whose op names a library function is a call as well.
func functionalKernel(op string) func(*funcRuntime, *kernel.Node) (kernel.Kernel, error) {
	switch graph.FunctionalKind(op) {
	case "Call":
		return newCall
	case "If":
		return newIf
	case "Case":
		return newCase
	case "While":
		return newWhile
	}
	return nil
}

// funcRuntime runs the functions of one graph's library. Each function,
// with one set of attribute values, is instantiated once into a nested
// executor whose plan is prepared once; every call, from any goroutine,
// runs that plan. The executors of one graph and of all its functions
// share one funcRuntime.
type funcRuntime struct {
	lib      *tfpb.FunctionDefLibrary
	names    map[string]bool // the library's functions
	versions *tfpb.VersionDef
	// What nested executors take over from the executor of the graph:
	// kernel overrides, threads, the run budget and the resources (lookup
	// tables are the session's, as in TensorFlow). Not the node timer,
	// which times a call as one node, nor the observer.
	kernels     map[string]kernel.Factory
	workers     int
	maxRunBytes int64
	resources   *kernel.Resources

	mu  sync.Mutex
	fns map[string]*funcEntry // by function name and attribute values
}

// funcEntry is one instantiated function. done is closed once fn or err
// is set.
type funcEntry struct {
	name string
	done chan struct{}
	fn   *compiledFunc
	err  error
}

// compiledFunc is a function body ready to run.
type compiledFunc struct {
	name     string
	exec     *Executor
	plan     *plan // nil when the function computes and runs nothing
	argFeed  []int // argument i is plan.feeds[argFeed[i]]
	argTypes []tensor.DType
	retTypes []tensor.DType
}

func newFuncRuntime(e *Executor) *funcRuntime {
	rt := &funcRuntime{lib: e.graph.GetLibrary(), names: map[string]bool{}, versions: e.graph.GetVersions(),
		kernels: e.kernels, workers: e.workers, maxRunBytes: e.maxRunBytes, resources: e.resources, fns: map[string]*funcEntry{}}
	for _, f := range rt.lib.GetFunction() {
		rt.names[f.GetSignature().GetName()] = true
	}
	return rt
}

// factory returns the kernel factory of op when it is a functional op or
// names a library function.
func (rt *funcRuntime) factory(op string) (kernel.Factory, bool) {
	if rt == nil {
		return nil, false
	}
	if rt.names[op] {
		return func(n *kernel.Node) (kernel.Kernel, error) {
			return rt.callKernel(n, &tfpb.NameAttrList{Name: op, Attr: n.Def.GetAttr()}, "")
		}, true
	}
	if newKernel := functionalKernel(op); newKernel != nil {
		return func(n *kernel.Node) (kernel.Kernel, error) { return newKernel(rt, n) }, true
	}
	return nil, false
}

// function returns the entry of the function f names, instantiating it
// when this is the first call to ask. When another caller is instantiating
// it (this call's own caller, for a function that calls itself, or another
// goroutine) the entry comes back unfinished: wait for it when it runs.
func (rt *funcRuntime) function(f *tfpb.NameAttrList) (*funcEntry, error) {
	key, err := proto.MarshalOptions{Deterministic: true}.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("function %s: attributes: %w", f.GetName(), err)
	}
	rt.mu.Lock()
	fe, ok := rt.fns[string(key)]
	if !ok {
		fe = &funcEntry{name: f.GetName(), done: make(chan struct{})}
		rt.fns[string(key)] = fe
	}
	rt.mu.Unlock()
	if !ok {
		fe.build(rt, f)
	}
	select {
	case <-fe.done:
		return fe, fe.err
	default:
		return fe, nil
	}
}

// build instantiates the entry's function. A panic (a bug) becomes the
// entry's error, so that no caller waits forever.
func (fe *funcEntry) build(rt *funcRuntime, f *tfpb.NameAttrList) {
	defer func() {
		if r := recover(); r != nil {
			fe.fn, fe.err = nil, fmt.Errorf("function %s: %w", f.GetName(), panicError(r))
		}
		close(fe.done)
	}()
	fe.fn, fe.err = rt.compile(f)
}

// compile instantiates a function and prepares its body's plan: the
// returned tensors fetched, the control outputs run, the arguments fed.
func (rt *funcRuntime) compile(f *tfpb.NameAttrList) (*compiledFunc, error) {
	body, err := function.Instantiate(rt.lib, f.GetName(), f.GetAttr())
	if err != nil {
		return nil, err
	}
	g := &tfpb.GraphDef{Node: body.Nodes, Library: rt.lib, Versions: rt.versions}
	ix, err := graph.NewIndex(g)
	if err != nil {
		return nil, fmt.Errorf("function %s: %w", body.Function, err)
	}
	sub := &Executor{graph: g, index: ix, kernels: rt.kernels, workers: rt.workers, maxRunBytes: rt.maxRunBytes,
		plans: map[string]*planEntry{}, funcs: rt, resources: rt.resources}
	c := &compiledFunc{name: body.Function, exec: sub}
	for _, t := range body.ArgTypes {
		c.argTypes = append(c.argTypes, tensor.DType(t).BaseType())
	}
	for _, t := range body.RetTypes {
		c.retTypes = append(c.retTypes, tensor.DType(t).BaseType())
	}
	if len(body.Rets)+len(body.ControlRets) == 0 {
		c.argFeed = make([]int, len(body.Args))
		return c, nil
	}
	if c.plan, err = sub.buildPlan(body.Args, body.Rets, body.ControlRets); err != nil {
		return nil, fmt.Errorf("function %s: %w", body.Function, err)
	}
	for _, a := range body.Args {
		k, found := slices.BinarySearch(c.plan.feeds, graph.TensorName{Node: a}.Canonical())
		if !found {
			return nil, fmt.Errorf("function %s: argument %q is not among the body's feeds", body.Function, a)
		}
		c.argFeed = append(c.argFeed, k)
	}
	return c, nil
}

// call waits for the entry's function to be ready and calls it.
func (fe *funcEntry) call(ctx *kernel.Context, args []*tensor.Tensor) ([]*tensor.Tensor, error) {
	select {
	case <-fe.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if fe.err != nil {
		return nil, fe.err
	}
	return fe.fn.call(ctx, args)
}

// callFrame is one function call in progress, kept in the context of the
// runs it makes, so that nested calls know their depth.
type callFrame struct {
	node, fn string
	depth    int
	parent   *callFrame
}

type callFrameKey struct{}

// callDepthError reports calls nested deeper than MaxCallDepth, naming
// the innermost ones. Every call on the way passes it up unchanged.
type callDepthError struct{ frame *callFrame }

func (e *callDepthError) Error() string {
	var calls []string
	for f := e.frame; f != nil && len(calls) < 4; f = f.parent {
		calls = append(calls, fmt.Sprintf("%s (node %q)", f.fn, f.node))
	}
	more := ""
	if e.frame.depth > len(calls) {
		more = " ← …"
	}
	return fmt.Sprintf("%v (%d): %s%s", ErrCallDepth, MaxCallDepth, strings.Join(calls, " ← "), more)
}

func (e *callDepthError) Unwrap() error { return ErrCallDepth }

// call runs the function on args in a nested run of its body.
func (c *compiledFunc) call(ctx *kernel.Context, args []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if len(args) != len(c.argTypes) {
		return nil, fmt.Errorf("function %s takes %d argument(s), got %d", c.name, len(c.argTypes), len(args))
	}
	for i, a := range args {
		if a.DType() != c.argTypes[i] {
			return nil, fmt.Errorf("function %s: argument %d must be %v, got %v", c.name, i, c.argTypes[i], a.DType())
		}
	}
	if c.plan == nil {
		return nil, nil
	}
	parent, _ := ctx.Value(callFrameKey{}).(*callFrame)
	frame := &callFrame{node: ctx.Node.Name(), fn: c.name, depth: 1, parent: parent}
	if parent != nil {
		frame.depth = parent.depth + 1
	}
	if frame.depth > MaxCallDepth {
		return nil, &callDepthError{frame: frame}
	}
	vals := make([]*tensor.Tensor, len(c.plan.feeds))
	for i, a := range args {
		vals[c.argFeed[i]] = a
	}
	limit := c.exec.maxRunBytes
	if limit == 0 {
		limit = tensor.MaxRunBytes()
	}
	outs, err := newRun(context.WithValue(ctx.Context, callFrameKey{}, frame), c.exec, c.plan, vals, limit).execute()
	if err != nil {
		var deep *callDepthError
		if errors.As(err, &deep) {
			// The innermost call names the chain; this node's error
			// gives it the outermost node.
			return nil, &NodeError{Node: ctx.Node.Name(), Op: ctx.Node.Op(), Err: deep}
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("function %s: %w", c.name, err)
	}
	for i, t := range outs {
		if t.DType() != c.retTypes[i] {
			return nil, fmt.Errorf("function %s: output %d is %v, its signature says %v", c.name, i, t.DType(), c.retTypes[i])
		}
	}
	return outs, nil
}

// funcAttr reads a func attribute and instantiates the function it names.
func funcAttr(rt *funcRuntime, n *kernel.Node, attr string) (*funcEntry, error) {
	f, err := n.Attrs.Func(attr)
	if err != nil {
		return nil, err
	}
	fe, err := rt.function(f)
	if err != nil {
		return nil, n.AttrError(attr, err)
	}
	return fe, nil
}

// funcPair reads the two func attributes of an If (then, else) or a
// While (cond, body), instantiating their functions, and the list(type)
// attribute declaring the node's outputs (nil when absent).
func funcPair(rt *funcRuntime, n *kernel.Node, first, second, types string) (*funcEntry, *funcEntry, []tensor.DType, error) {
	a, err := funcAttr(rt, n, first)
	if err != nil {
		return nil, nil, nil, err
	}
	b, err := funcAttr(rt, n, second)
	if err != nil {
		return nil, nil, nil, err
	}
	want, err := n.Attrs.Types(types, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	return a, b, want, nil
}

// callChecked calls the entry's function and checks its results against
// the node's declared output types want (see checkOutputs).
func (fe *funcEntry) callChecked(ctx *kernel.Context, args []*tensor.Tensor, want []tensor.DType) ([]*tensor.Tensor, error) {
	outs, err := fe.call(ctx, args)
	if err != nil {
		return nil, err
	}
	return outs, checkOutputs(fe, outs, want)
}

// checkOutputs verifies a function's results against the op's declared
// output types, as TensorFlow's SetOutputs does. want nil checks nothing.
func checkOutputs(fe *funcEntry, outs []*tensor.Tensor, want []tensor.DType) error {
	if want == nil {
		return nil
	}
	if len(outs) != len(want) {
		return fmt.Errorf("function %s returned %d tensor(s), the node declares %d", fe.name, len(outs), len(want))
	}
	for i, t := range outs {
		if t.DType() != want[i] {
			return fmt.Errorf("function %s: output %d is %v, the node declares %v", fe.name, i, t.DType(), want[i])
		}
	}
	return nil
}

// newCall is PartitionedCall and StatefulPartitionedCall: run f.
func newCall(rt *funcRuntime, n *kernel.Node) (kernel.Kernel, error) {
	f, err := n.Attrs.Func("f")
	if err != nil {
		return nil, err
	}
	return rt.callKernel(n, f, "Tout")
}

// callKernel is the kernel of a node that calls f with its inputs and
// returns its outputs, checked against the types attribute tout (none
// when empty).
func (rt *funcRuntime) callKernel(n *kernel.Node, f *tfpb.NameAttrList, tout string) (kernel.Kernel, error) {
	var want []tensor.DType
	if tout != "" {
		var err error
		if want, err = n.Attrs.Types(tout, nil); err != nil {
			return nil, err
		}
	}
	fe, err := rt.function(f)
	if err != nil {
		return nil, err
	}
	return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		return fe.callChecked(ctx, in, want)
	}, nil
}

// newIf is If and StatelessIf: run then_branch when the condition holds
// (see toBool), else_branch otherwise, on the other inputs.
func newIf(rt *funcRuntime, n *kernel.Node) (kernel.Kernel, error) {
	thenF, elseF, want, err := funcPair(rt, n, "then_branch", "else_branch", "Tout")
	if err != nil {
		return nil, err
	}
	return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if len(in) == 0 {
			return nil, fmt.Errorf("%w: expected a condition input", kernel.ErrInvalidArgument)
		}
		cond, err := toBool(in[0])
		if err != nil {
			return nil, fmt.Errorf("condition: %w", err)
		}
		if cond {
			return thenF.callChecked(ctx, in[1:], want)
		}
		return elseF.callChecked(ctx, in[1:], want)
	}, nil
}

// newCase is Case and StatelessCase: run branches[branch_index] on the
// other inputs; an index out of range runs the last branch, the default.
func newCase(rt *funcRuntime, n *kernel.Node) (kernel.Kernel, error) {
	list := n.Def.GetAttr()["branches"].GetList().GetFunc()
	if len(list) == 0 {
		return nil, n.AttrError("branches", errors.New("must list at least one function"))
	}
	branches := make([]*funcEntry, len(list))
	for i, f := range list {
		var err error
		if branches[i], err = rt.function(f); err != nil {
			return nil, n.AttrError("branches", err)
		}
	}
	want, err := n.Attrs.Types("Tout", nil)
	if err != nil {
		return nil, err
	}
	return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if len(in) == 0 {
			return nil, fmt.Errorf("%w: expected a branch_index input", kernel.ErrInvalidArgument)
		}
		if in[0].DType() != tensor.Int32 || in[0].Rank() != 0 {
			return nil, fmt.Errorf("%w: branch_index must be a scalar int32, got %v%v", kernel.ErrInvalidArgument, in[0].DType(), in[0].Shape())
		}
		k := int(tensor.Values[int32](in[0])[0])
		if k < 0 || k >= len(branches) {
			k = len(branches) - 1
		}
		return branches[k].callChecked(ctx, in[1:], want)
	}, nil
}

// newWhile is While and StatelessWhile: while cond holds on the loop
// variables (see toBool), replace them by what body returns. Iterations
// run one after another (parallel_iterations is only a hint, as in
// TensorFlow's kernel); each iteration's tensors are dropped once the next
// one has its variables, and cancellation is checked between iterations.
func newWhile(rt *funcRuntime, n *kernel.Node) (kernel.Kernel, error) {
	condF, bodyF, want, err := funcPair(rt, n, "cond", "body", "T")
	if err != nil {
		return nil, err
	}
	return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		vars := in
		for {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			c, err := condF.call(ctx, vars)
			if err != nil {
				return nil, err
			}
			if len(c) != 1 {
				return nil, fmt.Errorf("%w: cond function %s returned %d tensors, expected one", kernel.ErrInvalidArgument, condF.name, len(c))
			}
			more, err := toBool(c[0])
			if err != nil {
				return nil, fmt.Errorf("cond function %s: %w", condF.name, err)
			}
			if !more {
				return vars, checkOutputs(bodyF, vars, want)
			}
			next, err := bodyF.call(ctx, vars)
			if err != nil {
				return nil, err
			}
			if len(next) != len(vars) {
				return nil, fmt.Errorf("%w: body function %s returned %d tensors for %d loop variables", kernel.ErrInvalidArgument, bodyF.name, len(next), len(vars))
			}
			vars = next
		}
	}, nil
}

// toBool is TensorFlow's truth value of a condition (ToBool in
// functional_ops.cc): a scalar is true when it is not zero (a string when
// it is not empty); any other tensor when it has elements.
func toBool(t *tensor.Tensor) (bool, error) {
	if t.Rank() != 0 {
		return t.NumElements() > 0, nil
	}
	switch t.DType() {
	case tensor.Bool:
		return tensor.Values[bool](t)[0], nil
	case tensor.String:
		return tensor.Values[string](t)[0] != "", nil
	case tensor.Float32:
		return tensor.Values[float32](t)[0] != 0, nil
	case tensor.Float64:
		return tensor.Values[float64](t)[0] != 0, nil
	case tensor.Int32:
		return tensor.Values[int32](t)[0] != 0, nil
	case tensor.Int64:
		return tensor.Values[int64](t)[0] != 0, nil
	case tensor.Int16:
		return tensor.Values[int16](t)[0] != 0, nil
	case tensor.Int8:
		return tensor.Values[int8](t)[0] != 0, nil
	case tensor.Uint8:
		return tensor.Values[uint8](t)[0] != 0, nil
	}
	return false, fmt.Errorf("%w: %v cannot be converted to a boolean", kernel.ErrInvalidArgument, t.DType())
}
