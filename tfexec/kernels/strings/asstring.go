package strings

import (
	"fmt"
	"strconv"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newAsString prepares AsString as as_string_op.cc: it builds one printf
// format from the attributes ("%" fill width .precision, then d, f, e or
// g) and formats every element with it; booleans become "true" and
// "false".
func newAsString(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", asStringTypes); err != nil {
		return nil, err
	}
	dt, err := n.Attrs.Type("T", tensor.Invalid)
	if err != nil {
		return nil, n.AttrError("T", err)
	}
	precision, err := n.Attrs.Int("precision", -1)
	if err != nil {
		return nil, n.AttrError("precision", err)
	}
	scientific, err := n.Attrs.Bool("scientific", false)
	if err != nil {
		return nil, n.AttrError("scientific", err)
	}
	shortest, err := n.Attrs.Bool("shortest", false)
	if err != nil {
		return nil, n.AttrError("shortest", err)
	}
	width, err := n.Attrs.Int("width", -1)
	if err != nil {
		return nil, n.AttrError("width", err)
	}
	fill, err := n.Attrs.String("fill", "")
	if err != nil {
		return nil, n.AttrError("fill", err)
	}
	if !dt.IsFloat() && (scientific || shortest) {
		return nil, n.AttrError("scientific", fmt.Errorf("scientific and shortest format not supported for datatype %v", dt))
	}
	if !dt.IsFloat() && precision >= 0 {
		return nil, n.AttrError("precision", fmt.Errorf("precision not supported for datatype %v", dt))
	}
	if len(fill) > 1 {
		return nil, n.AttrError("fill", fmt.Errorf("Fill string must be one or fewer characters"))
	}
	if scientific && shortest {
		return nil, n.AttrError("shortest", fmt.Errorf("Cannot select both scientific and shortest notation"))
	}
	format := "%"
	if fill != "" {
		switch fill[0] {
		case ' ', '+', '-', '0', '#':
			format += fill
		default:
			return nil, n.AttrError("fill", fmt.Errorf("Fill argument not supported: %q", fill))
		}
	}
	if width > -1 {
		format += strconv.FormatInt(width, 10)
	}
	if precision > -1 {
		format += "." + strconv.FormatInt(precision, 10)
	}
	switch {
	case !dt.IsFloat():
		format += "d"
	case shortest:
		if precision < 0 {
			format += ".6" // C's %g default precision; Go's %g would be exact.
		}
		format += "g"
	case scientific:
		format += "e"
	default:
		format += "f"
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		if in[0].DType() != dt {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), kernel.Invalid("input is %v, not T = %v", in[0].DType(), dt))
		}
		if err := tensor.CheckAlloc(tensor.String, in[0].Shape()); err != nil {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
		}
		out := make([]string, in[0].NumElements())
		switch v := in[0].Data().(type) {
		case []bool:
			for i, b := range v {
				out[i] = strconv.FormatBool(b)
			}
		case []float32:
			formatAll(out, v, format, func(x float32) any { return float64(x) })
		default:
			formatAny(out, in[0], format)
		}
		t, err := tensor.FromSlice(in[0].Shape().Clone(), out)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{t}, nil
	}, nil
}

func formatAll[T any](out []string, v []T, format string, conv func(T) any) {
	for i, x := range v {
		out[i] = fmt.Sprintf(format, conv(x))
	}
}

// formatAny formats the integer and float64 dtypes, whose Go values
// fmt prints as C's printf does.
func formatAny(out []string, t *tensor.Tensor, format string) {
	switch v := t.Data().(type) {
	case []float64:
		formatAll(out, v, format, func(x float64) any { return x })
	case []int8:
		formatAll(out, v, format, func(x int8) any { return x })
	case []int16:
		formatAll(out, v, format, func(x int16) any { return x })
	case []int32:
		formatAll(out, v, format, func(x int32) any { return x })
	case []int64:
		formatAll(out, v, format, func(x int64) any { return x })
	case []uint8:
		formatAll(out, v, format, func(x uint8) any { return x })
	case []uint16:
		formatAll(out, v, format, func(x uint16) any { return x })
	case []uint32:
		formatAll(out, v, format, func(x uint32) any { return x })
	case []uint64:
		formatAll(out, v, format, func(x uint64) any { return x })
	}
}
