package tfexec

import (
	"github.com/tfoffload/tfoffload/tensor"
)

// minTrackedBytes is the smallest tensor the run budget counts: smaller
// ones cost more to track than they weigh.
const minTrackedBytes = 4 << 10

// runBudget counts the bytes of the tensors a run holds: the outputs of
// its kernels that are waiting in a node's inputs, being consumed by a
// running kernel, carried as loop invariants or held back by
// parallel_iterations, and its results. Each tracked tensor has a
// reference count of the places holding it; a view of a tracked tensor
// (a Reshape's output) counts nothing itself but holds its source. All
// methods are called with the run's mutex held.
type runBudget struct {
	limit int64
	held  int64
	peak  int64
	refs  map[*tensor.Tensor]*holding
}

type holding struct {
	t      *tensor.Tensor
	bytes  int64    // 0 for a view
	refs   int      // places holding t
	source *holding // a view's source, held while the view is tracked
}

func newRunBudget(limit int64) runBudget {
	return runBudget{limit: limit, refs: map[*tensor.Tensor]*holding{}}
}

// charge starts tracking the outputs of a kernel that are new tensors,
// before they are delivered. It returns a *tensor.TooLargeError when an
// output brings the run over its limit; the output stays counted, as its
// memory is allocated.
func (b *runBudget) charge(outs, ins []*tensor.Tensor) error {
	for _, t := range outs {
		if t == nil || b.refs[t] != nil {
			continue
		}
		if src, isInput := b.sourceOf(t, ins); isInput {
			if src != nil {
				src.refs++
				b.refs[t] = &holding{t: t, source: src}
			}
			continue
		}
		n := t.MemBytes()
		if n < minTrackedBytes {
			continue
		}
		b.refs[t] = &holding{t: t, bytes: n}
		b.held += n
		b.peak = max(b.peak, b.held)
		if b.held > b.limit {
			return &tensor.TooLargeError{DType: t.DType(), Shape: t.Shape().Clone(), Bytes: n,
				Budget: tensor.RunBudget, Limit: b.limit, Held: b.held}
		}
	}
	return nil
}

// sourceOf reports whether t is one of ins or views its elements, and if
// so, the input's holding (nil for an untracked input: a feed, a small
// tensor).
func (b *runBudget) sourceOf(t *tensor.Tensor, ins []*tensor.Tensor) (src *holding, isInput bool) {
	for _, in := range ins {
		if in != nil && (t == in || t.SharesData(in)) {
			return b.refs[in], true
		}
	}
	return nil, false
}

// settle stops tracking charged outputs that nothing took: not consumed,
// not fetched. Called after they were delivered.
func (b *runBudget) settle(outs []*tensor.Tensor) {
	for _, t := range outs {
		if h := b.refs[t]; h != nil && h.refs == 0 {
			b.drop(h)
		}
	}
}

// hold counts one more place holding t.
func (b *runBudget) hold(t *tensor.Tensor) {
	if len(b.refs) == 0 || t == nil {
		return
	}
	if h := b.refs[t]; h != nil {
		h.refs++
	}
}

// release counts one place fewer holding t.
func (b *runBudget) release(t *tensor.Tensor) {
	if len(b.refs) == 0 || t == nil {
		return
	}
	if h := b.refs[t]; h != nil {
		b.unref(h)
	}
}

func (b *runBudget) releaseAll(ts []*tensor.Tensor) {
	for _, t := range ts {
		b.release(t)
	}
}

func (b *runBudget) unref(h *holding) {
	h.refs--
	if h.refs <= 0 {
		b.drop(h)
	}
}

// drop stops tracking h: its bytes are no longer the run's, or, for a
// view, its hold on its source ends.
func (b *runBudget) drop(h *holding) {
	delete(b.refs, h.t)
	b.held -= h.bytes
	if h.source != nil {
		b.unref(h.source)
	}
}
