package strings

import (
	"testing"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// FuzzStringToNumber parses outside text with every out_type: no panics,
// and a number either parses or fails with the op's error. Seeds:
// testdata/fuzz/FuzzStringToNumber.
func FuzzStringToNumber(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		for _, dt := range stringToNumberTypes {
			_, _ = call("StringToNumber", map[string]any{"out_type": dt}, kerneltest.Vector(s))
		}
	})
}

// FuzzRegexReplace runs user patterns and rewrites through RegexReplace
// and RegexFullMatch: no panics on any pattern, rewrite or input. Seeds:
// testdata/fuzz/FuzzRegexReplace.
func FuzzRegexReplace(f *testing.F) {
	f.Fuzz(func(t *testing.T, pattern, rewrite, input string, global bool) {
		_, _ = call("RegexReplace", map[string]any{"replace_global": global}, kerneltest.Vector(input), tensor.Scalar(pattern), tensor.Scalar(rewrite))
		_, _ = call("RegexFullMatch", nil, kerneltest.Vector(input), tensor.Scalar(pattern))
	})
}
