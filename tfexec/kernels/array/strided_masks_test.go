package array

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// stridedMasks is testdata/tfjs_strided_slice.json.
type stridedMasks struct {
	Shape []int `json:"shape"`
	Specs []struct {
		Begin, End, Strides []int32
		Cases               [][]json.RawMessage
	} `json:"specs"`
}

// TestStridedSliceEveryMask holds StridedSlice to TensorFlow's slicing
// rules under every combination of the five masks
// (testdata/tfjs_strided_slice.js wrote the file from TensorFlow's
// strided_slice_op.cc, and checked TensorFlow.js's tf.stridedSlice
// against it): the same output where TensorFlow slices, an error where it
// refuses.
func TestStridedSliceEveryMask(t *testing.T) {
	b, err := os.ReadFile("testdata/tfjs_strided_slice.json")
	require.NoError(t, err)
	var ref stridedMasks
	require.NoError(t, json.Unmarshal(b, &ref))
	vals := make([]int32, 24)
	for i := range vals {
		vals[i] = int32(i)
	}
	x := tensor.MustFromSlice(tensor.Shape(ref.Shape), vals)
	ran, refused, tfjs := 0, 0, 0
	for _, spec := range ref.Specs {
		begin, end, strides := tensor.MustFromSlice(tensor.Shape{3}, spec.Begin), tensor.MustFromSlice(tensor.Shape{3}, spec.End), tensor.MustFromSlice(tensor.Shape{3}, spec.Strides)
		for _, c := range spec.Cases {
			var m [5]int
			for i := range m {
				require.NoError(t, json.Unmarshal(c[i], &m[i]))
			}
			attrs := map[string]any{"T": tensor.Int32, "Index": tensor.Int32, "begin_mask": m[0], "end_mask": m[1],
				"ellipsis_mask": m[2], "new_axis_mask": m[3], "shrink_axis_mask": m[4]}
			got, err := kerneltest.Call(graph.NewNode("n", "StridedSlice", nil, attrs), x, begin, end, strides)
			name := fmt.Sprintf("masks %v", m)
			if string(c[5]) == "1" {
				tfjs++
			}
			if string(c[6]) == "null" {
				assert.Error(t, err, "%s: TensorFlow refuses", name)
				refused++
				continue
			}
			var shape []int
			var want []int32
			require.NoError(t, json.Unmarshal(c[6], &shape))
			require.NoError(t, json.Unmarshal(c[7], &want))
			if !assert.NoError(t, err, name) {
				continue
			}
			assert.Equal(t, tensor.Shape(shape), got[0].Shape(), name)
			assert.Equal(t, want, tensor.Values[int32](got[0]), name)
			ran++
		}
	}
	assert.Equal(t, 8*8*4*8*8, ran+refused)
	// TensorFlow.js agrees on most: the rules are TensorFlow's.
	assert.Equal(t, 14856, tfjs, "cases where TensorFlow.js agrees")
	t.Logf("%d mask combinations sliced, %d refused, TensorFlow.js agrees on %d", ran, refused, tfjs)
}

func TestStridedSliceMasksGenerator(t *testing.T) {
	kerneltest.CheckGenerator(t, "testdata/tfjs_strided_slice.js", "testdata/tfjs_strided_slice.json")
}
