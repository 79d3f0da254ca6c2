package clusters

import (
	"strings"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Linear algebra other than matrix products.
func init() {
	// ONNX Runtime's CPU Einsum: float, double, int32 and int64.
	register(Entry{DTypes: []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Int64}, Check: einsumCheck,
		Translate: func(c *Ctx) error {
			eq, err := c.Attrs.String("equation", "")
			if err != nil {
				return err
			}
			ins, err := c.einsumInputs(strings.Split(strings.Split(eq, "->")[0], ","))
			if err != nil {
				return err
			}
			out, err := c.Op("Einsum", ins, map[string]any{"equation": eq})
			c.SetOutput(0, out)
			return err
		}}, "Einsum")

	// The band's bounds are compiled into Trilu's k; ONNX Runtime's CPU
	// Trilu takes float, double, int64 and bool.
	register(Entry{DTypes: []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int64, tensor.Bool},
		Translate: func(c *Ctx) error { return c.matrixBandPart() }}, "MatrixBandPart")
}

// matrixBandPart keeps the elements with row − column ≤ num_lower (an
// upper Trilu from diagonal −num_lower) and column − row ≤ num_upper (a
// lower Trilu to diagonal num_upper); a negative bound keeps that side.
func (c *Ctx) matrixBandPart() error {
	if c.In(0).Rank() >= 0 && c.In(0).Rank() < 2 {
		return c.Fail("input of rank %d", c.In(0).Rank())
	}
	x, err := c.Input(0)
	if err != nil {
		return err
	}
	for i, upper := range []int{1, 0} {
		lim, err := c.StaticInts(1 + i)
		if err != nil {
			return err
		}
		if len(lim) != 1 {
			return c.Fail("band bound %v is not a scalar", lim)
		}
		if lim[0] < 0 {
			continue
		}
		k := lim[0]
		if upper == 1 {
			k = -k
		}
		if s := c.In(0).Shape; len(s) >= 2 && s[len(s)-2+i] >= 0 && lim[0] > s[len(s)-2+i] {
			return c.Fail("band bound %d beyond the matrix", lim[0])
		}
		kt, err := c.Scalar(tensor.Int64, float64(k))
		if err != nil {
			return err
		}
		if x, err = c.Op("Trilu", []string{x, kt}, map[string]any{"upper": upper}); err != nil {
			return err
		}
	}
	c.SetOutput(0, x)
	return nil
}

// einsumCheck keeps on the executor the equations the kernel refuses and
// those whose reading ONNX leaves open: inputs with an ellipsis and an
// output without one.
func einsumCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	eq, err := a.String("equation", "")
	if err != nil {
		return err
	}
	sides := strings.Split(eq, "->")
	if len(sides) != 2 || strings.Count(sides[0], ",") > 1 {
		return untranslatable("einsum equation %q", eq)
	}
	if strings.Contains(sides[0], "...") && !strings.Contains(sides[1], "...") {
		return untranslatable("einsum equation %q sums the ellipsis dimensions", eq)
	}
	return nil
}

// einsumInputs returns the Einsum's inputs with as many ellipsis
// dimensions each: ONNX wants the same count in every operand, where
// TensorFlow broadcasts as numpy does, so the operands with fewer get
// leading 1-dimensions there.
func (c *Ctx) einsumInputs(terms []string) ([]string, error) {
	ins := make([]string, c.NumInputs())
	ell := make([]int, len(ins))
	most := 0
	for i := range ins {
		var err error
		if ins[i], err = c.Input(i); err != nil {
			return nil, err
		}
		if i >= len(terms) || !strings.Contains(terms[i], "...") {
			continue
		}
		rank := c.In(i).Rank()
		if rank < 0 {
			return nil, c.Fail("input %d of unknown rank under an ellipsis", i)
		}
		ell[i] = rank - (len(terms[i]) - 3)
		most = max(most, ell[i])
	}
	for i := range ins {
		if i >= len(terms) || !strings.Contains(terms[i], "...") || ell[i] == most {
			continue
		}
		at := strings.Index(terms[i], "...")
		axes := make([]int, most-ell[i])
		for k := range axes {
			axes[k] = at + k
		}
		ax, err := c.Int64s(axes...)
		if err != nil {
			return nil, err
		}
		if ins[i], err = c.Op("Unsqueeze", []string{ins[i], ax}, nil); err != nil {
			return nil, err
		}
	}
	return ins, nil
}
