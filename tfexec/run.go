package tfexec

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// A run is one execution of a plan. All of its state is guarded by mu;
// kernels run outside the lock on a pool of worker goroutines.
//
// Values are delivered to (frame, iteration, node) input slots. A node is
// ready when all its inputs have arrived; a node with a dead input is dead
// itself and runs no kernel, passing deadness on. Switch makes one output
// dead, Merge fires on its first live input (or dead once all inputs are
// dead), Enter moves a value into iteration 0 of a child frame (into every
// iteration when is_constant), NextIteration into the next iteration (a
// dead NextIteration ends the loop), and Exit back to the parent frame.
//
// Iterations are freed as TensorFlow's executor frees them: iteration k is
// done once nothing of it is queued or running (its child frames
// included), iteration k-1 is done and, for iteration 0, every Enter of
// the frame has fired; its node states are then dropped. At most
// parallel_iterations iterations of a frame are alive at once: a
// NextIteration that would start one more waits until the oldest is done.
// So a loop holds the state of its live iterations, not of all it ran.
// A loop frame is finished when all its iterations are done; its Exits
// that never produced a live value then pass deadness to the parent, so
// code after an untaken loop sees it dead.
type run struct {
	ctx      context.Context
	cancel   context.CancelFunc
	e        *Executor
	p        *plan
	feeds    []*tensor.Tensor
	observer Observer
	budget   runBudget

	mu       sync.Mutex
	cond     *sync.Cond
	ready    []item
	inflight int // items queued or running
	finished bool
	err      error
	root     *frame
	results  []*tensor.Tensor
	dead     []bool
}

// item is a node instance ready to run.
type item struct {
	node   int32
	frame  *frame
	iter   int
	dead   bool
	inputs []*tensor.Tensor
	merge  int // Merge: the index of the input taken
}

type frame struct {
	name          string
	parent        *frame
	parentIter    int
	parallel      int                // most iterations alive at once (parallel_iterations)
	iters         map[int]*iteration // the iterations started and not yet done
	first, latest int                // the oldest iteration not done, the newest started
	pendingEnters int
	deferred      []nextValue // NextIteration outputs waiting for room for a new iteration
	constants     []constant
	exitLive      map[int32]bool
	children      map[childKey]*frame
}

// iteration is the state of one iteration of a frame.
type iteration struct {
	states      map[int32]*nodeState
	outstanding int // items queued or running, plus live child frames
}

// nextValue is a NextIteration output held back by parallel_iterations.
type nextValue struct {
	node int32
	val  *tensor.Tensor
}

type childKey struct {
	iter int
	name string
}

type constant struct {
	enter int32
	val   *tensor.Tensor
	dead  bool
}

type nodeState struct {
	pending   int // inputs still to arrive (Merge: control inputs only)
	dataSeen  int // Merge: data inputs arrived, live or dead
	anyDead   bool
	live      bool // Merge: a live data input arrived
	fired     bool
	inputs    []*tensor.Tensor
	mergeFrom int
}

func newRun(ctx context.Context, e *Executor, p *plan, feeds []*tensor.Tensor, maxBytes int64) *run {
	ctx, cancel := context.WithCancel(ctx)
	r := &run{ctx: ctx, cancel: cancel, e: e, p: p, feeds: feeds, budget: newRunBudget(maxBytes),
		results: make([]*tensor.Tensor, len(p.fetches)), dead: make([]bool, len(p.fetches))}
	r.cond = sync.NewCond(&r.mu)
	r.root = &frame{iters: map[int]*iteration{0: {states: map[int32]*nodeState{}}}}
	return r
}

func (r *run) execute() ([]*tensor.Tensor, error) {
	defer r.cancel()
	for i, f := range r.p.fetches {
		if f.feed >= 0 {
			r.results[i] = r.feeds[f.feed]
		}
	}
	r.mu.Lock()
	for _, n := range r.p.roots {
		st := r.state(r.root, 0, n)
		r.push(r.takeReady(r.root, 0, n, st))
	}
	if r.inflight == 0 {
		r.finished = true
	}
	r.mu.Unlock()

	workers := min(r.e.workers, len(r.p.nodes))
	var wg sync.WaitGroup
	for i := 1; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.work()
		}()
	}
	r.work()
	wg.Wait()

	if r.err != nil {
		return nil, r.err
	}
	for i, f := range r.p.fetches {
		if r.results[i] != nil {
			continue
		}
		if r.dead[i] {
			return nil, fmt.Errorf("%w: %q is dead: it comes from an untaken branch of a Switch", ErrFetch, f.name)
		}
		return nil, fmt.Errorf("%w: %q was not computed (its node never became ready)", ErrFetch, f.name)
	}
	return r.results, nil
}

func (r *run) work() {
	r.mu.Lock()
	for {
		for len(r.ready) == 0 && !r.finished {
			r.cond.Wait()
		}
		if r.finished {
			r.mu.Unlock()
			return
		}
		it := r.ready[0]
		r.ready[0] = item{}
		r.ready = r.ready[1:]
		r.mu.Unlock()

		outs, err := r.compute(&it)

		r.mu.Lock()
		if err == nil && !it.dead && r.p.nodes[it.node].kind == kindKernel {
			if err = r.budget.charge(outs, it.inputs); err != nil {
				pn := &r.p.nodes[it.node]
				err = &NodeError{Node: pn.def.GetName(), Op: pn.def.GetOp(), Err: err}
			}
		}
		if err != nil {
			r.fail(err)
			continue
		}
		if !r.finished {
			r.propagate(&it, outs)
			r.budget.releaseAll(it.inputs)
			r.budget.settle(outs)
		}
		r.inflight--
		r.release(it.frame, it.iter)
		if r.inflight == 0 {
			r.finished = true
			r.cond.Broadcast()
		}
	}
}

// fail records the first error and stops the run. Called with mu held.
func (r *run) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.finished = true
	r.cancel()
	r.cond.Broadcast()
}

// compute runs an item's kernel, or nothing for dead and control-flow
// nodes. It is called without the lock.
func (r *run) compute(it *item) (outs []*tensor.Tensor, err error) {
	pn := &r.p.nodes[it.node]
	if it.dead || pn.kind != kindKernel {
		return it.inputs, nil
	}
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	defer func() {
		if rec := recover(); rec != nil {
			err = &NodeError{Node: pn.def.GetName(), Op: pn.def.GetOp(), Err: panicError(rec)}
		}
	}()
	start := time.Now()
	outs, err = pn.kernel(&kernel.Context{Context: r.ctx, Node: pn.knode, Resources: r.e.resources}, it.inputs)
	if r.e.timer != nil {
		r.e.timer(pn.def, time.Since(start))
	}
	if err != nil {
		if ctxErr := r.ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, &NodeError{Node: pn.def.GetName(), Op: pn.def.GetOp(), Err: err}
	}
	if r.observer != nil {
		r.observer(pn.def, outs)
	}
	for o, es := range pn.out {
		if len(es) > 0 && (o >= len(outs) || outs[o] == nil) {
			return nil, &NodeError{Node: pn.def.GetName(), Op: pn.def.GetOp(), Err: fmt.Errorf("output %d is consumed but the kernel returned %d outputs", o, len(outs))}
		}
	}
	return outs, nil
}

// push queues a ready item. Called with mu held.
func (r *run) push(it *item) {
	if it == nil {
		return
	}
	r.ready = append(r.ready, *it)
	r.inflight++
	it.frame.iters[it.iter].outstanding++
	r.cond.Signal()
}

// state returns (creating it) the input state of a node instance.
func (r *run) state(f *frame, iter int, n int32) *nodeState {
	states := f.iters[iter].states
	st := states[n]
	if st != nil {
		return st
	}
	pn := &r.p.nodes[n]
	st = &nodeState{inputs: make([]*tensor.Tensor, pn.numData)}
	if pn.kind == kindMerge {
		st.pending = pn.numControl
		for _, fs := range pn.fed {
			st.dataSeen++
			if !st.live {
				st.live, st.mergeFrom, st.inputs = true, fs.slot, []*tensor.Tensor{r.feeds[fs.feed]}
			}
		}
	} else {
		st.pending = pn.numControl + pn.numData - len(pn.fed)
		for _, fs := range pn.fed {
			st.inputs[fs.slot] = r.feeds[fs.feed]
		}
	}
	states[n] = st
	return st
}

// takeReady returns the item for a node instance whose inputs are
// complete, or nil. Called with mu held.
func (r *run) takeReady(f *frame, iter int, n int32, st *nodeState) *item {
	pn := &r.p.nodes[n]
	if st.fired || st.pending > 0 {
		return nil
	}
	it := &item{node: n, frame: f, iter: iter}
	if pn.kind == kindMerge {
		switch {
		case st.live:
			it.inputs, it.merge = st.inputs, st.mergeFrom
		case st.dataSeen == pn.numData:
			it.dead = true
		default:
			return nil
		}
	} else {
		it.inputs, it.dead = st.inputs, st.anyDead
	}
	st.fired = true
	if pn.kind == kindMerge {
		// A Merge keeps its state, until its iteration is done, so that
		// inputs arriving after it fired are ignored rather than starting
		// a new instance; the value it took now belongs to the item.
		st.inputs = nil
	} else {
		delete(f.iters[iter].states, n)
	}
	return it
}

// deliver hands one value (or a control signal when slot < 0) to a node
// instance. Called with mu held.
func (r *run) deliver(f *frame, iter int, e edge, val *tensor.Tensor, dead bool) {
	pn := &r.p.nodes[e.dst]
	st := r.state(f, iter, e.dst)
	if st.fired {
		return // a Merge that already took a live input ignores the rest
	}
	switch {
	case e.slot < 0 && pn.kind == kindMerge:
		st.pending-- // a dead control input does not kill a Merge
	case e.slot < 0:
		st.pending--
		st.anyDead = st.anyDead || dead
	case pn.kind == kindMerge:
		st.dataSeen++
		if !dead && !st.live {
			st.live, st.mergeFrom, st.inputs = true, int(e.slot), []*tensor.Tensor{val}
			r.budget.hold(val)
		}
	default:
		st.pending--
		if dead {
			st.anyDead = true
		} else {
			st.inputs[e.slot] = val
			r.budget.hold(val)
		}
	}
	r.push(r.takeReady(f, iter, e.dst, st))
}

// propagate passes a finished item's outputs to their consumers. Called
// with mu held.
func (r *run) propagate(it *item, outs []*tensor.Tensor) {
	pn := &r.p.nodes[it.node]
	f, iter := it.frame, it.iter
	send := func(f *frame, iter int, output int, val *tensor.Tensor, dead bool) {
		if output < len(pn.out) {
			for _, e := range pn.out[output] {
				r.deliver(f, iter, e, val, dead)
			}
		}
	}
	sendControl := func(f *frame, iter int, dead bool) {
		for _, dst := range pn.ctrlOut {
			r.deliver(f, iter, edge{dst: dst, slot: -1}, nil, dead)
		}
	}
	switch pn.kind {
	case kindKernel:
		for o := range pn.out {
			var v *tensor.Tensor
			if !it.dead {
				v = outs[o]
			}
			send(f, iter, o, v, it.dead)
		}
		sendControl(f, iter, it.dead)
		r.record(pn, f, outs, it.dead)
	case kindSwitch:
		dead0, dead1 := true, true
		if !it.dead {
			pred, err := switchPred(outs[1])
			if err != nil {
				r.fail(&NodeError{Node: pn.def.GetName(), Op: pn.def.GetOp(), Err: err})
				return
			}
			dead0, dead1 = pred, !pred
		}
		data := outs[0]
		send(f, iter, 0, data, dead0)
		send(f, iter, 1, data, dead1)
		sendControl(f, iter, it.dead)
		r.record(pn, f, []*tensor.Tensor{data, data}, it.dead)
		if !it.dead {
			deadOut := 1
			if dead0 {
				deadOut = 0
			}
			r.recordDead(pn, f, deadOut)
		}
	case kindMerge:
		var vals []*tensor.Tensor
		if !it.dead {
			vals = []*tensor.Tensor{outs[0], tensor.Scalar(int32(it.merge))}
		}
		for o := 0; o < 2; o++ {
			var v *tensor.Tensor
			if vals != nil {
				v = vals[o]
			}
			send(f, iter, o, v, it.dead)
		}
		sendControl(f, iter, it.dead)
		r.record(pn, f, vals, it.dead)
	case kindEnter:
		child := r.child(f, iter, pn)
		child.pendingEnters--
		var v *tensor.Tensor
		if !it.dead {
			v = outs[0]
		}
		send(child, 0, 0, v, it.dead)
		sendControl(child, 0, it.dead)
		if pn.isConstant {
			// Iteration 0 is not done before every Enter has fired, so
			// iterations 0 to latest all exist.
			child.constants = append(child.constants, constant{enter: it.node, val: v, dead: it.dead})
			r.budget.hold(v)
			for k := 1; k <= child.latest; k++ {
				send(child, k, 0, v, it.dead)
				sendControl(child, k, it.dead)
			}
		}
		r.advance(child)
	case kindExit:
		if it.dead {
			return
		}
		f.exitLive[it.node] = true
		send(f.parent, f.parentIter, 0, outs[0], false)
		sendControl(f.parent, f.parentIter, false)
		r.record(pn, f.parent, outs, false)
	case kindNextIteration:
		if it.dead {
			return // the loop ends here
		}
		next := iter + 1
		if next > f.latest {
			if f.latest-f.first+1 >= f.parallel {
				f.deferred = append(f.deferred, nextValue{node: it.node, val: outs[0]})
				r.budget.hold(outs[0])
				return
			}
			r.startIteration(f)
		}
		r.sendNext(f, next, it.node, outs[0])
	}
}

// sendNext delivers a NextIteration output into iteration iter of f.
// Called with mu held.
func (r *run) sendNext(f *frame, iter int, node int32, val *tensor.Tensor) {
	pn := &r.p.nodes[node]
	if len(pn.out) > 0 {
		for _, e := range pn.out[0] {
			r.deliver(f, iter, e, val, false)
		}
	}
	for _, dst := range pn.ctrlOut {
		r.deliver(f, iter, edge{dst: dst, slot: -1}, nil, false)
	}
}

// startIteration starts the next iteration of f: it hands it the loop
// invariants and the NextIteration outputs that waited for it. Called
// with mu held.
func (r *run) startIteration(f *frame) {
	f.latest++
	k := f.latest
	f.iters[k] = &iteration{states: map[int32]*nodeState{}}
	for _, c := range f.constants {
		cp := &r.p.nodes[c.enter]
		for _, e := range cp.out[0] {
			r.deliver(f, k, e, c.val, c.dead)
		}
		for _, dst := range cp.ctrlOut {
			r.deliver(f, k, edge{dst: dst, slot: -1}, nil, c.dead)
		}
	}
	deferred := f.deferred
	f.deferred = nil
	for _, d := range deferred {
		r.sendNext(f, k, d.node, d.val)
		r.budget.release(d.val)
	}
}

// record keeps fetched outputs of root-frame nodes.
func (r *run) record(pn *pnode, f *frame, outs []*tensor.Tensor, dead bool) {
	if f != r.root {
		return
	}
	for _, fs := range pn.fetchOuts {
		switch {
		case dead:
			r.dead[fs.fetch] = true
		case fs.output < len(outs):
			r.results[fs.fetch] = outs[fs.output]
			r.budget.hold(outs[fs.output])
		default:
			r.fail(&NodeError{Node: pn.def.GetName(), Op: pn.def.GetOp(), Err: fmt.Errorf("fetched output %d does not exist (the node has %d)", fs.output, len(outs))})
		}
	}
}

// recordDead marks the fetches of one dead Switch output.
func (r *run) recordDead(pn *pnode, f *frame, output int) {
	if f != r.root {
		return
	}
	for _, fs := range pn.fetchOuts {
		if fs.output == output {
			r.budget.release(r.results[fs.fetch])
			r.results[fs.fetch], r.dead[fs.fetch] = nil, true
		}
	}
}

func switchPred(t *tensor.Tensor) (bool, error) {
	if t.DType() != tensor.Bool || t.NumElements() != 1 {
		return false, fmt.Errorf("predicate must be a scalar bool, got %v%v", t.DType(), t.Shape())
	}
	return tensor.Values[bool](t)[0], nil
}

// child returns the loop frame an Enter in (f, iter) enters, creating it
// with the Enter's parallel_iterations, as TensorFlow does.
func (r *run) child(f *frame, iter int, enter *pnode) *frame {
	key := childKey{iter: iter, name: enter.child}
	if c, ok := f.children[key]; ok {
		return c
	}
	c := &frame{name: enter.child, parent: f, parentIter: iter, parallel: enter.parallel,
		iters:         map[int]*iteration{0: {states: map[int32]*nodeState{}}},
		pendingEnters: r.p.enters[enter.child], exitLive: map[int32]bool{}}
	if f.children == nil {
		f.children = map[childKey]*frame{}
	}
	f.children[key] = c
	f.iters[iter].outstanding++ // the child holds its parent's iteration open until it finishes
	return c
}

// release accounts for a finished item of iteration iter of frame f.
// Called with mu held.
func (r *run) release(f *frame, iter int) {
	f.iters[iter].outstanding--
	r.advance(f)
}

// advance drops the iterations of loop frame f that are done, oldest
// first, starting an iteration that waited for room for each, and
// finishes the frame when all are done. Called with mu held.
func (r *run) advance(f *frame) {
	if f == r.root || f.exitLive == nil {
		return
	}
	for f.first <= f.latest {
		if f.iters[f.first].outstanding > 0 || (f.first == 0 && f.pendingEnters > 0) {
			return
		}
		delete(f.iters, f.first)
		f.first++
		if len(f.deferred) > 0 {
			r.startIteration(f)
		}
	}
	r.finishFrame(f)
}

// finishFrame closes a loop frame whose iterations are all done: Exits
// that produced no live value pass deadness to the parent frame. Called
// with mu held.
func (r *run) finishFrame(f *frame) {
	for _, x := range r.p.exits[f.name] {
		if f.exitLive[x] {
			continue
		}
		pn := &r.p.nodes[x]
		if len(pn.out) > 0 {
			for _, e := range pn.out[0] {
				r.deliver(f.parent, f.parentIter, e, nil, true)
			}
		}
		for _, dst := range pn.ctrlOut {
			r.deliver(f.parent, f.parentIter, edge{dst: dst, slot: -1}, nil, true)
		}
		r.record(pn, f.parent, nil, true)
	}
	f.exitLive = nil // finished: never close twice
	for _, c := range f.constants {
		r.budget.release(c.val)
	}
	f.constants = nil
	delete(f.parent.children, childKey{iter: f.parentIter, name: f.name})
	r.release(f.parent, f.parentIter)
}
