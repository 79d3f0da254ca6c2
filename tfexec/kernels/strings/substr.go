package strings

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newSubstr prepares Substr as substr_op.cc: pos and len (int32 or int64,
// one shape, not empty) broadcast against the strings; pos counts from
// the end when negative and must lie in [-size, size]; a negative len in
// bytes takes the rest of the string. In UTF8_CHAR units positions and
// lengths count characters (string_util.h's Forward/BackNUTF8CharPositions).
// TensorFlow broadcasts only to rank 1 or 2 outputs; this kernel
// broadcasts to any rank.
func newSubstr(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", substrTypes); err != nil {
		return nil, err
	}
	utf8, err := charUnit(n)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 3); err != nil {
			return nil, err
		}
		out, err := substr(in[0], in[1], in[2], utf8)
		if err != nil {
			return nil, nodeError(n, err)
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

func substr(input, posT, lenT *tensor.Tensor, utf8 bool) (*tensor.Tensor, error) {
	s, err := stringsOf(input, "input")
	if err != nil {
		return nil, err
	}
	if !posT.Shape().Equal(lenT.Shape()) {
		return nil, kernel.Invalid("pos and len should have the same shape, got: %v vs. %v", posT.Shape(), lenT.Shape())
	}
	if posT.NumElements() == 0 {
		return nil, kernel.Invalid("received empty tensor pos_tensor")
	}
	pos, err := kernel.Ints(posT)
	if err != nil {
		return nil, kernel.Invalid("pos: %v", err)
	}
	ln, err := kernel.Ints(lenT)
	if err != nil {
		return nil, kernel.Invalid("len: %v", err)
	}
	shape, err := tensor.BroadcastShapes(input.Shape(), posT.Shape())
	if err != nil {
		return nil, kernel.Invalid("Incompatible shapes: %v vs. %v", input.Shape(), posT.Shape())
	}
	if err := tensor.CheckAlloc(tensor.String, shape); err != nil {
		return nil, err
	}
	si := kernel.BroadcastIndex(input.Shape(), shape)
	pi := kernel.BroadcastIndex(posT.Shape(), shape)
	out := make([]string, shape.NumElements())
	for i := range out {
		str, p, l := s[si[i]], pos[pi[i]], ln[pi[i]]
		var start, end int
		var ok bool
		if utf8 {
			start, end, ok = utf8Range(str, p, l)
		} else {
			start, end, ok = byteRange(str, p, l)
		}
		if !ok {
			return nil, kernel.Invalid("pos %d out of range for string b'%s' at index %d", p, str, i)
		}
		out[i] = str[start:end]
	}
	return tensor.FromSlice(shape, out)
}

// substrTypes are Substr's position types.
var substrTypes = []tensor.DType{tensor.Int32, tensor.Int64}

// byteRange is Substr's BYTE unit: pos adjusted from the end when
// negative, then absl's substr, where a negative length (cast to size_t)
// reaches the end.
func byteRange(s string, pos, n int) (start, end int, ok bool) {
	size := len(s)
	if pos < 0 {
		pos += size
	}
	if pos < 0 || pos > size {
		return 0, 0, false
	}
	if n < 0 || n > size-pos {
		n = size - pos
	}
	return pos, pos + n, true
}

// forward is ForwardNUTF8CharPositions: it moves *p over up to count
// characters and reports whether there were that many.
func forward(s string, count int, p *int) bool {
	size := len(s)
	moved := 0
	for moved < count && *p < size {
		*p++
		for *p < size && isTrailByte(s[*p]) {
			*p++
		}
		moved++
	}
	return moved == count
}

// back is BackNUTF8CharPositions.
func back(s string, count int, p *int) bool {
	moved := 0
	for moved < count && *p > 0 {
		*p--
		for isTrailByte(s[*p]) && *p > 0 {
			*p--
		}
		moved++
	}
	return moved == count
}

// utf8Range is Substr's UTF8_CHAR unit (substr_op.cc's
// UpdatePosAndLenForUtf8).
func utf8Range(s string, pos, n int) (start, end int, ok bool) {
	if pos >= 0 {
		if !forward(s, pos, &start) {
			return 0, 0, false
		}
		end = start
		forward(s, n, &end)
		return start, end, true
	}
	end = len(s)
	skip := max(-pos-n, 0)
	if !back(s, skip, &end) {
		return 0, 0, false
	}
	start = end
	if !back(s, -pos-skip, &start) {
		return 0, 0, false
	}
	return start, end, true
}
