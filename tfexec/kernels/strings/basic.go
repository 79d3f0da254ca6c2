package strings

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// charUnit reads a unit attribute: "BYTE" or "UTF8_CHAR".
func charUnit(n *kernel.Node) (utf8 bool, err error) {
	unit, err := n.Attrs.String("unit", "BYTE")
	if err != nil {
		return false, n.AttrError("unit", err)
	}
	switch unit {
	case "BYTE":
		return false, nil
	case "UTF8_CHAR":
		return true, nil
	}
	return false, n.AttrError("unit", fmt.Errorf("%w: %q is not BYTE or UTF8_CHAR", kernel.ErrInvalidArgument, unit))
}

// isTrailByte is string_util.h's IsTrailByte: a UTF-8 continuation byte.
func isTrailByte(c byte) bool { return c&0xC0 == 0x80 }

// utf8Len counts the bytes that start a UTF-8 character, as
// string_util.h's UTF8StrLen.
func utf8Len(s string) int32 {
	n := int32(0)
	for i := range len(s) {
		if !isTrailByte(s[i]) {
			n++
		}
	}
	return n
}

// newStringLength prepares StringLength: bytes, or UTF-8 characters.
func newStringLength(n *kernel.Node) (kernel.Kernel, error) {
	utf8, err := charUnit(n)
	if err != nil {
		return nil, err
	}
	if utf8 {
		return stringMap(n, utf8Len), nil
	}
	return stringMap(n, func(s string) int32 { return int32(len(s)) }), nil
}

// newCaseMap prepares StringLower or StringUpper: with encoding "" only
// ASCII letters change (absl::AsciiStrToLower); with "utf-8" every
// letter, by Unicode's full case mapping in the root locale, as ICU's
// UnicodeString::toLower and toUpper in TensorFlow (ß upper is SS, a
// final sigma lower is ς), after ICU's UTF-8 decoding has replaced
// invalid bytes with U+FFFD.
func newCaseMap(ascii, unicode func(string) string) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		enc, err := n.Attrs.String("encoding", "")
		if err != nil {
			return nil, n.AttrError("encoding", err)
		}
		switch enc {
		case "":
			return stringMap(n, ascii), nil
		case "utf-8":
			return stringMap(n, unicode), nil
		}
		return nil, n.AttrError("encoding", fmt.Errorf("%w: only utf-8 or '' (no encoding) is supported, received %s", kernel.ErrInvalidArgument, enc))
	}
}

func asciiLower(s string) string { return asciiMap(s, 'A', 'Z', 'a'-'A') }

// unicodeLower and unicodeUpper map case as ICU's root locale does. A
// cases.Caser keeps state, so each call makes its own.
func unicodeLower(s string) string { return cases.Lower(language.Und).String(validUTF8(s)) }
func unicodeUpper(s string) string { return cases.Upper(language.Und).String(validUTF8(s)) }

// validUTF8 replaces each byte that is not part of a valid UTF-8
// sequence with U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r) // an invalid byte ranges as utf8.RuneError
	}
	return b.String()
}
func asciiUpper(s string) string { return asciiMap(s, 'a', 'z', 'A'-'a') }

// asciiMap shifts the bytes in [lo, hi] by delta, leaving every other
// byte, valid UTF-8 or not, as it is.
func asciiMap(s string, lo, hi byte, delta int) string {
	b := []byte(s)
	for i, c := range b {
		if lo <= c && c <= hi {
			b[i] = byte(int(c) + delta)
		}
	}
	return string(b)
}

// stripSpace is absl::StripAsciiWhitespace.
func stripSpace(s string) string {
	s = trimSpaceLeft(s)
	for s != "" && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// stringJoin is string_join_op.cc: the non-scalar inputs share one shape,
// scalars are repeated, and the i-th output joins the inputs' i-th
// elements with the separator.
func newStringJoin(n *kernel.Node) (kernel.Kernel, error) {
	sep, err := n.Attrs.String("separator", "")
	if err != nil {
		return nil, n.AttrError("separator", err)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		shape := tensor.Shape{}
		vals := make([][]string, len(in))
		scalar := true
		for i, t := range in {
			s, err := stringsOf(t, fmt.Sprintf("input %d", i))
			if err != nil {
				return nil, nodeError(n, err)
			}
			vals[i] = s
			if t.Rank() == 0 {
				continue
			}
			if scalar {
				scalar, shape = false, t.Shape()
			} else if !shape.Equal(t.Shape()) {
				return nil, nodeError(n, kernel.Invalid("Input shapes do not match: %v vs. %v", shape, t.Shape()))
			}
		}
		size := shape.NumElements()
		out := make([]string, size)
		parts := make([]string, len(in))
		for i := range out {
			for j, v := range vals {
				if len(v) == 1 && in[j].Rank() == 0 {
					parts[j] = v[0]
				} else {
					parts[j] = v[i]
				}
			}
			out[i] = strings.Join(parts, sep)
		}
		t, err := tensor.FromSlice(shape.Clone(), out)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{t}, nil
	}, nil
}
