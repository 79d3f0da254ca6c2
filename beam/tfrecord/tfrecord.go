package tfrecord

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
)

// ErrCorrupt reports a malformed TFRecord stream: a CRC that does not
// match, a record cut short, or a length over the reader's limit.
var ErrCorrupt = errors.New("tfrecord: corrupt record")

// DefaultMaxRecordBytes is the largest record a Reader accepts unless
// told otherwise: 1 GiB, well above any tf.Example TensorFlow writes.
const DefaultMaxRecordBytes = 1 << 30

// chunk is how much of a record Reader allocates ahead of the bytes it
// has actually read, so that a corrupt length cannot allocate more.
const chunk = 1 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskedCRC is TensorFlow's masked CRC-32C of b.
func maskedCRC(b []byte) uint32 {
	c := crc32.Checksum(b, castagnoli)
	return ((c >> 15) | (c << 17)) + 0xa282ead8
}

// Reader reads records one at a time from a TFRecord stream.
type Reader struct {
	// MaxRecordBytes bounds the length of one record; zero means
	// DefaultMaxRecordBytes.
	MaxRecordBytes int64

	r      *bufio.Reader
	index  int   // records read so far
	offset int64 // bytes consumed so far
}

// NewReader returns a Reader of the uncompressed TFRecord stream r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReader(r)}
}

// NewGzipReader returns a Reader of a GZIP-compressed TFRecord stream
// (TFRecordOptions(compression_type="GZIP")). Closing the returned
// io.Closer releases the decompressor, not r.
func NewGzipReader(r io.Reader) (*Reader, io.Closer, error) {
	z, err := gzip.NewReader(r)
	if err != nil {
		return nil, nil, fmt.Errorf("tfrecord: gzip: %w", err)
	}
	return NewReader(z), z, nil
}

// Next returns the next record's data, or io.EOF after the last one. A
// stream that ends inside a record, or whose CRCs do not match, is an
// error wrapping ErrCorrupt that names the record's index and offset.
// The returned slice is the caller's.
func (r *Reader) Next() ([]byte, error) {
	var head [12]byte
	n, err := io.ReadFull(r.r, head[:])
	switch {
	case n == 0 && err == io.EOF:
		return nil, io.EOF
	case err != nil:
		return nil, r.corrupt("the stream ends inside the record's header (%d of 12 bytes)", n)
	}
	if got, want := maskedCRC(head[:8]), binary.LittleEndian.Uint32(head[8:]); got != want {
		return nil, r.corrupt("length CRC %#08x, the header says %#08x", got, want)
	}
	length := binary.LittleEndian.Uint64(head[:8])
	limit := r.MaxRecordBytes
	if limit <= 0 {
		limit = DefaultMaxRecordBytes
	}
	if length > uint64(limit) {
		return nil, r.corrupt("length %d is over the limit of %d bytes", length, limit)
	}
	data := make([]byte, 0, min(int(length), chunk))
	for len(data) < int(length) {
		next := min(int(length)-len(data), chunk)
		data = slices.Grow(data, next)
		got, err := io.ReadFull(r.r, data[len(data):len(data)+next])
		data = data[:len(data)+got]
		if err != nil {
			return nil, r.corrupt("the stream ends inside the record's data (%d of %d bytes)", len(data), length)
		}
	}
	var foot [4]byte
	if _, err := io.ReadFull(r.r, foot[:]); err != nil {
		return nil, r.corrupt("the stream ends before the record's data CRC")
	}
	if got, want := maskedCRC(data), binary.LittleEndian.Uint32(foot[:]); got != want {
		return nil, r.corrupt("data CRC %#08x, the record says %#08x", got, want)
	}
	r.index++
	r.offset += 16 + int64(length)
	return data, nil
}

func (r *Reader) corrupt(format string, args ...any) error {
	return fmt.Errorf("%w %d at byte %d: %s", ErrCorrupt, r.index, r.offset, fmt.Sprintf(format, args...))
}

// Writer writes records to an uncompressed TFRecord stream.
type Writer struct {
	w io.Writer
}

// NewWriter returns a Writer to w. It does not buffer: wrap w in a
// bufio.Writer for many small records.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write appends one record holding data.
func (w *Writer) Write(data []byte) error {
	var head [12]byte
	binary.LittleEndian.PutUint64(head[:8], uint64(len(data)))
	binary.LittleEndian.PutUint32(head[8:], maskedCRC(head[:8]))
	var foot [4]byte
	binary.LittleEndian.PutUint32(foot[:], maskedCRC(data))
	for _, b := range [][]byte{head[:], data, foot[:]} {
		if _, err := w.w.Write(b); err != nil {
			return fmt.Errorf("tfrecord: write: %w", err)
		}
	}
	return nil
}
