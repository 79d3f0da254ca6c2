package strings

import (
	"math"
	"strconv"
	"strings"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// stringToNumberTypes are StringToNumber's out_type values.
var stringToNumberTypes = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Int64}

// newStringToNumber prepares StringToNumber as string_to_number_op.cc,
// which parses with TensorFlow's strings::SafeStringToNumeric (numbers.cc):
// integers are optional spaces, an optional '-', decimal digits that fit
// the type, optional spaces; floats are what double-conversion's
// StringToDouble accepts with leading and trailing spaces, hexadecimal
// integers and case-insensitive "inf" and "nan" allowed, shorter than 32
// bytes.
func newStringToNumber(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "out_type", stringToNumberTypes); err != nil {
		return nil, err
	}
	dt, err := n.Attrs.Type("out_type", tensor.Float32)
	if err != nil {
		return nil, n.AttrError("out_type", err)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		s, err := stringsOf(in[0], "string_tensor")
		if err != nil {
			return nil, nodeError(n, err)
		}
		out, err := parseAll(dt, in[0].Shape().Clone(), s)
		if err != nil {
			return nil, nodeError(n, err)
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

func parseAll(dt tensor.DType, shape tensor.Shape, s []string) (*tensor.Tensor, error) {
	switch dt {
	case tensor.Float32:
		return parseEach(shape, s, func(x string) (float32, bool) {
			v, ok := ParseFloat(x, 32)
			return float32(v), ok
		})
	case tensor.Float64:
		return parseEach(shape, s, func(x string) (float64, bool) { return ParseFloat(x, 64) })
	case tensor.Int32:
		return parseEach(shape, s, func(x string) (int32, bool) {
			v, ok := ParseInt(x, 32)
			return int32(v), ok
		})
	default:
		return parseEach(shape, s, func(x string) (int64, bool) { return ParseInt(x, 64) })
	}
}

func parseEach[E tensor.Element](shape tensor.Shape, s []string, parse func(string) (E, bool)) (*tensor.Tensor, error) {
	out := make([]E, len(s))
	for i, x := range s {
		v, ok := parse(x)
		if !ok {
			return nil, kernel.Invalid("StringToNumberOp could not correctly convert string: %s", x)
		}
		out[i] = v
	}
	return tensor.FromSlice(shape, out)
}

// ParseInt is numbers.cc's safe_strto32 (bits 32) or safe_strto64: C
// spaces around an optional '-' (no '+') and decimal digits, refused when
// the value does not fit.
func ParseInt(s string, bits int) (int64, bool) {
	s = stripSpace(s)
	digits := strings.TrimPrefix(s, "-")
	if digits == "" {
		return 0, false
	}
	for i := range len(digits) {
		if !isDigit(digits[i]) {
			return 0, false
		}
	}
	// Digits only, so the only error left is a value out of range.
	v, err := strconv.ParseInt(s, 10, bits)
	if err != nil {
		return 0, false
	}
	return v, true
}

// ParseFloat is numbers.cc's safe_strtof (bits 32) or safe_strtod: fewer
// than 32 bytes; C spaces around [sign] (decimal | 0x hex digits | inf |
// nan), the words in any case; decimal is digits with an optional point
// (digits on at least one side) and an optional exponent. Values beyond
// the type's range become infinities, as double-conversion rounds them.
func ParseFloat(s string, bits int) (float64, bool) {
	if len(s) >= 32 {
		return 0, false
	}
	s = stripSpace(s)
	body := s
	sign := 1.0
	if body != "" && (body[0] == '+' || body[0] == '-') {
		if body[0] == '-' {
			sign = -1
		}
		body = body[1:]
	}
	switch strings.ToLower(body) {
	case "inf":
		return math.Inf(int(sign)), true
	case "nan":
		return math.Copysign(math.NaN(), sign), true
	}
	if len(body) > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') {
		hex := body[2:]
		for i := range len(hex) {
			if !isHexDigit(hex[i]) {
				return 0, false
			}
		}
		v, err := strconv.ParseFloat("0x"+hex+"p0", bits)
		if err != nil && !isRange(err) {
			return 0, false
		}
		return sign * v, true
	}
	if !isDecimal(body) {
		return 0, false
	}
	v, err := strconv.ParseFloat(body, bits)
	if err != nil && !isRange(err) {
		return 0, false
	}
	return sign * v, true
}

func isHexDigit(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// isDecimal reports whether s is digits, an optional point, digits (at
// least one digit in all), then optionally e or E, a sign and digits.
func isDecimal(s string) bool {
	i, digits := 0, 0
	for i < len(s) && isDigit(s[i]) {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}
