package strings

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

func ints(dt tensor.DType, shape tensor.Shape, v ...float64) *tensor.Tensor {
	return kerneltest.Values(dt, shape, v...)
}

// tensorflow/python/kernel_tests/strings_ops/substr_op_test.py, for both
// position types and both units (Python's "\xc3" is U+00C3, written
// "\u00c3" here).
func TestSubstrTF(t *testing.T) {
	byteMatrix := []string{"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen"}
	utf8Matrix := []string{"\U0001d229\U0001d227n", "\u00c6\u053c\u025bv\u025bn", "tw\u0c1dlv\u025b", "He\u00c3\u00c3o", "W\U0001f604rld", "d\u00fcd\u00ea"}
	type tc struct {
		name     string
		unit     string
		in       *tensor.Tensor
		pos, len []float64
		posShape tensor.Shape
		want     []string
	}
	var cases []tc
	for _, unit := range []string{"BYTE", "UTF8_CHAR"} {
		u := unit == "UTF8_CHAR"
		pick := func(b, c []string) []string {
			if u {
				return c
			}
			return b
		}
		cases = append(cases,
			tc{"testVectorStrings pos 1", unit, kerneltest.Vector(pick([]string{"Hello", "World"}, []string{"H\u00c3llo", "W\U0001f604rld"})...), []float64{1}, []float64{3}, tensor.Shape{},
				pick([]string{"ell", "orl"}, []string{"\u00c3ll", "\U0001f604rl"})},
			tc{"testVectorStrings pos -4", unit, kerneltest.Vector(pick([]string{"Hello", "World"}, []string{"H\u00c3llo", "W\U0001f604rld"})...), []float64{-4}, []float64{3}, tensor.Shape{},
				pick([]string{"ell", "orl"}, []string{"\u00c3ll", "\U0001f604rl"})},
		)
		if u {
			cases = append(cases,
				tc{"testMatrixStrings 1,4", unit, kerneltest.Tensor(tensor.Shape{2, 3}, utf8Matrix...), []float64{1}, []float64{4}, tensor.Shape{},
					([]string{"\U0001d227n", "\u053c\u025bv\u025b", "w\u0c1dlv", "e\u00c3\u00c3o", "\U0001f604rld", "\u00fcd\u00ea"})},
				tc{"testMatrixStrings -3,2", unit, kerneltest.Tensor(tensor.Shape{2, 3}, utf8Matrix...), []float64{-3}, []float64{2}, tensor.Shape{},
					([]string{"\U0001d229\U0001d227", "v\u025b", "lv", "\u00c3\u00c3", "rl", "\u00fcd"})},
				tc{"testBroadcast 1D", unit, tensor.Scalar("th\u00cdrt\u00ea\u00ean"), []float64{1, -4, 7}, []float64{3, 2, 1}, tensor.Shape{3},
					([]string{"h\u00cdr", "t\u00ea", "n"})},
			)
			continue
		}
		cases = append(cases,
			tc{"testMatrixStrings 1,4", unit, kerneltest.Tensor(tensor.Shape{3, 3}, byteMatrix...), []float64{1}, []float64{4}, tensor.Shape{},
				[]string{"en", "leve", "welv", "hirt", "ourt", "ifte", "ixte", "even", "ight"}},
			tc{"testMatrixStrings -3,2", unit, kerneltest.Tensor(tensor.Shape{3, 3}, byteMatrix...), []float64{-3}, []float64{2}, tensor.Shape{},
				[]string{"te", "ve", "lv", "ee", "ee", "ee", "ee", "ee", "ee"}},
			tc{"testElementWisePosLen", unit, kerneltest.Tensor(tensor.Shape{3, 3}, byteMatrix...),
				[]float64{1, -4, 3, 1, 2, -4, -5, 2, 3}, []float64{2, 2, 4, 4, 3, 2, 5, 5, 5}, tensor.Shape{3, 3},
				[]string{"en", "ev", "lve", "hirt", "urt", "te", "xteen", "vente", "hteen"}},
			tc{"testBroadcast rows", unit, kerneltest.Tensor(tensor.Shape{4, 3}, append(byteMatrix, "nineteen", "twenty", "twentyone")...),
				[]float64{1, -4, 3}, []float64{1, 2, 3}, tensor.Shape{3},
				[]string{"e", "ev", "lve", "h", "te", "tee", "i", "te", "hte", "i", "en", "nty"}},
			tc{"testBroadcast strings", unit, kerneltest.Vector("thirteen", "fourteen", "fifteen"),
				[]float64{1, -2, 3, -3, 2, 1, 5, 5, -5}, []float64{3, 2, 1, 1, 2, 3, 2, 2, 2}, tensor.Shape{3, 3},
				[]string{"hir", "en", "t", "e", "ur", "ift", "ee", "ee", "ft"}},
		)
	}
	for _, c := range cases {
		for _, dt := range substrTypes {
			t.Run(c.name+" "+c.unit+" "+dt.String(), func(t *testing.T) {
				got := runAll(t, "Substr", map[string]any{"T": dt, "unit": c.unit}, c.in, ints(dt, c.posShape, c.pos...), ints(dt, c.posShape, c.len...))[0]
				assert.Equal(t, c.want, got.Data())
			})
		}
	}
	// testOutOfRangeError_Scalar.
	for _, unit := range []string{"BYTE", "UTF8_CHAR"} {
		for _, pos := range []float64{6, -6} {
			in := "Hello"
			if unit == "UTF8_CHAR" {
				in = "H\u00c3ll\U0001f604"
			}
			_, err := call("Substr", map[string]any{"T": tensor.Int32, "unit": unit}, tensor.Scalar(in), ints(tensor.Int32, nil, pos), ints(tensor.Int32, nil, 3))
			assert.ErrorIs(t, err, kernel.ErrInvalidArgument, "%s pos %v", unit, pos)
		}
	}
	_, err := call("Substr", map[string]any{"T": tensor.Int32}, kerneltest.Vector("a"), ints(tensor.Int32, tensor.Shape{2}, 0, 0), ints(tensor.Int32, tensor.Shape{1}, 0))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument, "pos and len of different shapes")
}
