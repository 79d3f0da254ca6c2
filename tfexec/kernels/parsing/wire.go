package parsing

import "math"

// stream reads the protobuf wire format the way protobuf's C++
// CodedInputStream does over an array, which is what TensorFlow's fast
// example parser reads with: every read stops at the current limit, and a
// pushed limit never reaches past the one around it. The parser accepts
// and rejects inputs by these rules rather than by the protobuf
// specification, so tfoffload mirrors them instead of calling
// proto.Unmarshal.
type stream struct {
	buf   string
	pos   int
	limit int // absolute; never beyond len(buf)
}

func newStream(b string) stream { return stream{buf: b, limit: len(b)} }

// atEnd is CodedInputStream::ExpectAtEnd: the current limit is reached.
func (s *stream) atEnd() bool { return s.pos == s.limit }

// remaining is the number of bytes before the current limit.
func (s *stream) remaining() int { return s.limit - s.pos }

// pushLimit limits reads to the next n bytes (fewer when the enclosing
// limit comes first) and returns the limit to restore with popLimit.
func (s *stream) pushLimit(n uint32) int {
	old := s.limit
	if uint64(n) < uint64(s.remaining()) {
		s.limit = s.pos + int(n)
	}
	return old
}

func (s *stream) popLimit(old int) { s.limit = old }

// expectTag consumes the one-byte tag b when it comes next.
func (s *stream) expectTag(b byte) bool {
	if s.pos < s.limit && s.buf[s.pos] == b {
		s.pos++
		return true
	}
	return false
}

// peekTag returns the next byte, or 0 at the limit.
func (s *stream) peekTag() byte {
	if s.pos < s.limit {
		return s.buf[s.pos]
	}
	return 0
}

// maxVarintBytes is the longest varint CodedInputStream reads.
const maxVarintBytes = 10

// varint64 reads a varint of at most ten bytes, keeping its low 64 bits.
func (s *stream) varint64() (uint64, bool) {
	var v uint64
	for i := 0; i < maxVarintBytes; i++ {
		if s.pos >= s.limit {
			return 0, false
		}
		b := s.buf[s.pos]
		s.pos++
		v |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			return v, true
		}
	}
	return 0, false
}

// varint32 reads a varint of at most ten bytes, keeping its low 32 bits.
func (s *stream) varint32() (uint32, bool) {
	v, ok := s.varint64()
	return uint32(v), ok
}

// tag is CodedInputStream::ReadTag: the next varint32, or 0 at the limit
// or on a malformed varint.
func (s *stream) tag() uint32 {
	v, ok := s.varint32()
	if !ok {
		return 0
	}
	return v
}

func (s *stream) fixed32() (uint32, bool) {
	if s.remaining() < 4 {
		return 0, false
	}
	b := s.buf[s.pos : s.pos+4]
	v := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
	s.pos += 4
	return v, true
}

func (s *stream) fixed64() bool {
	if s.remaining() < 8 {
		return false
	}
	s.pos += 8
	return true
}

// raw returns the next n bytes.
func (s *stream) raw(n uint32) (string, bool) {
	if uint64(n) > uint64(s.remaining()) {
		return "", false
	}
	v := s.buf[s.pos : s.pos+int(n)]
	s.pos += int(n)
	return v, true
}

// lengthPrefixed reads a varint32 length and that many bytes (TensorFlow's
// ParseString).
func (s *stream) lengthPrefixed() (string, bool) {
	n, ok := s.varint32()
	if !ok {
		return "", false
	}
	return s.raw(n)
}

// skipField skips the field whose tag was just read, as TensorFlow's
// SkipExtraneousTag does: groups and unknown wire types fail, and a
// length-delimited field longer than what remains stops the stream at the
// limit (TensorFlow ignores the failed skip, and one of 2³¹ bytes or more,
// a negative int to CodedInputStream::Skip, moves nothing).
func (s *stream) skipField(tag uint32) bool {
	switch tag & 7 {
	case 0:
		_, ok := s.varint32()
		return ok
	case 1:
		return s.fixed64()
	case 2:
		n, ok := s.varint32()
		if !ok {
			return false
		}
		switch {
		case n > math.MaxInt32:
		case int(n) > s.remaining():
			s.pos = s.limit
		default:
			s.pos += int(n)
		}
		return true
	case 5:
		_, ok := s.fixed32()
		return ok
	}
	return false
}
