package checkpoint

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// maxSlices bounds the slices of one partitioned tensor: they are checked
// pairwise for overlap. Real partitioned variables have at most a few
// hundred.
const maxSlices = 1 << 12

// sliceKey is TensorFlow's checkpoint::EncodeTensorNameSlice: the key
// under which one slice of the partitioned tensor name is stored. It is
// OrderedCode: the number 0, the name, the rank, then per dimension the
// slice's start and length as signed numbers, a whole dimension being
// start 0 and length -1.
func sliceKey(name string, s *tfpb.TensorSliceProto) string {
	b := appendNumIncreasing(nil, 0)
	b = appendOrderedString(b, name)
	b = appendNumIncreasing(b, uint64(len(s.GetExtent())))
	for _, ext := range s.GetExtent() {
		b = appendSignedIncreasing(b, ext.GetStart())
		b = appendSignedIncreasing(b, extentLength(ext))
	}
	return string(b)
}

// extentLength is the extent's length, -1 for a whole dimension.
func extentLength(ext *tfpb.TensorSliceProto_Extent) int64 {
	if _, ok := ext.GetHasLength().(*tfpb.TensorSliceProto_Extent_Length); ok {
		return ext.GetLength()
	}
	return -1
}

// appendNumIncreasing is OrderedCode::WriteNumIncreasing: a length byte,
// then the value's big-endian bytes without leading zeros.
func appendNumIncreasing(b []byte, v uint64) []byte {
	n := (bits.Len64(v) + 7) / 8
	b = append(b, byte(n))
	for i := n - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// appendOrderedString is OrderedCode::WriteString: the bytes with 0x00
// escaped as 00 ff and 0xff as ff 00, then the separator 00 01.
func appendOrderedString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0x00:
			b = append(b, 0x00, 0xff)
		case 0xff:
			b = append(b, 0xff, 0x00)
		default:
			b = append(b, c)
		}
	}
	return append(b, 0x00, 0x01)
}

// signedHeader holds, per encoded length, the bits OrderedCode sets in the
// first two bytes of a signed number (kLengthToHeaderBits).
var signedHeader = [11][2]byte{{0, 0}, {0x80, 0}, {0xc0, 0}, {0xe0, 0}, {0xf0, 0}, {0xf8, 0}, {0xfc, 0}, {0xfe, 0}, {0xff, 0}, {0xff, 0x80}, {0xff, 0xc0}}

// appendSignedIncreasing is OrderedCode::WriteSignedNumIncreasing: 1 to
// 10 bytes, the leading bits of which give the sign and the length.
func appendSignedIncreasing(b []byte, v int64) []byte {
	x := uint64(v)
	if v < 0 {
		x = ^x
	}
	if x < 64 {
		return append(b, 0x80^byte(v))
	}
	n := bits.Len64(x)/7 + 1
	var buf [10]byte
	if v < 0 {
		buf[0], buf[1] = 0xff, 0xff
	}
	binary.BigEndian.PutUint64(buf[2:], uint64(v))
	enc := buf[10-n:]
	enc[0] ^= signedHeader[n][0]
	enc[1] ^= signedHeader[n][1]
	return append(b, enc...)
}

// part is one slice of a partitioned tensor, checked and located.
type part struct {
	spec          string // TensorFlow's notation: "0,2:-" is rows 0–1, all columns
	start, length []int
	e             *entry
	s             *shard
}

// assemble reads a partitioned tensor: each of its slices is stored as a
// tensor of its own under sliceKey, and together they must tile the full
// shape exactly once. Slices that are contiguous in the full tensor (as
// partitioning along the first axis gives) are read straight into it.
func (r *Reader) assemble(key string, e *entry) (*tensor.Tensor, *Error) {
	dt, err := tensorDType(e.proto.GetDtype())
	if err != nil {
		return nil, &Error{File: r.indexPath, Err: err}
	}
	if n := len(e.proto.GetSlices()); n > maxSlices {
		return nil, &Error{File: r.indexPath, Err: fmt.Errorf("%w: %d slices (at most %d)", ErrUnsupported, n, maxSlices)}
	}
	parts := make([]part, 0, len(e.proto.GetSlices()))
	volume := 0
	stored := map[*shard]int64{} // bytes of slices per shard
	for _, sp := range e.proto.GetSlices() {
		p, ferr := r.slicePart(key, e, dt, sp)
		if ferr != nil {
			return nil, ferr
		}
		for _, q := range parts {
			if overlaps(p, q) {
				return nil, &Error{File: r.indexPath, Err: fmt.Errorf("%w: slices %s and %s overlap", ErrCorrupt, q.spec, p.spec)}
			}
		}
		// Slices are stored one after the other, so together they fit in
		// their shard: this bounds the full tensor by the shards' sizes
		// even when a damaged index points several slices at one place.
		if stored[p.s] += p.e.proto.GetSize(); stored[p.s] > p.s.size {
			return nil, &Error{File: p.s.path, Err: fmt.Errorf("%w: slices hold more bytes than the shard's %d", ErrCorrupt, p.s.size)}
		}
		parts = append(parts, p)
		volume += p.e.shape.NumElements()
	}
	if n := e.shape.NumElements(); volume != n {
		return nil, &Error{File: r.indexPath, Err: fmt.Errorf("%w: slices cover %d of the %d elements", ErrCorrupt, volume, n)}
	}
	t, err := tensor.New(dt, e.shape) // bounded: the disjoint slices fit in their shards
	if err != nil {
		return nil, &Error{File: r.indexPath, Err: fmt.Errorf("%w: %v", ErrCorrupt, err)}
	}
	for _, p := range parts {
		if ferr := r.fill(t, p); ferr != nil {
			ferr.Err = fmt.Errorf("slice %s: %w", p.spec, ferr.Err)
			return nil, ferr
		}
	}
	return t, nil
}

// slicePart checks one slice of a partitioned tensor against the full
// tensor and finds and locates its entry.
func (r *Reader) slicePart(key string, full *entry, dt tensor.DType, sp *tfpb.TensorSliceProto) (part, *Error) {
	exts := sp.GetExtent()
	p := part{start: make([]int, len(exts)), length: make([]int, len(exts))}
	specs := make([]string, len(exts))
	bad := func(format string, args ...any) (part, *Error) {
		return part{}, &Error{File: r.indexPath, Err: fmt.Errorf("%w: slice %s: %s", ErrCorrupt, p.spec, fmt.Sprintf(format, args...))}
	}
	for d, ext := range exts {
		specs[d] = "-"
		if length := extentLength(ext); length != -1 {
			specs[d] = strconv.FormatInt(ext.GetStart(), 10) + "," + strconv.FormatInt(length, 10)
		}
	}
	p.spec = strings.Join(specs, ":")
	for d, ext := range exts {
		if d >= len(full.shape) {
			break
		}
		start, length, dim := ext.GetStart(), extentLength(ext), int64(full.shape[d])
		switch {
		case length == -1:
			p.start[d], p.length[d] = 0, int(dim)
		case start < 0 || length < 0 || start > dim || length > dim-start:
			return bad("extent %d does not fit dimension %d of %v", d, d, full.shape)
		default:
			p.start[d], p.length[d] = int(start), int(length)
		}
	}
	if len(exts) != len(full.shape) {
		return bad("has %d extents for a tensor of rank %d", len(exts), len(full.shape))
	}
	e, ok := r.entries[sliceKey(key, sp)]
	if !ok {
		return bad("no entry stores it")
	}
	switch {
	case len(e.proto.GetSlices()) > 0:
		return bad("its entry is partitioned itself")
	case e.proto.GetDtype() != full.proto.GetDtype():
		return bad("its entry has dtype %s, the tensor %s", e.proto.GetDtype(), full.proto.GetDtype())
	case !e.shape.Equal(p.length):
		return bad("its entry has shape %v", e.shape)
	case dt == tensor.String && e.proto.GetSize() < int64(e.shape.NumElements()):
		return bad("its entry of %d bytes is too small for %d strings", e.proto.GetSize(), e.shape.NumElements())
	}
	// Locating every slice before the full tensor is allocated bounds the
	// allocation by the shards' sizes.
	p.e = e
	var ferr *Error
	if p.s, ferr = r.locate(e, dt); ferr != nil {
		ferr.Err = fmt.Errorf("slice %s: %w", p.spec, ferr.Err)
		return part{}, ferr
	}
	return p, nil
}

// overlaps reports whether two slices share an element.
func overlaps(a, b part) bool {
	for d := range a.start {
		if a.length[d] == 0 || b.length[d] == 0 ||
			a.start[d]+a.length[d] <= b.start[d] || b.start[d]+b.length[d] <= a.start[d] {
			return false
		}
	}
	return true
}

// fill reads one slice into the full tensor t.
func (r *Reader) fill(t *tensor.Tensor, p part) *Error {
	dt := t.DType()
	if dt == tensor.String {
		vals, ferr := r.readStrings(p.e)
		if ferr != nil {
			return ferr
		}
		copyRegion(tensor.Values[string](t), vals, t.Shape(), p.start, p.length)
		return nil
	}
	size := dt.Size()
	if off, ok := contiguousOffset(t.Shape(), p.start, p.length); ok {
		n := p.e.shape.NumElements()
		return r.readFixed(p.s, p.e, dt, t.Bytes()[off*size:(off+n)*size])
	}
	buf := make([]byte, p.e.proto.GetSize())
	if ferr := r.readFixed(p.s, p.e, dt, buf); ferr != nil {
		return ferr
	}
	// As bytes, each element is one more, innermost, dimension.
	shape := append(t.Shape().Clone(), size)
	copyRegion(t.Bytes(), buf, shape, append(p.start, 0), append(p.length, size))
	return nil
}

// contiguousOffset returns the offset, in elements, of a slice of shape
// that is one contiguous run in row-major order: every dimension after the
// last partial one is whole and every one before it has length 1.
func contiguousOffset(shape tensor.Shape, start, length []int) (int, bool) {
	last := -1
	for d := range shape {
		if length[d] != shape[d] {
			last = d
		}
	}
	off := 0
	strides := shape.Strides()
	for d := range shape {
		if d < last && length[d] != 1 {
			return 0, false
		}
		off += start[d] * strides[d]
	}
	return off, true
}

// copyRegion copies src, the row-major elements of the slice [start,
// start+length) of a tensor of shape full, into dst, the full tensor's
// elements.
func copyRegion[T any](dst, src []T, full tensor.Shape, start, length []int) {
	rank := len(full)
	if rank == 0 {
		copy(dst, src)
		return
	}
	for _, l := range length {
		if l == 0 {
			return
		}
	}
	strides := full.Strides()
	inner := length[rank-1]
	idx := make([]int, rank-1) // position within the slice, outer dimensions
	for s := 0; s < len(src); s += inner {
		off := start[rank-1]
		for d, i := range idx {
			off += (start[d] + i) * strides[d]
		}
		copy(dst[off:off+inner], src[s:s+inner])
		for d := rank - 2; d >= 0; d-- {
			if idx[d]++; idx[d] < length[d] {
				break
			}
			idx[d] = 0
		}
	}
}
