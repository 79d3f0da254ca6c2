package lookup

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// The special column indices of InitializeTableFromTextFile
// (lookup_util.cc's kLineNumber and kWholeLine).
const (
	lineNumber = -1
	wholeLine  = -2
)

// textFile says how InitializeTableFromTextFile(V2) reads a file: which
// column gives the keys and which the values (≥ 0, split by delimiter;
// lineNumber; wholeLine), how many lines (vocabSize, -1 for all) and the
// offset added to line numbers (and to int32 fields, as TensorFlow does).
type textFile struct {
	keyIndex, valueIndex int64
	vocabSize            int64
	delimiter            byte
	offset               int64
	kt, vt               tensor.DType
}

// newInitializeFromTextFile is InitializeTableFromTextFile(V2): it fills
// a HashTable from a text file of the model's own (read through the
// executor's resources, so only files inside the model directory), once:
// a table already initialised is left as it is.
func newInitializeFromTextFile(n *kernel.Node) (kernel.Kernel, error) {
	var o textFile
	var err error
	if o.keyIndex, err = n.Attrs.Int("key_index", 0); err != nil {
		return nil, err
	}
	if o.valueIndex, err = n.Attrs.Int("value_index", 0); err != nil {
		return nil, err
	}
	if o.vocabSize, err = n.Attrs.Int("vocab_size", -1); err != nil {
		return nil, err
	}
	if o.offset, err = n.Attrs.Int("offset", 0); err != nil {
		return nil, err
	}
	delim, err := n.Attrs.String("delimiter", "\t")
	if err != nil {
		return nil, err
	}
	switch {
	case len(delim) != 1:
		return nil, n.AttrError("delimiter", kernel.Invalid("delimiter should be only 1 char"))
	case o.keyIndex < wholeLine || o.valueIndex < wholeLine:
		return nil, kernel.Invalid("key_index %d and value_index %d must be at least %d", o.keyIndex, o.valueIndex, wholeLine)
	case o.vocabSize < -1:
		return nil, n.AttrError("vocab_size", kernel.Invalid("must be at least -1, got %d", o.vocabSize))
	}
	o.delimiter = delim[0]
	return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		t, err := initializableTable(ctx, in, 2)
		if err != nil {
			return nil, err
		}
		if in[1].DType() != tensor.String || in[1].Rank() != 0 {
			return nil, kernel.Invalid("filename should be a single string, but got %v%v", in[1].DType(), in[1].Shape())
		}
		name := tensor.Values[string](in[1])[0]
		if name == "" {
			return nil, kernel.Invalid("filename cannot be empty.")
		}
		o := o
		o.kt, o.vt = t.keyType(), t.valueType()
		if err := o.check(); err != nil {
			return nil, err
		}
		data, err := readModelFile(ctx, name, t)
		if err != nil || data == nil {
			return nil, err
		}
		keys, values, err := o.parse(name, data)
		if err != nil {
			return nil, err
		}
		if err := t.initialize(keys, values); err != nil && !t.isInitialized() {
			return nil, fmt.Errorf("table %s from %q: %w", t.name(), name, err)
		}
		return nil, nil
	}, nil
}

// readModelFile reads the vocabulary file name, bounded by the tensor
// budget, or returns nil when table t is initialised already (after the
// file opened, as TensorFlow opens it before it looks).
func readModelFile(ctx *kernel.Context, name string, t table) ([]byte, error) {
	f, size, err := ctx.Resources.OpenModelFile(name, tensor.MaxTensorBytes())
	if err != nil {
		return nil, fmt.Errorf("table %s: vocabulary file %q: %w", t.name(), name, err)
	}
	defer f.Close()
	if t.isInitialized() {
		return nil, nil
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("table %s: vocabulary file %q: %w", t.name(), name, err)
	}
	return data, nil
}

// check applies InitializeTableFromTextFile's rules on indices and
// dtypes.
func (o textFile) check() error {
	wholeLineOK := func(dt tensor.DType) bool { return dt == tensor.String || dt.IsInteger() }
	switch {
	case o.keyIndex == lineNumber && o.kt != tensor.Int64:
		return kernel.Invalid("Key index for line number requires table key dtype of int64, got %v", o.kt)
	case o.keyIndex == wholeLine && !wholeLineOK(o.kt):
		return kernel.Invalid("Key index for whole line requires string or integer table key, got %v", o.kt)
	case o.valueIndex == lineNumber && o.vt != tensor.Int64:
		return kernel.Invalid("Value index for line number requires table value dtype of int64, got %v", o.vt)
	case o.valueIndex == wholeLine && !wholeLineOK(o.vt):
		return kernel.Invalid("Value index for whole line requires table value dtype of integer or string, got %v", o.vt)
	}
	return nil
}

// parse reads the keys and values of file name's contents, line by line
// as TensorFlow's TextFileLineIterator does: lines end at '\n' (a '\r'
// before it is dropped), an empty line is an error, a line has at least
// as many delimited columns as the indices need, and vocab_size, when
// set, is the exact number of lines read (a longer file is cut there).
func (o textFile) parse(name string, data []byte) (keys, values *tensor.Tensor, err error) {
	n := int64(bytes.Count(data, []byte{'\n'}) + 1)
	if o.vocabSize >= 0 {
		n = min(n, o.vocabSize)
	}
	for _, dt := range []tensor.DType{o.kt, o.vt} {
		if err := tensor.CheckAlloc(dt, tensor.Shape{int(n)}); err != nil {
			return nil, nil, err
		}
	}
	text := string(data) // one copy, which the string keys and values share
	kb, vb := newColumn(o.kt, int(n)), newColumn(o.vt, int(n))
	split := max(o.keyIndex, o.valueIndex) >= 0
	var id int64
	for pos := 0; o.vocabSize < 0 || id < o.vocabSize; id++ {
		if pos >= len(text) {
			break
		}
		line, next := text[pos:], len(text)
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line, next = line[:i], pos+i+1
		}
		line = strings.TrimSuffix(line, "\r")
		pos = next
		if line == "" {
			if pos == len(text) && !strings.HasSuffix(text, "\n") {
				break // a last "\r" without a newline is the end of the file
			}
			return nil, nil, kernel.Invalid("Invalid content in %s: empty line found at position %d.", name, pos)
		}
		var tokens []string
		if split {
			tokens = strings.Split(line, string(o.delimiter))
			if want := max(o.keyIndex, o.valueIndex) + 1; int64(len(tokens)) < want {
				return nil, nil, kernel.Invalid("Invalid number of columns in %s line %d (%s) : expected at least %d got %d", name, id, line, want, len(tokens))
			}
		}
		if err := kb.add(o.field(line, tokens, o.keyIndex, id, o.kt)); err != nil {
			return nil, nil, err
		}
		if err := vb.add(o.field(line, tokens, o.valueIndex, id, o.vt)); err != nil {
			return nil, nil, err
		}
	}
	if id == 0 {
		return nil, nil, kernel.Invalid("%s: the vocabulary file has no lines (End of file)", name)
	}
	if o.vocabSize >= 0 && id != o.vocabSize {
		return nil, nil, kernel.Invalid("Invalid vocab_size in %s: expected %d but got %d", name, o.vocabSize, id)
	}
	return kb.tensor(), vb.tensor(), nil
}

// field is SetValue: the value of column index of line id, as dt.
func (o textFile) field(line string, tokens []string, index, id int64, dt tensor.DType) (any, error) {
	if index == lineNumber {
		return id + o.offset, nil
	}
	token := line
	if index != wholeLine {
		token = tokens[index]
	}
	switch dt {
	case tensor.String:
		return token, nil
	case tensor.Int32:
		v, ok := parseInt(token, 32)
		if !ok {
			return nil, kernel.Invalid("Field %s in line %d is not a valid int32.", token, id)
		}
		return int32(v + o.offset), nil // TensorFlow adds the offset to int32 fields only
	case tensor.Int64:
		v, ok := parseInt(token, 64)
		if !ok {
			return nil, kernel.Invalid("Field %s in line %d is not a valid int64.", token, id)
		}
		return v, nil
	case tensor.Float32:
		v, ok := parseFloat(token, 32)
		if !ok {
			return nil, kernel.Invalid("Field %s in line %d is not a valid float.", token, id)
		}
		return float32(v), nil
	case tensor.Float64:
		v, ok := parseFloat(token, 64)
		if !ok {
			return nil, kernel.Invalid("Field %s in line %d is not a valid double.", token, id)
		}
		return v, nil
	}
	return nil, kernel.Invalid("Data type %v not supported.", dt)
}

// isSpace is C's isspace in the "C" locale.
func isSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// parseInt is TensorFlow's safe_strto32/safe_strto64: optional spaces, an
// optional '-' (no '+'), decimal digits, optional spaces, and no
// overflow.
func parseInt(s string, bits int) (int64, bool) {
	s = trimSpace(s)
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || digits[0] < '0' || digits[0] > '9' {
		return 0, false
	}
	for i := range len(digits) {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, bits)
	return v, err == nil
}

// fastToBufferSize is TensorFlow's kFastToBufferSize: safe_strtof and
// safe_strtod refuse longer strings.
const fastToBufferSize = 32

// parseFloat is TensorFlow's safe_strtof/safe_strtod: optional spaces
// around a decimal number, inf or nan (any case), shorter than 32 bytes;
// values out of range round to infinity or zero.
func parseFloat(s string, bits int) (float64, bool) {
	if len(s) >= fastToBufferSize {
		return 0, false
	}
	s = trimSpace(s)
	if strings.ContainsRune(s, '_') || strings.EqualFold(strings.TrimLeft(s, "+-"), "infinity") {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, bits)
	var ne *strconv.NumError
	if err != nil && !(errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange)) {
		return 0, false
	}
	if bits == 32 && !math.IsInf(v, 0) && !math.IsNaN(v) {
		v = float64(float32(v))
	}
	return v, true
}

// column collects the values of one dtype that parse reads.
type column struct {
	dt tensor.DType
	s  []string
	i  []int32
	l  []int64
	f  []float32
	d  []float64
}

func newColumn(dt tensor.DType, n int) *column {
	c := &column{dt: dt}
	switch dt {
	case tensor.String:
		c.s = make([]string, 0, n)
	case tensor.Int32:
		c.i = make([]int32, 0, n)
	case tensor.Int64:
		c.l = make([]int64, 0, n)
	case tensor.Float32:
		c.f = make([]float32, 0, n)
	case tensor.Float64:
		c.d = make([]float64, 0, n)
	}
	return c
}

// add appends v, the result of field, or returns its error.
func (c *column) add(v any, err error) error {
	if err != nil {
		return err
	}
	switch v := v.(type) {
	case string:
		c.s = append(c.s, v)
	case int32:
		c.i = append(c.i, v)
	case int64:
		c.l = append(c.l, v)
	case float32:
		c.f = append(c.f, v)
	case float64:
		c.d = append(c.d, v)
	}
	return nil
}

func (c *column) tensor() *tensor.Tensor {
	switch c.dt {
	case tensor.String:
		return tensor.MustFromSlice(tensor.Shape{len(c.s)}, c.s)
	case tensor.Int32:
		return tensor.MustFromSlice(tensor.Shape{len(c.i)}, c.i)
	case tensor.Int64:
		return tensor.MustFromSlice(tensor.Shape{len(c.l)}, c.l)
	case tensor.Float32:
		return tensor.MustFromSlice(tensor.Shape{len(c.f)}, c.f)
	default:
		return tensor.MustFromSlice(tensor.Shape{len(c.d)}, c.d)
	}
}
