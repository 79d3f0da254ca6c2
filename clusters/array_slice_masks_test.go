package clusters

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

// TestStridedSliceTranslatorEveryMask translates StridedSlice under every
// mask combination the kernel's test checks against TensorFlow's rules
// (tfexec/kernels/array/testdata/tfjs_strided_slice.json) and compares
// ONNX Runtime with the executor, 128 slices to a cluster. Every
// combination TensorFlow slices translates.
func TestStridedSliceTranslatorEveryMask(t *testing.T) {
	b, err := os.ReadFile("../tfexec/kernels/array/testdata/tfjs_strided_slice.json")
	require.NoError(t, err)
	var ref struct {
		Shape []int `json:"shape"`
		Specs []struct {
			Begin, End, Strides []int32
			Cases               [][]json.RawMessage
		} `json:"specs"`
	}
	require.NoError(t, json.Unmarshal(b, &ref))
	x := randTensor(rand.New(rand.NewPCG(47, 48)), tensor.Float32, tensor.Shape(ref.Shape), -1, 1)
	translated := 0
	for _, spec := range ref.Specs {
		var masks [][5]int
		for _, c := range spec.Cases {
			if string(c[6]) == "null" {
				continue // TensorFlow refuses: nothing to translate
			}
			var m [5]int
			for i := range m {
				require.NoError(t, json.Unmarshal(c[i], &m[i]))
			}
			masks = append(masks, m)
		}
		for lo := 0; lo < len(masks); lo += 128 {
			batch := masks[lo:min(lo+128, len(masks))]
			t.Run(fmt.Sprintf("from %v", batch[0]), func(t *testing.T) {
				var g graph.Builder
				g.Placeholder("x", tensor.Float32, nil)
				cl := &Cluster{Inputs: []string{"x:0"}}
				cl.Nodes = append(cl.Nodes,
					g.Const("b", tensor.MustFromSlice(tensor.Shape{3}, spec.Begin)),
					g.Const("e", tensor.MustFromSlice(tensor.Shape{3}, spec.End)),
					g.Const("s", tensor.MustFromSlice(tensor.Shape{3}, spec.Strides)))
				for i, m := range batch {
					name := fmt.Sprintf("ss%d", i)
					n := g.Add(name, "StridedSlice", []string{"x", "b", "e", "s"}, map[string]any{"T": tensor.Float32, "Index": tensor.Int32,
						"begin_mask": m[0], "end_mask": m[1], "ellipsis_mask": m[2], "new_axis_mask": m[3], "shrink_axis_mask": m[4]})
					cl.Nodes = append(cl.Nodes, n)
					cl.Outputs = append(cl.Outputs, name+":0")
				}
				checkCluster(t, cl, []*tensor.Tensor{x}, tensor.Tolerance{})
			})
			translated += len(batch)
		}
	}
	assert.Equal(t, 12416, translated)
}
