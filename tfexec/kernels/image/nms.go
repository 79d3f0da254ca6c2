package image

import (
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// nmsWithOverlaps is NonMaxSuppressionWithOverlaps: hard NMS where the
// similarity of boxes i and j is overlaps[i, j] (all float32).
func nmsWithOverlaps(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 5); err != nil {
		return nil, err
	}
	overlaps, scores, maxOut := in[0], in[1], in[2]
	if maxOut.Rank() != 0 {
		return nil, kernel.Invalid("max_output_size must be 0-D, got shape %v", maxOut.Shape())
	}
	same := func(x float32) float32 { return x }
	p := nmsParams{round: same}
	var err error
	if p.iou, err = scalarFloat(in[3], "overlap_threshold", same); err != nil {
		return nil, err
	}
	if p.scoreThreshold, err = scalarFloat(in[4], "score_threshold", same); err != nil {
		return nil, err
	}
	if overlaps.Rank() != 2 {
		return nil, kernel.Invalid("overlaps must be 2-D%v", overlaps.Shape())
	}
	n := overlaps.Shape()[0]
	if overlaps.Shape()[1] != n {
		return nil, kernel.Invalid("overlaps must be square%v", overlaps.Shape())
	}
	if scores.Rank() != 1 {
		return nil, kernel.Invalid("scores must be 1-D%v (Shape must be rank 1 but is rank %d)", scores.Shape(), scores.Rank())
	}
	if scores.Shape()[0] != n {
		return nil, kernel.Invalid("scores has incompatible shape (Dimensions must be equal, but are %d and %d)", n, scores.Shape()[0])
	}
	if p.maxOut, err = kernel.Int(maxOut); err != nil {
		return nil, fmt.Errorf("max_output_size: %w", err)
	}
	if p.maxOut < 0 {
		return nil, kernel.Invalid("output size must be non-negative")
	}
	ov, ok := overlaps.Data().([]float32)
	if !ok {
		return nil, kernel.Unsupported("overlaps dtype %v (want float32)", overlaps.DType())
	}
	sf, ok := scores.Data().([]float32)
	if !ok {
		return nil, kernel.Unsupported("scores dtype %v (want float32)", scores.DType())
	}
	sel, _, _ := nonMaxSuppression(sf, func(i, j int) float32 { return ov[i*n+j] }, p)
	out, err := kernel.IntsTensor(tensor.Int32, sel)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

// newNMS builds NonMaxSuppression version v. Inputs: boxes, scores,
// max_output_size, then iou_threshold (v2+; an attribute in v1),
// score_threshold (v3+) and soft_nms_sigma (v5).
func newNMS(v int) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		iouAttr := float32(0.5)
		if v == 1 {
			var err error
			if iouAttr, err = n.Attrs.Float("iou_threshold", 0.5); err != nil {
				return nil, err
			}
			if !(iouAttr >= 0 && iouAttr <= 1) {
				return nil, fmt.Errorf("attribute %q: iou_threshold must be in [0, 1], got %v", "iou_threshold", iouAttr)
			}
		}
		pad := false
		if v >= 4 {
			var err error
			if pad, err = n.Attrs.Bool("pad_to_max_output_size", false); err != nil {
				return nil, err
			}
		}
		nIn := [...]int{0, 3, 4, 5, 5, 6}[v]
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, nIn); err != nil {
				return nil, err
			}
			boxes, scores, maxOut := in[0], in[1], in[2]
			if maxOut.Rank() != 0 {
				return nil, kernel.Invalid("max_output_size must be 0-D, got shape %v", maxOut.Shape())
			}
			round, err := roundingFor(scores.DType())
			if err != nil {
				return nil, err
			}
			p := nmsParams{round: round, iou: iouAttr, scoreThreshold: float32(math.Inf(-1)), pad: pad}
			if v == 1 {
				p.scoreThreshold = -math.MaxFloat32
			} else {
				if p.iou, err = scalarFloat(in[3], "iou_threshold", round); err != nil {
					return nil, err
				}
				// Without a score threshold TensorFlow uses the lowest
				// finite value of T, so -inf scores are never selected.
				p.scoreThreshold = lowest(scores.DType())
			}
			if v >= 3 {
				if p.scoreThreshold, err = scalarFloat(in[4], "score_threshold", round); err != nil {
					return nil, err
				}
			}
			if v == 5 {
				if p.sigma, err = scalarFloat(in[5], "soft_nms_sigma", round); err != nil {
					return nil, err
				}
				if !(p.sigma >= 0) {
					return nil, kernel.Invalid("soft_nms_sigma_val must be >= 0")
				}
			}
			if boxes.Rank() != 2 {
				return nil, kernel.Invalid("boxes must be 2-D%v (Shape must be rank 2 but is rank %d)", boxes.Shape(), boxes.Rank())
			}
			numBoxes := boxes.Shape()[0]
			if boxes.Shape()[1] != 4 {
				return nil, kernel.Invalid("boxes must have 4 columns (Dimension must be 4 but is %d)", boxes.Shape()[1])
			}
			if scores.Rank() != 1 {
				return nil, kernel.Invalid("scores must be 1-D%v (Shape must be rank 1 but is rank %d)", scores.Shape(), scores.Rank())
			}
			if scores.Shape()[0] != numBoxes {
				return nil, kernel.Invalid("scores has incompatible shape (Dimensions must be equal, but are %d and %d)", numBoxes, scores.Shape()[0])
			}
			if p.maxOut, err = kernel.Int(maxOut); err != nil {
				return nil, fmt.Errorf("max_output_size: %w", err)
			}
			if p.maxOut < 0 {
				return nil, kernel.Invalid("output size must be non-negative")
			}
			// Padding makes max_output_size, a value, the output's size:
			// an index and a score per slot.
			if p.pad {
				if err := tensor.CheckAlloc(tensor.Int64, tensor.Shape{2, p.maxOut}); err != nil {
					return nil, err
				}
			}
			// TensorFlow rejects an IoU threshold outside [0, 1], but the
			// corpus (TF 1.15) shows a zero-size selection succeeding with
			// one, so the range is only enforced when boxes can be selected.
			if v > 1 && p.maxOut > 0 && !(p.iou >= 0 && p.iou <= 1) {
				return nil, kernel.Invalid("iou_threshold must be in [0, 1]")
			}
			bf, err := kernel.Float32s(boxes)
			if err != nil {
				return nil, fmt.Errorf("boxes: %w", err)
			}
			sf, err := kernel.Float32s(scores)
			if err != nil {
				return nil, fmt.Errorf("scores: %w", err)
			}
			sim := func(i, j int) float32 { return iou(bf, i, j) }
			sel, selScores, valid := nonMaxSuppression(sf, sim, p)
			idxOut, err := kernel.IntsTensor(tensor.Int32, sel)
			if err != nil {
				return nil, err
			}
			switch v {
			case 1, 2, 3:
				return []*tensor.Tensor{idxOut}, nil
			case 4:
				return []*tensor.Tensor{idxOut, tensor.Scalar(int32(valid))}, nil
			}
			scoreOut, err := kernel.FromFloat32s(scores.DType(), tensor.Shape{len(selScores)}, selScores)
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{idxOut, scoreOut, tensor.Scalar(int32(valid))}, nil
		}, nil
	}
}

// roundingFor returns the rounding of a float32 result to dtype dt, which
// NonMaxSuppression applies after every arithmetic step on scores, as
// TensorFlow computes them in T.
func roundingFor(dt tensor.DType) (func(float32) float32, error) {
	switch dt {
	case tensor.Float32:
		return func(x float32) float32 { return x }, nil
	case tensor.Float16:
		return func(x float32) float32 { return tensor.NewF16(x).Float32() }, nil
	case tensor.BFloat16:
		return func(x float32) float32 { return tensor.NewBF16(x).Float32() }, nil
	}
	return nil, kernel.Unsupported("scores dtype %v (want float32, float16 or bfloat16)", dt)
}

// lowest is the lowest finite value of a float dtype.
func lowest(dt tensor.DType) float32 {
	switch dt {
	case tensor.Float16:
		return -65504
	case tensor.BFloat16:
		return tensor.BF16(0xff7f).Float32()
	}
	return -math.MaxFloat32
}

// scalarFloat reads a scalar float threshold, rounded to the kernel's T.
func scalarFloat(t *tensor.Tensor, what string, round func(float32) float32) (float32, error) {
	if t.Rank() != 0 {
		return 0, kernel.Invalid("%s must be 0-D, got shape %v", what, t.Shape())
	}
	v, err := tensor.Float64s(t)
	if err != nil || !t.DType().IsFloat() {
		return 0, kernel.Unsupported("%s dtype %v", what, t.DType())
	}
	return round(float32(v[0])), nil
}

type nmsParams struct {
	maxOut                     int
	iou, scoreThreshold, sigma float32
	pad                        bool
	round                      func(float32) float32
}

// nmsCandidate is a box waiting in the priority queue; suppressBegin is
// the number of selected boxes it has already been compared with.
type nmsCandidate struct {
	box, suppressBegin int
	score              float32
}

// nmsQueue is a binary max-heap of candidates: the highest score first,
// the lowest box index on ties (std::priority_queue with TensorFlow's
// comparator).
type nmsQueue []nmsCandidate

func (q nmsQueue) before(i, j int) bool {
	return q[i].score > q[j].score || (q[i].score == q[j].score && q[i].box < q[j].box)
}

func (q nmsQueue) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(q) {
			return
		}
		c := l
		if r := l + 1; r < len(q) && q.before(r, l) {
			c = r
		}
		if !q.before(c, i) {
			return
		}
		q[i], q[c] = q[c], q[i]
		i = c
	}
}

func (q nmsQueue) init() {
	for i := len(q)/2 - 1; i >= 0; i-- {
		q.down(i)
	}
}

func (q *nmsQueue) push(c nmsCandidate) {
	*q = append(*q, c)
	h := *q
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.before(i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *nmsQueue) pop() nmsCandidate {
	h := *q
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	*q = h[:n]
	(*q).down(0)
	return top
}

// nonMaxSuppression is TensorFlow's DoNonMaxSuppressionOp: greedy
// selection by score, with hard suppression of candidates too similar
// (IoU, or a given overlap) to a selected box, or Gaussian soft
// suppression when sigma > 0. It returns the selected box indices and
// their (possibly decayed) scores, padded to maxOut when asked, and the
// number of valid selections.
func nonMaxSuppression(scores []float32, similarity func(i, j int) float32, p nmsParams) (sel []int, selScores []float32, valid int) {
	r := p.round
	q := make(nmsQueue, 0, len(scores))
	for i, s := range scores {
		if s > p.scoreThreshold {
			q = append(q, nmsCandidate{box: i, score: s})
		}
	}
	q.init()
	soft := p.sigma > 0
	var scale float32
	if soft {
		scale = r(-0.5 / p.sigma)
	}
	weight := func(sim float32) float32 {
		w := r(float32(math.Exp(float64(r(r(scale*sim) * sim)))))
		if soft || sim <= p.iou {
			return w
		}
		return 0
	}
	sel = []int{}
	selScores = []float32{}
	for len(sel) < p.maxOut && len(q) > 0 {
		c := q.pop()
		orig := c.score
		hard := false
		for j := len(sel) - 1; j >= c.suppressBegin; j-- {
			sim := r(similarity(c.box, sel[j]))
			c.score = r(c.score * weight(sim))
			if !soft && sim > p.iou {
				hard = true
				break
			}
			if c.score <= p.scoreThreshold {
				break
			}
		}
		c.suppressBegin = len(sel)
		if hard {
			continue
		}
		if c.score == orig {
			sel = append(sel, c.box)
			selScores = append(selScores, c.score)
			continue
		}
		if c.score > p.scoreThreshold {
			q.push(c)
		}
	}
	valid = len(sel)
	for p.pad && len(sel) < p.maxOut {
		sel = append(sel, 0)
		selScores = append(selScores, 0)
	}
	return sel, selScores, valid
}

// fmin and fmax are std::min and std::max on floats (the first argument
// wins when the comparison is false, as with NaN).
func fmin(a, b float32) float32 {
	if b < a {
		return b
	}
	return a
}

func fmax(a, b float32) float32 {
	if a < b {
		return b
	}
	return a
}

// iou is the intersection over union of boxes i and j, each given by two
// opposite corners in any order; 0 when either box has no area.
func iou(boxes []float32, i, j int) float32 {
	bi, bj := boxes[i*4:i*4+4], boxes[j*4:j*4+4]
	yminI, xminI := fmin(bi[0], bi[2]), fmin(bi[1], bi[3])
	ymaxI, xmaxI := fmax(bi[0], bi[2]), fmax(bi[1], bi[3])
	yminJ, xminJ := fmin(bj[0], bj[2]), fmin(bj[1], bj[3])
	ymaxJ, xmaxJ := fmax(bj[0], bj[2]), fmax(bj[1], bj[3])
	areaI := (ymaxI - yminI) * (xmaxI - xminI)
	areaJ := (ymaxJ - yminJ) * (xmaxJ - xminJ)
	if areaI <= 0 || areaJ <= 0 {
		return 0
	}
	iymin, ixmin := fmax(yminI, yminJ), fmax(xminI, xminJ)
	iymax, ixmax := fmin(ymaxI, ymaxJ), fmin(xmaxI, xmaxJ)
	inter := fmax(iymax-iymin, 0) * fmax(ixmax-ixmin, 0)
	return inter / (areaI + areaJ - inter)
}
