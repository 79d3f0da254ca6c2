package parsing

import (
	"errors"
	"math"
	"strings"
	"unsafe"

	"github.com/tfoffload/tfoffload/tensor"
)

// The one-byte wire tags (field number << 3 | wire type) the Example
// messages use: field 1, 2 or 3 length-delimited (Example.features,
// Features.feature, a map entry's key and value, the Feature oneof, the
// lists' values), and the unpacked forms of Int64List and FloatList.
const (
	delimited1 = 1<<3 | 2
	delimited2 = 2<<3 | 2
	delimited3 = 3<<3 | 2
	varint1    = 1<<3 | 0
	fixed32One = 1<<3 | 5
)

// errMalformed reports an Example that TensorFlow's parser rejects as a
// whole ("Could not parse example input").
var errMalformed = errors.New("malformed Example")

// entry is a feature of an Example that the parse asks for: where its key
// stands in the parse's table, and the serialized Feature.
type entry struct {
	ref     ref
	feature string
}

// splitExample returns the entries of the serialized Example b whose keys
// keys holds, in the order they appear, appended to out[:0]. It reads b
// as TensorFlow's fast parser does: several Features fields concatenate,
// other top-level fields are skipped, and each map entry must hold exactly
// two fields, the key and the value, in either order (a repeated key field
// counts twice and leaves the value empty). Bytes that parser rejects give
// errMalformed.
func splitExample(b string, keys map[string]ref, out []entry) ([]entry, error) {
	out = out[:0]
	s := newStream(b)
	for !s.atEnd() {
		if !s.expectTag(delimited1) {
			if !s.skipField(s.tag()) {
				return nil, errMalformed
			}
			continue
		}
		n, ok := s.varint32()
		if !ok {
			return nil, errMalformed
		}
		features := s.pushLimit(n)
		for !s.atEnd() {
			if !s.expectTag(delimited1) {
				return nil, errMalformed
			}
			key, feature, ok := mapEntry(&s)
			if !ok {
				return nil, errMalformed
			}
			r, wanted := keys[key]
			if !wanted {
				continue
			}
			if len(out) == cap(out) {
				// The entries are scratch memory sized by the data.
				if err := tensor.CheckAlloc(tensor.Uint8, tensor.Shape{2*len(out) + 1, int(unsafe.Sizeof(entry{}))}); err != nil {
					return nil, err
				}
			}
			out = append(out, entry{r, feature})
		}
		s.popLimit(features)
	}
	return out, nil
}

// mapEntry reads one length-prefixed entry of Features.feature.
func mapEntry(s *stream) (key, feature string, ok bool) {
	n, ok := s.varint32()
	if !ok {
		return "", "", false
	}
	outer := s.pushLimit(n)
	for range 2 {
		switch s.tag() {
		case delimited1:
			key, ok = s.lengthPrefixed()
		case delimited2:
			feature, ok = s.lengthPrefixed()
		default:
			ok = false
		}
		if !ok {
			return "", "", false
		}
	}
	if !s.atEnd() {
		return "", "", false
	}
	s.popLimit(outer)
	return key, feature, true
}

// errUnsupportedKind is TensorFlow's error for a requested Feature whose
// first byte is not one of the three list tags.
var errUnsupportedKind = errors.New("unsupported Feature kind")

// featureList reads the oneof tag that starts a serialized Feature: the
// dtype of its list and the bytes after the tag. An empty Feature (no kind
// set) has dtype Invalid. Only the first list is read, as TensorFlow does;
// whatever follows it in the Feature is ignored.
func featureList(f string) (tensor.DType, string, error) {
	if f == "" {
		return tensor.Invalid, "", nil
	}
	switch f[0] {
	case delimited1:
		return tensor.String, f[1:], nil
	case delimited2:
		return tensor.Float32, f[1:], nil
	case delimited3:
		return tensor.Int64, f[1:], nil
	}
	return tensor.Invalid, "", errUnsupportedKind
}

// openList starts reading a list message (the bytes after a Feature's
// oneof tag): its length, then a stream limited to it.
func openList(list string) (stream, bool) {
	s := newStream(list)
	n, ok := s.varint32()
	if !ok {
		return s, false
	}
	s.pushLimit(n)
	return s, true
}

// decodeInt64s decodes an Int64List, packed or not, writing its first
// len(dst) values to dst, and returns how many values it holds. Only the
// first packed field is read.
func decodeInt64s(list string, dst []int64) (int, bool) {
	s, ok := openList(list)
	if !ok {
		return 0, false
	}
	if s.atEnd() {
		return 0, true
	}
	switch s.peekTag() {
	case delimited1:
		s.pos++
		m, ok := s.varint32()
		if !ok {
			return 0, false
		}
		s.pushLimit(m)
		n := 0
		for !s.atEnd() {
			v, ok := readInt64(&s)
			if !ok {
				return 0, false
			}
			if n < len(dst) {
				dst[n] = v
			}
			n++
		}
		return n, true
	case varint1:
		return unpacked(&s, varint1, readInt64, dst)
	}
	return 0, false
}

func readInt64(s *stream) (int64, bool) {
	v, ok := s.varint64()
	return int64(v), ok
}

func readFloat(s *stream) (float32, bool) {
	v, ok := s.fixed32()
	return math.Float32frombits(v), ok
}

// unpacked reads the unpacked form of a repeated number field up to the
// limit (tag, value, tag, value, ...), writing the first len(dst) values
// to dst, and returns how many it holds.
func unpacked[T any](s *stream, tag byte, read func(*stream) (T, bool), dst []T) (int, bool) {
	n := 0
	for !s.atEnd() {
		if !s.expectTag(tag) {
			return 0, false
		}
		v, ok := read(s)
		if !ok {
			return 0, false
		}
		if n < len(dst) {
			dst[n] = v
		}
		n++
	}
	return n, true
}

// decodeFloats decodes a FloatList, packed or not, writing its first
// len(dst) values to dst, and returns how many values it holds. A packed
// field's count is its length over four (TensorFlow ignores the
// remainder); when bounded, only the values that fit in dst need to be
// present, as when TensorFlow parses into a fixed-size output.
func decodeFloats(list string, dst []float32, bounded bool) (int, bool) {
	s, ok := openList(list)
	if !ok {
		return 0, false
	}
	if s.atEnd() {
		return 0, true
	}
	switch s.peekTag() {
	case delimited1:
		s.pos++
		m, ok := s.varint32()
		if !ok {
			return 0, false
		}
		s.pushLimit(m)
		claimed := int(m / 4)
		read := claimed
		if bounded {
			read = min(claimed, len(dst))
		}
		data, ok := s.raw(uint32(4 * read))
		if !ok {
			return 0, false
		}
		for i := range min(read, len(dst)) {
			dst[i] = float32At(data, 4*i)
		}
		return claimed, true
	case fixed32One:
		return unpacked(&s, fixed32One, readFloat, dst)
	}
	return 0, false
}

func float32At(b string, i int) float32 {
	return math.Float32frombits(uint32(b[i]) | uint32(b[i+1])<<8 | uint32(b[i+2])<<16 | uint32(b[i+3])<<24)
}

// decodeBytes decodes a BytesList, writing copies of its first len(dst)
// values to dst, and returns how many values it holds. When bounded, a
// list with more than len(dst) values is malformed, as TensorFlow's
// parse into a fixed-size output fails.
func decodeBytes(list string, dst []string, bounded bool) (int, bool) {
	s, ok := openList(list)
	if !ok {
		return 0, false
	}
	n := 0
	for !s.atEnd() {
		if !s.expectTag(delimited1) {
			return 0, false
		}
		if bounded && n == len(dst) {
			return 0, false
		}
		v, ok := s.lengthPrefixed()
		if !ok {
			return 0, false
		}
		if n < len(dst) {
			// A copy, so that the outputs do not keep the serialized
			// batch alive.
			dst[n] = strings.Clone(v)
		}
		n++
	}
	return n, true
}
