package image

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// threeClusters are the boxes of TensorFlow's own NMS tests: three
// overlapping boxes near x=0, two near x=10 and one at x=100.
var threeClusters = []float32{
	0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, -0.1, 1, 0.9,
	0, 10, 1, 11, 0, 10.1, 1, 11.1, 0, 100, 1, 101,
}
var threeClusterScores = []float32{0.9, 0.75, 0.6, 0.95, 0.5, 0.3}

func TestNonMaxSuppression(t *testing.T) {
	boxes := f32(s(6, 4), threeClusters...)
	scores := f32(s(6), threeClusterScores...)
	flipped := f32(s(6, 4),
		1, 1, 0, 0, 0, 0.1, 1, 1.1, 0, 0.9, 1, -0.1,
		0, 10, 1, 11, 1, 10.1, 0, 11.1, 1, 101, 0, 100)
	f := func(v float32) *tensor.Tensor { return tensor.Scalar(v) }
	n := func(v int32) *tensor.Tensor { return tensor.Scalar(v) }
	tests := []struct {
		name  string
		op    string
		attrs map[string]any
		in    []*tensor.Tensor
		want  []*tensor.Tensor
	}{
		{"v1", "NonMaxSuppression", map[string]any{"iou_threshold": float32(0.5)},
			[]*tensor.Tensor{boxes, scores, n(3)}, []*tensor.Tensor{i32(s(3), 3, 0, 5)}},
		{"v2", "NonMaxSuppressionV2", nil, []*tensor.Tensor{boxes, scores, n(3), f(0.5)}, []*tensor.Tensor{i32(s(3), 3, 0, 5)}},
		{"v2 flipped corners", "NonMaxSuppressionV2", nil, []*tensor.Tensor{flipped, scores, n(3), f(0.5)},
			[]*tensor.Tensor{i32(s(3), 3, 0, 5)}},
		{"v2 at most two", "NonMaxSuppressionV2", nil, []*tensor.Tensor{boxes, scores, n(2), f(0.5)}, []*tensor.Tensor{i32(s(2), 3, 0)}},
		{"v2 more than available", "NonMaxSuppressionV2", nil, []*tensor.Tensor{boxes, scores, n(30), f(0.5)},
			[]*tensor.Tensor{i32(s(3), 3, 0, 5)}},
		{"v2 single box", "NonMaxSuppressionV2", nil, []*tensor.Tensor{f32(s(1, 4), 0, 0, 1, 1), f32(s(1), 0.9), n(3), f(0.5)},
			[]*tensor.Tensor{i32(s(1), 0)}},
		{"v2 identical boxes", "NonMaxSuppressionV2", nil,
			[]*tensor.Tensor{f32(s(3, 4), 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1), f32(s(3), 0.9, 0.9, 0.9), n(3), f(0.5)},
			[]*tensor.Tensor{i32(s(1), 0)}},
		{"v2 no boxes", "NonMaxSuppressionV2", nil, []*tensor.Tensor{f32(s(0, 4)), f32(s(0)), n(3), f(0.5)},
			[]*tensor.Tensor{i32(s(0))}},
		{"v3 score threshold", "NonMaxSuppressionV3", nil, []*tensor.Tensor{boxes, scores, n(3), f(0.5), f(0.4)},
			[]*tensor.Tensor{i32(s(2), 3, 0)}},
		{"v3 half", "NonMaxSuppressionV3", nil,
			[]*tensor.Tensor{f16(s(6, 4), threeClusters...), f16(s(6), threeClusterScores...), n(3), f(0.5), f(0.4)},
			[]*tensor.Tensor{i32(s(2), 3, 0)}},
		{"v4 padded", "NonMaxSuppressionV4", map[string]any{"pad_to_max_output_size": true},
			[]*tensor.Tensor{boxes, scores, n(5), f(0.5), f(0.4)},
			[]*tensor.Tensor{i32(s(5), 3, 0, 0, 0, 0), tensor.Scalar(int32(2))}},
		{"v4 unpadded", "NonMaxSuppressionV4", nil, []*tensor.Tensor{boxes, scores, n(5), f(0.5), f(0.4)},
			[]*tensor.Tensor{i32(s(2), 3, 0), tensor.Scalar(int32(2))}},
		{"v5 hard", "NonMaxSuppressionV5", nil, []*tensor.Tensor{boxes, scores, n(6), f(0.5), f(0), f(0)},
			[]*tensor.Tensor{i32(s(3), 3, 0, 5), f32(s(3), 0.95, 0.9, 0.3), tensor.Scalar(int32(3))}},
		{"v5 padded", "NonMaxSuppressionV5", map[string]any{"pad_to_max_output_size": true},
			[]*tensor.Tensor{boxes, scores, n(4), f(0.5), f(0.4), f(0)},
			[]*tensor.Tensor{i32(s(4), 3, 0, 0, 0), f32(s(4), 0.95, 0.9, 0, 0), tensor.Scalar(int32(2))}},
		{"zero output size skips the iou range check", "NonMaxSuppressionV3", nil,
			[]*tensor.Tensor{boxes, scores, n(0), f(-1), f(100)}, []*tensor.Tensor{i32(s(0))}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, tc.op, tc.attrs, tc.in...)
			require.Len(t, out, len(tc.want))
			for i := range out {
				assertClose(t, tc.want[i], out[i])
			}
		})
	}
}

// TestSoftNMS checks Gaussian soft-NMS against the values of
// TensorFlow's TestSelectFromThreeClustersWithSoftNMS.
func TestSoftNMS(t *testing.T) {
	out := run(t, "NonMaxSuppressionV5", nil, f32(s(6, 4), threeClusters...), f32(s(6), threeClusterScores...),
		tensor.Scalar(int32(6)), tensor.Scalar(float32(0.5)), tensor.Scalar(float32(0)), tensor.Scalar(float32(0.5)))
	assertTensor(t, i32(s(6), 3, 0, 1, 5, 4, 2), out[0])
	assert.NoError(t, tensor.Compare(out[1], f32(s(6), 0.95, 0.9, 0.384, 0.3, 0.256, 0.197), tensor.Tolerance{ATol: 1e-2}))
	assertTensor(t, tensor.Scalar(int32(6)), out[2])
}

func TestNonMaxSuppressionErrors(t *testing.T) {
	boxes := f32(s(6, 4), threeClusters...)
	scores := f32(s(6), threeClusterScores...)
	f := func(v float32) *tensor.Tensor { return tensor.Scalar(v) }
	three := tensor.Scalar(int32(3))
	kerneltest.RunInvalid(t, "NonMaxSuppressionV5", []kerneltest.InvalidCase{
		{Name: "iou above 1", In: []*tensor.Tensor{boxes, scores, three, f(1.5), f(0), f(0)}},
		{Name: "negative sigma", In: []*tensor.Tensor{boxes, scores, three, f(0.5), f(0), f(-1)}},
		{Name: "negative output size", In: []*tensor.Tensor{boxes, scores, tensor.Scalar(int32(-1)), f(0.5), f(0), f(0)}},
		{Name: "three columns", In: []*tensor.Tensor{f32(s(2, 3), 0, 0, 1, 0, 0, 1), f32(s(2), 1, 1), three, f(0.5), f(0), f(0)}},
		{Name: "score count", In: []*tensor.Tensor{boxes, f32(s(5), 1, 1, 1, 1, 1), three, f(0.5), f(0), f(0)}},
		{Name: "scores matrix", In: []*tensor.Tensor{boxes, f32(s(6, 1), threeClusterScores...), three, f(0.5), f(0), f(0)}},
		{Name: "output size vector", In: []*tensor.Tensor{boxes, scores, i32(s(1), 3), f(0.5), f(0), f(0)}},
		{Name: "threshold vector", In: []*tensor.Tensor{boxes, scores, three, f32(s(1), 0.5), f(0), f(0)}},
	})
	_, err := call("NonMaxSuppression", map[string]any{"iou_threshold": float32(2)}, boxes, scores, three)
	assert.ErrorContains(t, err, "iou_threshold")
}

// TestNMSMatchesGreedy checks hard NMS against the textbook greedy
// algorithm (visit boxes by descending score, lower index first on ties;
// keep a box unless it overlaps a kept one by more than the threshold)
// on random boxes with many tied scores.
func TestNMSMatchesGreedy(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 50; trial++ {
		n := 1 + r.IntN(60)
		boxes := make([]float32, n*4)
		scores := make([]float32, n)
		for i := 0; i < n; i++ {
			y, x := r.Float32(), r.Float32()
			copy(boxes[i*4:], []float32{y, x, y + 0.3*r.Float32(), x + 0.3*r.Float32()})
			scores[i] = float32(r.IntN(5)) / 4
		}
		iouThr, scoreThr := r.Float32(), float32(r.IntN(3))/4-0.1
		maxOut := r.IntN(n + 2)
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
		want := []int32{}
		var kept []int
		for _, i := range order {
			if len(kept) == maxOut || scores[i] <= scoreThr {
				continue
			}
			ok := true
			for _, k := range kept {
				if iou(boxes, i, k) > iouThr {
					ok = false
					break
				}
			}
			if ok {
				kept = append(kept, i)
				want = append(want, int32(i))
			}
		}
		out := run(t, "NonMaxSuppressionV3", nil, f32(s(n, 4), boxes...), f32(s(n), scores...),
			tensor.Scalar(int32(maxOut)), tensor.Scalar(iouThr), tensor.Scalar(scoreThr))
		require.Equal(t, want, tensor.Values[int32](out[0]), "trial %d", trial)
	}
}

func TestNMSWithOverlaps(t *testing.T) {
	overlaps := f32(s(3, 3),
		1, 0.8, 0.1,
		0.8, 1, 0.1,
		0.1, 0.1, 1)
	out := run(t, "NonMaxSuppressionWithOverlaps", nil, overlaps, f32(s(3), 0.5, 0.9, 0.2),
		tensor.Scalar(int32(3)), tensor.Scalar(float32(0.5)), tensor.Scalar(float32(0)))
	assertTensor(t, i32(s(2), 1, 2), out[0])
	kerneltest.RunInvalid(t, "NonMaxSuppressionWithOverlaps", []kerneltest.InvalidCase{
		{Name: "not square", In: []*tensor.Tensor{f32(s(2, 3), 1, 1, 1, 1, 1, 1), f32(s(2), 1, 1), tensor.Scalar(int32(1)),
			tensor.Scalar(float32(0.5)), tensor.Scalar(float32(0))}},
	})
}
