package sparse

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// tf.sparse.segment_sum's docstring (math_ops.py), num_segments set:
// c = [[1, 2, 3, 4], [-1, -2, -3, -4], [5, 6, 7, 8]], indices [0, 1],
// segment ids [0, 2], num_segments 4 gives [[1, 2, 3, 4], [0, 0, 0, 0],
// [-1, -2, -3, -4], [0, 0, 0, 0]]. Mean and SqrtN of one-row segments are
// the rows themselves.
func TestSparseSegmentWithNumSegments(t *testing.T) {
	c := tt(tensor.Shape{3, 4}, float32(1), 2, 3, 4, -1, -2, -3, -4, 5, 6, 7, 8)
	want := tt(tensor.Shape{4, 4}, float32(1), 2, 3, 4, 0, 0, 0, 0, -1, -2, -3, -4, 0, 0, 0, 0)
	for _, op := range []string{"SparseSegmentSumWithNumSegments", "SparseSegmentMeanWithNumSegments", "SparseSegmentSqrtNWithNumSegments"} {
		for _, nt := range raggedIndexTypes {
			got := run(t, op, map[string]any{"T": tensor.Float32, "Tnumsegments": nt}, c, vec[int32](0, 1), vec[int32](0, 2), kerneltest.Values(nt, nil, 4))[0]
			assert.Equal(t, want, got, op)
		}
		err := call(op, map[string]any{"T": tensor.Float32}, c, vec[int32](0, 1), vec[int32](0, 2), tensor.Scalar(int32(2)))
		assert.ErrorIs(t, err, kernel.ErrInvalidArgument, "%s: a segment id beyond num_segments", op)
		assert.ErrorContains(t, err, "segment ids must be < num_segments")
	}
}
