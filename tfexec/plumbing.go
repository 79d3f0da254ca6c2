package tfexec

import (
	"fmt"
	"math"
	"strings"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func init() { kernel.Register(plumbing...) }

// plumbing is the kernel table of the ops that compute nothing: values
// in, values through.
var plumbing = []kernel.Def{
	{Op: "Const", DTypes: kernel.AllTypes(), TypeAttr: "dtype", New: newConst},
	{Op: "Placeholder", DTypes: kernel.AllTypes(), TypeAttr: "dtype", New: kernel.Stateless(placeholder)},
	{Op: "PlaceholderWithDefault", DTypes: kernel.AllTypes(), TypeAttr: "dtype", New: identityFactory("PlaceholderWithDefault")},
	{Op: "Identity", DTypes: kernel.AllTypes(), New: identityFactory("Identity")},
	{Op: "StopGradient", DTypes: kernel.AllTypes(), New: identityFactory("StopGradient")},
	{Op: "PreventGradient", DTypes: kernel.AllTypes(), New: identityFactory("PreventGradient")},
	{Op: "Snapshot", DTypes: kernel.AllTypes(), New: identityFactory("Snapshot")},
	{Op: "RefIdentity", DTypes: kernel.AllTypes(), New: identityFactory("RefIdentity")},
	{Op: "DebugIdentity", DTypes: kernel.AllTypes(), New: identityFactory("DebugIdentity")},
	{Op: "EnsureShape", DTypes: kernel.AllTypes(), New: identityFactory("EnsureShape")},
	// CheckNumerics looks at float inputs and passes the others through.
	{Op: "CheckNumerics", DTypes: kernel.AllTypes(), New: identityFactory("CheckNumerics")},
	{Op: "Print", DTypes: kernel.AllTypes(), New: identityFactory("Print")},
	{Op: "LoopCond", New: identityFactory("LoopCond")},
	{Op: "IdentityN", New: kernel.Stateless(identityN)},
	{Op: "NoOp", New: kernel.Stateless(nothing)},
	{Op: "PrintV2", New: kernel.Stateless(nothing)},
	{Op: "Assert", New: newAssert},
	{Op: "Assign", DTypes: kernel.AllTypes(), New: newAssign},
}

// newConst converts the value once, at prepare time; every run shares
// the tensor.
func newConst(n *kernel.Node) (kernel.Kernel, error) {
	t, err := n.Attrs.Tensor("value")
	if err != nil {
		return nil, err
	}
	return func(*kernel.Context, []*tensor.Tensor) ([]*tensor.Tensor, error) {
		return []*tensor.Tensor{t}, nil
	}, nil
}

func placeholder(ctx *kernel.Context, _ []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return nil, fmt.Errorf("%w: placeholder %q must be fed", ErrFeed, ctx.Node.Name())
}

func identityN(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) { return in, nil }

func nothing(*kernel.Context, []*tensor.Tensor) ([]*tensor.Tensor, error) { return nil, nil }

// newAssign is Assign as a frozen graph computes it: the op's output is
// the assigned value (input 1). There is no variable state to update.
func newAssign(n *kernel.Node) (kernel.Kernel, error) {
	validate, err := n.Attrs.Bool("validate_shape", true)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if len(in) != 2 {
			return nil, fmt.Errorf("expected 2 inputs, got %d", len(in))
		}
		if validate && !in[0].Shape().Equal(in[1].Shape()) {
			return nil, fmt.Errorf("shapes must be equal: %v vs %v", in[0].Shape(), in[1].Shape())
		}
		return in[1:], nil
	}, nil
}

// identityFactory builds the kernel of an op that forwards its first
// input, checking what the op checks: EnsureShape the declared shape,
// CheckNumerics that no element is NaN or infinite.
func identityFactory(op string) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		var check func(t *tensor.Tensor) error
		switch op {
		case "EnsureShape":
			dims, known, err := n.Attrs.Shape("shape")
			if err != nil {
				return nil, err
			}
			if known {
				check = func(t *tensor.Tensor) error {
					ok := len(dims) == t.Rank()
					for i := 0; ok && i < len(dims); i++ {
						ok = dims[i] < 0 || int(dims[i]) == t.Shape()[i]
					}
					if !ok {
						return fmt.Errorf("shape of tensor %v is not compatible with expected shape %s", t.Shape(), formatDims(dims))
					}
					return nil
				}
			}
		case "CheckNumerics":
			msg, err := n.Attrs.String("message", "")
			if err != nil {
				return nil, err
			}
			check = func(t *tensor.Tensor) error {
				if !t.DType().IsFloat() {
					return nil
				}
				vals, _ := tensor.Float64s(t)
				for _, v := range vals {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						return fmt.Errorf("%s : Tensor had NaN or Inf values", msg)
					}
				}
				return nil
			}
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if len(in) == 0 {
				return nil, fmt.Errorf("expected an input")
			}
			if check != nil {
				if err := check(in[0]); err != nil {
					return nil, err
				}
			}
			return in[:1], nil
		}, nil
	}
}

// newAssert fails the run when its condition is false, reporting the data
// inputs as TensorFlow's message does.
func newAssert(n *kernel.Node) (kernel.Kernel, error) {
	summarize, err := n.Attrs.Int("summarize", 3)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if len(in) == 0 || in[0].DType() != tensor.Bool || in[0].NumElements() != 1 {
			return nil, fmt.Errorf("condition must be a scalar bool")
		}
		if tensor.Values[bool](in[0])[0] {
			return nil, nil
		}
		parts := make([]string, 0, len(in)-1)
		for _, t := range in[1:] {
			parts = append(parts, summarizeTensor(t, int(summarize)))
		}
		return nil, fmt.Errorf("assertion failed: %s", strings.Join(parts, " "))
	}, nil
}

func summarizeTensor(t *tensor.Tensor, limit int) string {
	if t.DType() == tensor.String && t.NumElements() == 1 {
		return tensor.Values[string](t)[0]
	}
	s := t.String()
	if limit >= 0 && len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
