package elementwise

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestTableDTypesAreExact holds every row of the table to its dtypes, in
// both directions: for each dtype a tensor can hold, a node whose type
// attribute names a declared dtype is prepared and one naming another is
// refused with kernel.ErrUnsupported; and a kernel prepared without the
// attribute runs on inputs of a declared dtype and refuses the others,
// with ErrUnsupported, when it runs.
func TestTableDTypesAreExact(t *testing.T) {
	require.Len(t, kernels, 95)
	for _, d := range kernels {
		t.Run(d.Op, func(t *testing.T) {
			declared := map[tensor.DType]bool{}
			for _, dt := range d.DTypes {
				declared[dt] = true
			}
			require.NotEmpty(t, declared)
			attr := d.TypeAttr
			if attr == "" {
				attr = "T"
			}
			for _, dt := range tensor.AllDTypes() {
				attrs, in := probe(d.Op, dt)
				// Select checks its branches only when it runs.
				if d.Op != "Select" && d.Op != "SelectV2" {
					attrs[attr] = dt
					_, err := d.New(kernel.NewNode(graph.NewNode("n", d.Op, make([]string, len(in)), attrs)))
					if declared[dt] {
						assert.NoError(t, err, "prepare on %v", dt)
					} else {
						assert.ErrorIs(t, err, kernel.ErrUnsupported, "prepare on %v", dt)
					}
					delete(attrs, attr)
				}
				_, err := kerneltest.Call(graph.NewNode("n", d.Op, nil, attrs), in...)
				if declared[dt] {
					assert.False(t, errors.Is(err, kernel.ErrUnsupported), "run on %v: %v", dt, err)
				} else {
					assert.ErrorIs(t, err, kernel.ErrUnsupported, "run on %v", dt)
				}
			}
		})
	}
}

// probe returns the attributes (without the type) and inputs that run op
// on two elements of dtype dt.
func probe(op string, dt tensor.DType) (map[string]any, []*tensor.Tensor) {
	x := func() *tensor.Tensor { return kerneltest.Values(dt, tensor.Shape{2}, 1, 2) }
	switch op {
	case "AddN", "AccumulateNV2", "Complex":
		return map[string]any{}, []*tensor.Tensor{x(), x()}
	case "ClipByValue":
		return map[string]any{}, []*tensor.Tensor{x(), x(), x()}
	case "Select", "SelectV2":
		return map[string]any{}, []*tensor.Tensor{tt(tensor.Shape{2}, true, false), x(), x()}
	case "Cast":
		return map[string]any{"DstT": tensor.Float32}, []*tensor.Tensor{x()}
	case "Bitcast":
		return map[string]any{"type": tensor.Uint8}, []*tensor.Tensor{x()}
	}
	if len(binaryTableFor(op)) > 0 {
		return map[string]any{}, []*tensor.Tensor{x(), x()}
	}
	return map[string]any{}, []*tensor.Tensor{x()}
}
