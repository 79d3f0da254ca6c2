package strings

import (
	"fmt"
	"strings"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// splitsTypes are the row-split types of StringNGrams.
var splitsTypes = []tensor.DType{tensor.Int32, tensor.Int64}

// ngrams holds StringNGrams' attributes.
type ngrams struct {
	sep, leftPad, rightPad string
	widths                 []int
	padWidth               int
	preserveShort          bool
}

// newStringNGrams prepares StringNGrams as string_ngrams_op.cc: the
// n-grams of each row of a ragged string vector (data and its
// data_splits), for every width in ngram_widths, padded with left_pad and
// right_pad (pad_width of them, or width-1 when negative, never more than
// width-1), joined with separator.
func newStringNGrams(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "Tsplits", splitsTypes); err != nil {
		return nil, err
	}
	var g ngrams
	var err error
	if g.sep, err = n.Attrs.String("separator", ""); err != nil {
		return nil, n.AttrError("separator", err)
	}
	if g.leftPad, err = n.Attrs.String("left_pad", ""); err != nil {
		return nil, n.AttrError("left_pad", err)
	}
	if g.rightPad, err = n.Attrs.String("right_pad", ""); err != nil {
		return nil, n.AttrError("right_pad", err)
	}
	widths, err := n.Attrs.Ints("ngram_widths", nil)
	if err != nil {
		return nil, n.AttrError("ngram_widths", err)
	}
	for _, w := range widths {
		if w <= 0 || w > 1<<20 {
			return nil, n.AttrError("ngram_widths", fmt.Errorf("%w: ngram_widths must contain positive values, got %d", kernel.ErrInvalidArgument, w))
		}
		g.widths = append(g.widths, int(w))
	}
	pad, err := n.Attrs.Int("pad_width", -1)
	if err != nil {
		return nil, n.AttrError("pad_width", err)
	}
	if pad > 1<<20 {
		return nil, n.AttrError("pad_width", fmt.Errorf("%w: %d is too large", kernel.ErrInvalidArgument, pad))
	}
	g.padWidth = int(pad)
	if g.preserveShort, err = n.Attrs.Bool("preserve_short_sequences", false); err != nil {
		return nil, n.AttrError("preserve_short_sequences", err)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		out, err := g.run(in[0], in[1])
		if err != nil {
			return nil, nodeError(n, err)
		}
		return out, nil
	}, nil
}

// byteBudget counts the bytes of a string tensor being built against the
// one-tensor limit.
type byteBudget struct {
	limit, used int64
	shape       tensor.Shape
}

func (b *byteBudget) add(s string) error {
	b.used += int64(len(s)) + 16 // the string header
	if b.used > b.limit {
		return &tensor.TooLargeError{DType: tensor.String, Shape: b.shape, Bytes: b.used, Budget: tensor.TensorBudget, Limit: b.limit}
	}
	return nil
}

func (g *ngrams) pad(width int) int {
	if g.padWidth < 0 {
		return width - 1
	}
	return min(g.padWidth, width-1)
}

func (g *ngrams) count(length, width int) int {
	return max(0, length+2*g.pad(width)-width+1)
}

func (g *ngrams) run(dataT, splitsT *tensor.Tensor) ([]*tensor.Tensor, error) {
	data, err := stringsOf(dataT, "data")
	if err != nil {
		return nil, err
	}
	if dataT.Rank() != 1 {
		return nil, kernel.Invalid("Input data must be a vector, got shape: %v", dataT.Shape())
	}
	if splitsT.Rank() != 1 {
		return nil, kernel.Invalid("Splits must be a vector, got shape: %v", splitsT.Shape())
	}
	splits, err := kernel.Ints(splitsT)
	if err != nil {
		return nil, kernel.Invalid("data_splits: %v", err)
	}
	if len(splits) > 0 {
		if splits[0] != 0 {
			return nil, kernel.Invalid("First split value must be 0, got %d", splits[0])
		}
		for i := 1; i < len(splits); i++ {
			if splits[i] < splits[i-1] || splits[i] > len(data) {
				return nil, kernel.Invalid("Invalid split value %d, must be in [%d, %d]", splits[i], splits[i-1], len(data))
			}
		}
		if last := splits[len(splits)-1]; last != len(data) {
			return nil, kernel.Invalid("Last split value must be data size. Expected %d, got %d", len(data), last)
		}
	}
	outSplits := make([]int, len(splits))
	if len(data) > 0 && len(splits) > 0 {
		for i := 1; i < len(splits); i++ {
			length := splits[i] - splits[i-1]
			num := 0
			for _, w := range g.widths {
				num += g.count(length, w)
			}
			if g.preserveShort && length > 0 && num == 0 {
				num = 1
			}
			outSplits[i] = outSplits[i-1] + num
		}
	}
	total := 0
	if len(outSplits) > 0 {
		total = outSplits[len(outSplits)-1]
	}
	if err := tensor.CheckAlloc(tensor.String, tensor.Shape{total}); err != nil {
		return nil, err
	}
	out := make([]string, 0, total)
	// N-grams repeat their tokens and pads: hold their bytes, not just
	// their count, to the memory budget.
	b := byteBudget{limit: tensor.MaxTensorBytes(), shape: tensor.Shape{total}}
	for i := 0; total > 0 && i+1 < len(splits); i++ {
		row := data[splits[i]:splits[i+1]]
		start := len(out)
		for _, w := range g.widths {
			if out, err = g.appendNGrams(out, row, g.count(len(row), w), w, &b); err != nil {
				return nil, err
			}
		}
		if g.preserveShort && len(out) == start && len(row) > 0 {
			if out, err = g.appendNGrams(out, row, 1, len(row)+2*g.padWidth, &b); err != nil {
				return nil, err
			}
		}
	}
	grams, err := tensor.FromSlice(tensor.Shape{len(out)}, out)
	if err != nil {
		return nil, err
	}
	sp, err := kernel.IntsTensor(splitsT.DType(), outSplits)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{grams, sp}, nil
}

// appendNGrams is string_ngrams_op.cc's CreateNgrams: each n-gram is its
// left padding, its tokens and its right padding, joined so that it
// never starts or ends with a separator. It stops when the n-grams
// outgrow the budget.
func (g *ngrams) appendNGrams(out, row []string, num, width int, budget *byteBudget) ([]string, error) {
	pad := g.pad(width)
	var b strings.Builder
	for k := range num {
		left := max(0, pad-k)
		right := max(0, pad-(num-(k+1)))
		tokens := width - left - right
		first := 0
		if left == 0 {
			first = k - pad
		}
		b.Reset()
		for range left {
			b.WriteString(g.leftPad)
			b.WriteString(g.sep)
		}
		for j := range tokens - 1 {
			b.WriteString(row[first+j])
			b.WriteString(g.sep)
		}
		if tokens > 0 {
			b.WriteString(row[first+tokens-1])
			for range right {
				b.WriteString(g.sep)
				b.WriteString(g.rightPad)
			}
		} else {
			for range right - 1 {
				b.WriteString(g.rightPad)
				b.WriteString(g.sep)
			}
			b.WriteString(g.rightPad)
		}
		if err := budget.add(b.String()); err != nil {
			return nil, err
		}
		out = append(out, b.String())
	}
	return out, nil
}
