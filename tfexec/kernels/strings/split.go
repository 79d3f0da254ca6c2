package strings

import (
	"strings"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newStringSplit prepares StringSplit as string_split_op.cc: each string
// of a vector is cut at every byte that occurs in the delimiter (an empty
// delimiter cuts it into single bytes); skip_empty drops empty tokens.
func newStringSplit(n *kernel.Node) (kernel.Kernel, error) {
	skipEmpty, err := n.Attrs.Bool("skip_empty", true)
	if err != nil {
		return nil, n.AttrError("skip_empty", err)
	}
	return splitKernel(n, "delimiter", func(s, delim string) []string {
		return splitAnyByte(s, delim, skipEmpty)
	}), nil
}

// newStringSplitV2 prepares StringSplitV2 as string_split_op.cc's SplitV2,
// which follows Python's str.split: a non-empty sep cuts at each
// occurrence of the whole sep and keeps empty tokens; an empty sep cuts
// at runs of ASCII whitespace and drops leading and trailing ones. After
// maxsplit cuts (when positive) the rest is the last token.
func newStringSplitV2(n *kernel.Node) (kernel.Kernel, error) {
	maxsplit, err := n.Attrs.Int("maxsplit", -1)
	if err != nil {
		return nil, n.AttrError("maxsplit", err)
	}
	return splitKernel(n, "sep", func(s, sep string) []string {
		return splitV2(s, sep, int(maxsplit))
	}), nil
}

// splitKernel runs split over a vector of strings and a scalar
// separator, returning the tokens as a sparse tensor.
func splitKernel(n *kernel.Node, sepName string, split func(s, sep string) []string) kernel.Kernel {
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		s, err := stringsOf(in[0], "input")
		if err != nil {
			return nil, nodeError(n, err)
		}
		if in[0].Rank() != 1 {
			return nil, nodeError(n, kernel.Invalid("input must be a vector, got shape: %v", in[0].Shape()))
		}
		sep, err := scalarString(in[1], sepName)
		if err != nil {
			return nil, nodeError(n, err)
		}
		rows := make([][]string, len(s))
		for i, x := range s {
			rows[i] = split(x, sep)
		}
		out, err := sparseOutputs(rows)
		if err != nil {
			return nil, nodeError(n, err)
		}
		return out, nil
	}
}

// splitAnyByte is absl::StrSplit(s, absl::ByAnyChar(delim)), with
// absl::SkipEmpty when skipEmpty; an empty delim gives s's bytes.
func splitAnyByte(s, delim string, skipEmpty bool) []string {
	if delim == "" {
		out := make([]string, len(s))
		for i := range len(s) {
			out[i] = s[i : i+1]
		}
		return out
	}
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && strings.IndexByte(delim, s[i]) < 0 {
			continue
		}
		if tok := s[start:i]; tok != "" || !skipEmpty {
			out = append(out, tok)
		}
		start = i + 1
	}
	return out
}

// isSpace is C's isspace in the "C" locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// trimSpaceLeft drops s's leading isSpace bytes.
func trimSpaceLeft(s string) string {
	for s != "" && isSpace(s[0]) {
		s = s[1:]
	}
	return s
}

// splitV2 is string_split_op.cc's SplitV2.
func splitV2(s, sep string, maxsplit int) []string {
	if maxsplit == 0 {
		return []string{s}
	}
	var out []string
	if sep == "" {
		text := trimSpaceLeft(s)
		for text != "" {
			end := 0
			for end < len(text) && !isSpace(text[end]) {
				end++
			}
			out = append(out, text[:end])
			text = trimSpaceLeft(text[end:])
			if maxsplit > 0 && len(out) == maxsplit {
				return append(out, text)
			}
		}
		return out
	}
	text := s
	for {
		i := strings.Index(text, sep)
		if i < 0 {
			return append(out, text)
		}
		out = append(out, text[:i])
		text = text[i+len(sep):]
		if maxsplit > 0 && len(out) == maxsplit {
			return append(out, text)
		}
	}
}
