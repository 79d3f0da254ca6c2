package reduce

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
)

func TestSortedSegments(t *testing.T) {
	// TensorFlow's documented example: c = [[1,2,3,4], [4,3,2,1], [5,6,7,8]].
	c := tt(tensor.Shape{3, 4}, int32(1), 2, 3, 4, 4, 3, 2, 1, 5, 6, 7, 8)
	ids := vec[int32](0, 0, 1)
	gap := vec[int64](0, 0, 2)
	f := tt(tensor.Shape{4, 2}, float32(1), 2, 3, 4, 5, 6, 7, 8)
	tests := []struct {
		name string
		op   string
		data *tensor.Tensor
		ids  *tensor.Tensor
		want *tensor.Tensor
	}{
		{"sum", "SegmentSum", c, ids, tt(tensor.Shape{2, 4}, int32(5), 5, 5, 5, 5, 6, 7, 8)},
		{"prod", "SegmentProd", c, ids, tt(tensor.Shape{2, 4}, int32(4), 6, 6, 4, 5, 6, 7, 8)},
		{"max", "SegmentMax", c, ids, tt(tensor.Shape{2, 4}, int32(4), 3, 3, 4, 5, 6, 7, 8)},
		{"min", "SegmentMin", c, ids, tt(tensor.Shape{2, 4}, int32(1), 2, 2, 1, 5, 6, 7, 8)},
		{"mean int truncates", "SegmentMean", c, ids, tt(tensor.Shape{2, 4}, int32(2), 2, 2, 2, 5, 6, 7, 8)},
		{"mean float", "SegmentMean", f, vec[int32](0, 0, 0, 1), tt(tensor.Shape{2, 2}, float32(3), 4, 7, 8)},
		{"sum gap is zero", "SegmentSum", c, gap, tt(tensor.Shape{3, 4}, int32(5), 5, 5, 5, 0, 0, 0, 0, 5, 6, 7, 8)},
		{"prod gap is one", "SegmentProd", c, gap, tt(tensor.Shape{3, 4}, int32(4), 6, 6, 4, 1, 1, 1, 1, 5, 6, 7, 8)},
		{"max gap is zero", "SegmentMax", c, gap, tt(tensor.Shape{3, 4}, int32(4), 3, 3, 4, 0, 0, 0, 0, 5, 6, 7, 8)},
		{"leading gap", "SegmentMin", vec[float32](3, 1), vec[int32](2, 2), vec[float32](0, 0, 1)},
		{"max nan propagates", "SegmentMax", vec(float32(1), nan, 2), vec[int32](0, 0, 0), vec(nan)},
		{"vector data", "SegmentSum", vec[float64](1, 2, 3), vec[int32](0, 1, 1), vec[float64](1, 5)},
		{"complex mean", "SegmentMean", vec(complex64(1+1i), 3+3i), vec[int32](0, 0), vec(complex64(2 + 2i))},
		{"empty", "SegmentSum", tt[float32](tensor.Shape{0, 3}), vec[int32](), tt[float32](tensor.Shape{0, 3})},
		// Half rounds after every step: 2048 + 1 + 1 stays 2048.
		{"half rounds each step", "SegmentSum", f16s(tensor.Shape{3}, 2048, 1, 1), vec[int32](0, 0, 0), f16s(tensor.Shape{1}, 2048)},
		{"bfloat16 mean", "SegmentMean", bf16s(tensor.Shape{2}, 1, 2), vec[int32](0, 0), bf16s(tensor.Shape{1}, 1.5)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := runOp(t, tc.op, nil, tc.data, tc.ids)
			require.Len(t, out, 1)
			assertTensor(t, tc.want, out[0])
		})
	}
}

func TestUnsortedSegments(t *testing.T) {
	c := tt(tensor.Shape{3, 4}, int32(1), 2, 3, 4, 5, 6, 7, 8, 4, 3, 2, 1)
	ids := vec[int32](0, 1, 0)
	tests := []struct {
		name string
		op   string
		data *tensor.Tensor
		ids  *tensor.Tensor
		num  *tensor.Tensor
		want *tensor.Tensor
	}{
		{"sum", "UnsortedSegmentSum", c, ids, sc[int32](2), tt(tensor.Shape{2, 4}, int32(5), 5, 5, 5, 5, 6, 7, 8)},
		{"prod", "UnsortedSegmentProd", c, ids, sc[int32](2), tt(tensor.Shape{2, 4}, int32(4), 6, 6, 4, 5, 6, 7, 8)},
		{"max", "UnsortedSegmentMax", c, ids, sc[int64](2), tt(tensor.Shape{2, 4}, int32(4), 3, 3, 4, 5, 6, 7, 8)},
		{"min", "UnsortedSegmentMin", c, ids, sc[int32](2), tt(tensor.Shape{2, 4}, int32(1), 2, 2, 1, 5, 6, 7, 8)},
		{"negative ids dropped", "UnsortedSegmentSum", vec[float32](1, 2, 4), vec[int64](1, -1, 1), sc[int32](3), vec[float32](0, 5, 0)},
		{"empty max is lowest finite", "UnsortedSegmentMax", vec[float32](1), vec[int32](1), sc[int32](2), vec[float32](-math.MaxFloat32, 1)},
		{"empty min is highest", "UnsortedSegmentMin", vec[int8](1), vec[int32](0), sc[int32](2), vec[int8](1, math.MaxInt8)},
		{"empty prod is one", "UnsortedSegmentProd", vec[float64](3), vec[int32](0), sc[int32](2), vec[float64](3, 1)},
		{"half max empty", "UnsortedSegmentMax", f16s(tensor.Shape{1}, 1), vec[int32](0), sc[int32](2), f16s(tensor.Shape{2}, 1, -65504)},
		{"2-D ids", "UnsortedSegmentSum", tt(tensor.Shape{2, 2, 2}, int32(1), 2, 3, 4, 5, 6, 7, 8), tt(tensor.Shape{2, 2}, int32(1), 0, 1, 1), sc[int32](2), tt(tensor.Shape{2, 2}, int32(3), 4, 13, 16)},
		{"scalar id", "UnsortedSegmentSum", vec[float32](1, 2), sc[int32](1), sc[int32](2), tt(tensor.Shape{2, 2}, float32(0), 0, 1, 2)},
		{"zero segments", "UnsortedSegmentSum", tt[float32](tensor.Shape{0}), vec[int32](), sc[int32](0), tt[float32](tensor.Shape{0})},
		{"empty data ignores ids", "UnsortedSegmentSum", tt[float32](tensor.Shape{2, 0}), vec[int32](5, 9), sc[int32](1), tt[float32](tensor.Shape{1, 0})},
		{"complex sum", "UnsortedSegmentSum", vec(complex128(1i), 2), vec[int32](0, 0), sc[int32](1), vec(complex128(2 + 1i))},
		{"half rounds each step", "UnsortedSegmentSum", f16s(tensor.Shape{3}, 2048, 1, 1), vec[int32](0, 0, 0), sc[int32](1), f16s(tensor.Shape{1}, 2048)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := runOp(t, tc.op, nil, tc.data, tc.ids, tc.num)
			require.Len(t, out, 1)
			assertTensor(t, tc.want, out[0])
		})
	}
}

// TestUnsortedSegmentWide checks the column-blocked parallel path.
func TestUnsortedSegmentWide(t *testing.T) {
	g := lcg(9)
	const rows, cols, segs = 40, 1000, 7
	data := g.ints(rows*cols, 5)
	ids := make([]int32, rows)
	for i := range ids {
		ids[i] = int32(g.next()%(segs+1)) - 1
	}
	want := make([]int32, segs*cols)
	for i, j := range ids {
		if j < 0 {
			continue
		}
		for c := 0; c < cols; c++ {
			want[int(j)*cols+c] += data[i*cols+c]
		}
	}
	out := runOp(t, "UnsortedSegmentSum", nil, tt(tensor.Shape{rows, cols}, data...), vec(ids...), sc[int32](segs))
	assertTensor(t, tt(tensor.Shape{segs, cols}, want...), out[0])
}

func TestSegmentErrors(t *testing.T) {
	m := tt(tensor.Shape{3, 2}, float32(1), 2, 3, 4, 5, 6)
	tests := []struct {
		name string
		op   string
		in   []*tensor.Tensor
		msg  string
	}{
		{"not increasing", "SegmentSum", []*tensor.Tensor{m, vec[int32](1, 0, 1)}, "segment ids are not increasing"},
		{"negative first", "SegmentMax", []*tensor.Tensor{m, vec[int32](-1, 0, 0)}, "Segment id -1 out of range [0, 1)"},
		{"all negative", "SegmentMean", []*tensor.Tensor{m, vec[int32](-1, -1, -1)}, "segment ids must be >= 0"},
		{"ids not vector", "SegmentSum", []*tensor.Tensor{m, tt(tensor.Shape{3, 1}, int32(0), 0, 0)}, "segment_ids should be a vector."},
		{"ids wrong length", "SegmentSum", []*tensor.Tensor{m, vec[int32](0, 0)}, "same size as dimension 0"},
		{"scalar data", "SegmentSum", []*tensor.Tensor{sc[float32](1), vec[int32](0)}, "input must be at least rank 1"},
		{"complex max", "SegmentMax", []*tensor.Tensor{vec(complex64(1)), vec[int32](0)}, "not supported"},
		{"float ids", "SegmentSum", []*tensor.Tensor{m, vec[float32](0, 0, 0)}, "segment_ids"},
		{"id out of range", "UnsortedSegmentSum", []*tensor.Tensor{m, vec[int32](0, 2, 1), sc[int32](2)}, "segment_ids[1] = 2 is out of range [0, 2)"},
		{"num_segments not scalar", "UnsortedSegmentMax", []*tensor.Tensor{m, vec[int32](0, 0, 0), vec[int32](1)}, "num_segments should be a scalar, not shape [1]"},
		{"negative num_segments", "UnsortedSegmentMin", []*tensor.Tensor{m, vec[int32](0, 0, 0), sc[int32](-1)}, "Input num_segments == -1 must not be negative."},
		{"huge num_segments", "UnsortedSegmentSum", []*tensor.Tensor{m, vec[int32](0, 0, 0), sc[int64](1 << 40)}, "over the limit"},
		{"huge sorted id", "SegmentSum", []*tensor.Tensor{m, vec[int64](0, 0, 1<<40)}, "over the limit"},
		{"ids not a prefix", "UnsortedSegmentProd", []*tensor.Tensor{m, vec[int32](0, 0), sc[int32](1)}, "data.shape = [3,2] does not start with segment_ids.shape = [2]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := callOp(tc.op, nil, tc.in...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func BenchmarkUnsortedSegmentSum(b *testing.B) {
	g := lcg(1)
	const rows, cols = 4096, 256
	ids := make([]int32, rows)
	for i := range ids {
		ids[i] = int32(g.next() % 512)
	}
	x := tt(tensor.Shape{rows, cols}, g.floats(rows*cols)...)
	benchOp(b, "UnsortedSegmentSum", x, vec(ids...), sc[int32](512))
}
