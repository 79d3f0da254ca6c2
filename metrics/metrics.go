package metrics

import (
	"errors"
	"fmt"
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
)

// ErrShape is wrapped by errors for outputs or predictions that cannot be
// read as classes.
var ErrShape = errors.New("metrics: not a classifier output")

// K is how many classes Rank keeps per example, enough for top-5.
const K = 5

// Rank returns each example's classes, best first (at most k), from a
// classifier's output t for examples examples: a float tensor of
// examples × classes scores (any leading shape whose size is examples),
// or an integer tensor of one class per example.
func Rank(t *tensor.Tensor, examples, k int) ([][]int, error) {
	if t == nil || examples < 1 || k < 1 {
		return nil, fmt.Errorf("%w: no output, or no examples", ErrShape)
	}
	n := t.NumElements()
	vals, err := tensor.Float64s(t)
	if err != nil || n == 0 || n%examples != 0 {
		return nil, fmt.Errorf("%w: %v %v for %d examples", ErrShape, t.DType(), t.Shape(), examples)
	}
	out := make([][]int, examples)
	if t.DType().IsInteger() {
		if n != examples {
			return nil, fmt.Errorf("%w: %v %v holds %d classes for %d examples", ErrShape, t.DType(), t.Shape(), n, examples)
		}
		for i, v := range vals {
			out[i] = []int{int(v)}
		}
		return out, nil
	}
	if !t.DType().IsFloat() {
		return nil, fmt.Errorf("%w: %v scores", ErrShape, t.DType())
	}
	classes := n / examples
	for i := range out {
		out[i] = TopK(vals[i*classes:(i+1)*classes], k)
	}
	return out, nil
}

// TopK returns the indexes of the k largest scores, largest first, ties
// to the lower index; NaN ranks below every number.
func TopK(scores []float64, k int) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		sa, sb := scores[a], scores[b]
		switch {
		case sa == sb || sa != sa && sb != sb:
			return 0
		case sb != sb || sa > sb:
			return -1
		}
		return 1
	})
	return idx[:min(k, len(idx))]
}

// Tally accumulates accuracy over examples of known class. The zero value
// is not usable: make one with NewTally.
type Tally struct {
	// Classes is the number of classes (the confusion matrix's size).
	Classes int
	// N counts the examples added, Top1 and Top5 their hits.
	N, Top1, Top5 int
	// Confusion[true][predicted] counts examples.
	Confusion [][]int
	ranked    int // the fewest classes any prediction ranked
}

// NewTally returns an empty tally over classes classes.
func NewTally(classes int) *Tally {
	t := &Tally{Classes: classes, Confusion: make([][]int, classes), ranked: K}
	for i := range t.Confusion {
		t.Confusion[i] = make([]int, classes)
	}
	return t
}

// Add counts one example of class label predicted as ranked (best
// first). A label of -1 (unknown) is skipped; other labels, and a
// predicted class, outside [0, Classes) are errors.
func (t *Tally) Add(label int, ranked []int) error {
	if label == -1 {
		return nil
	}
	if label < 0 || label >= t.Classes {
		return fmt.Errorf("%w: class %d of %d", ErrShape, label, t.Classes)
	}
	if len(ranked) == 0 || ranked[0] < 0 || ranked[0] >= t.Classes {
		return fmt.Errorf("%w: prediction %v for %d classes", ErrShape, ranked, t.Classes)
	}
	t.N++
	t.Confusion[label][ranked[0]]++
	if ranked[0] == label {
		t.Top1++
	}
	if slices.Contains(ranked[:min(K, len(ranked))], label) {
		t.Top5++
	}
	t.ranked = min(t.ranked, len(ranked))
	return nil
}

// HasTop5 reports whether top-5 accuracy means something: every
// prediction ranked five classes, or all the classes there are.
func (t *Tally) HasTop5() bool { return t.ranked >= min(K, t.Classes) }

// Top1Rate returns top-1 accuracy in [0, 1] (0 without examples).
func (t *Tally) Top1Rate() float64 { return rate(t.Top1, t.N) }

// Top5Rate returns top-5 accuracy in [0, 1] (0 without examples).
func (t *Tally) Top5Rate() float64 { return rate(t.Top5, t.N) }

func rate(k, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(k) / float64(n)
}

// Agreement returns how many of the predictions a and b have the same
// top-1 class, and the rate of that in [0, 1]. They must be of equal
// length, each prediction ranking at least one class.
func Agreement(a, b [][]int) (same int, r float64, err error) {
	if len(a) != len(b) {
		return 0, 0, fmt.Errorf("%w: %d predictions against %d", ErrShape, len(a), len(b))
	}
	for i := range a {
		if len(a[i]) == 0 || len(b[i]) == 0 {
			return 0, 0, fmt.Errorf("%w: example %d has no prediction", ErrShape, i)
		}
		if a[i][0] == b[i][0] {
			same++
		}
	}
	return same, rate(same, len(a)), nil
}
