package strings

import (
	gostrings "strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// tensorflow/python/kernel_tests/strings_ops/string_lower_op_test.py and
// string_upper_op_test.py: ASCII by default, Unicode with "utf-8".
func TestCaseMapsTF(t *testing.T) {
	in := kerneltest.Vector("Pigs on The Wing", "aNimals")
	assert.Equal(t, []string{"pigs on the wing", "animals"}, runAll(t, "StringLower", nil, in)[0].Data())
	assert.Equal(t, []string{"PIGS ON THE WING", "ANIMALS"}, runAll(t, "StringUpper", nil, in)[0].Data())
	got := runAll(t, "StringLower", map[string]any{"encoding": "utf-8"}, kerneltest.Vector("ÓÓSSCHLOË"))[0]
	assert.Equal(t, []string{"óósschloë"}, got.Data())
	got = runAll(t, "StringUpper", map[string]any{"encoding": "utf-8"}, kerneltest.Vector("óósschloë"))[0]
	assert.Equal(t, []string{"ÓÓSSCHLOË"}, got.Data())
	// Without an encoding only ASCII letters change.
	got = runAll(t, "StringUpper", nil, kerneltest.Vector("óa"))[0]
	assert.Equal(t, []string{"óA"}, got.Data())
	_, err := call("StringLower", map[string]any{"encoding": "latin-1"}, in)
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
}

// tensorflow/python/kernel_tests/strings_ops/string_strip_op_test.py.
func TestStringStripTF(t *testing.T) {
	got := runAll(t, "StringStrip", nil, kerneltest.Tensor(tensor.Shape{2, 2}, "pigs on the wing", "animals", " hello ", "\n\tworld \r \n"))[0]
	assert.Equal(t, []string{"pigs on the wing", "animals", "hello", "world"}, got.Data())
	assert.Equal(t, tensor.Shape{2, 2}, got.Shape())
	got = runAll(t, "StringStrip", nil, kerneltest.Vector(" hello ", "", "world ", " \t \r \n "))[0]
	assert.Equal(t, []string{"hello", "", "world", ""}, got.Data())
}

// tensorflow/python/kernel_tests/strings_ops/string_length_op_test.py:
// testStringLength and testUnit (u"H\xc3llo" is 6 bytes, 5 characters;
// U+1F604 4 bytes, 1 character).
func TestStringLengthTF(t *testing.T) {
	got := runAll(t, "StringLength", nil, kerneltest.Tensor(tensor.Shape{1, 3, 2}, "1", "12", "123", "1234", "12345", "123456"))[0]
	assert.Equal(t, kerneltest.Tensor(tensor.Shape{1, 3, 2}, int32(1), 2, 3, 4, 5, 6), got)
	utf8 := kerneltest.Vector("H\u00c3llo", "\U0001f604")
	assert.Equal(t, []int32{6, 4}, runAll(t, "StringLength", map[string]any{"unit": "BYTE"}, utf8)[0].Data())
	assert.Equal(t, []int32{5, 1}, runAll(t, "StringLength", map[string]any{"unit": "UTF8_CHAR"}, utf8)[0].Data())
	_, err := call("StringLength", map[string]any{"unit": "CHAR"}, utf8)
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
}

// tensorflow/python/kernel_tests/strings_ops/string_join_op_test.py:
// scalars repeat, non-scalars must share a shape.
func TestStringJoinTF(t *testing.T) {
	in0 := kerneltest.Vector("a", "b")
	in1 := tensor.Scalar("a")
	in2 := kerneltest.Tensor(tensor.Shape{2, 1}, "b", "c")
	join := func(sep string, in ...*tensor.Tensor) *tensor.Tensor {
		return runAll(t, "StringJoin", map[string]any{"N": int64(len(in)), "separator": sep}, in...)[0]
	}
	assert.Equal(t, []string{"aa", "ba"}, join("", in0, in1).Data())
	assert.Equal(t, []string{"a--a", "b--a"}, join("--", in0, in1).Data())
	assert.Equal(t, []string{"a--a--a", "b--a--b"}, join("--", in0, in1, in0).Data())
	assert.Equal(t, tensor.Scalar("a!a!a!a"), join("!", in1, in1, in1, in1))
	assert.Equal(t, kerneltest.Tensor(tensor.Shape{2, 1}, "bb", "cc"), join("", in2, in2))
	_, err := call("StringJoin", map[string]any{"N": int64(2)}, in0, in2)
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
}

// tensorflow/python/kernel_tests/strings_ops/reduce_join_op_test.py:
// testRankOne, testRankTwo, keep_dims and the reduction checks; and
// tf.reduce_join's TensorFlow 1 docstring on the order of the indices:
// [["a", "b"], ["c", "d"]] is "acbd" over [0, 1], "abcd" over [1, 0].
func TestReduceJoinTF(t *testing.T) {
	rj := func(attrs map[string]any, in *tensor.Tensor, axes ...int32) *tensor.Tensor {
		return runAll(t, "ReduceJoin", attrs, in, kerneltest.Vector(axes...))[0]
	}
	one := kerneltest.Vector("this", "is", "a", "test")
	assert.Equal(t, tensor.Scalar("thisisatest"), rj(nil, one, 0))
	assert.Equal(t, tensor.Scalar("this is a test"), rj(map[string]any{"separator": " "}, one, 0))
	two := kerneltest.Tensor(tensor.Shape{2, 4}, "this", "is", "a", "test", "please", "do", "not", "panic")
	assert.Equal(t, kerneltest.Vector("thisplease", "isdo", "anot", "testpanic"), rj(nil, two, 0))
	assert.Equal(t, kerneltest.Vector("thisisatest", "pleasedonotpanic"), rj(nil, two, 1))
	assert.Equal(t, kerneltest.Vector("thisisatest", "pleasedonotpanic"), rj(nil, two, -1))
	assert.Equal(t, kerneltest.Tensor(tensor.Shape{2, 1}, "thisisatest", "pleasedonotpanic"), rj(map[string]any{"keep_dims": true}, two, 1))
	assert.Equal(t, tensor.Scalar("thisisatestpleasedonotpanic"), rj(nil, two, 1, 0))
	ab := kerneltest.Tensor(tensor.Shape{2, 2}, "a", "b", "c", "d")
	assert.Equal(t, tensor.Scalar("acbd"), rj(nil, ab, 0, 1))
	assert.Equal(t, tensor.Scalar("abcd"), rj(nil, ab, 1, 0))
	assert.Equal(t, kerneltest.Tensor(tensor.Shape{1, 2}, "ac", "bd"), rj(map[string]any{"keep_dims": true}, ab, 0))
	assert.Equal(t, kerneltest.Vector("a.c", "b.d"), rj(map[string]any{"separator": "."}, ab, -2))
	assert.Equal(t, two, rj(nil, two), "no reduction")
	for _, axes := range [][]int32{{2}, {-3}, {0, 0}, {1, -1}} {
		_, err := call("ReduceJoin", nil, two, kerneltest.Vector(axes...))
		assert.ErrorIs(t, err, kernel.ErrInvalidArgument, "axes %v", axes)
	}
}

// StringNGrams holds the bytes it builds, not only their count, to the
// one-tensor budget: wide n-grams of a long pad repeat it.
func TestStringNGramsBudget(t *testing.T) {
	prev := tensor.SetMaxTensorBytes(1 << 16)
	defer tensor.SetMaxTensorBytes(prev)
	attrs := map[string]any{"separator": " ", "ngram_widths": []int64{1000}, "left_pad": gostrings.Repeat("L", 100), "right_pad": "R",
		"pad_width": int64(-1), "preserve_short_sequences": false, "Tsplits": tensor.Int64}
	_, err := call("StringNGrams", attrs, kerneltest.Vector("a", "b"), kerneltest.Vector[int64](0, 2))
	assert.ErrorIs(t, err, tensor.ErrTooLarge)
}

// RegexReplace refuses, before building it, a result over the one-tensor
// budget: a rewrite repeating the whole match multiplies the input.
func TestRegexReplaceBudget(t *testing.T) {
	prev := tensor.SetMaxTensorBytes(1 << 16)
	defer tensor.SetMaxTensorBytes(prev)
	in := kerneltest.Vector(gostrings.Repeat("a", 1000))
	rewrite := gostrings.Repeat(`\0`, 100)
	_, err := call("RegexReplace", nil, in, tensor.Scalar("a+"), tensor.Scalar(rewrite))
	assert.ErrorIs(t, err, tensor.ErrTooLarge)
	_, err = call("StaticRegexReplace", map[string]any{"pattern": "a+", "rewrite": rewrite}, in)
	assert.ErrorIs(t, err, tensor.ErrTooLarge)
	got := runAll(t, "RegexReplace", nil, in, tensor.Scalar("a+"), tensor.Scalar(`\0\0`))[0]
	assert.Len(t, got.Data().([]string)[0], 2000)
}

// The full case mapping ICU applies for TensorFlow's "utf-8" encoding
// (Unicode's SpecialCasing.txt): ß uppers to SS, ŉ to ʼN, a capital sigma
// ending a word lowers to ς; invalid bytes read as U+FFFD.
func TestCaseMapsFull(t *testing.T) {
	got := runAll(t, "StringUpper", map[string]any{"encoding": "utf-8"}, kerneltest.Vector("straße", "ŉ"))[0]
	assert.Equal(t, []string{"STRASSE", "ʼN"}, got.Data())
	got = runAll(t, "StringLower", map[string]any{"encoding": "utf-8"}, kerneltest.Vector("ΟΔΟΣ ΟΔΟΣ", "a\xffB"))[0]
	assert.Equal(t, []string{"οδος οδος", "a\uFFFDb"}, got.Data())
}
