package strings

import (
	"regexp"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// TensorFlow compiles patterns with RE2; Go's regexp implements the same
// syntax and leftmost-first semantics. What RE2 has and Go lacks, \C (any
// byte), is refused as an invalid pattern.

// compile compiles a pattern as RE2 does for TensorFlow's regex ops; full
// anchors it at both ends, as RE2::FullMatch does.
func compile(pattern string, full bool) (*regexp.Regexp, error) {
	p := pattern
	if full {
		p = `\A(?:` + pattern + `)\z`
	}
	re, err := regexp.Compile(p)
	if err != nil {
		// Report the error on the pattern as given, not the anchored one.
		if _, err2 := regexp.Compile(pattern); err2 != nil {
			err = err2
		}
		return nil, kernel.Invalid("Invalid pattern: %s, error: %v", pattern, err)
	}
	return re, nil
}

// rewriter is an RE2 rewrite string, parsed: literal runs and \0 to \9
// submatch references (\\ is a backslash).
type rewriter struct {
	parts    []rewritePart
	invalid  bool // an invalid escape ends parts, as it stops RE2::Rewrite
	maxGroup int  // RE2::MaxSubmatch
	literal  int  // the bytes of the literal parts
}

// rewritePart is a literal (group < 0) or a submatch reference.
type rewritePart struct {
	lit   string
	group int
}

func newRewriter(text string) rewriter {
	var r rewriter
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			r.parts = append(r.parts, rewritePart{lit: string(lit), group: -1})
			r.literal += len(lit)
			lit = lit[:0]
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '\\' {
			lit = append(lit, c)
			continue
		}
		i++
		switch {
		case i < len(text) && isDigit(text[i]):
			g := int(text[i] - '0')
			r.maxGroup = max(r.maxGroup, g)
			if !r.invalid {
				flush()
				r.parts = append(r.parts, rewritePart{group: g})
			}
		case i < len(text) && text[i] == '\\':
			lit = append(lit, '\\')
		default:
			if !r.invalid {
				flush()
				r.invalid = true
			}
		}
		if r.invalid {
			lit = lit[:0]
		}
	}
	if !r.invalid {
		flush()
	}
	return r
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// size is the length of one match's rewrite (submatch offsets m).
func (r rewriter) size(m []int) int {
	n := r.literal
	for _, p := range r.parts {
		if p.group >= 0 && m[2*p.group] >= 0 {
			n += m[2*p.group+1] - m[2*p.group]
		}
	}
	return n
}

// expand appends the rewrite of one match (submatch offsets m in s) to
// out, as RE2::Rewrite: after an invalid escape, what came before it.
func (r rewriter) expand(out []byte, s string, m []int) []byte {
	for _, p := range r.parts {
		switch {
		case p.group < 0:
			out = append(out, p.lit...)
		case m[2*p.group] >= 0:
			out = append(out, s[m[2*p.group]:m[2*p.group+1]]...)
		}
	}
	return out
}

// replace is RE2::GlobalReplace (global) or RE2::Replace: a rewrite that
// names a group the pattern lacks, or (for Replace) has an invalid
// escape, leaves s unchanged; GlobalReplace, like RE2, keeps what an
// invalid escape's rewrite wrote before it. A result longer than limit
// bytes is refused before it is built.
func replace(re *regexp.Regexp, r rewriter, s string, global bool, limit int64) (string, error) {
	if r.maxGroup > re.NumSubexp() {
		return s, nil
	}
	var matches [][]int
	if global {
		matches = re.FindAllStringSubmatchIndex(s, -1)
	} else if m := re.FindStringSubmatchIndex(s); m != nil {
		if r.invalid {
			return s, nil
		}
		matches = [][]int{m}
	}
	if len(matches) == 0 {
		return s, nil
	}
	size := int64(len(s))
	for _, m := range matches {
		size += int64(r.size(m) - (m[1] - m[0]))
	}
	if size > limit {
		return "", &tensor.TooLargeError{DType: tensor.String, Shape: tensor.Shape{}, Bytes: size, Budget: tensor.TensorBudget, Limit: limit}
	}
	out := make([]byte, 0, size)
	last := 0
	for _, m := range matches {
		out = append(out, s[last:m[0]]...)
		out = r.expand(out, s, m)
		last = m[1]
	}
	return string(append(out, s[last:]...)), nil
}

// replaceAll runs replace over a string tensor, its results held
// together to the one-tensor budget.
func replaceAll(n *kernel.Node, in *tensor.Tensor, re *regexp.Regexp, r rewriter, global bool) ([]*tensor.Tensor, error) {
	s, err := stringsOf(in, "input")
	if err != nil {
		return nil, nodeError(n, err)
	}
	limit := tensor.MaxTensorBytes()
	out := make([]string, len(s))
	for i, x := range s {
		if out[i], err = replace(re, r, x, global, limit); err != nil {
			return nil, nodeError(n, err)
		}
		limit -= int64(len(out[i])) + 16
	}
	t, err := tensor.FromSlice(in.Shape().Clone(), out)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{t}, nil
}

// newStaticRegexReplace prepares StaticRegexReplace (attributes pattern,
// rewrite, replace_global) as regex_replace_op.cc.
func newStaticRegexReplace(n *kernel.Node) (kernel.Kernel, error) {
	pattern, err := n.Attrs.String("pattern", "")
	if err != nil {
		return nil, n.AttrError("pattern", err)
	}
	rewrite, err := n.Attrs.String("rewrite", "")
	if err != nil {
		return nil, n.AttrError("rewrite", err)
	}
	global, err := n.Attrs.Bool("replace_global", true)
	if err != nil {
		return nil, n.AttrError("replace_global", err)
	}
	re, err := compile(pattern, false)
	if err != nil {
		return nil, n.AttrError("pattern", err)
	}
	r := newRewriter(rewrite)
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		return replaceAll(n, in[0], re, r, global)
	}, nil
}

// newRegexReplace prepares RegexReplace (inputs input, pattern and
// rewrite, the last two scalars; attribute replace_global).
func newRegexReplace(n *kernel.Node) (kernel.Kernel, error) {
	global, err := n.Attrs.Bool("replace_global", true)
	if err != nil {
		return nil, n.AttrError("replace_global", err)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 3); err != nil {
			return nil, err
		}
		pattern, err := scalarString(in[1], "Pattern")
		if err != nil {
			return nil, nodeError(n, err)
		}
		rewrite, err := scalarString(in[2], "Rewrite")
		if err != nil {
			return nil, nodeError(n, err)
		}
		re, err := compile(pattern, false)
		if err != nil {
			return nil, nodeError(n, err)
		}
		return replaceAll(n, in[0], re, newRewriter(rewrite), global)
	}, nil
}

// newStaticRegexFullMatch prepares StaticRegexFullMatch (attribute
// pattern): whether each string matches the whole pattern.
func newStaticRegexFullMatch(n *kernel.Node) (kernel.Kernel, error) {
	pattern, err := n.Attrs.String("pattern", "")
	if err != nil {
		return nil, n.AttrError("pattern", err)
	}
	re, err := compile(pattern, true)
	if err != nil {
		return nil, n.AttrError("pattern", err)
	}
	return stringMap(n, re.MatchString), nil
}

// newRegexFullMatch prepares RegexFullMatch (inputs input and a scalar
// pattern).
func newRegexFullMatch(n *kernel.Node) (kernel.Kernel, error) {
	return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		pattern, err := scalarString(in[1], "Pattern")
		if err != nil {
			return nil, nodeError(n, err)
		}
		re, err := compile(pattern, true)
		if err != nil {
			return nil, nodeError(n, err)
		}
		return stringMap(n, re.MatchString)(ctx, in[:1])
	}, nil
}
