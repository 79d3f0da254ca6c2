package strings

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newAsString prepares AsString as as_string_op.cc: it builds one printf
// format from the attributes ("%" fill width .precision, then d, f, e or
// g) and formats every element with it (half and bfloat16 as float32,
// complex numbers as "(real,imag)"); booleans become "true" and "false",
// and strings pass through.
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
	floatLike := dt.IsFloat() || dt.IsComplex()
	if !floatLike && (scientific || shortest) {
		return nil, n.AttrError("scientific", fmt.Errorf("scientific and shortest format not supported for datatype %v", dt))
	}
	if !floatLike && precision >= 0 {
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
	if dt.IsUnsigned() {
		// C's %u ignores the sign flags, which Go's %d would honour.
		format = strings.NewReplacer("+", "", " ", "").Replace(format)
	}
	if width > -1 {
		format += strconv.FormatInt(width, 10)
	}
	if precision > -1 {
		format += "." + strconv.FormatInt(precision, 10)
	}
	floating := dt.IsFloat() || dt.IsComplex()
	switch {
	case !floating:
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
	f := printf{format: format, flags: fill, width: int(width)}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		if in[0].DType() != dt {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), kernel.Invalid("input is %v, not T = %v", in[0].DType(), dt))
		}
		if dt == tensor.String {
			return []*tensor.Tensor{in[0]}, nil
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
		case []complex64:
			for i, c := range v {
				out[i] = "(" + f.float(float64(real(c))) + "," + f.float(float64(imag(c))) + ")"
			}
		case []complex128:
			for i, c := range v {
				out[i] = "(" + f.float(real(c)) + "," + f.float(imag(c)) + ")"
			}
		case []float64:
			for i, x := range v {
				out[i] = f.float(x)
			}
		default:
			if dt.IsFloat() {
				x, err := kernel.Float32s(in[0])
				if err != nil {
					return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
				}
				for i, x := range x {
					out[i] = f.float(float64(x))
				}
				break
			}
			formatInts(out, in[0], format)
		}
		t, err := tensor.FromSlice(in[0].Shape().Clone(), out)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{t}, nil
	}, nil
}

// printf formats floats as C's printf does with one format: fmt agrees
// with C on finite values, but C writes the non-finite ones "inf", "-inf"
// and "nan" ("-nan" with the sign bit set), padded with spaces even when
// the fill is '0'.
type printf struct {
	format string
	flags  string // the fill attribute: at most one of " +-0#"
	width  int
}

func (p printf) float(x float64) string {
	if !math.IsInf(x, 0) && !math.IsNaN(x) {
		return fmt.Sprintf(p.format, x)
	}
	s := "inf"
	if math.IsNaN(x) {
		s = "nan"
	}
	switch {
	case math.Signbit(x):
		s = "-" + s
	case p.flags == "+":
		s = "+" + s
	case p.flags == " ":
		s = " " + s
	}
	if pad := p.width - len(s); pad > 0 {
		if p.flags == "-" {
			return s + strings.Repeat(" ", pad)
		}
		return strings.Repeat(" ", pad) + s
	}
	return s
}

func formatAll[T any](out []string, v []T, format string) {
	for i, x := range v {
		out[i] = fmt.Sprintf(format, x)
	}
}

// formatInts formats the integer dtypes, whose Go values fmt prints as
// C's printf does.
func formatInts(out []string, t *tensor.Tensor, format string) {
	switch v := t.Data().(type) {
	case []int8:
		formatAll(out, v, format)
	case []int16:
		formatAll(out, v, format)
	case []int32:
		formatAll(out, v, format)
	case []int64:
		formatAll(out, v, format)
	case []uint8:
		formatAll(out, v, format)
	case []uint16:
		formatAll(out, v, format)
	case []uint32:
		formatAll(out, v, format)
	case []uint64:
		formatAll(out, v, format)
	}
}
