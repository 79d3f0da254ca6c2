package tensor

import (
	"errors"
	"fmt"

	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/internal/tfpb"
)

// ErrProto reports a TensorProto whose contents do not describe a tensor.
var ErrProto = errors.New("tensor: bad TensorProto")

// maxFillElements bounds tensors built from typed values (1 GiB of
// float32): beyond it a TensorProto is rejected rather than allocated.
const maxFillElements = 1 << 28

// FromTFProto converts a TensorFlow TensorProto into a Tensor. It accepts
// every encoding TensorFlow writes: raw tensor_content, the typed *_val
// fields (with fewer values than elements meaning the last value repeats, as
// TensorFlow's own reader does, and no values meaning zeros), half_val for
// float16 and bfloat16, string_val, and resource_handle_val/variant_val,
// whose elements become *tfpb.ResourceHandleProto and
// *tfpb.VariantTensorDataProto values.
func FromTFProto(p *tfpb.TensorProto) (*Tensor, error) {
	dt := DType(p.GetDtype())
	if !dt.Valid() {
		return nil, fmt.Errorf("%w: unsupported dtype %v", ErrProto, p.GetDtype())
	}
	shape, err := tfShape(p.GetTensorShape())
	if err != nil {
		return nil, err
	}
	n := shape.NumElements()
	if content := p.GetTensorContent(); len(content) > 0 {
		if !dt.FixedSize() {
			return nil, fmt.Errorf("%w: %v tensor with tensor_content", ErrProto, dt)
		}
		if want := n * dt.Size(); len(content) != want {
			return nil, fmt.Errorf("%w: %v%v needs %d bytes of tensor_content, has %d", ErrProto, dt, shape, want, len(content))
		}
		return FromBytes(dt, shape, content)
	}
	// Typed values may be fewer than the elements (a broadcast fill), so a
	// tiny proto can declare a huge tensor; refuse what no model needs
	// rather than exhaust memory.
	if n > maxFillElements {
		return nil, fmt.Errorf("%w: %v%v has %d elements, more than the %d a constant may fill", ErrProto, dt, shape, n, maxFillElements)
	}
	t := MustNew(dt, shape)
	switch out := t.data.(type) {
	case []float32:
		err = fill(out, p.GetFloatVal(), func(v float32) float32 { return v })
	case []float64:
		err = fill(out, p.GetDoubleVal(), func(v float64) float64 { return v })
	case []int32:
		err = fill(out, p.GetIntVal(), func(v int32) int32 { return v })
	case []int16:
		err = fill(out, p.GetIntVal(), func(v int32) int16 { return int16(v) })
	case []int8:
		err = fill(out, p.GetIntVal(), func(v int32) int8 { return int8(v) })
	case []uint8:
		err = fill(out, p.GetIntVal(), func(v int32) uint8 { return uint8(v) })
	case []uint16:
		err = fill(out, p.GetIntVal(), func(v int32) uint16 { return uint16(v) })
	case []int64:
		err = fill(out, p.GetInt64Val(), func(v int64) int64 { return v })
	case []uint32:
		err = fill(out, p.GetUint32Val(), func(v uint32) uint32 { return v })
	case []uint64:
		err = fill(out, p.GetUint64Val(), func(v uint64) uint64 { return v })
	case []bool:
		err = fill(out, p.GetBoolVal(), func(v bool) bool { return v })
	case []F16:
		err = fill(out, p.GetHalfVal(), func(v int32) F16 { return F16(v) })
	case []BF16:
		err = fill(out, p.GetHalfVal(), func(v int32) BF16 { return BF16(v) })
	case []string:
		err = fill(out, p.GetStringVal(), func(v []byte) string { return string(v) })
	case []complex64:
		err = fill(out, pairs(p.GetScomplexVal()), func(v [2]float32) complex64 { return complex(v[0], v[1]) })
	case []complex128:
		err = fill(out, pairs(p.GetDcomplexVal()), func(v [2]float64) complex128 { return complex(v[0], v[1]) })
	case []any:
		if dt == Resource {
			err = fill(out, p.GetResourceHandleVal(), func(v *tfpb.ResourceHandleProto) any { return v })
		} else {
			err = fill(out, p.GetVariantVal(), func(v *tfpb.VariantTensorDataProto) any { return v })
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v%v: %v", ErrProto, dt, shape, err)
	}
	return t, nil
}

// fill converts vals into out. Fewer values than elements repeat the last
// one (TensorFlow writes a constant fill as one value); none leaves zeros.
func fill[S, D any](out []D, vals []S, conv func(S) D) error {
	if len(vals) > len(out) {
		return fmt.Errorf("%d values for %d elements", len(vals), len(out))
	}
	for i, v := range vals {
		out[i] = conv(v)
	}
	if len(vals) > 0 && len(vals) < len(out) {
		last := out[len(vals)-1]
		for i := len(vals); i < len(out); i++ {
			out[i] = last
		}
	}
	return nil
}

func pairs[F float32 | float64](vals []F) [][2]F {
	out := make([][2]F, len(vals)/2)
	for i := range out {
		out[i] = [2]F{vals[2*i], vals[2*i+1]}
	}
	return out
}

func tfShape(s *tfpb.TensorShapeProto) (Shape, error) {
	if s.GetUnknownRank() {
		return nil, fmt.Errorf("%w: shape of unknown rank", ErrProto)
	}
	dims := make([]int64, len(s.GetDim()))
	for i, d := range s.GetDim() {
		dims[i] = d.GetSize()
	}
	shape, err := ShapeFromInt64s(dims)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProto, err)
	}
	return shape, nil
}

// TFShapeProto converts a concrete shape into a TensorShapeProto.
func TFShapeProto(s Shape) *tfpb.TensorShapeProto {
	p := &tfpb.TensorShapeProto{Dim: make([]*tfpb.TensorShapeProto_Dim, len(s))}
	for i, d := range s {
		p.Dim[i] = &tfpb.TensorShapeProto_Dim{Size: int64(d)}
	}
	return p
}

// ToTFProto converts t into a TensorFlow TensorProto: fixed-size dtypes as
// tensor_content, strings as string_val, resource and variant elements
// (which must be *tfpb.ResourceHandleProto / *tfpb.VariantTensorDataProto)
// as their typed fields.
func ToTFProto(t *Tensor) (*tfpb.TensorProto, error) {
	p := &tfpb.TensorProto{Dtype: tfpb.DataType(t.dtype), TensorShape: TFShapeProto(t.shape)}
	switch v := t.data.(type) {
	case []string:
		p.StringVal = make([][]byte, len(v))
		for i, s := range v {
			p.StringVal[i] = []byte(s)
		}
	case []bool:
		p.TensorContent = boolBytes(v)
	case []any:
		for i, x := range v {
			switch h := x.(type) {
			case *tfpb.ResourceHandleProto:
				p.ResourceHandleVal = append(p.ResourceHandleVal, h)
			case *tfpb.VariantTensorDataProto:
				p.VariantVal = append(p.VariantVal, h)
			default:
				return nil, fmt.Errorf("tensor: element %d of a %v tensor is a %T, which has no TensorProto form", i, t.dtype, x)
			}
		}
	default:
		p.TensorContent = append([]byte(nil), t.Bytes()...)
	}
	return p, nil
}

func boolBytes(v []bool) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		if x {
			b[i] = 1
		}
	}
	return b
}

// onnxTypes maps ONNX TensorProto.DataType numbers (the C API's
// ONNXTensorElementDataType) to DTypes; Invalid means none. It is the one
// table of the correspondence: the engine and the translators use it too.
var onnxTypes = [...]DType{
	onnxpb.TensorProto_FLOAT: Float32, onnxpb.TensorProto_DOUBLE: Float64,
	onnxpb.TensorProto_FLOAT16: Float16, onnxpb.TensorProto_BFLOAT16: BFloat16,
	onnxpb.TensorProto_INT8: Int8, onnxpb.TensorProto_INT16: Int16,
	onnxpb.TensorProto_INT32: Int32, onnxpb.TensorProto_INT64: Int64,
	onnxpb.TensorProto_UINT8: Uint8, onnxpb.TensorProto_UINT16: Uint16,
	onnxpb.TensorProto_UINT32: Uint32, onnxpb.TensorProto_UINT64: Uint64,
	onnxpb.TensorProto_BOOL: Bool, onnxpb.TensorProto_STRING: String,
	onnxpb.TensorProto_COMPLEX64: Complex64, onnxpb.TensorProto_COMPLEX128: Complex128,
}

// toONNX is the inverse of onnxTypes, indexed by DType.
var toONNX = func() (m [32]int32) {
	for o, d := range onnxTypes {
		if d != Invalid {
			m[d] = int32(o)
		}
	}
	return m
}()

// FromONNXType returns the DType of an ONNX TensorProto.DataType number.
func FromONNXType(t int32) (DType, error) {
	if t > 0 && int(t) < len(onnxTypes) && onnxTypes[t] != Invalid {
		return onnxTypes[t], nil
	}
	return Invalid, fmt.Errorf("tensor: ONNX element type %v is not supported", onnxpb.TensorProto_DataType(t))
}

// ONNXType returns the ONNX TensorProto.DataType number of d.
func ONNXType(d DType) (int32, error) {
	if d > 0 && int(d) < len(toONNX) && toONNX[d] != 0 {
		return toONNX[d], nil
	}
	return 0, fmt.Errorf("tensor: %v has no ONNX element type", d)
}

// FromONNXProto converts an ONNX TensorProto (raw_data or the typed *_data
// fields) into a Tensor. Externally stored and segmented tensors are an
// error.
func FromONNXProto(p *onnxpb.TensorProto) (*Tensor, error) {
	if p.GetDataLocation() == onnxpb.TensorProto_EXTERNAL || len(p.GetExternalData()) > 0 {
		return nil, fmt.Errorf("%w: tensor %q keeps its data in an external file", ErrProto, p.GetName())
	}
	if p.Segment != nil {
		return nil, fmt.Errorf("%w: tensor %q is a segment", ErrProto, p.GetName())
	}
	dt, err := FromONNXType(p.GetDataType())
	if err != nil {
		return nil, fmt.Errorf("%w: tensor %q: %v", ErrProto, p.GetName(), err)
	}
	shape, err := ShapeFromInt64s(p.GetDims())
	if err != nil {
		return nil, fmt.Errorf("%w: tensor %q: %v", ErrProto, p.GetName(), err)
	}
	if p.RawData != nil {
		if dt == String {
			return nil, fmt.Errorf("%w: string tensor %q with raw_data", ErrProto, p.GetName())
		}
		t, err := FromBytes(dt, shape, p.GetRawData())
		if err != nil {
			return nil, fmt.Errorf("%w: tensor %q: %v", ErrProto, p.GetName(), err)
		}
		return t, nil
	}
	t := MustNew(dt, shape)
	exact := func(have int) error {
		if have != t.NumElements() {
			return fmt.Errorf("%w: tensor %q: %v%v has %d values", ErrProto, p.GetName(), dt, shape, have)
		}
		return nil
	}
	i32 := p.GetInt32Data()
	switch out := t.data.(type) {
	case []float32:
		err = exact(len(p.GetFloatData()))
		copy(out, p.GetFloatData())
	case []float64:
		err = exact(len(p.GetDoubleData()))
		copy(out, p.GetDoubleData())
	case []int64:
		err = exact(len(p.GetInt64Data()))
		copy(out, p.GetInt64Data())
	case []string:
		err = exact(len(p.GetStringData()))
		for i, s := range p.GetStringData() {
			out[i] = string(s)
		}
	case []complex64:
		err = exact(len(p.GetFloatData()) / 2)
		for i := range out {
			out[i] = complex(p.FloatData[2*i], p.FloatData[2*i+1])
		}
	case []complex128:
		err = exact(len(p.GetDoubleData()) / 2)
		for i := range out {
			out[i] = complex(p.DoubleData[2*i], p.DoubleData[2*i+1])
		}
	case []uint32:
		err = exact(len(p.GetUint64Data()))
		for i, v := range p.GetUint64Data() {
			out[i] = uint32(v)
		}
	case []uint64:
		err = exact(len(p.GetUint64Data()))
		copy(out, p.GetUint64Data())
	default: // the int32_data types
		if err = exact(len(i32)); err != nil {
			break
		}
		convertInt32Data(out, i32)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

func convertInt32Data(out any, in []int32) {
	switch o := out.(type) {
	case []int32:
		copy(o, in)
	case []int16:
		convertInts(o, in)
	case []int8:
		convertInts(o, in)
	case []uint8:
		convertInts(o, in)
	case []uint16:
		convertInts(o, in)
	case []F16:
		for i, v := range in {
			o[i] = F16(v)
		}
	case []BF16:
		for i, v := range in {
			o[i] = BF16(v)
		}
	case []bool:
		for i, v := range in {
			o[i] = v != 0
		}
	}
}

func convertInts[D int8 | int16 | uint8 | uint16](out []D, in []int32) {
	for i, v := range in {
		out[i] = D(v)
	}
}

// ToONNXProto converts t into an ONNX TensorProto named name: raw_data for
// fixed-size dtypes, string_data for strings.
func ToONNXProto(t *Tensor, name string) (*onnxpb.TensorProto, error) {
	ot, err := ONNXType(t.dtype)
	if err != nil {
		return nil, err
	}
	p := &onnxpb.TensorProto{Name: &name, DataType: &ot, Dims: t.shape.Int64s()}
	switch v := t.data.(type) {
	case []string:
		p.StringData = make([][]byte, len(v))
		for i, s := range v {
			p.StringData[i] = []byte(s)
		}
	case []bool:
		p.RawData = boolBytes(v)
	default:
		p.RawData = append([]byte{}, t.Bytes()...)
	}
	return p, nil
}
