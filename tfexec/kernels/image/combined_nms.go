package image

import (
	"sort"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newCombinedNMS makes CombinedNonMaxSuppression: per image, greedy
// non-maximum suppression of each class's boxes (IoU above iou_threshold
// suppresses, scores must exceed score_threshold, at most
// max_output_size_per_class kept), then the kept boxes of all classes by
// score, the first max_total_size (or, with pad_per_class, at most that
// and max_output_size_per_class per class) reported, padded with zeros.
// Boxes come out clipped to [0, 1] unless clip_boxes is false.
func newCombinedNMS(n *kernel.Node) (kernel.Kernel, error) {
	padPerClass, err := n.Attrs.Bool("pad_per_class", false)
	if err != nil {
		return nil, err
	}
	clip, err := n.Attrs.Bool("clip_boxes", true)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 6); err != nil {
			return nil, err
		}
		boxes, scores := in[0], in[1]
		bs, ss := boxes.Shape(), scores.Shape()
		if len(bs) != 4 {
			return nil, kernel.Invalid("boxes must be 4-D, got shape %v", bs)
		}
		if len(ss) != 3 {
			return nil, kernel.Invalid("scores must be 3-D, got shape %v", ss)
		}
		batch, numBoxes, q, numClasses := bs[0], bs[1], bs[2], ss[2]
		if q != 1 && q != numClasses {
			return nil, kernel.Invalid("third dimension of boxes must be either 1 or num classes, got %d for %d classes", q, numClasses)
		}
		if bs[3] != 4 {
			return nil, kernel.Invalid("last dimension of boxes must be 4, got shape %v", bs)
		}
		if ss[0] != batch || ss[1] != numBoxes {
			return nil, kernel.Invalid("boxes %v and scores %v disagree on the batch or the number of boxes", bs, ss)
		}
		var limits [2]int
		for i, name := range []string{"max_output_size_per_class", "max_total_size"} {
			if in[2+i].Rank() != 0 {
				return nil, kernel.Invalid("%s must be a scalar, got shape %v", name, in[2+i].Shape())
			}
			if limits[i], err = kernel.Int(in[2+i]); err != nil {
				return nil, err
			}
			if limits[i] <= 0 {
				return nil, kernel.Invalid("%s must be > 0, got %d", name, limits[i])
			}
		}
		perClass, total := limits[0], limits[1]
		iouT, err := scalarFloat(in[4], "iou_threshold", func(v float32) float32 { return v })
		if err != nil {
			return nil, err
		}
		if !(iouT >= 0 && iouT <= 1) {
			return nil, kernel.Invalid("iou_threshold must be in [0, 1], got %v", iouT)
		}
		scoreT, err := scalarFloat(in[5], "score_threshold", func(v float32) float32 { return v })
		if err != nil {
			return nil, err
		}
		perBatch := total
		if padPerClass {
			perBatch = min(perClass*numClasses, total)
		}
		outBoxes := tensor.Shape{batch, perBatch, 4}
		if err := tensor.CheckAlloc(tensor.Float32, outBoxes); err != nil {
			return nil, err
		}
		bv, err := kernel.Float32s(boxes)
		if err != nil {
			return nil, err
		}
		sv, err := kernel.Float32s(scores)
		if err != nil {
			return nil, err
		}
		nmsed := make([]float32, outBoxes.NumElements())
		nmsedScores := make([]float32, batch*perBatch)
		nmsedClasses := make([]float32, batch*perBatch)
		valid := make([]int32, batch)
		classScores := make([]float32, numBoxes)
		classBoxes := make([]float32, numBoxes*4)
		type result struct {
			score      float32
			class, box int
		}
		for b := 0; b < batch; b++ {
			var results []result
			for c := 0; c < numClasses; c++ {
				for i := 0; i < numBoxes; i++ {
					classScores[i] = sv[(b*numBoxes+i)*numClasses+c]
					qc := 0
					if q > 1 {
						qc = c
					}
					copy(classBoxes[i*4:i*4+4], bv[((b*numBoxes+i)*q+qc)*4:][:4])
				}
				sel, selScores, _ := nonMaxSuppression(classScores, func(i, j int) float32 { return iou(classBoxes, i, j) },
					nmsParams{maxOut: perClass, iou: iouT, scoreThreshold: scoreT, round: func(v float32) float32 { return v }})
				for k, i := range sel {
					results = append(results, result{score: selScores[k], class: c, box: i})
				}
			}
			// TensorFlow's std::sort leaves ties in no set order; a stable
			// sort keeps them by class, then selection.
			sort.SliceStable(results, func(i, j int) bool { return results[i].score > results[j].score })
			n := min(len(results), perBatch)
			valid[b] = int32(n)
			for k, r := range results[:n] {
				qc := 0
				if q > 1 {
					qc = r.class
				}
				src := bv[((b*numBoxes+r.box)*q+qc)*4:][:4]
				dst := nmsed[(b*perBatch+k)*4:][:4]
				for j, v := range src {
					if clip {
						v = max(min(v, 1), 0)
					}
					dst[j] = v
				}
				nmsedScores[b*perBatch+k] = r.score
				nmsedClasses[b*perBatch+k] = float32(r.class)
			}
		}
		out := []*tensor.Tensor{
			tensor.MustFromSlice(outBoxes, nmsed),
			tensor.MustFromSlice(tensor.Shape{batch, perBatch}, nmsedScores),
			tensor.MustFromSlice(tensor.Shape{batch, perBatch}, nmsedClasses),
			tensor.MustFromSlice(tensor.Shape{batch}, valid),
		}
		return out, nil
	}, nil
}
