package tfexec

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// nodeKind says how the executor treats a node: through its kernel, or as
// one of the control-flow primitives it implements itself.
type nodeKind uint8

const (
	kindKernel nodeKind = iota
	kindSwitch
	kindMerge
	kindEnter
	kindExit
	kindNextIteration
)

var kindOf = map[string]nodeKind{
	"Switch": kindSwitch, "Merge": kindMerge, "Enter": kindEnter,
	"Exit": kindExit, "NextIteration": kindNextIteration,
}

// edge is one consumer of a node output: the consumer's position in the
// plan and its data input slot, or slot -1 for a control edge.
type edge struct {
	dst  int32
	slot int32
}

// pnode is one node of a plan.
type pnode struct {
	def    *tfpb.NodeDef
	kind   nodeKind
	kernel kernel.Kernel
	knode  *kernel.Node
	frame  string

	numData    int // data inputs, fed ones included
	numControl int
	fed        []fedSlot // data inputs whose value is a feed

	out     [][]edge // consumers, by output index
	ctrlOut []int32

	child      string // Enter: the frame it enters
	isConstant bool   // Enter: the value is loop-invariant
	parallel   int    // Enter: parallel_iterations of the frame it creates

	fetchOuts []fetchSlot // outputs that are fetched
}

type fedSlot struct{ slot, feed int }

type fetchSlot struct{ output, fetch int }

// plan is a graph pruned to one (feeds, fetches) pair, with kernels ready.
type plan struct {
	nodes    []pnode
	feeds    []string // canonical tensor names, sorted
	feedInfo []feedCheck
	fetches  []fetchRef
	roots    []int32            // nodes ready as soon as a run starts
	exits    map[string][]int32 // Exit nodes of each loop frame
	enters   map[string]int     // Enter nodes feeding each loop frame
}

type feedCheck struct {
	name  string
	dtype tensor.DType // Invalid when unconstrained
	shape []int64      // nil when unconstrained; -1 for unknown dims
}

// fetchRef locates a fetched tensor: a feed, or a node output.
type fetchRef struct {
	name   string
	feed   int // index into plan.feeds, or -1
	node   int32
	output int
}

// buildPlan prepares a plan computing fetches from feeds. targets are
// further nodes that must run although nothing of theirs is fetched (a
// function's control outputs), as TensorFlow's Session.Run targets.
func (e *Executor) buildPlan(feeds, fetches, targets []string) (*plan, error) {
	if len(fetches) == 0 && len(targets) == 0 {
		return nil, fmt.Errorf("%w: nothing to fetch", ErrFetch)
	}
	p := &plan{exits: map[string][]int32{}}
	feedIdx := map[string]int{}
	fedNode := map[string]bool{} // nodes with a fed output: control edges on them are satisfied by the feed
	for _, f := range feeds {
		t, err := graph.ParseTensorName(f)
		if err != nil || t.Control {
			return nil, fmt.Errorf("%w: %q is not a tensor name", ErrFeed, f)
		}
		name := t.Canonical()
		if _, dup := feedIdx[name]; dup {
			return nil, fmt.Errorf("%w: %q is fed twice", ErrFeed, name)
		}
		if e.index.Node(t.Node) == nil {
			return nil, fmt.Errorf("%w: the graph has no node %q", ErrFeed, t.Node)
		}
		feedIdx[name] = -1
		fedNode[t.Node] = true
		p.feeds = append(p.feeds, name)
	}
	slices.Sort(p.feeds)
	for i, name := range p.feeds {
		feedIdx[name] = i
	}

	// Walk back from the fetches, stopping at fed tensors.
	nodes := e.graph.GetNode()
	need := make([]bool, len(nodes))
	var stack []int
	for _, f := range fetches {
		t, err := graph.ParseTensorName(f)
		if err != nil || t.Control {
			return nil, fmt.Errorf("%w: %q is not a tensor name", ErrFetch, f)
		}
		ref := fetchRef{name: f, feed: -1, output: t.Output}
		if i, ok := feedIdx[t.Canonical()]; ok {
			ref.feed = i
		} else {
			pos := e.index.Position(t.Node)
			if pos < 0 {
				return nil, fmt.Errorf("%w: the graph has no node %q", ErrFetch, t.Node)
			}
			ref.node = int32(pos)
			stack = append(stack, pos)
		}
		p.fetches = append(p.fetches, ref)
	}
	for _, name := range targets {
		pos := e.index.Position(name)
		if pos < 0 {
			return nil, fmt.Errorf("%w: the graph has no node %q to run", ErrFetch, name)
		}
		if !fedNode[name] {
			stack = append(stack, pos)
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if need[i] {
			continue
		}
		need[i] = true
		for _, in := range e.index.Inputs(i) {
			if _, fed := feedIdx[in.Canonical()]; fed && !in.Control {
				continue
			}
			if in.Control && fedNode[in.Node] {
				continue
			}
			q := e.index.Position(in.Node)
			if q < 0 {
				return nil, &NodeError{Node: nodes[i].GetName(), Op: nodes[i].GetOp(), Err: fmt.Errorf("input %q names no node", in)}
			}
			stack = append(stack, q)
		}
	}

	// Number the needed nodes in graph order and check kernels.
	pos := make([]int32, len(nodes))
	unsupported := map[string][]string{}
	var sub tfpb.GraphDef
	for i, n := range nodes {
		pos[i] = -1
		if !need[i] {
			continue
		}
		pos[i] = int32(len(p.nodes))
		// Frame analysis sees the pruned graph, with fed edges cut.
		ins := make([]string, 0, len(n.GetInput()))
		for _, in := range e.index.Inputs(i) {
			if _, fed := feedIdx[in.Canonical()]; (in.Control && !fedNode[in.Node]) || (!in.Control && !fed) {
				ins = append(ins, in.String())
			}
		}
		sub.Node = append(sub.Node, &tfpb.NodeDef{Name: n.GetName(), Op: n.GetOp(), Input: ins, Attr: n.GetAttr()})
		pn := pnode{def: n}
		if k, ok := kindOf[graph.ControlFlowKind(n.GetOp())]; ok {
			pn.kind = k
		} else if _, ok := e.factory(n.GetOp()); !ok {
			unsupported[n.GetOp()] = append(unsupported[n.GetOp()], n.GetName())
		}
		p.nodes = append(p.nodes, pn)
	}
	if len(unsupported) > 0 {
		return nil, &UnsupportedOpsError{Ops: unsupported}
	}
	frames, err := graph.Frames(&sub)
	if err != nil {
		return nil, err
	}
	p.enters = frames.Enters

	missing := map[string]bool{}
	for i, n := range nodes {
		if !need[i] {
			continue
		}
		me := pos[i]
		pn := &p.nodes[me]
		pn.frame = frames.Frame[n.GetName()]
		for _, in := range e.index.Inputs(i) {
			if in.Control && fedNode[in.Node] {
				continue
			}
			if in.Control {
				pn.numControl++
				src := pos[e.index.Position(in.Node)]
				p.nodes[src].ctrlOut = append(p.nodes[src].ctrlOut, me)
				continue
			}
			slot := pn.numData
			pn.numData++
			if f, fed := feedIdx[in.Canonical()]; fed {
				if pn.frame != "" {
					return nil, fmt.Errorf("%w: %q is consumed inside while loop %q; feed a tensor outside the loop", ErrFeed, in.Canonical(), pn.frame)
				}
				pn.fed = append(pn.fed, fedSlot{slot: slot, feed: f})
				continue
			}
			src := &p.nodes[pos[e.index.Position(in.Node)]]
			for len(src.out) <= in.Output {
				src.out = append(src.out, nil)
			}
			src.out[in.Output] = append(src.out[in.Output], edge{dst: me, slot: int32(slot)})
		}
		if err := e.prepareNode(pn); err != nil {
			return nil, err
		}
		if n.GetOp() == "Placeholder" {
			missing[n.GetName()] = true
		}
		if pn.kind == kindExit {
			p.exits[pn.frame] = append(p.exits[pn.frame], me)
		}
	}
	if len(missing) > 0 {
		names := make([]string, 0, len(missing))
		for n := range missing {
			names = append(names, n)
		}
		slices.Sort(names)
		return nil, fmt.Errorf("%w: placeholder(s) %s must be fed", ErrFeed, strings.Join(names, ", "))
	}
	for fi := range p.fetches {
		f := &p.fetches[fi]
		if f.feed >= 0 {
			continue
		}
		pn := &p.nodes[pos[f.node]]
		if pn.frame != "" && !(pn.kind == kindExit && frames.Parent[pn.frame] == "") {
			return nil, fmt.Errorf("%w: %q is inside while loop %q; fetch a tensor outside the loop", ErrFetch, f.name, pn.frame)
		}
		f.node = pos[f.node]
		pn.fetchOuts = append(pn.fetchOuts, fetchSlot{output: f.output, fetch: fi})
	}
	for i := range p.nodes {
		pn := &p.nodes[i]
		if pn.numControl+pn.numData-len(pn.fed) == 0 || (pn.kind == kindMerge && pn.numControl == 0 && len(pn.fed) > 0) {
			p.roots = append(p.roots, int32(i))
		}
	}
	p.feedInfo = e.feedChecks(p.feeds)
	return p, nil
}

// prepareNode checks a control-flow node's shape or builds a kernel.
func (e *Executor) prepareNode(pn *pnode) error {
	n := pn.def
	fail := func(err error) error { return &NodeError{Node: n.GetName(), Op: n.GetOp(), Err: err} }
	switch pn.kind {
	case kindSwitch:
		if pn.numData != 2 {
			return fail(fmt.Errorf("expected 2 inputs (data, pred), got %d", pn.numData))
		}
	case kindEnter:
		a := graph.AttrsOf(n)
		var err error
		if pn.child, err = a.String("frame_name", ""); err != nil {
			return fail(err)
		}
		if pn.isConstant, err = a.Bool("is_constant", false); err != nil {
			return fail(err)
		}
		// TensorFlow's default, which tf.while_loop also uses.
		parallel, err := a.Int("parallel_iterations", 10)
		if err != nil {
			return fail(err)
		}
		if parallel < 1 {
			return fail(fmt.Errorf("parallel_iterations must be positive, got %d", parallel))
		}
		pn.parallel = int(min(parallel, math.MaxInt32))
		fallthrough
	case kindExit, kindNextIteration:
		if pn.numData != 1 {
			return fail(fmt.Errorf("expected 1 data input, got %d", pn.numData))
		}
	case kindMerge:
		if pn.numData == 0 {
			return fail(fmt.Errorf("merge without data inputs"))
		}
	case kindKernel:
		f, _ := e.factory(n.GetOp())
		pn.knode = kernel.NewNode(n)
		k, err := safeFactory(f, pn.knode)
		if err != nil {
			return fail(err)
		}
		pn.kernel = k
	}
	return nil
}

// safeFactory runs a kernel factory, turning a panic into an error.
func safeFactory(f kernel.Factory, n *kernel.Node) (k kernel.Kernel, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("kernel setup panicked: %v", r)
		}
	}()
	return f(n)
}

// feedChecks returns what each fed placeholder declares about its value.
func (e *Executor) feedChecks(feeds []string) []feedCheck {
	checks := make([]feedCheck, len(feeds))
	for i, name := range feeds {
		checks[i].name = name
		t := graph.MustParseTensorName(name)
		n := e.index.Node(t.Node)
		if t.Output != 0 || (n.GetOp() != "Placeholder" && n.GetOp() != "PlaceholderWithDefault") {
			continue
		}
		a := graph.AttrsOf(n)
		if dt, err := a.Type("dtype", tensor.Invalid); err == nil {
			checks[i].dtype = dt
		}
		if dims, known, err := a.Shape("shape"); err == nil && known && !e.legacyUnknownShape(n, dims) {
			checks[i].shape = dims
		}
	}
	return checks
}

// legacyPlaceholderVersion is the last GraphDef version whose Placeholder
// shapes cannot say "unknown": TensorFlow reads a scalar shape there as an
// unknown one (the Placeholder shape function in array_ops.cc), so
// TensorFlow 1.0 exports such as TF Serving's half_plus_three take
// batches in a placeholder declared scalar.
const legacyPlaceholderVersion = 21

// legacyUnknownShape reports whether n, a placeholder declaring shape
// dims, is such a legacy unknown shape.
func (e *Executor) legacyUnknownShape(n *tfpb.NodeDef, dims []int64) bool {
	return n.GetOp() == "Placeholder" && len(dims) == 0 && e.graph.GetVersions().GetProducer() <= legacyPlaceholderVersion
}

// check validates a fed value against its placeholder's declaration.
func (c feedCheck) check(t *tensor.Tensor) error {
	if t == nil {
		return fmt.Errorf("%w: %q is fed a nil tensor", ErrFeed, c.name)
	}
	if c.dtype != tensor.Invalid && t.DType() != c.dtype {
		return fmt.Errorf("%w: %q expects %v, fed %v", ErrFeed, c.name, c.dtype, t.DType())
	}
	if c.shape == nil {
		return nil
	}
	ok := len(c.shape) == t.Rank()
	for i := 0; ok && i < len(c.shape); i++ {
		ok = c.shape[i] < 0 || int(c.shape[i]) == t.Shape()[i]
	}
	if !ok {
		return fmt.Errorf("%w: %q expects shape %v, fed %v", ErrFeed, c.name, formatDims(c.shape), t.Shape())
	}
	return nil
}

func formatDims(dims []int64) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		if d < 0 {
			parts[i] = "?"
		} else {
			parts[i] = fmt.Sprint(d)
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
}
