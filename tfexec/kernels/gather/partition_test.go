package gather

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

func TestDynamicPartition(t *testing.T) {
	tests := []struct {
		name  string
		num   int
		data  *tensor.Tensor
		parts *tensor.Tensor
		want  []*tensor.Tensor
	}{
		// TensorFlow's documented examples.
		{"vector", 2, vec[int32](10, 20, 30, 40, 50), vec[int32](0, 0, 1, 1, 0),
			[]*tensor.Tensor{vec[int32](10, 20, 50), vec[int32](30, 40)}},
		{"matrix partitions", 4, vec[int32](10, 20, 30, 40, 50), vec[int32](0, 0, 1, 1, 0),
			[]*tensor.Tensor{vec[int32](10, 20, 50), vec[int32](30, 40), vec[int32](), vec[int32]()}},
		{"slices", 2, tt(tensor.Shape{3, 2}, float32(1), 2, 3, 4, 5, 6), vec[int32](1, 0, 1),
			[]*tensor.Tensor{tt(tensor.Shape{1, 2}, float32(3), 4), tt(tensor.Shape{2, 2}, float32(1), 2, 5, 6)}},
		{"2-D partitions", 2, tt(tensor.Shape{2, 2}, "a", "b", "c", "d"), tt(tensor.Shape{2, 2}, int32(1), 0, 0, 1),
			[]*tensor.Tensor{vec("b", "c"), vec("a", "d")}},
		{"bool", 2, vec(true, false, true), vec[int32](1, 1, 0), []*tensor.Tensor{vec(true), vec(true, false)}},
		{"complex128", 1, vec(complex128(1+2i), 3), vec[int32](0, 0), []*tensor.Tensor{vec(complex128(1+2i), 3)}},
		{"half", 2, f16(tensor.Shape{2}, 1, 2), vec[int32](1, 0), []*tensor.Tensor{f16(tensor.Shape{1}, 2), f16(tensor.Shape{1}, 1)}},
		{"empty", 2, tt[float32](tensor.Shape{0, 3}), vec[int32](), []*tensor.Tensor{tt[float32](tensor.Shape{0, 3}), tt[float32](tensor.Shape{0, 3})}},
		{"empty slices", 2, tt[float32](tensor.Shape{2, 0}), vec[int32](0, 0), []*tensor.Tensor{tt[float32](tensor.Shape{2, 0}), tt[float32](tensor.Shape{0, 0})}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, "DynamicPartition", map[string]any{"num_partitions": tc.num}, tc.data, tc.parts)
			require.Len(t, out, len(tc.want))
			for i := range out {
				assertTensor(t, tc.want[i], out[i])
			}
		})
	}
}

func TestDynamicPartitionErrors(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string]any
		in    []*tensor.Tensor
		msg   string
	}{
		{"out of range", map[string]any{"num_partitions": 2}, []*tensor.Tensor{vec[int32](1, 2), vec[int32](0, 2)}, "partitions[1] = 2 is not in [0, 2)"},
		{"negative", map[string]any{"num_partitions": 2}, []*tensor.Tensor{vec[int32](1), vec[int32](-1)}, "partitions[0] = -1 is not in [0, 2)"},
		{"not a prefix", map[string]any{"num_partitions": 2}, []*tensor.Tensor{vec[int32](1, 2), vec[int32](0)}, "data.shape must start with partitions.shape"},
		{"int64 partitions", map[string]any{"num_partitions": 2}, []*tensor.Tensor{vec[int32](1), vec[int64](0)}, "int32"},
		{"zero partitions", map[string]any{"num_partitions": 0}, []*tensor.Tensor{vec[int32](1), vec[int32](0)}, "num_partitions"},
		{"missing attr", nil, []*tensor.Tensor{vec[int32](1), vec[int32](0)}, "num_partitions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := call("DynamicPartition", tc.attrs, tc.in...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestDynamicStitch(t *testing.T) {
	tests := []struct {
		name string
		in   []*tensor.Tensor
		want *tensor.Tensor
	}{
		// TensorFlow's documented example.
		{"doc example", []*tensor.Tensor{
			sc[int32](6), vec[int32](4, 1), tt(tensor.Shape{2, 2}, int32(5), 2, 0, 3),
			tt(tensor.Shape{2}, float32(61), 62), tt(tensor.Shape{2, 2}, float32(41), 42, 11, 12), tt(tensor.Shape{2, 2, 2}, float32(51), 52, 21, 22, 1, 2, 31, 32),
		}, tt(tensor.Shape{7, 2}, float32(1), 2, 11, 12, 21, 22, 31, 32, 41, 42, 51, 52, 61, 62)},
		{"duplicates take the last", []*tensor.Tensor{vec[int32](0, 1), vec[int32](1), vec[int64](1, 2), vec[int64](3)}, vec[int64](1, 3)},
		{"gaps are zero", []*tensor.Tensor{vec[int32](2), vec[int32](0), vec("c"), vec("a")}, vec("a", "", "c")},
		{"empty", []*tensor.Tensor{vec[int32](), tt[float32](tensor.Shape{0, 3})}, tt[float32](tensor.Shape{0, 3})},
		{"bool slices", []*tensor.Tensor{vec[int32](1, 0), tt(tensor.Shape{2, 2}, true, true, false, true)}, tt(tensor.Shape{2, 2}, false, true, true, true)},
	}
	for _, op := range []string{"DynamicStitch", "ParallelDynamicStitch"} {
		for _, tc := range tests {
			t.Run(op+"/"+tc.name, func(t *testing.T) {
				out := run(t, op, map[string]any{"N": len(tc.in) / 2}, tc.in...)
				require.Len(t, out, 1)
				assertTensor(t, tc.want, out[0])
			})
		}
	}
}

func TestDynamicStitchErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []*tensor.Tensor
		msg  string
	}{
		{"negative index", []*tensor.Tensor{vec[int32](1, -1), vec[float32](1, 2)}, "indices[1] is out of range"},
		{"not a prefix", []*tensor.Tensor{vec[int32](0, 1), vec[float32](1)}, "data[0].shape = [1] does not start with indices[0].shape = [2]"},
		{"mismatched slices", []*tensor.Tensor{vec[int32](0), vec[int32](1), tt(tensor.Shape{1, 2}, float32(1), 2), tt(tensor.Shape{1, 3}, float32(1), 2, 3)}, "Need data[0].shape[1:] = data[1].shape[1:]"},
		{"huge index", []*tensor.Tensor{vec[int32](1 << 30), tt(tensor.Shape{1, 4096}, make([]float32, 4096)...)}, "over the limit"},
		{"int64 indices", []*tensor.Tensor{vec[int64](0), vec[float32](1)}, "int32"},
		{"mixed dtypes", []*tensor.Tensor{vec[int32](0), vec[int32](1), vec[float32](1), vec[int32](2)}, "data[1] is int32"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := call("DynamicStitch", map[string]any{"N": len(tc.in) / 2}, tc.in...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
	_, err := kerneltest.Call(graph.NewNode("n", "DynamicStitch", nil, map[string]any{"N": 2}), vec[int32](0), vec[float32](1))
	assert.ErrorContains(t, err, "\"N\"")
}
