package elementwise

import (
	"fmt"
	"maps"
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// unaryImpl computes a unary op for one input dtype.
type unaryImpl func(x *tensor.Tensor) (*tensor.Tensor, error)

// binaryImpl computes a binary op for one input dtype; out is the
// broadcast shape of x and y.
type binaryImpl func(x, y *tensor.Tensor, out tensor.Shape) (*tensor.Tensor, error)

// unaryTable and binaryTable map an input dtype to its implementation.
type (
	unaryTable  map[tensor.DType]unaryImpl
	binaryTable map[tensor.DType]binaryImpl
)

// Relative per-element costs for kernel.ParallelFor.
const (
	costCheap = 1  // add, compare, select
	costDiv   = 4  // division, modulo, conversions
	costMath  = 20 // exp, log, trigonometry
	costHalf  = 8  // added for half-precision staging
)

// unary wraps a typed loop as a unaryImpl. A nil loop gives nil.
func unary[T, R tensor.Element](f unLoop[T, R], cost int) unaryImpl {
	if f == nil {
		return nil
	}
	return func(x *tensor.Tensor) (*tensor.Tensor, error) {
		return tensor.FromSlice(x.Shape(), mapUnary(f, tensor.Values[T](x), cost))
	}
}

// binary wraps a typed loop as a binaryImpl. check, if not nil, validates
// y before the loop runs on a non-empty output (integer division by zero,
// negative integer exponents: the loops would panic or be wrong on them).
func binary[T, R tensor.Element](f binLoop[T, R], cost int, check func(y []T) error) binaryImpl {
	if f == nil {
		return nil
	}
	return func(x, y *tensor.Tensor, out tensor.Shape) (*tensor.Tensor, error) {
		xv, yv := tensor.Values[T](x), tensor.Values[T](y)
		if check != nil && out.NumElements() > 0 {
			if err := check(yv); err != nil {
				return nil, err
			}
		}
		return tensor.FromSlice(out, broadcastBinary(f, xv, yv, x.Shape(), y.Shape(), out, cost))
	}
}

// addUnary registers a loop for T in t, skipping nil loops.
func addUnary[T, R tensor.Element](t unaryTable, f unLoop[T, R], cost int) {
	if f != nil {
		t[tensor.DTypeOf[T]()] = unary(f, cost)
	}
}

// addBinary registers a loop for T in t, skipping nil loops.
func addBinary[T, R tensor.Element](t binaryTable, f binLoop[T, R], cost int, check func([]T) error) {
	if f != nil {
		t[tensor.DTypeOf[T]()] = binary(f, cost, check)
	}
}

// checkTypeAttr validates a node's type attribute (usually "T") at
// prepare time against the dtypes an op supports, so that an unsupported
// dtype is reported before the first run. An absent attribute is fine.
func checkTypeAttr(n *kernel.Node, name string, supported func(tensor.DType) bool) error {
	if !n.Attrs.Has(name) {
		return nil
	}
	dt, err := n.Attrs.Type(name, tensor.Invalid)
	if err != nil {
		return err
	}
	if !supported(dt) {
		return fmt.Errorf("attribute %q = %v: %w", name, dt, kernel.Unsupported("%s on dtype %v", n.Op(), dt))
	}
	return nil
}

// tableDTypes returns the dtypes a loop table has loops for, sorted: what
// a row built from the table declares.
func tableDTypes[I any](m map[tensor.DType]I) []tensor.DType {
	dts := slices.Collect(maps.Keys(m))
	slices.Sort(dts)
	return dts
}

// unaryDef is the row of a one-input op computed by the loops of t.
func unaryDef(op string, t unaryTable) kernel.Def {
	return kernel.Def{Op: op, DTypes: tableDTypes(t), New: unaryFactory(t)}
}

// binaryDef is the row of a broadcasting two-input op computed by the
// loops of t.
func binaryDef(op string, t binaryTable) kernel.Def {
	return kernel.Def{Op: op, DTypes: tableDTypes(t), New: binaryFactory(t)}
}

// unaryMath and binaryMath are the rows of the math ops whose loops come
// from the dtype families of unaryTableFor and binaryTableFor.
func unaryMath(op string) kernel.Def  { return unaryDef(op, unaryTableFor(op)) }
func binaryMath(op string) kernel.Def { return binaryDef(op, binaryTableFor(op)) }

// precheck returns d with check run on each node before d's factory.
func precheck(d kernel.Def, check func(*kernel.Node) error) kernel.Def {
	f := d.New
	d.New = func(n *kernel.Node) (kernel.Kernel, error) {
		if err := check(n); err != nil {
			return nil, err
		}
		return f(n)
	}
	return d
}

// dtypeList formats a table's dtypes for error messages, sorted.
func dtypeList[I any](m map[tensor.DType]I) []string {
	var names []string
	for dt := range m {
		names = append(names, dt.String())
	}
	slices.Sort(names)
	return names
}

// unaryFactory returns the factory of a one-input, one-output op.
func unaryFactory(t unaryTable) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		op := n.Op()
		if err := checkTypeAttr(n, "T", func(dt tensor.DType) bool { return t[dt] != nil }); err != nil {
			return nil, err
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 1); err != nil {
				return nil, err
			}
			impl := t[in[0].DType()]
			if impl == nil {
				return nil, kernel.Unsupported("%s on dtype %v (supported: %v)", op, in[0].DType(), dtypeList(t))
			}
			out, err := impl(in[0])
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// binaryFactory returns the factory of a two-input broadcasting op.
func binaryFactory(t binaryTable) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		op := n.Op()
		if err := checkTypeAttr(n, "T", func(dt tensor.DType) bool { return t[dt] != nil }); err != nil {
			return nil, err
		}
		// Only Equal and NotEqual carry incompatible_shape_error; when it
		// is false, shapes that do not broadcast compare as unequal.
		strict, err := n.Attrs.Bool("incompatible_shape_error", true)
		if err != nil {
			return nil, err
		}
		lenient := !strict && (op == "Equal" || op == "NotEqual")
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 2); err != nil {
				return nil, err
			}
			x, y := in[0], in[1]
			if x.DType() != y.DType() {
				return nil, kernel.Invalid("%s: input dtypes differ: %v vs. %v", op, x.DType(), y.DType())
			}
			impl := t[x.DType()]
			if impl == nil {
				return nil, kernel.Unsupported("%s on dtype %v (supported: %v)", op, x.DType(), dtypeList(t))
			}
			out, err := tensor.BroadcastShapes(x.Shape(), y.Shape())
			if err != nil {
				if lenient {
					return []*tensor.Tensor{tensor.Scalar(op == "NotEqual")}, nil
				}
				return nil, kernel.Invalid("Incompatible shapes: %v vs. %v", x.Shape(), y.Shape())
			}
			// Broadcasting can make a large output of small inputs. The
			// check uses the input dtype, at least as wide as the output
			// except for comparisons.
			if err := tensor.CheckAlloc(x.DType(), out); err != nil {
				return nil, err
			}
			z, err := impl(x, y, out)
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{z}, nil
		}, nil
	}
}
