package image

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestCombinedNMS uses the vectors of TensorFlow's
// tensorflow/core/kernels/image/non_max_suppression_op_gpu_test.cc
// (CombinedNonMaxSuppressionOpTest: TestEmptyInput,
// TestSelectFromThreeClusters, ...NoBoxClipping, ...WithScoreThreshold,
// ...WithScoreThresholdZeroScores, TestSelectSingleBox,
// TestSelectFromTwoBatchesWithScoreThreshold,
// TestSelectFromTwoBatchesTwoClasses).
func TestCombinedNMS(t *testing.T) {
	f := func(s tensor.Shape, v ...float32) *tensor.Tensor {
		if v == nil {
			v = []float32{}
		}
		return tensor.MustFromSlice(s, v)
	}
	three := []float32{0, 0, 0.1, 0.1, 0, 0.01, 0.1, 0.11, 0, -0.01, 0.1, 0.09,
		0, 0.11, 0.1, 0.2, 0, 0.12, 0.1, 0.21, 0, 0.3, 1, 0.4}
	threeScores := []float32{.9, .75, .6, .95, .5, .3}
	twoBatches := append(append([]float32{}, three...), 0, 0, 0.2, 0.2, 0, 0.02, 0.2, 0.22, 0, -0.02, 0.2, 0.19,
		0, 0.21, 0.2, 0.3, 0, 0.22, 0.2, 0.31, 0, 0.4, 1, 0.5)
	for _, tc := range []struct {
		name                    string
		clip                    bool
		boxes, scores           *tensor.Tensor
		perClass, total         int32
		iou, score              float32
		wantBoxes, wantScores   []float32
		wantClasses             []float32
		wantValid               []int32
		outPerBatch, wantBatchN int
	}{
		{name: "empty", clip: true, boxes: f(tensor.Shape{0, 0, 0, 4}), scores: f(tensor.Shape{0, 0, 0}), perClass: 30, total: 10, iou: .5,
			outPerBatch: 10},
		{name: "three clusters", clip: true, boxes: f(tensor.Shape{1, 6, 1, 4}, three...), scores: f(tensor.Shape{1, 6, 1}, threeScores...), perClass: 3, total: 3, iou: .5,
			wantBoxes: []float32{0, 0.11, 0.1, 0.2, 0, 0, 0.1, 0.1, 0, 0.3, 1, 0.4}, wantScores: []float32{0.95, 0.9, 0.3}, wantClasses: []float32{0, 0, 0},
			wantValid: []int32{3}, outPerBatch: 3, wantBatchN: 1},
		{name: "no clipping", boxes: f(tensor.Shape{1, 6, 1, 4}, 0, 0, 10, 10, 0, 1, 10, 11, 0, 1, 10, 9, 0, 11, 10, 20, 0, 12, 10, 21, 0, 30, 100, 40),
			scores: f(tensor.Shape{1, 6, 1}, threeScores...), perClass: 3, total: 3, iou: .5,
			wantBoxes: []float32{0, 11, 10, 20, 0, 0, 10, 10, 0, 30, 100, 40}, wantScores: []float32{0.95, 0.9, 0.3}, wantClasses: []float32{0, 0, 0},
			wantValid: []int32{3}, outPerBatch: 3, wantBatchN: 1},
		{name: "score threshold", clip: true, boxes: f(tensor.Shape{1, 6, 1, 4}, three...), scores: f(tensor.Shape{1, 6, 1}, threeScores...), perClass: 3, total: 3, iou: .5, score: 0.4,
			wantBoxes: []float32{0, 0.11, 0.1, 0.2, 0, 0, 0.1, 0.1, 0, 0, 0, 0}, wantScores: []float32{0.95, 0.9, 0}, wantClasses: []float32{0, 0, 0},
			wantValid: []int32{2}, outPerBatch: 3, wantBatchN: 1},
		{name: "zero scores", clip: true, boxes: f(tensor.Shape{1, 6, 1, 4}, three...), scores: f(tensor.Shape{1, 6, 1}, .1, 0, 0, .3, .2, -5), perClass: 4, total: 5, iou: .5, score: -3,
			wantBoxes: []float32{0, 0.11, 0.1, 0.2, 0, 0, 0.1, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, wantScores: []float32{0.3, 0.1, 0, 0, 0}, wantClasses: []float32{0, 0, 0, 0, 0},
			wantValid: []int32{2}, outPerBatch: 5, wantBatchN: 1},
		{name: "single box", clip: true, boxes: f(tensor.Shape{1, 1, 1, 4}, 0, 0, 1, 1), scores: f(tensor.Shape{1, 1, 1}, .9), perClass: 3, total: 1, iou: .5,
			wantBoxes: []float32{0, 0, 1, 1}, wantScores: []float32{0.9}, wantClasses: []float32{0}, wantValid: []int32{1}, outPerBatch: 1, wantBatchN: 1},
		{name: "two batches score threshold", clip: true, boxes: f(tensor.Shape{2, 6, 1, 4}, twoBatches...),
			scores: f(tensor.Shape{2, 6, 1}, append(append([]float32{}, threeScores...), threeScores...)...), perClass: 3, total: 3, iou: .5, score: 0.4,
			wantBoxes:  []float32{0, 0.11, 0.1, 0.2, 0, 0, 0.1, 0.1, 0, 0, 0, 0, 0, 0.21, 0.2, 0.3, 0, 0, 0.2, 0.2, 0, 0, 0, 0},
			wantScores: []float32{0.95, 0.9, 0, 0.95, 0.9, 0}, wantClasses: []float32{0, 0, 0, 0, 0, 0}, wantValid: []int32{2, 2}, outPerBatch: 3, wantBatchN: 2},
		{name: "two batches two classes", clip: true, boxes: f(tensor.Shape{2, 6, 1, 4}, twoBatches...),
			scores:   f(tensor.Shape{2, 6, 2}, 0.1, 0.9, 0.75, 0.8, 0.6, 0.3, 0.95, 0.1, 0.5, 0.5, 0.3, 0.1, 0.1, 0.9, 0.75, 0.8, 0.6, 0.3, 0.95, 0.1, 0.5, 0.5, 0.3, 0.1),
			perClass: 3, total: 3, iou: .5,
			wantBoxes:  []float32{0, 0.11, 0.1, 0.2, 0, 0, 0.1, 0.1, 0, 0.01, 0.1, 0.11, 0, 0.21, 0.2, 0.3, 0, 0, 0.2, 0.2, 0, 0.02, 0.2, 0.22},
			wantScores: []float32{0.95, 0.9, 0.75, 0.95, 0.9, 0.75}, wantClasses: []float32{0, 1, 0, 0, 1, 0}, wantValid: []int32{3, 3}, outPerBatch: 3, wantBatchN: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := kerneltest.Call(graph.NewNode("n", "CombinedNonMaxSuppression", nil, map[string]any{"clip_boxes": tc.clip}),
				tc.boxes, tc.scores, tensor.Scalar(tc.perClass), tensor.Scalar(tc.total), tensor.Scalar(tc.iou), tensor.Scalar(tc.score))
			require.NoError(t, err)
			require.Len(t, out, 4)
			nb := tc.wantBatchN
			assert.Equal(t, tensor.Shape{nb, tc.outPerBatch, 4}, out[0].Shape())
			assert.Equal(t, tensor.Shape{nb, tc.outPerBatch}, out[1].Shape())
			assert.Equal(t, tensor.Shape{nb}, out[3].Shape())
			if nb == 0 {
				return
			}
			assert.Equal(t, tc.wantBoxes, tensor.Values[float32](out[0]))
			assert.Equal(t, tc.wantScores, tensor.Values[float32](out[1]))
			assert.Equal(t, tc.wantClasses, tensor.Values[float32](out[2]))
			assert.Equal(t, tc.wantValid, tensor.Values[int32](out[3]))
		})
	}
	t.Run("pad per class", func(t *testing.T) {
		// With pad_per_class the outputs hold at most 3 per class × 1
		// class, not max_total_size.
		out, err := kerneltest.Call(graph.NewNode("n", "CombinedNonMaxSuppression", nil, map[string]any{"pad_per_class": true}),
			f(tensor.Shape{1, 6, 1, 4}, three...), f(tensor.Shape{1, 6, 1}, threeScores...), tensor.Scalar(int32(3)), tensor.Scalar(int32(10)), tensor.Scalar(float32(.5)), tensor.Scalar(float32(0)))
		require.NoError(t, err)
		assert.Equal(t, tensor.Shape{1, 3}, out[1].Shape())
	})
	for _, bad := range []struct {
		name string
		in   []*tensor.Tensor
	}{
		{"boxes rank", []*tensor.Tensor{f(tensor.Shape{6, 1, 4}, three...), f(tensor.Shape{1, 6, 1}, threeScores...), tensor.Scalar(int32(3)), tensor.Scalar(int32(3)), tensor.Scalar(float32(.5)), tensor.Scalar(float32(0))}},
		{"zero total", []*tensor.Tensor{f(tensor.Shape{1, 6, 1, 4}, three...), f(tensor.Shape{1, 6, 1}, threeScores...), tensor.Scalar(int32(3)), tensor.Scalar(int32(0)), tensor.Scalar(float32(.5)), tensor.Scalar(float32(0))}},
		{"iou above 1", []*tensor.Tensor{f(tensor.Shape{1, 6, 1, 4}, three...), f(tensor.Shape{1, 6, 1}, threeScores...), tensor.Scalar(int32(3)), tensor.Scalar(int32(3)), tensor.Scalar(float32(1.5)), tensor.Scalar(float32(0))}},
		{"q not classes", []*tensor.Tensor{f(tensor.Shape{1, 3, 2, 4}, three...), f(tensor.Shape{1, 3, 3}, 1, 2, 3, 4, 5, 6, 7, 8, 9), tensor.Scalar(int32(3)), tensor.Scalar(int32(3)), tensor.Scalar(float32(.5)), tensor.Scalar(float32(0))}},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := kerneltest.Call(graph.NewNode("n", "CombinedNonMaxSuppression", nil, nil), bad.in...)
			assert.Error(t, err)
		})
	}
}
