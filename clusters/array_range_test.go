package clusters

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
)

// TestArrayRange covers Range with runtime bounds (static ones are
// folded), including float sizes where ONNX Range's rule differs.
func TestArrayRange(t *testing.T) {
	type bounds struct{ start, limit, delta float64 }
	cases := []bounds{{0, 0.3, 0.1}, {0, 1, 0.1}, {1, -2, -0.3}, {0.5, 10, 0.7}, {-3, 7, 1}, {5, 5, 1}, {10, -5, -3}, {0, 1e3, 0.37}}
	for _, dt := range rangeTypes {
		for _, b := range cases {
			if !dt.IsFloat() && (b.delta != float64(int(b.delta))) {
				continue
			}
			var in []*tensor.Tensor
			for _, v := range []float64{b.start, b.limit, b.delta} {
				x, err := tensor.FromFloat64s(dt, tensor.Shape{}, []float64{v})
				require.NoError(t, err)
				in = append(in, x)
			}
			checkOp(t, opCase{name: fmt.Sprintf("%v_%v", dt, b), node: arrNode("Range", map[string]any{"Tidx": dt}), inputs: in, tol: tensor.Tolerance{}})
		}
	}
}
