package checkpoint

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"

	"github.com/golang/snappy"
)

// The LevelDB table layout TensorFlow's tensor bundle index uses
// (tensorflow/core/lib/io/format.h): blocks of prefix-compressed entries,
// each followed by a trailer, then a fixed-size footer.
const (
	// tableMagic ends every table, little-endian.
	tableMagic = 0xdb4775248b80fb57
	// footerLen is two BlockHandles padded to 40 bytes, plus the magic.
	footerLen = 48
	// trailerLen is the compression type byte and the masked CRC32C of the
	// block contents and that byte.
	trailerLen = 5

	noCompression     = 0
	snappyCompression = 1

	// maxSnappyRatio bounds how much larger than its compressed form a
	// snappy block may claim to be: Snappy's best case is a 3-byte copy of
	// 64 bytes, about 21×, so a larger claim is corruption, not data, and
	// is refused before anything is allocated.
	maxSnappyRatio = 32
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskDelta is added to a rotated CRC by TensorFlow's (and LevelDB's)
// crc32c::Mask, so that a CRC stored next to the bytes it covers does not
// checksum to a fixed value.
const maskDelta = 0xa282ead8

// unmaskCRC inverts crc32c::Mask: masked = ((crc >> 15) | (crc << 17)) + maskDelta.
func unmaskCRC(masked uint32) uint32 {
	rot := masked - maskDelta
	return rot>>17 | rot<<15
}

// maskCRC is crc32c::Mask.
func maskCRC(crc uint32) uint32 { return (crc>>15 | crc<<17) + maskDelta }

// blockHandle locates a block in the table file.
type blockHandle struct{ offset, size uint64 }

// readHandle decodes a BlockHandle (two varint64s) from the start of b and
// returns it and the number of bytes it took.
func readHandle(b []byte) (blockHandle, int, error) {
	off, n := binary.Uvarint(b)
	if n <= 0 {
		return blockHandle{}, 0, fmt.Errorf("%w: bad block handle offset", ErrCorrupt)
	}
	size, m := binary.Uvarint(b[n:])
	if m <= 0 {
		return blockHandle{}, 0, fmt.Errorf("%w: bad block handle size", ErrCorrupt)
	}
	return blockHandle{off, size}, n + m, nil
}

// readTable calls visit for every key and value of the table held in data,
// in order, and checks that keys strictly increase. key and value alias
// memory that is reused or released after visit returns.
//
// Every block's CRC is verified. Data blocks must follow each other in the
// file, so a damaged index block cannot make the reader decode one block
// many times: the work is linear in the file's size.
func readTable(data []byte, visit func(key, value []byte) error) error {
	if len(data) < footerLen {
		return fmt.Errorf("%w: %d bytes is shorter than the %d-byte table footer", ErrCorrupt, len(data), footerLen)
	}
	body := len(data) - footerLen
	footer := data[body:]
	if m := binary.LittleEndian.Uint64(footer[40:]); m != tableMagic {
		return fmt.Errorf("%w: bad magic number %#016x (want %#016x): not a TensorFlow checkpoint index", ErrCorrupt, m, uint64(tableMagic))
	}
	_, n, err := readHandle(footer[:40]) // the metaindex block; TensorFlow writes no meta blocks
	if err != nil {
		return fmt.Errorf("footer: %w", err)
	}
	indexHandle, _, err := readHandle(footer[n:40])
	if err != nil {
		return fmt.Errorf("footer: %w", err)
	}
	index, err := readBlock(data, body, indexHandle)
	if err != nil {
		return fmt.Errorf("index block: %w", err)
	}
	var (
		last    []byte
		haveKey bool
		nextOff uint64 // data blocks must start at or after the previous one's end
	)
	return blockEntries(index, func(_, value []byte) error {
		h, _, err := readHandle(value)
		if err != nil {
			return fmt.Errorf("index block: %w", err)
		}
		if h.offset < nextOff {
			return fmt.Errorf("%w: data block at offset %d overlaps the previous block", ErrCorrupt, h.offset)
		}
		block, err := readBlock(data, body, h)
		if err != nil {
			return fmt.Errorf("data block at offset %d: %w", h.offset, err)
		}
		nextOff = h.offset + h.size + trailerLen // readBlock bounded both by the file size
		return blockEntries(block, func(key, value []byte) error {
			if haveKey && bytes.Compare(key, last) <= 0 {
				return fmt.Errorf("%w: key %q does not sort after %q", ErrCorrupt, key, last)
			}
			last, haveKey = append(last[:0], key...), true
			return visit(key, value)
		})
	})
}

// readBlock returns the contents of the block h points at, which must end
// (with its trailer) at or before limit. It verifies the trailer's CRC and
// decompresses a snappy block.
func readBlock(data []byte, limit int, h blockHandle) ([]byte, error) {
	if h.offset > uint64(limit) || h.size > uint64(limit)-h.offset || uint64(limit)-h.offset-h.size < trailerLen {
		return nil, fmt.Errorf("%w: block [%d, +%d) and its trailer run past byte %d", ErrCorrupt, h.offset, h.size, limit)
	}
	start, end := int(h.offset), int(h.offset+h.size)
	contents, kind := data[start:end], data[end]
	want := unmaskCRC(binary.LittleEndian.Uint32(data[end+1:]))
	got := crc32.Update(crc32.Checksum(contents, castagnoli), castagnoli, data[end:end+1])
	if got != want {
		return nil, fmt.Errorf("%w: block CRC32C %#08x, trailer says %#08x", ErrChecksum, got, want)
	}
	switch kind {
	case noCompression:
		return contents, nil
	case snappyCompression:
		n, err := snappy.DecodedLen(contents)
		if err != nil {
			return nil, fmt.Errorf("%w: snappy block: %v", ErrCorrupt, err)
		}
		if n > maxSnappyRatio*len(contents)+64 {
			return nil, fmt.Errorf("%w: snappy block of %d bytes claims %d bytes uncompressed", ErrCorrupt, len(contents), n)
		}
		out, err := snappy.Decode(nil, contents)
		if err != nil {
			return nil, fmt.Errorf("%w: snappy block: %v", ErrCorrupt, err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: block compression type %d", ErrUnsupported, kind)
}

// blockEntries calls visit for each entry of a block, in order. A block is
// a run of entries — varint32 shared key bytes, varint32 unshared key
// bytes, varint32 value length, the unshared key bytes, the value — then
// the uint32 offsets of its restart points (entries that share nothing with
// the previous key) and their uint32 count. Reading front to back needs
// the restart array only to know where the entries end.
func blockEntries(b []byte, visit func(key, value []byte) error) error {
	if len(b) < 4 {
		return fmt.Errorf("%w: block of %d bytes has no restart count", ErrCorrupt, len(b))
	}
	restarts := binary.LittleEndian.Uint32(b[len(b)-4:])
	if uint64(restarts) > uint64(len(b)-4)/4 {
		return fmt.Errorf("%w: block of %d bytes claims %d restart points", ErrCorrupt, len(b), restarts)
	}
	entries := b[:len(b)-4-4*int(restarts)]
	var key []byte
	for p := 0; p < len(entries); {
		var hdr [3]uint64
		for i := range hdr {
			v, n := binary.Uvarint(entries[p:])
			if n <= 0 || v > math.MaxUint32 {
				return fmt.Errorf("%w: bad entry header at block offset %d", ErrCorrupt, p)
			}
			hdr[i] = v
			p += n
		}
		shared, unshared, vlen := hdr[0], hdr[1], hdr[2]
		if shared > uint64(len(key)) {
			return fmt.Errorf("%w: entry at block offset %d shares %d bytes of a %d-byte key", ErrCorrupt, p, shared, len(key))
		}
		if unshared+vlen > uint64(len(entries)-p) {
			return fmt.Errorf("%w: entry at block offset %d runs past the block's entries", ErrCorrupt, p)
		}
		key = append(key[:shared], entries[p:p+int(unshared)]...)
		p += int(unshared)
		value := entries[p : p+int(vlen)]
		p += int(vlen)
		if err := visit(key, value); err != nil {
			return err
		}
	}
	return nil
}
