package strings

import (
	"math"
	"strconv"
	gostrings "strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

func runAll(t *testing.T, op string, attrs map[string]any, in ...*tensor.Tensor) []*tensor.Tensor {
	t.Helper()
	return kerneltest.Run(t, graph.NewNode("n", op, nil, attrs), in...)
}

func call(op string, attrs map[string]any, in ...*tensor.Tensor) ([]*tensor.Tensor, error) {
	return kerneltest.Call(graph.NewNode("n", op, nil, attrs), in...)
}

func flatIndices(rows [][]int64) []int64 {
	var out []int64
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// tfjsStrings is testdata/tfjs_strings.json, written by tfjs_strings.js
// with TensorFlow.js.
type tfjsStrings struct {
	Split []struct {
		Input     []string
		Delimiter string
		SkipEmpty bool
		Indices   [][]int64
		Values    []string
		Shape     []int64
	}
	Regex []struct {
		Input         []string
		Pattern       string
		Rewrite       string
		ReplaceGlobal bool
		Output        []string
	}
	NGrams []struct {
		Data          []string
		DataSplits    []int
		Separator     string
		NgramWidths   []int64
		LeftPad       string
		RightPad      string
		PadWidth      int64
		PreserveShort bool
		Ngrams        []string
		NgramsSplits  []int
	}
	HashFast []struct {
		Input      []string
		NumBuckets int64
		Output     []int64
	}
}

func TestAgainstTFJS(t *testing.T) {
	var ref tfjsStrings
	kerneltest.ReadJSON(t, "testdata/tfjs_strings.json", &ref)
	require.GreaterOrEqual(t, len(ref.Split), 4)
	require.GreaterOrEqual(t, len(ref.Regex), 4)
	require.GreaterOrEqual(t, len(ref.NGrams), 5)
	require.GreaterOrEqual(t, len(ref.HashFast), 4)
	for _, c := range ref.Split {
		out := runAll(t, "StringSplit", map[string]any{"skip_empty": c.SkipEmpty}, kerneltest.Vector(c.Input...), tensor.Scalar(c.Delimiter))
		want := flatIndices(c.Indices)
		if want == nil {
			want = []int64{}
		}
		assert.Equal(t, want, out[0].Data(), "StringSplit %q by %q indices", c.Input, c.Delimiter)
		assert.Equal(t, c.Values, out[1].Data(), "StringSplit %q by %q values", c.Input, c.Delimiter)
		assert.Equal(t, c.Shape, out[2].Data(), "StringSplit %q by %q shape", c.Input, c.Delimiter)
	}
	for _, c := range ref.Regex {
		out := runAll(t, "StaticRegexReplace", map[string]any{"pattern": c.Pattern, "rewrite": c.Rewrite, "replace_global": c.ReplaceGlobal}, kerneltest.Vector(c.Input...))
		assert.Equal(t, c.Output, out[0].Data(), "StaticRegexReplace %q", c.Pattern)
		out = runAll(t, "RegexReplace", map[string]any{"replace_global": c.ReplaceGlobal}, kerneltest.Vector(c.Input...), tensor.Scalar(c.Pattern), tensor.Scalar(c.Rewrite))
		assert.Equal(t, c.Output, out[0].Data(), "RegexReplace %q", c.Pattern)
	}
	for _, c := range ref.NGrams {
		for _, dt := range splitsTypes {
			splits, err := kernel.IntsTensor(dt, c.DataSplits)
			require.NoError(t, err)
			out := runAll(t, "StringNGrams", map[string]any{
				"separator": c.Separator, "ngram_widths": c.NgramWidths, "left_pad": c.LeftPad, "right_pad": c.RightPad,
				"pad_width": c.PadWidth, "preserve_short_sequences": c.PreserveShort, "Tsplits": dt,
			}, kerneltest.Vector(c.Data...), splits)
			assert.Equal(t, c.Ngrams, out[0].Data(), "StringNGrams %+v", c)
			got, err := kernel.Ints(out[1])
			require.NoError(t, err)
			assert.Equal(t, c.NgramsSplits, got)
			assert.Equal(t, dt, out[1].DType())
		}
	}
	for _, c := range ref.HashFast {
		out := runAll(t, "StringToHashBucketFast", map[string]any{"num_buckets": c.NumBuckets}, kerneltest.Vector(c.Input...))
		assert.Equal(t, c.Output, out[0].Data(), "StringToHashBucketFast %d", c.NumBuckets)
	}
}

// tensorflow/python/kernel_tests/strings_ops/string_split_op_test.py,
// StringSplitV2OpTest.
func TestStringSplitV2(t *testing.T) {
	for _, c := range []struct {
		name     string
		in       []string
		sep      string
		maxsplit int64
		values   []string
		shape    []int64
	}{
		{"testSplitV2", []string{"pigs on the wing", "animals"}, "", -1, []string{"pigs", "on", "the", "wing", "animals"}, []int64{2, 4}},
		{"testSplitV2MultiCharSeparator", []string{"1<>2<>3", "<><>4<>5<><>6<>"}, "<>", -1, []string{"1", "2", "3", "", "", "4", "5", "", "6", ""}, []int64{2, 7}},
		{"testSplitV2SimpleSeparator", []string{"1,2,3", "4,5,,6,"}, ",", -1, []string{"1", "2", "3", "4", "5", "", "6", ""}, []int64{2, 5}},
		{"testSplitV2EmptySeparator", []string{"1 2 3", "  4  5    6  "}, "", -1, []string{"1", "2", "3", "4", "5", "6"}, []int64{2, 3}},
		{"testSplitV2SimpleSeparatorMaxSplit", []string{"1,2,3", "4,5,,6,"}, ",", 1, []string{"1", "2,3", "4", "5,,6,"}, []int64{2, 2}},
		{"testSplitV2EmptySeparatorMaxSplit", []string{"1 2 3", "  4  5    6  "}, "", 1, []string{"1", "2 3", "4", "5    6  "}, []int64{2, 2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := runAll(t, "StringSplitV2", map[string]any{"maxsplit": c.maxsplit}, kerneltest.Vector(c.in...), tensor.Scalar(c.sep))
			assert.Equal(t, c.values, out[1].Data())
			assert.Equal(t, c.shape, out[2].Data())
			assert.Equal(t, tensor.Shape{len(c.values), 2}, out[0].Shape())
		})
	}
	_, err := call("StringSplitV2", nil, kerneltest.Tensor(tensor.Shape{1, 1}, "a b"), tensor.Scalar(" "))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument, "a matrix input")
}

// tensorflow/python/kernel_tests/strings_ops/regex_replace_op_test.py,
// for both RegexReplace and StaticRegexReplace.
func TestRegexReplaceTF(t *testing.T) {
	for _, c := range []struct {
		name, pattern, rewrite string
		global                 bool
		in, want               []string
	}{
		{"testForwarding", `\p{Ll}`, ".", true, []string{"AbCdE", "HiJkL"}, []string{"A.C.E", "H.J.L"}},
		{"testRemovePrefix", "^(a:|b:)", "", false, []string{"a:foo", "a:bar", "a:foo", "b:baz", "b:qux", "ca:b"}, []string{"foo", "bar", "foo", "baz", "qux", "ca:b"}},
		{"testRegexReplace", "a.*a", `(\0)`, true, []string{"aba\naba", "abcdabcde"}, []string{"(aba)\n(aba)", "(abcda)bcde"}},
		{"testEmptyMatch", "", "x", true, []string{"abc", "1"}, []string{"xaxbxcx", "x1x"}},
		{"testGlobal", "ab", "abc", true, []string{"ababababab", "abcabcabc", ""}, []string{"abcabcabcabcabc", "abccabccabcc", ""}},
		// RE2's rewrite syntax: \1 is a group, \\ a backslash; a group the
		// pattern lacks leaves the string alone (RE2::Replace's check).
		{"group", `(\w+)@(\w+)`, `\2 at \1 \\`, true, []string{"me@home x@y"}, []string{`home at me \ y at x \`}},
		{"missing group", `(a)`, `\2`, true, []string{"aaa"}, []string{"aaa"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := runAll(t, "StaticRegexReplace", map[string]any{"pattern": c.pattern, "rewrite": c.rewrite, "replace_global": c.global}, kerneltest.Vector(c.in...))
			assert.Equal(t, c.want, out[0].Data())
			out = runAll(t, "RegexReplace", map[string]any{"replace_global": c.global}, kerneltest.Vector(c.in...), tensor.Scalar(c.pattern), tensor.Scalar(c.rewrite))
			assert.Equal(t, c.want, out[0].Data())
		})
	}
	t.Run("testInvalidPattern", func(t *testing.T) {
		_, err := call("StaticRegexReplace", map[string]any{"pattern": "A[", "rewrite": "x"}, kerneltest.Vector("abc"))
		assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
		_, err = call("RegexReplace", nil, kerneltest.Vector("abc"), tensor.Scalar("A["), tensor.Scalar("x"))
		assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
		assert.ErrorContains(t, err, "Invalid pattern")
	})
}

// tensorflow/python/kernel_tests/strings_ops/regex_full_match_op_test.py:
// testRegexFullMatch, testRegexFullMatchTwoDims (flattened) and
// testEmptyMatch; then RE2::FullMatch's any-alternative rule.
func TestRegexFullMatch(t *testing.T) {
	for _, c := range []struct {
		pattern string
		in      []string
		want    []bool
	}{
		{"a.*a", []string{"abaaba", "abcdabcde"}, []bool{true, false}},
		{"a.*a", []string{"abaaba", "abcdabcde", "acdcba", "ebcda"}, []bool{true, false, true, false}},
		{"", []string{"abc", "1"}, []bool{false, false}},
		{"a|ab", []string{"ab", "a", "b"}, []bool{true, true, false}},
	} {
		out := runAll(t, "StaticRegexFullMatch", map[string]any{"pattern": c.pattern}, kerneltest.Vector(c.in...))
		assert.Equal(t, c.want, out[0].Data(), c.pattern)
		out = runAll(t, "RegexFullMatch", nil, kerneltest.Vector(c.in...), tensor.Scalar(c.pattern))
		assert.Equal(t, c.want, out[0].Data(), c.pattern)
	}
	_, err := call("RegexFullMatch", nil, kerneltest.Vector("a"), tensor.Scalar("[a"))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
	_, err = call("RegexFullMatch", nil, kerneltest.Vector("a"), kerneltest.Vector("a", "b"))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument, "a non-scalar pattern")
}

// tensorflow/python/kernel_tests/strings_ops/string_to_number_op_test.py.
func TestStringToNumberTF(t *testing.T) {
	inf := math.Inf(1)
	floatGood := map[string]float64{
		"0": 0, "3": 3, "-1": -1, "1.12": 1.12, "0xF": 15, "   -10.5": -10.5, "3.40282e+38": 3.40282e38,
		"NAN": math.NaN(), "INF": inf,
	}
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		for in, want := range floatGood {
			got := runAll(t, "StringToNumber", map[string]any{"out_type": dt}, kerneltest.Vector(in))[0]
			wantT := kerneltest.Values(dt, tensor.Shape{1}, want)
			assert.NoError(t, tensor.Compare(got, wantT, tensor.Tolerance{}), "%v %q", dt, in)
		}
		_, err := call("StringToNumber", map[string]any{"out_type": dt}, kerneltest.Vector("10foobar"))
		assert.ErrorContains(t, err, "StringToNumberOp could not correctly convert string: 10foobar")
	}
	// Beyond float's range: infinities in float32, exact in float64.
	got := runAll(t, "StringToNumber", map[string]any{"out_type": tensor.Float32}, kerneltest.Vector("3.40283e+38", "-3.40283e+38"))[0]
	assert.Equal(t, []float32{float32(inf), float32(-inf)}, got.Data())
	got = runAll(t, "StringToNumber", map[string]any{"out_type": tensor.Float64}, kerneltest.Vector("3.40283e+38", "-3.40283e+38"))[0]
	assert.Equal(t, []float64{3.40283e38, -3.40283e38}, got.Data())

	got = runAll(t, "StringToNumber", map[string]any{"out_type": tensor.Int32}, kerneltest.Vector("0", "3", "-1", "    -10", "-2147483648", "2147483647"))[0]
	assert.Equal(t, []int32{0, 3, -1, -10, -2147483648, 2147483647}, got.Data())
	for _, bad := range []string{"-2147483649", "2147483648", "2.9", "10foobar"} {
		_, err := call("StringToNumber", map[string]any{"out_type": tensor.Int32}, kerneltest.Vector(bad))
		assert.ErrorContains(t, err, "could not correctly convert string: "+bad)
		assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
	}
	got = runAll(t, "StringToNumber", map[string]any{"out_type": tensor.Int64}, kerneltest.Vector("0", "3", "-1", "    -10", "-2147483648", "2147483647", "-2147483649", "2147483648"))[0]
	assert.Equal(t, []int64{0, 3, -1, -10, -2147483648, 2147483647, -2147483649, 2147483648}, got.Data())
	for _, bad := range []string{"2.9", "10foobar"} {
		_, err := call("StringToNumber", map[string]any{"out_type": tensor.Int64}, kerneltest.Vector(bad))
		assert.ErrorContains(t, err, "could not correctly convert string: "+bad)
	}
}

// numbers.cc's grammar on what the TensorFlow test leaves out: the
// integer parsers take no '+', the float parser no "infinity", no
// exponent without digits, nothing 32 bytes or longer.
func TestStringToNumberGrammar(t *testing.T) {
	for _, c := range []struct {
		in   string
		bits int
		ok   bool
	}{
		{"+5", 64, false}, {"-", 64, false}, {" 7 ", 64, true}, {"", 64, false}, {"9223372036854775808", 64, false},
		{"-9223372036854775808", 64, true},
	} {
		_, ok := ParseInt(c.in, c.bits)
		assert.Equal(t, c.ok, ok, "ParseInt %q", c.in)
	}
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"+1.5", 1.5, true}, {".5", 0.5, true}, {"5.", 5, true}, {".", 0, false}, {"1e", 0, false}, {"1e+3", 1000, true},
		{"infinity", 0, false}, {"-inf", math.Inf(-1), true}, {"-0x10", -16, true}, {"0x", 0, false}, {"0x1p3", 0, false},
		{" \t2 \n", 2, true}, {"- 1", 0, false}, {gostrings.Repeat("1", 32), 0, false}, {gostrings.Repeat("1", 31), 1111111111111111111111111111111, true},
		{"1_000", 0, false}, {"1e400", math.Inf(1), true},
	} {
		got, ok := ParseFloat(c.in, 64)
		assert.Equal(t, c.ok, ok, "ParseFloat %q", c.in)
		if ok {
			assert.Equal(t, c.want, got, "ParseFloat %q", c.in)
		}
	}
}

// tensorflow/python/kernel_tests/strings_ops/string_to_hash_bucket_op_test.py.
func TestHashBucketsTF(t *testing.T) {
	in := kerneltest.Vector("a", "b", "c")
	got := runAll(t, "StringToHashBucket", map[string]any{"num_buckets": int64(10)}, in)[0]
	assert.Equal(t, []int64{8, 0, 7}, got.Data())
	got = runAll(t, "StringToHashBucketStrong", map[string]any{"num_buckets": int64(10), "key": []int64{98765, 132}}, in)[0]
	assert.Equal(t, []int64{4, 2, 8}, got.Data())
	got = runAll(t, "StringToHashBucketFast", map[string]any{"num_buckets": int64(10)}, kerneltest.Vector("a", "b", "c", "d"))[0]
	assert.Equal(t, []int64{9, 2, 2, 5}, got.Data())
	// The comments' full hashes.
	assert.Equal(t, uint64(2996632905371535868), hash64("a", 0xDECAFCAFFE))
	assert.Equal(t, uint64(14899841994519054197), hash64("c", 0xDECAFCAFFE))
	assert.Equal(t, uint64(15805638358933211562), sipHash24(98765, 132, "b"))
	_, err := call("StringToHashBucketStrong", map[string]any{"num_buckets": int64(10), "key": []int64{98765}}, in)
	assert.ErrorContains(t, err, "Key must have 2 elements")
}

// SipHash-2-4's reference vectors (the SipHash paper's Appendix A and the
// reference implementation's vectors.h): key 00..0f, messages 00..(n-1).
func TestSipHashVectors(t *testing.T) {
	k0, k1 := uint64(0x0706050403020100), uint64(0x0f0e0d0c0b0a0908)
	msg := make([]byte, 15)
	for i := range msg {
		msg[i] = byte(i)
	}
	assert.Equal(t, uint64(0xa129ca6149be45e5), sipHash24(k0, k1, string(msg)))
	assert.Equal(t, uint64(0x726fdb47dd0e0e31), sipHash24(k0, k1, ""))
}

// as_string_ref.json holds what as_string_op_test.py compares
// TensorFlow's AsString with (Python's %-formatting).
func TestAsStringTF(t *testing.T) {
	var ref struct {
		Floats []struct {
			Attrs  map[string]any
			Input  []string
			Output []string
		}
		Complex []struct {
			Attrs      map[string]any
			Real, Imag []string
			Output     []string
		}
		Ints, Uints []struct {
			Attrs  map[string]any
			Input  []int64
			Output []string
		}
	}
	kerneltest.ReadJSON(t, "testdata/as_string_ref.json", &ref)
	require.Len(t, ref.Floats, 8)
	attrs := func(a map[string]any, dt tensor.DType) map[string]any {
		out := map[string]any{"T": dt}
		for k, v := range a {
			if f, ok := v.(float64); ok {
				v = int64(f)
			}
			out[k] = v
		}
		return out
	}
	parse := func(s []string) []float64 {
		out := make([]float64, len(s))
		for i, x := range s {
			v, err := strconv.ParseFloat(x, 64)
			require.NoError(t, err)
			out[i] = v
		}
		return out
	}
	for _, c := range ref.Floats {
		for _, dt := range []tensor.DType{tensor.Float16, tensor.BFloat16, tensor.Float32, tensor.Float64} {
			in := kerneltest.Values(dt, tensor.Shape{len(c.Input)}, parse(c.Input)...)
			got := runAll(t, "AsString", attrs(c.Attrs, dt), in)[0]
			assert.Equal(t, c.Output, got.Data(), "%v %v", dt, c.Attrs)
		}
	}
	for _, c := range ref.Complex {
		re, im := parse(c.Real), parse(c.Imag)
		c64 := make([]complex64, len(re))
		c128 := make([]complex128, len(re))
		for i := range re {
			c64[i] = complex(float32(re[i]), float32(im[i]))
			c128[i] = complex(re[i], im[i])
		}
		for _, in := range []*tensor.Tensor{kerneltest.Vector(c64...), kerneltest.Vector(c128...)} {
			got := runAll(t, "AsString", attrs(c.Attrs, in.DType()), in)[0]
			clean := make([]string, len(c.Output))
			for i, s := range got.Data().([]string) {
				clean[i] = gostrings.ReplaceAll(s, "-nan", "nan")
			}
			assert.Equal(t, c.Output, clean, "%v %v", in.DType(), c.Attrs)
		}
	}
	for _, c := range ref.Ints {
		for _, dt := range []tensor.DType{tensor.Int8, tensor.Int32, tensor.Int64} {
			got := runAll(t, "AsString", attrs(c.Attrs, dt), kerneltest.Values(dt, tensor.Shape{len(c.Input)}, toF(c.Input)...))[0]
			assert.Equal(t, c.Output, got.Data(), "%v %v", dt, c.Attrs)
		}
	}
	for _, c := range ref.Uints {
		for _, dt := range []tensor.DType{tensor.Uint8, tensor.Uint32, tensor.Uint64} {
			got := runAll(t, "AsString", attrs(c.Attrs, dt), kerneltest.Values(dt, tensor.Shape{len(c.Input)}, toF(c.Input)...))[0]
			assert.Equal(t, c.Output, got.Data(), "%v %v", dt, c.Attrs)
		}
	}
	for _, bad := range []map[string]any{
		{"T": tensor.Float32, "scientific": true, "shortest": true},
		{"T": tensor.Float32, "fill": "ab"},
		{"T": tensor.Int32, "scientific": true},
		{"T": tensor.Int32, "precision": int64(0)},
	} {
		_, err := call("AsString", bad, kerneltest.Vector[float32](1))
		assert.Error(t, err, "%v", bad)
	}
}

func toF(v []int64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// C's printf, which TensorFlow calls, pads infinities and NaNs with
// spaces whatever the fill, and keeps their sign; Go's fmt would write
// "+Inf" and "NaN".
func TestAsStringNonFinite(t *testing.T) {
	in := kerneltest.Vector(math.Inf(1), math.Inf(-1), math.NaN(), -math.NaN())
	for _, c := range []struct {
		attrs map[string]any
		want  []string
	}{
		{map[string]any{}, []string{"inf", "-inf", "nan", "-nan"}},
		{map[string]any{"width": int64(6), "fill": "0"}, []string{"   inf", "  -inf", "   nan", "  -nan"}},
		{map[string]any{"width": int64(5), "fill": "-"}, []string{"inf  ", "-inf ", "nan  ", "-nan "}},
		{map[string]any{"fill": "+"}, []string{"+inf", "-inf", "+nan", "-nan"}},
	} {
		c.attrs["T"] = tensor.Float64
		got := runAll(t, "AsString", c.attrs, in)[0]
		assert.Equal(t, c.want, got.Data(), "%v", c.attrs)
	}
	// %u ignores '+'.
	got := runAll(t, "AsString", map[string]any{"T": tensor.Uint8, "fill": "+"}, kerneltest.Vector[uint8](7))[0]
	assert.Equal(t, []string{"7"}, got.Data())
}
