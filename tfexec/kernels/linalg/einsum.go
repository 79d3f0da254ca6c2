package linalg

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// einsumTypes are the dtypes TensorFlow registers Einsum for on the CPU.
var einsumTypes = append(kernel.FloatTypes(), tensor.Int32, tensor.Int64, tensor.Complex64, tensor.Complex128)

// ErrEinsumEquation is wrapped by the errors for equations TensorFlow's
// einsum parser rejects.
var ErrEinsumEquation = errors.New("invalid einsum equation")

// Einsum is a parsed einsum equation: each operand's and the output's
// subscripts as label ids. Letters are ids 0–51; the dimensions an
// ellipsis stands for get ids from 52 on, counted from the right, so that
// they broadcast as numpy aligns shapes.
type Einsum struct {
	Inputs   []einsumTerm
	Output   einsumTerm
	equation string
}

// einsumTerm is one side's subscripts: the labels before and after its
// ellipsis (ellipsis false when there is none).
type einsumTerm struct {
	before, after []int
	ellipsis      bool
}

const ellipsisBase = 52

// ParseEinsum parses an equation of TensorFlow's Einsum op: one or two
// comma-separated input subscripts, "->", and the output subscripts;
// subscripts are letters with at most one "..." each.
func ParseEinsum(eq string) (*Einsum, error) {
	sides := strings.Split(eq, "->")
	if len(sides) != 2 {
		return nil, fmt.Errorf("%w: expecting exactly one '->' in einsum equation %q", ErrEinsumEquation, eq)
	}
	e := &Einsum{equation: eq}
	for _, s := range strings.Split(sides[0], ",") {
		t, err := parseTerm(s, eq)
		if err != nil {
			return nil, err
		}
		e.Inputs = append(e.Inputs, t)
	}
	if len(e.Inputs) > 2 {
		return nil, fmt.Errorf("%w: expecting 1 or 2 input subscripts in einsum equation %q", ErrEinsumEquation, eq)
	}
	var err error
	if e.Output, err = parseTerm(sides[1], eq); err != nil {
		return nil, err
	}
	seen := map[int]bool{}
	for _, l := range append(append([]int(nil), e.Output.before...), e.Output.after...) {
		if seen[l] {
			return nil, fmt.Errorf("%w: output subscripts contain label %c more than once in %q", ErrEinsumEquation, letter(l), eq)
		}
		seen[l] = true
		found := false
		for _, in := range e.Inputs {
			for _, il := range append(append([]int(nil), in.before...), in.after...) {
				found = found || il == l
			}
		}
		if !found {
			return nil, fmt.Errorf("%w: output label %c does not appear in the inputs of %q", ErrEinsumEquation, letter(l), eq)
		}
	}
	return e, nil
}

func letter(l int) rune {
	if l < 26 {
		return rune('a' + l)
	}
	return rune('A' + l - 26)
}

func parseTerm(s, eq string) (einsumTerm, error) {
	var t einsumTerm
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch >= 'a' && ch <= 'z':
			t.add(int(ch - 'a'))
		case ch >= 'A' && ch <= 'Z':
			t.add(int(ch-'A') + 26)
		case ch == '.' && strings.HasPrefix(s[i:], "...") && !t.ellipsis:
			t.ellipsis = true
			i += 2
		default:
			return t, fmt.Errorf("%w: subscripts %q of %q: only letters and one ellipsis are allowed", ErrEinsumEquation, s, eq)
		}
	}
	return t, nil
}

func (t *einsumTerm) add(l int) {
	if t.ellipsis {
		t.after = append(t.after, l)
	} else {
		t.before = append(t.before, l)
	}
}

// labels returns the term's label for each dimension of an operand of the
// given rank, the ellipsis standing for the dimensions not named.
func (t einsumTerm) labels(rank int) ([]int, error) {
	named := len(t.before) + len(t.after)
	if rank < named || (!t.ellipsis && rank != named) {
		return nil, fmt.Errorf("%w: input of rank %d does not match the %d labels of its subscripts", ErrEinsumEquation, rank, named)
	}
	out := append([]int(nil), t.before...)
	for k := rank - named; k > 0; k-- {
		out = append(out, ellipsisBase+k-1)
	}
	return append(out, t.after...), nil
}

// einsumPlan is an equation applied to operand shapes: every label's
// size, the output's labels, the labels summed over, and each operand's
// stride for every label (zero where it lacks or broadcasts it).
type einsumPlan struct {
	size     map[int]int
	outLabel []int
	sumLabel []int
	strides  [][]int // [operand][position in outLabel ++ sumLabel]
	outShape tensor.Shape
}

// plan checks the operand shapes against the equation, as TensorFlow's
// einsum does: sizes of a label agree across and within operands, and
// the ellipsis dimensions broadcast.
func (e *Einsum) plan(shapes []tensor.Shape) (*einsumPlan, error) {
	if len(shapes) != len(e.Inputs) {
		return nil, fmt.Errorf("%w: %q has %d input subscripts, got %d inputs", ErrEinsumEquation, e.equation, len(e.Inputs), len(shapes))
	}
	p := &einsumPlan{size: map[int]int{}, outShape: tensor.Shape{}}
	labels := make([][]int, len(shapes))
	bcast := 0
	for i, s := range shapes {
		var err error
		if labels[i], err = e.Inputs[i].labels(len(s)); err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
		bcast = max(bcast, len(s)-len(e.Inputs[i].before)-len(e.Inputs[i].after))
	}
	for i, s := range shapes {
		for d, l := range labels[i] {
			n := s[d]
			old, seen := p.size[l]
			switch {
			case !seen:
				p.size[l] = n
			case l >= ellipsisBase && (old == 1 || n == 1):
				p.size[l] = max(old, n)
				if old == 0 || n == 0 {
					p.size[l] = 0
				}
			case old != n:
				return nil, fmt.Errorf("%w: dimension %d of input %d has size %d, but label %s has size %d elsewhere in %q",
					ErrEinsumEquation, d, i, n, labelName(l), old, e.equation)
			}
		}
	}
	outTerm := e.Output
	if bcast > 0 && !outTerm.ellipsis {
		// The broadcast dimensions are summed away, as numpy does for
		// an output without an ellipsis.
		p.outLabel = append(p.outLabel, outTerm.before...)
	} else {
		var err error
		if p.outLabel, err = outTerm.labels(len(outTerm.before) + len(outTerm.after) + bcast); err != nil {
			return nil, err
		}
	}
	inOut := map[int]bool{}
	for _, l := range p.outLabel {
		inOut[l] = true
		p.outShape = append(p.outShape, p.size[l])
	}
	for i := range shapes {
		for _, l := range labels[i] {
			if !inOut[l] && !containsInt(p.sumLabel, l) {
				p.sumLabel = append(p.sumLabel, l)
			}
		}
	}
	all := append(append([]int(nil), p.outLabel...), p.sumLabel...)
	for i, s := range shapes {
		st := make([]int, len(all))
		stride := 1
		for d := len(s) - 1; d >= 0; d-- {
			l := labels[i][d]
			if s[d] != 1 || p.size[l] == 1 {
				for k, a := range all {
					if a == l {
						st[k] += stride
					}
				}
			}
			stride *= s[d]
		}
		p.strides = append(p.strides, st)
	}
	return p, nil
}

func labelName(l int) string {
	if l >= ellipsisBase {
		return "..."
	}
	return string(letter(l))
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func newEinsum(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", einsumTypes); err != nil {
		return nil, err
	}
	eq, err := n.Attrs.String("equation", "")
	if err != nil {
		return nil, err
	}
	e, err := ParseEinsum(eq)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if len(in) == 0 {
			return nil, errors.New("einsum: no inputs")
		}
		dt := in[0].DType()
		shapes := make([]tensor.Shape, len(in))
		for i, t := range in {
			if t.DType() != dt {
				return nil, fmt.Errorf("input %d has dtype %v, want %v", i, t.DType(), dt)
			}
			shapes[i] = t.Shape()
		}
		p, err := e.plan(shapes)
		if err != nil {
			return nil, err
		}
		if err := tensor.CheckAlloc(dt, p.outShape); err != nil {
			return nil, err
		}
		var out *tensor.Tensor
		switch dt {
		case tensor.Float64:
			out, err = einsumTyped[float64](p, in, dt)
		case tensor.Int32:
			out, err = einsumTyped[int32](p, in, dt)
		case tensor.Int64:
			out, err = einsumTyped[int64](p, in, dt)
		case tensor.Complex64:
			out, err = einsumTyped[complex64](p, in, dt)
		case tensor.Complex128:
			out, err = einsumTyped[complex128](p, in, dt)
		case tensor.Float32, tensor.Float16, tensor.BFloat16:
			out, err = einsumFloat32(p, in, dt)
		default:
			return nil, kernel.Unsupported("Einsum of dtype %v", dt)
		}
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

// einsumNumber is an element type Einsum multiplies natively.
type einsumNumber interface {
	float32 | float64 | int32 | int64 | complex64 | complex128
}

func einsumTyped[T einsumNumber](p *einsumPlan, in []*tensor.Tensor, dt tensor.DType) (*tensor.Tensor, error) {
	ops := make([][]T, len(in))
	for i, t := range in {
		ops[i] = tensor.Values[T](t)
	}
	out := make([]T, p.outShape.NumElements())
	einsumInto(p, ops, out)
	return tensor.FromSlice(p.outShape, out)
}

// einsumFloat32 computes float32, half and bfloat16 in float32, rounding
// the sums once at the end.
func einsumFloat32(p *einsumPlan, in []*tensor.Tensor, dt tensor.DType) (*tensor.Tensor, error) {
	ops := make([][]float32, len(in))
	for i, t := range in {
		var err error
		if ops[i], err = kernel.Float32s(t); err != nil {
			return nil, err
		}
	}
	out := make([]float32, p.outShape.NumElements())
	einsumInto(p, ops, out)
	return kernel.FromFloat32s(dt, p.outShape, out)
}

// einsumInto computes every output element as the sum, over the summed
// labels, of the product of the operands' elements.
func einsumInto[T einsumNumber](p *einsumPlan, ops [][]T, out []T) {
	nOut := len(p.outLabel)
	sumSizes := make([]int, len(p.sumLabel))
	inner := 1
	for k, l := range p.sumLabel {
		sumSizes[k] = p.size[l]
		inner *= sumSizes[k]
	}
	if inner == 0 {
		return // empty sums are zero
	}
	kernel.ParallelFor(len(out), inner*len(ops), func(lo, hi int) {
		idx := make([]int, len(p.sumLabel))
		for o := lo; o < hi; o++ {
			// The operands' offsets of this output element.
			base := make([]int, len(ops))
			rem := o
			for k := nOut - 1; k >= 0; k-- {
				n := p.outShape[k]
				i := rem % n
				rem /= n
				for j := range ops {
					base[j] += i * p.strides[j][k]
				}
			}
			clear(idx)
			var sum T
			for range inner {
				prod := T(1)
				for j, op := range ops {
					off := base[j]
					for k, i := range idx {
						off += i * p.strides[j][nOut+k]
					}
					prod *= op[off]
				}
				sum += prod
				for k := len(idx) - 1; k >= 0; k-- {
					idx[k]++
					if idx[k] < sumSizes[k] {
						break
					}
					idx[k] = 0
				}
			}
			out[o] = sum
		}
	})
}
