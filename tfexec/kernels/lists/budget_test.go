package lists

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
)

// TestLengthsFromDataAreBudgeted: list and array lengths that come from
// values (a size, an index to write at) are refused before their element
// slots are allocated when these alone exceed the budget.
func TestLengthsFromDataAreBudgeted(t *testing.T) {
	prev := tensor.SetMaxTensorBytes(1 << 20)
	defer tensor.SetMaxTensorBytes(prev)
	huge := tensor.Scalar(int32(1 << 20))
	list := fromTensor(t, seq(tensor.Shape{2, 1}))
	el := map[string]any{"element_dtype": tensor.Float32}
	for name, try := range map[string]func() error{
		"TensorListReserve": func() error { _, err := call("TensorListReserve", listAttrs, shapeT(), huge); return err },
		"TensorListResize":  func() error { _, err := call("TensorListResize", nil, list, huge); return err },
		"TensorListSetItem resizing": func() error {
			_, err := call("TensorListSetItem", map[string]any{"element_dtype": tensor.Float32, "resize_if_index_out_of_bounds": true},
				list, huge, f32(tensor.Shape{1}, 1))
			return err
		},
		"TensorListScatterIntoExistingList": func() error {
			_, err := call("TensorListScatterIntoExistingList", el, list, f32(tensor.Shape{1, 1}, 1), i32(1<<20))
			return err
		},
		"TensorListScatterV2": func() error {
			_, err := call("TensorListScatterV2", el, f32(tensor.Shape{1, 1}, 1), i32(1<<20), shapeT(1), tensor.Scalar(int32(-1)))
			return err
		},
		"TensorArrayV3": func() error {
			_, err := call("TensorArrayV3", map[string]any{"dtype": tensor.Float32}, huge)
			return err
		},
		"TensorArrayWriteV3 growing": func() error {
			h := newArray(t, 0, map[string]any{"dynamic_size": true})
			_, err := call("TensorArrayWriteV3", map[string]any{"T": tensor.Float32}, h, huge, f32(tensor.Shape{1}, 1), flow)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			var tl *tensor.TooLargeError
			require.ErrorAs(t, try(), &tl)
			assert.Greater(t, tl.Bytes, int64(1<<20))
		})
	}
}
