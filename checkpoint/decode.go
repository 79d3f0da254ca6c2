package checkpoint

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"
	"unsafe"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// tensorDType returns the tensor DType of an entry's dtype, or why a
// tensor.Tensor cannot hold it.
func tensorDType(d tfpb.DataType) (tensor.DType, error) {
	td := tensor.DType(d)
	switch {
	case td == tensor.Resource || td == tensor.Variant:
		return 0, fmt.Errorf("%w: %s tensors (serialized C++ objects) cannot be read", ErrUnsupported, d)
	case td.Valid():
		return td, nil
	}
	if _, known := tfpb.DataType_name[int32(d)]; known {
		return 0, fmt.Errorf("%w: dtype %s", ErrUnsupported, d)
	}
	return 0, fmt.Errorf("%w: unknown dtype %d", ErrCorrupt, int32(d))
}

// read reads a tensor stored whole.
func (r *Reader) read(e *entry) (*tensor.Tensor, *Error) {
	dt, err := tensorDType(e.proto.GetDtype())
	if err != nil {
		return nil, &Error{File: r.indexPath, Err: err}
	}
	if dt == tensor.String {
		vals, ferr := r.readStrings(e)
		if ferr != nil {
			return nil, ferr
		}
		t, err := tensor.FromSlice(e.shape, vals)
		if err != nil { // cannot happen: readStrings returns one string per element
			return nil, &Error{File: r.indexPath, Err: fmt.Errorf("%w: %v", ErrCorrupt, err)}
		}
		return t, nil
	}
	s, ferr := r.locate(e, dt)
	if ferr != nil {
		return nil, ferr
	}
	t, err := tensor.New(dt, e.shape)
	if err != nil { // cannot happen: locate bounded the shape by the shard's size
		return nil, &Error{File: r.indexPath, Err: fmt.Errorf("%w: %v", ErrCorrupt, err)}
	}
	if ferr := r.readFixed(s, e, dt, t.Bytes()); ferr != nil {
		return nil, ferr
	}
	return t, nil
}

// locate checks that an entry's size matches its dtype and shape (for
// fixed-size dtypes; dt is 0 to skip that) and that its bytes lie inside
// its shard, and returns the shard. Only after this may memory be
// allocated for the tensor: it bounds the allocation by the shard's size.
func (r *Reader) locate(e *entry, dt tensor.DType) (*shard, *Error) {
	p := e.proto
	if dt.FixedSize() {
		n := e.shape.NumElements()
		if hi, want := bits.Mul64(uint64(n), uint64(dt.Size())); hi != 0 || want != uint64(p.GetSize()) {
			return nil, &Error{File: r.indexPath, Err: fmt.Errorf("%w: entry size %d does not match %v%v (%d elements of %d bytes)",
				ErrCorrupt, p.GetSize(), dt, e.shape, n, dt.Size())}
		}
	}
	s, ferr := r.shard(p.GetShardId())
	if ferr != nil {
		return nil, ferr
	}
	if off, size := p.GetOffset(), p.GetSize(); off < 0 || size < 0 || off > s.size || size > s.size-off {
		return nil, &Error{File: s.path, Err: fmt.Errorf("%w: entry bytes [%d, +%d) lie outside the shard's %d bytes", ErrCorrupt, off, size, s.size)}
	}
	return s, nil
}

// readFixed reads the bytes of a fixed-size entry into dst (len(dst) is
// the entry's size, checked by locate), verifies their CRC32C, and puts
// them in host (little-endian) order. dst is usually the tensor's own
// memory, so the bytes are read once and never copied.
func (r *Reader) readFixed(s *shard, e *entry, dt tensor.DType, dst []byte) *Error {
	if _, err := s.r.ReadAt(dst, e.proto.GetOffset()); err != nil {
		return &Error{File: s.path, Err: fmt.Errorf("%w: reading %d bytes at offset %d: %v", ErrCorrupt, len(dst), e.proto.GetOffset(), err)}
	}
	if err := checkCRC(e, crc32.Checksum(dst, castagnoli)); err != nil {
		return &Error{File: s.path, Err: err}
	}
	if r.bigEndian {
		swapBytes(dst, componentSize(dt))
	}
	if dt == tensor.Bool {
		// A Go bool must be 0 or 1; TensorFlow reads any non-zero byte as
		// true.
		for i, b := range dst {
			if b != 0 {
				dst[i] = 1
			}
		}
	}
	return nil
}

// checkCRC compares the CRC32C computed over a tensor's stored bytes with
// the masked one its entry holds.
func checkCRC(e *entry, got uint32) error {
	if want := unmaskCRC(e.proto.GetCrc32C()); got != want {
		return fmt.Errorf("%w: tensor data CRC32C %#08x, index says %#08x", ErrChecksum, got, want)
	}
	return nil
}

// componentSize is the size of the numbers a dtype's elements are made
// of: the element size, or half of it for complex types.
func componentSize(dt tensor.DType) int {
	if dt.IsComplex() {
		return dt.Size() / 2
	}
	return dt.Size()
}

// swapBytes reverses the byte order of each unit-byte word of b.
func swapBytes(b []byte, unit int) {
	switch unit {
	case 2:
		for i := 0; i+1 < len(b); i += 2 {
			binary.LittleEndian.PutUint16(b[i:], binary.BigEndian.Uint16(b[i:]))
		}
	case 4:
		for i := 0; i+3 < len(b); i += 4 {
			binary.LittleEndian.PutUint32(b[i:], binary.BigEndian.Uint32(b[i:]))
		}
	case 8:
		for i := 0; i+7 < len(b); i += 8 {
			binary.LittleEndian.PutUint64(b[i:], binary.BigEndian.Uint64(b[i:]))
		}
	}
}

// readStrings reads a DT_STRING entry. TensorFlow stores one varint64
// length per element, then a masked CRC32C of those lengths (taken over
// each length as a uint32 — a uint64 when it does not fit — in the
// bundle's byte order), then the elements' bytes back to back. The entry's
// CRC32C covers the lengths as checksummed, the 4 stored checksum bytes,
// and the element bytes.
func (r *Reader) readStrings(e *entry) ([]string, *Error) {
	n := e.shape.NumElements()
	size := e.proto.GetSize()
	if size < int64(n) { // each element needs at least one length byte
		return nil, &Error{File: r.indexPath, Err: fmt.Errorf("%w: entry size %d is too small for %d strings", ErrCorrupt, size, n)}
	}
	s, ferr := r.locate(e, 0)
	if ferr != nil {
		return nil, ferr
	}
	if size == 0 { // no elements: TensorFlow stores nothing
		if err := checkCRC(e, 0); err != nil {
			return nil, &Error{File: s.path, Err: err}
		}
		return []string{}, nil
	}
	buf := make([]byte, size)
	if _, err := s.r.ReadAt(buf, e.proto.GetOffset()); err != nil {
		return nil, &Error{File: s.path, Err: fmt.Errorf("%w: reading %d bytes at offset %d: %v", ErrCorrupt, size, e.proto.GetOffset(), err)}
	}
	var order binary.ByteOrder = binary.LittleEndian
	if r.bigEndian {
		order = binary.BigEndian
	}
	fail := func(format string, args ...any) *Error {
		return &Error{File: s.path, Err: fmt.Errorf(format, args...)}
	}
	var crc uint32
	var word [8]byte
	p, total := 0, uint64(0)
	for i := range n {
		l, k := binary.Uvarint(buf[p:])
		if k <= 0 {
			return nil, fail("%w: bad length of string %d", ErrCorrupt, i)
		}
		p += k
		if total += l; l > uint64(size) || total > uint64(size) {
			return nil, fail("%w: string lengths add up to more than the entry's %d bytes at string %d", ErrCorrupt, size, i)
		}
		if l <= math.MaxUint32 {
			order.PutUint32(word[:4], uint32(l))
			crc = crc32.Update(crc, castagnoli, word[:4])
		} else {
			order.PutUint64(word[:], l)
			crc = crc32.Update(crc, castagnoli, word[:])
		}
	}
	if len(buf)-p < 4 {
		return nil, fail("%w: no room for the checksum of the string lengths", ErrCorrupt)
	}
	if want := unmaskCRC(order.Uint32(buf[p:])); crc != want {
		return nil, fail("%w: string lengths CRC32C %#08x, stored %#08x", ErrChecksum, crc, want)
	}
	crc = crc32.Update(crc, castagnoli, buf[p:p+4])
	data := buf[p+4:]
	if total != uint64(len(data)) {
		return nil, fail("%w: string lengths add up to %d bytes, the entry holds %d", ErrCorrupt, total, len(data))
	}
	if err := checkCRC(e, crc32.Update(crc, castagnoli, data)); err != nil {
		return nil, &Error{File: s.path, Err: err}
	}
	out := make([]string, n)
	for i, q, d := 0, 0, 0; i < n; i++ {
		l, k := binary.Uvarint(buf[q:])
		q += k
		if l > 0 {
			// The strings share buf, which nothing else references or
			// writes: the tensor holds the bytes once, not twice.
			out[i] = unsafe.String(&data[d], int(l))
		}
		d += int(l)
	}
	return out, nil
}
