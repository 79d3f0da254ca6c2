package opdefs

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/tensor"
)

// shapeArgNames are the input names TensorFlow's ops give to values that
// fix an output shape (a Reshape's shape, a Tile's multiples, a
// reduction's axes).
var shapeArgNames = map[string]bool{
	"shape": true, "dims": true, "size": true, "begin": true, "end": true, "strides": true,
	"paddings": true, "multiples": true, "perm": true, "k": true, "depth": true,
	"num_segments": true, "crop_size": true, "block_shape": true, "crops": true, "ksize": true,
	"input_sizes": true, "dim": true, "axis": true, "split_dim": true, "size_splits": true,
	"reduction_indices": true, "dimension": true, "concat_dim": true, "start": true, "limit": true,
	"delta": true, "num": true, "s0": true, "s1": true, "max_output_size": true,
}

// valueOnly are inputs with a shape-sounding name whose value does not
// change the output's shape.
var valueOnly = map[string]string{
	"ReverseV2/axis":     "reverses in place",
	"Reverse/dims":       "reverses in place",
	"Cumsum/axis":        "scans in place",
	"Cumprod/axis":       "scans in place",
	"Roll/axis":          "rolls in place",
	"LinSpace/start":     "only num counts the outputs",
	"TensorArrayV3/size": "sizes the array behind the handle, not a tensor",
	"MatrixSetDiagV2/k":  "sets diagonals in place",
	"MatrixSetDiagV3/k":  "sets diagonals in place",
	"AdjustHue/delta":    "turns hues in place",
}

// TestValueDependentShapesDeclared: every input that, by TensorFlow's
// name for it, shapes an op's output is declared in the op's ShapeInputs
// (or the op is DataShape, or its outputs are handles whose shapes do not
// matter), so partition and the offload runtime never take such an output
// for fixed.
func TestValueDependentShapesDeclared(t *testing.T) {
	checked := 0
	for _, op := range SignatureOps() {
		sig, _ := SignatureOf(op)
		if handlesOnly(sig) {
			continue
		}
		f := Lookup(op)
		lists := false
		for k, in := range sig.Inputs {
			idx := k
			if lists {
				idx = k - len(sig.Inputs) // counted from the end
			}
			if in.NumberAttr != "" || in.TypeListAttr != "" {
				lists = true
			}
			if !shapeArgNames[in.Name] {
				continue
			}
			checked++
			if _, ok := valueOnly[op+"/"+in.Name]; ok || f.DataShape {
				continue
			}
			assert.True(t, slices.Contains(f.ShapeInputs, idx),
				"%s input %d (%s) shapes the output: declare it in opdefs' ShapeInputs, or DataShape", op, idx, in.Name)
		}
	}
	assert.Greater(t, checked, 40, "inputs checked")
}

// handlesOnly reports whether every output of sig is a resource or variant
// (TensorArrays, TensorLists, tables): nothing offloads them.
func handlesOnly(sig *Signature) bool {
	for _, o := range sig.Outputs {
		if o.Type != tensor.Resource && o.Type != tensor.Variant {
			return false
		}
	}
	return len(sig.Outputs) > 0
}
