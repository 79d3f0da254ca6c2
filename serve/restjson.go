package serve

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// predictBody is a REST predict request before its values are typed.
type predictBody struct {
	SignatureName string
	Instances     any // row format; nil when absent
	Inputs        any // columnar format; nil when absent
	hasInstances  bool
	hasInputs     bool
}

// decodeJSON parses a JSON document keeping numbers exact (json.Number)
// and refusing trailing data.
func decodeJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("JSON parse error: %w", err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("JSON parse error: data after the top-level value")
	}
	return v, nil
}

// parsePredictBody reads the envelope of a predict request: signature_name
// and exactly one of instances (row format) or inputs (columnar format).
func parsePredictBody(body []byte) (predictBody, error) {
	v, err := decodeJSON(body)
	if err != nil {
		return predictBody{}, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return predictBody{}, fmt.Errorf("the request body must be a JSON object")
	}
	var pb predictBody
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		switch k {
		case "signature_name":
			s, ok := obj[k].(string)
			if !ok {
				return pb, fmt.Errorf("'signature_name' must be a string")
			}
			pb.SignatureName = s
		case "instances":
			pb.Instances, pb.hasInstances = obj[k], true
		case "inputs":
			pb.Inputs, pb.hasInputs = obj[k], true
		default:
			return pb, fmt.Errorf("unknown key %q in the request (expected signature_name and instances or inputs)", k)
		}
	}
	switch {
	case pb.hasInstances && pb.hasInputs:
		return pb, fmt.Errorf("a predict request cannot have both 'instances' and 'inputs'")
	case !pb.hasInstances && !pb.hasInputs:
		return pb, fmt.Errorf("missing 'inputs' or 'instances' key")
	}
	return pb, nil
}

// predictInputs types a predict request's values by the signature's inputs.
// Row format: instances is a list, one entry per example; with a single
// input an entry is that input's value, otherwise an object keyed by input
// name; the input tensors stack the entries along a new dimension 0.
// Columnar format: inputs is the single input's value, or an object keyed
// by input name.
func predictInputs(pb predictBody, sig *graph.Signature) (map[string]*tensor.Tensor, error) {
	out := map[string]*tensor.Tensor{}
	if pb.hasInputs {
		if len(sig.Inputs) == 1 && !isNamedObject(pb.Inputs) {
			t, err := jsonTensor(pb.Inputs, sig.Inputs[0])
			if err != nil {
				return nil, err
			}
			out[sig.Inputs[0].Key] = t
			return out, nil
		}
		obj, ok := pb.Inputs.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("'inputs' must be an object keyed by input name: the signature has %d inputs", len(sig.Inputs))
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			info, ok := inputInfo(sig, k)
			if !ok {
				return nil, fmt.Errorf("input tensor alias not found in signature: %s", k)
			}
			t, err := jsonTensor(obj[k], info)
			if err != nil {
				return nil, err
			}
			out[k] = t
		}
		return out, nil
	}
	list, ok := pb.Instances.([]any)
	if !ok {
		return nil, fmt.Errorf("'instances' must be a list")
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("'instances' is an empty list")
	}
	cols := map[string][]any{}
	single := len(sig.Inputs) == 1
	for i, inst := range list {
		if single && !isNamedObject(inst) {
			cols[sig.Inputs[0].Key] = append(cols[sig.Inputs[0].Key], inst)
			continue
		}
		obj, ok := inst.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("instance %d must be an object keyed by input name: the signature has %d inputs", i, len(sig.Inputs))
		}
		if i > 0 && len(obj) != len(cols) {
			return nil, fmt.Errorf("instance %d names %d inputs, instance 0 named %d", i, len(obj), len(cols))
		}
		for k, v := range obj {
			if i > 0 && cols[k] == nil {
				return nil, fmt.Errorf("instance %d names input %s, which instance 0 did not", i, k)
			}
			cols[k] = append(cols[k], v)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(cols)) {
		info, ok := inputInfo(sig, k)
		if !ok {
			return nil, fmt.Errorf("input tensor alias not found in signature: %s", k)
		}
		t, err := jsonTensor(cols[k], info)
		if err != nil {
			return nil, err
		}
		out[k] = t
	}
	return out, nil
}

func inputInfo(sig *graph.Signature, key string) (graph.TensorInfo, bool) {
	i := slices.IndexFunc(sig.Inputs, func(in graph.TensorInfo) bool { return in.Key == key })
	if i < 0 {
		return graph.TensorInfo{}, false
	}
	return sig.Inputs[i], true
}

// isNamedObject reports a JSON object other than a {"b64": ...} value.
func isNamedObject(v any) bool {
	obj, ok := v.(map[string]any)
	if !ok {
		return false
	}
	_, b64 := obj["b64"]
	return !(b64 && len(obj) == 1)
}

// jsonTensor converts a JSON value (a scalar or rectangular nested lists)
// to a tensor of the input's dtype.
func jsonTensor(v any, info graph.TensorInfo) (*tensor.Tensor, error) {
	var shape tensor.Shape
	var leaves []any
	if err := walkJSON(v, 0, &shape, &leaves); err != nil {
		return nil, fmt.Errorf("input %s: %w", info.Key, err)
	}
	dt := info.DType
	if dt == tensor.Invalid {
		dt = tensor.Float32
	}
	t, err := leavesTensor(dt, shape, leaves)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", info.Key, err)
	}
	return t, nil
}

// maxJSONRank bounds the nesting of a JSON tensor (TensorFlow's own limit
// on ranks is 254).
const maxJSONRank = 254

// walkJSON records v's shape (on first visit of each depth) and its leaves
// in row-major order, refusing ragged lists.
func walkJSON(v any, depth int, shape *tensor.Shape, leaves *[]any) error {
	list, isList := v.([]any)
	if depth > maxJSONRank {
		return fmt.Errorf("nested deeper than %d lists", maxJSONRank)
	}
	if depth == len(*shape) && len(*leaves) == 0 && isList {
		*shape = append(*shape, len(list))
	}
	switch {
	case isList:
		if depth >= len(*shape) || (*shape)[depth] != len(list) {
			return fmt.Errorf("lists of different lengths or depths at nesting level %d (a tensor must be rectangular)", depth)
		}
		for _, e := range list {
			if err := walkJSON(e, depth+1, shape, leaves); err != nil {
				return err
			}
		}
		if len(list) == 0 && depth+1 < len(*shape) {
			return fmt.Errorf("an empty list at nesting level %d where level %d has values", depth, depth+1)
		}
		return nil
	case depth != len(*shape):
		return fmt.Errorf("a value at nesting level %d where lists are %d deep (a tensor must be rectangular)", depth, len(*shape))
	}
	*leaves = append(*leaves, v)
	return nil
}

// leavesTensor types the leaves as dt.
func leavesTensor(dt tensor.DType, shape tensor.Shape, leaves []any) (*tensor.Tensor, error) {
	if len(leaves) != shape.NumElements() {
		return nil, fmt.Errorf("a tensor must be rectangular: %d values for shape %v", len(leaves), shape)
	}
	switch {
	case dt == tensor.String:
		vals := make([]string, len(leaves))
		for i, l := range leaves {
			s, err := jsonString(l)
			if err != nil {
				return nil, err
			}
			vals[i] = s
		}
		return tensor.FromSlice(shape, vals)
	case dt == tensor.Bool:
		vals := make([]bool, len(leaves))
		for i, l := range leaves {
			b, ok := l.(bool)
			if !ok {
				return nil, fmt.Errorf("expects bool but got %s", jsonKind(l))
			}
			vals[i] = b
		}
		return tensor.FromSlice(shape, vals)
	case dt == tensor.Int64 || dt == tensor.Uint64:
		if dt == tensor.Uint64 {
			vals := make([]uint64, len(leaves))
			for i, l := range leaves {
				n, ok := l.(json.Number)
				if !ok {
					return nil, fmt.Errorf("expects uint64 but got %s", jsonKind(l))
				}
				u, err := strconv.ParseUint(string(n), 10, 64)
				if err != nil {
					return nil, fmt.Errorf("expects uint64 but got %s", n)
				}
				vals[i] = u
			}
			return tensor.FromSlice(shape, vals)
		}
		vals := make([]int64, len(leaves))
		for i, l := range leaves {
			n, ok := l.(json.Number)
			if !ok {
				return nil, fmt.Errorf("expects int64 but got %s", jsonKind(l))
			}
			v, err := strconv.ParseInt(string(n), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("expects int64 but got %s", n)
			}
			vals[i] = v
		}
		return tensor.FromSlice(shape, vals)
	case dt.IsInteger():
		vals := make([]float64, len(leaves))
		lo, hi := intRange(dt)
		for i, l := range leaves {
			n, ok := l.(json.Number)
			if !ok {
				return nil, fmt.Errorf("expects %v but got %s", dt, jsonKind(l))
			}
			v, err := strconv.ParseInt(string(n), 10, 64)
			if err != nil || v < lo || v > hi {
				return nil, fmt.Errorf("expects %v but got %s", dt, n)
			}
			vals[i] = float64(v)
		}
		return tensor.FromFloat64s(dt, shape, vals)
	case dt.IsFloat():
		vals := make([]float64, len(leaves))
		for i, l := range leaves {
			n, ok := l.(json.Number)
			if !ok {
				return nil, fmt.Errorf("expects %v but got %s", dt, jsonKind(l))
			}
			v, err := strconv.ParseFloat(string(n), 64)
			if err != nil {
				return nil, fmt.Errorf("expects %v but got %s", dt, n)
			}
			vals[i] = v
		}
		return tensor.FromFloat64s(dt, shape, vals)
	}
	return nil, fmt.Errorf("dtype %v cannot be given in JSON", dt)
}

func intRange(dt tensor.DType) (int64, int64) {
	switch dt {
	case tensor.Int8:
		return math.MinInt8, math.MaxInt8
	case tensor.Int16:
		return math.MinInt16, math.MaxInt16
	case tensor.Int32:
		return math.MinInt32, math.MaxInt32
	case tensor.Uint8:
		return 0, math.MaxUint8
	case tensor.Uint16:
		return 0, math.MaxUint16
	case tensor.Uint32:
		return 0, math.MaxUint32
	}
	return math.MinInt64, math.MaxInt64
}

// jsonString reads a string value: a JSON string, or {"b64": "..."} for
// binary data (standard base64).
func jsonString(l any) (string, error) {
	switch v := l.(type) {
	case string:
		return v, nil
	case map[string]any:
		s, ok := v["b64"].(string)
		if !ok || len(v) != 1 {
			return "", fmt.Errorf("expects a string or {\"b64\": \"...\"} but got an object")
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return "", fmt.Errorf("'b64' value is not valid base64: %w", err)
		}
		return string(b), nil
	}
	return "", fmt.Errorf("expects string but got %s", jsonKind(l))
}

func jsonKind(l any) string {
	switch v := l.(type) {
	case json.Number:
		return "number " + string(v)
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	}
	return "a list"
}

// featureOf converts a REST classify/regress feature value: integers (no
// fraction or exponent) become an int64_list, other numbers a float_list,
// strings and {"b64": ...} a bytes_list; a list takes one kind (integers
// among floats read as floats).
func featureOf(name string, v any) (*tfpb.Feature, error) {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var ints []int64
	var floats []float32
	var bytes [][]byte
	allInt := true
	for _, e := range list {
		if n, ok := e.(json.Number); ok && strings.ContainsAny(string(n), ".eE") {
			allInt = false
		}
	}
	for _, e := range list {
		switch x := e.(type) {
		case json.Number:
			if allInt {
				i, err := strconv.ParseInt(string(x), 10, 64)
				if err != nil {
					return nil, fmt.Errorf("feature %s: %s is out of int64 range", name, x)
				}
				ints = append(ints, i)
			} else {
				f, err := strconv.ParseFloat(string(x), 32)
				if err != nil && !isRangeErr(err) {
					return nil, fmt.Errorf("feature %s: %s is not a number", name, x)
				}
				floats = append(floats, float32(f))
			}
		case string, map[string]any:
			s, err := jsonString(x)
			if err != nil {
				return nil, fmt.Errorf("feature %s: %w", name, err)
			}
			bytes = append(bytes, []byte(s))
		default:
			return nil, fmt.Errorf("feature %s: expects numbers or strings but got %s", name, jsonKind(e))
		}
	}
	kinds := 0
	for _, n := range []int{len(ints), len(floats), len(bytes)} {
		if n > 0 {
			kinds++
		}
	}
	switch {
	case kinds > 1:
		return nil, fmt.Errorf("feature %s mixes numbers and strings", name)
	case len(bytes) > 0:
		return &tfpb.Feature{Kind: &tfpb.Feature_BytesList{BytesList: &tfpb.BytesList{Value: bytes}}}, nil
	case len(ints) > 0:
		return &tfpb.Feature{Kind: &tfpb.Feature_Int64List{Int64List: &tfpb.Int64List{Value: ints}}}, nil
	}
	return &tfpb.Feature{Kind: &tfpb.Feature_FloatList{FloatList: &tfpb.FloatList{Value: floats}}}, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// exampleOf converts a REST example object to a tf.Example.
func exampleOf(v any) (*tfpb.Example, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("an example must be an object of features, got %s", jsonKind(v))
	}
	ex := &tfpb.Example{Features: &tfpb.Features{Feature: map[string]*tfpb.Feature{}}}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		f, err := featureOf(k, obj[k])
		if err != nil {
			return nil, err
		}
		ex.Features.Feature[k] = f
	}
	return ex, nil
}

// parseExamplesBody reads a REST classify or regress request:
// {"signature_name": ..., "context": {...}, "examples": [{...}, ...]}.
func parseExamplesBody(body []byte) (sigName string, examples []*tfpb.Example, exCtx *tfpb.Example, err error) {
	v, err := decodeJSON(body)
	if err != nil {
		return "", nil, nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return "", nil, nil, fmt.Errorf("the request body must be a JSON object")
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		switch k {
		case "signature_name":
			s, ok := obj[k].(string)
			if !ok {
				return "", nil, nil, fmt.Errorf("'signature_name' must be a string")
			}
			sigName = s
		case "context":
			if exCtx, err = exampleOf(obj[k]); err != nil {
				return "", nil, nil, fmt.Errorf("context: %w", err)
			}
		case "examples":
			list, ok := obj[k].([]any)
			if !ok {
				return "", nil, nil, fmt.Errorf("'examples' must be a list")
			}
			for i, e := range list {
				ex, err := exampleOf(e)
				if err != nil {
					return "", nil, nil, fmt.Errorf("example %d: %w", i, err)
				}
				examples = append(examples, ex)
			}
		default:
			return "", nil, nil, fmt.Errorf("unknown key %q in the request (expected signature_name, context and examples)", k)
		}
	}
	if examples == nil {
		return "", nil, nil, fmt.Errorf("missing 'examples' key")
	}
	return sigName, examples, exCtx, nil
}

// writeTensorJSON writes t (or its row when row ≥ 0) as nested JSON lists.
// Floats use the shortest form that reads back exactly (whole numbers as
// "3.0"); NaN and infinities as TensorFlow Serving writes them (NaN,
// Infinity, -Infinity). Strings are JSON strings, or {"b64": ...} when the
// output's key ends in "_bytes" or the bytes are not UTF-8.
func writeTensorJSON(b *bytes.Buffer, t *tensor.Tensor, row int, binary bool) error {
	shape := t.Shape()
	off := 0
	if row >= 0 {
		per := 1
		for _, d := range shape[1:] {
			per *= d
		}
		off, shape = row*per, shape[1:]
	}
	var write func(i int)
	switch data := t.Data().(type) {
	case []string:
		write = func(i int) {
			s := data[i]
			if binary || !utf8.ValidString(s) {
				b.WriteString(`{"b64":"` + base64.StdEncoding.EncodeToString([]byte(s)) + `"}`)
				return
			}
			enc, _ := json.Marshal(s)
			b.Write(enc)
		}
	case []bool:
		write = func(i int) { b.WriteString(strconv.FormatBool(data[i])) }
	default:
		if !t.DType().IsNumeric() || t.DType().IsComplex() {
			return fmt.Errorf("output of dtype %v cannot be written as JSON", t.DType())
		}
		vals, err := tensor.Float64s(t)
		if err != nil {
			return err
		}
		isFloat := t.DType().IsFloat()
		if t.DType() == tensor.Int64 || t.DType() == tensor.Uint64 {
			// Exact for every 64-bit value, which float64 is not.
			write = func(i int) { fmt.Fprint(b, reflectIndex(t.Data(), i)) }
			break
		}
		bits := 64
		if t.DType() != tensor.Float64 {
			bits = 32
		}
		write = func(i int) { b.WriteString(formatJSONNumber(vals[i], isFloat, bits)) }
	}
	var rec func(dim, base int)
	rec = func(dim, base int) {
		if dim == len(shape) {
			write(base)
			return
		}
		stride := 1
		for _, d := range shape[dim+1:] {
			stride *= d
		}
		b.WriteByte('[')
		for i := range shape[dim] {
			if i > 0 {
				b.WriteByte(',')
			}
			rec(dim+1, base+i*stride)
		}
		b.WriteByte(']')
	}
	rec(0, off)
	return nil
}

func reflectIndex(data any, i int) any {
	switch d := data.(type) {
	case []int64:
		return d[i]
	case []uint64:
		return d[i]
	}
	return nil
}

func formatJSONNumber(v float64, isFloat bool, bits int) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	case !isFloat:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	s := strconv.FormatFloat(v, 'g', -1, bits)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}
