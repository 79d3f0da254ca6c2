package clusters

import (
	"slices"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Bucketize counts, for each value, the boundaries not above it: the
// value beside a new last axis compared with the boundaries, summed. The
// boundaries are floats and TensorFlow compares float32 and integer
// inputs with them in float, float64 ones in double.
func init() {
	register(Entry{DTypes: []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Int64}, Check: bucketizeCheck,
		Translate: func(c *Ctx) error {
			b32, err := c.Attrs.Floats("boundaries", nil)
			if err != nil {
				return err
			}
			dt := c.In(0).DType
			ct := tensor.Float32
			if dt == tensor.Float64 {
				ct = tensor.Float64
			}
			bounds := make([]float64, len(b32))
			for i, b := range b32 {
				bounds[i] = float64(b)
			}
			bt, err := tensor.FromFloat64s(ct, tensor.Shape{len(bounds)}, bounds)
			if err != nil {
				return err
			}
			x, err := c.Input(0)
			if err != nil {
				return err
			}
			if x, err = c.cast(x, dt, ct); err != nil {
				return err
			}
			b, err := c.Const(bt)
			if err != nil {
				return err
			}
			out, err := c.countCompared("LessOrEqual", b, x, -1)
			c.SetOutput(0, out)
			return err
		}}, "Bucketize")
}

// bucketizeCheck keeps unsorted and empty boundaries on the executor: the
// kernel refuses the first, and the second has nothing to compare.
func bucketizeCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	b, err := a.Floats("boundaries", nil)
	if err != nil {
		return err
	}
	if len(b) == 0 || !slices.IsSorted(b) {
		return untranslatable("boundaries %v", b)
	}
	return nil
}

// countCompared returns, as int32, how many elements e of the last axis
// of sorted satisfy cmp(e, v) for each v of values: values gets a new
// last axis, sorted a new axis before its last (at sortedAxis, -1 for
// none, when sorted is a plain vector that broadcasts), and the
// comparison is summed over the last axis.
func (c *Ctx) countCompared(cmp, sorted, values string, sortedAxis int) (string, error) {
	f := &formula{c: c}
	last, err := c.Int64s(-1)
	if err != nil {
		return "", err
	}
	v := f.op("Unsqueeze", nil, values, last)
	s := sorted
	if sortedAxis >= 0 {
		ax, err := c.Int64s(sortedAxis)
		if err != nil {
			return "", err
		}
		s = f.op("Unsqueeze", nil, sorted, ax)
	}
	hit := f.cast(f.op(cmp, nil, s, v), tensor.Bool, tensor.Int32)
	out := f.op("ReduceSum", map[string]any{"keepdims": 0}, hit, last)
	return out, f.err
}
