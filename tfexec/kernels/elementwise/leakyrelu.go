package elementwise

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newLeakyRelu prepares LeakyRelu: x for x > 0, else alpha·x (attribute
// alpha, default 0.2), on float types. As in TensorFlow, alpha is first
// converted to T, so half and bfloat16 multiply by a rounded alpha.
func newLeakyRelu(n *kernel.Node) (kernel.Kernel, error) {
	alpha, err := n.Attrs.Float("alpha", 0.2)
	if err != nil {
		return nil, err
	}
	return unaryFactory(leakyReluTable(alpha))(n)
}

// leakyReluTable builds LeakyRelu's loops for one alpha.
func leakyReluTable(alpha float32) unaryTable {
	t := unaryTable{}
	addUnary(t, unLoop[float32, float32](func(d, s []float32) {
		each(d, s, func(x float32) float32 { return kernel.LeakyRelu(x, alpha) })
	}), costCheap)
	a64 := float64(alpha)
	addUnary(t, unLoop[float64, float64](func(d, s []float64) {
		each(d, s, func(x float64) float64 {
			if x > 0 {
				return x
			}
			return a64 * x
		})
	}), costCheap)
	addUnary(t, leakyHalf[tensor.F16](alpha), costCheap+costHalf)
	addUnary(t, leakyHalf[tensor.BF16](alpha), costCheap+costHalf)
	return t
}

// leakyHalf computes LeakyRelu in float32 with alpha rounded to H; the
// product of two H values is exact in float32, so rounding it once matches
// H arithmetic.
func leakyHalf[H halfT](alpha float32) unLoop[H, H] {
	var h [1]H
	fromFloat32(h[:], []float32{alpha})
	var a [1]float32
	toFloat32(a[:], h[:])
	ah := a[0]
	return halfUnary[H](func(d, s []float32) {
		each(d, s, func(x float32) float32 { return kernel.LeakyRelu(x, ah) })
	})
}
