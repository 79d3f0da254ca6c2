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

// rewriter is an RE2 rewrite string: \0 to \9 insert a submatch, \\ a
// backslash.
type rewriter struct {
	text     string
	maxGroup int // RE2::MaxSubmatch
}

func newRewriter(text string) rewriter {
	r := rewriter{text: text}
	for i := 0; i < len(text); i++ {
		if text[i] == '\\' {
			i++
			if i < len(text) && isDigit(text[i]) {
				r.maxGroup = max(r.maxGroup, int(text[i]-'0'))
			}
		}
	}
	return r
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// expand appends the rewrite of one match (submatch offsets m in s) to
// out, as RE2::Rewrite; ok is false at an invalid escape, after which out
// holds what was written before it.
func (r rewriter) expand(out []byte, s string, m []int) ([]byte, bool) {
	for i := 0; i < len(r.text); i++ {
		c := r.text[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch {
		case i < len(r.text) && isDigit(r.text[i]):
			g := int(r.text[i] - '0')
			if m[2*g] >= 0 {
				out = append(out, s[m[2*g]:m[2*g+1]]...)
			}
		case i < len(r.text) && r.text[i] == '\\':
			out = append(out, '\\')
		default:
			return out, false
		}
	}
	return out, true
}

// replace is RE2::GlobalReplace (global) or RE2::Replace: a rewrite that
// names a group the pattern lacks, or (for Replace) has an invalid
// escape, leaves s unchanged; GlobalReplace, like RE2, keeps what an
// invalid escape's rewrite wrote before it.
func replace(re *regexp.Regexp, r rewriter, s string, global bool) string {
	if r.maxGroup > re.NumSubexp() {
		return s
	}
	if !global {
		m := re.FindStringSubmatchIndex(s)
		if m == nil {
			return s
		}
		out, ok := r.expand([]byte(s[:m[0]]), s, m)
		if !ok {
			return s
		}
		return string(append(out, s[m[1]:]...))
	}
	matches := re.FindAllStringSubmatchIndex(s, -1)
	if len(matches) == 0 {
		return s
	}
	var out []byte
	last := 0
	for _, m := range matches {
		out = append(out, s[last:m[0]]...)
		out, _ = r.expand(out, s, m)
		last = m[1]
	}
	return string(append(out, s[last:]...))
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
	return stringMap(n, func(s string) string { return replace(re, r, s, global) }), nil
}

// newRegexReplace prepares RegexReplace (inputs input, pattern and
// rewrite, the last two scalars; attribute replace_global).
func newRegexReplace(n *kernel.Node) (kernel.Kernel, error) {
	global, err := n.Attrs.Bool("replace_global", true)
	if err != nil {
		return nil, n.AttrError("replace_global", err)
	}
	return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
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
		r := newRewriter(rewrite)
		return stringMap(n, func(s string) string { return replace(re, r, s, global) })(ctx, in[:1])
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
