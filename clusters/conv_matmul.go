package clusters

import (
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Matrix products: MatMul, the batch products and the converter-fused
// _FusedMatMul.
func init() {
	register(Entry{DTypes: fastFloats, Translate: func(c *Ctx) error {
		out, err := c.matmul()
		if err != nil {
			return err
		}
		c.SetOutput(0, out)
		return nil
	}}, "MatMul")
	// TensorFlow's CPU kernel refuses half for _FusedMatMul.
	register(Entry{DTypes: wideFloats, Check: fusedCheck(nil), Translate: func(c *Ctx) error { return c.fusedMatMul() }}, "_FusedMatMul")
	register(Entry{DTypes: fastFloats, Check: batchMatMulCheck, Translate: func(c *Ctx) error { return c.batchMatMul() }},
		"BatchMatMul", "BatchMatMulV2", "BatchMatMulV3")
}

// matmul emits MatMul's product (2-D, with optional transposes) as Gemm.
func (c *Ctx) matmul() (string, error) {
	ta, err := c.Attrs.Bool("transpose_a", false)
	if err != nil {
		return "", err
	}
	tb, err := c.Attrs.Bool("transpose_b", false)
	if err != nil {
		return "", err
	}
	a, err := c.Input(0)
	if err != nil {
		return "", err
	}
	b, err := c.Input(1)
	if err != nil {
		return "", err
	}
	if !ta && !tb {
		return c.Op("MatMul", []string{a, b}, nil)
	}
	return c.Op("Gemm", []string{a, b}, map[string]any{"transA": boolInt(ta), "transB": boolInt(tb)})
}

// fusedMatMul translates _FusedMatMul: a product, then BiasAdd and an
// activation.
func (c *Ctx) fusedMatMul() error {
	ops, _, err := fusedOps(c.Attrs)
	if err != nil {
		return err
	}
	out, err := c.matmul()
	if err != nil {
		return err
	}
	v := Value{Name: out}
	arg := 2
	if len(ops) > 0 && ops[0] == "BiasAdd" {
		b, err := c.Input(arg)
		if err != nil {
			return err
		}
		arg++
		if v, err = c.Chain(v, Step{Op: "Add", Extra: []string{b}}); err != nil {
			return err
		}
		ops = ops[1:]
	}
	if v, err = c.applyFused(v, ops, arg); err != nil {
		return err
	}
	c.SetOutputValue(0, v)
	return nil
}

func batchMatMulCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	ta, err := a.Type("Ta", tensor.Invalid)
	if err != nil {
		return err
	}
	tb, _ := a.Type("Tb", tensor.Invalid)
	tout, _ := a.Type("Tout", tensor.Invalid)
	if ta != tb || ta != tout {
		return untranslatable("mixed types Ta=%v Tb=%v Tout=%v", ta, tb, tout)
	}
	return nil
}

// batchMatMul translates BatchMatMul*: adjoint flags become transposes of
// the last two axes (the types are real, so adjoint is transpose).
func (c *Ctx) batchMatMul() error {
	var ins [2]string
	for i, attr := range []string{"adj_x", "adj_y"} {
		adj, err := c.Attrs.Bool(attr, false)
		if err != nil {
			return err
		}
		name, err := c.Input(i)
		if err != nil {
			return err
		}
		if adj {
			r := c.In(i).Rank()
			if r < 2 {
				return c.Fail("input %d has rank %d", i, r)
			}
			perm := identityPerm(r)
			perm[r-2], perm[r-1] = perm[r-1], perm[r-2]
			if name, err = c.Op("Transpose", []string{name}, map[string]any{"perm": perm}); err != nil {
				return err
			}
		}
		ins[i] = name
	}
	out, err := c.Op("MatMul", ins[:], nil)
	c.SetOutput(0, out)
	return err
}
