package checkpoint

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/golang/snappy"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// This file writes tensor bundles the way TensorFlow's BundleWriter and
// table::TableBuilder do, so the tests can make checkpoints with what the
// real ones under ../shared/models lack: partitioned variables, big-endian
// data, every dtype, several shards, several data blocks, snappy blocks.

// tableOpts shapes the table writeTable builds.
type tableOpts struct {
	snappy          bool // snappy-compress every block (TensorFlow writes them uncompressed)
	blockSize       int  // start a new data block once this many bytes are buffered (LevelDB: 4096)
	restartInterval int  // keys between restart points (LevelDB: 16)
}

// kv is one table entry.
type kv struct {
	key   string
	value []byte
}

// blockBuilder is LevelDB's BlockBuilder.
type blockBuilder struct {
	buf      []byte
	restarts []uint32
	counter  int
	last     string
	interval int
}

func (b *blockBuilder) add(key string, value []byte) {
	shared := 0
	if b.counter < b.interval {
		for shared < len(key) && shared < len(b.last) && key[shared] == b.last[shared] {
			shared++
		}
	} else {
		b.restarts = append(b.restarts, uint32(len(b.buf)))
		b.counter = 0
	}
	b.buf = binary.AppendUvarint(b.buf, uint64(shared))
	b.buf = binary.AppendUvarint(b.buf, uint64(len(key)-shared))
	b.buf = binary.AppendUvarint(b.buf, uint64(len(value)))
	b.buf = append(b.buf, key[shared:]...)
	b.buf = append(b.buf, value...)
	b.last = key
	b.counter++
}

func (b *blockBuilder) finish() []byte {
	out := b.buf
	for _, r := range b.restarts {
		out = binary.LittleEndian.AppendUint32(out, r)
	}
	return binary.LittleEndian.AppendUint32(out, uint32(len(b.restarts)))
}

func newBlock(interval int) *blockBuilder {
	return &blockBuilder{restarts: []uint32{0}, interval: interval}
}

// writeTable builds a table of sorted entries.
func writeTable(entries []kv, o tableOpts) []byte {
	if o.blockSize == 0 {
		o.blockSize = 4096
	}
	if o.restartInterval == 0 {
		o.restartInterval = 16
	}
	var file []byte
	writeBlock := func(contents []byte) []byte {
		kind := byte(noCompression)
		if o.snappy {
			contents, kind = snappy.Encode(nil, contents), snappyCompression
		}
		handle := binary.AppendUvarint(binary.AppendUvarint(nil, uint64(len(file))), uint64(len(contents)))
		crc := crc32.Update(crc32.Checksum(contents, castagnoli), castagnoli, []byte{kind})
		file = append(file, contents...)
		file = append(file, kind)
		file = binary.LittleEndian.AppendUint32(file, maskCRC(crc))
		return handle
	}
	index := newBlock(1)
	data := newBlock(o.restartInterval)
	flush := func() {
		if data.counter == 0 && len(data.buf) == 0 {
			return
		}
		last := data.last
		index.add(last, writeBlock(data.finish()))
		data = newBlock(o.restartInterval)
	}
	for _, e := range entries {
		data.add(e.key, e.value)
		if len(data.buf) >= o.blockSize {
			flush()
		}
	}
	flush()
	meta := writeBlock(newBlock(o.restartInterval).finish())
	idx := writeBlock(index.finish())
	footer := append(append([]byte{}, meta...), idx...)
	footer = append(footer, make([]byte, 40-len(footer))...)
	footer = binary.LittleEndian.AppendUint64(footer, tableMagic)
	return append(file, footer...)
}

// stored is one tensor to write: whole, or partitioned into slices.
type stored struct {
	key    string
	t      *tensor.Tensor
	shard  int
	slices [][][2]int64 // per slice, per dimension: {start, length}; length -1 is the whole dimension
}

// bundleOpts shapes a whole bundle.
type bundleOpts struct {
	tableOpts
	bigEndian bool
	numShards int
}

// encodeTensor returns a tensor's bytes as BundleWriter stores them and the
// CRC32C of those bytes (not masked).
func encodeTensor(t *tensor.Tensor, bigEndian bool) ([]byte, uint32) {
	if t.DType() != tensor.String {
		b := slices.Clone(t.Bytes())
		if bigEndian {
			swapBytes(b, componentSize(t.DType())) // a swap is its own inverse
		}
		return b, crc32.Checksum(b, castagnoli)
	}
	var order binary.AppendByteOrder = binary.LittleEndian
	if bigEndian {
		order = binary.BigEndian
	}
	var out []byte
	var crc uint32
	vals := tensor.Values[string](t)
	for _, s := range vals {
		out = binary.AppendUvarint(out, uint64(len(s)))
		crc = crc32.Update(crc, castagnoli, order.AppendUint32(nil, uint32(len(s))))
	}
	lenCRC := order.AppendUint32(nil, maskCRC(crc))
	out = append(out, lenCRC...)
	crc = crc32.Update(crc, castagnoli, lenCRC)
	for _, s := range vals {
		out = append(out, s...)
		crc = crc32.Update(crc, castagnoli, []byte(s))
	}
	return out, crc
}

// extract returns the slice of t given per dimension as {start, length},
// by visiting every element of t: independent of the reader's copyRegion.
func extract(t *tensor.Tensor, ext [][2]int64) *tensor.Tensor {
	shape := t.Shape()
	start, length := make([]int, len(shape)), make(tensor.Shape, len(shape))
	for d := range shape {
		start[d], length[d] = int(ext[d][0]), int(ext[d][1])
		if ext[d][1] == -1 {
			start[d], length[d] = 0, shape[d]
		}
	}
	out := tensor.MustNew(t.DType(), length)
	idx := make([]int, len(shape))
	j := 0
	for i := range t.NumElements() {
		rem := i
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d] = rem % shape[d]
			rem /= shape[d]
		}
		in := true
		for d := range shape {
			in = in && idx[d] >= start[d] && idx[d] < start[d]+length[d]
		}
		if in {
			setElement(out, j, t, i)
			j++
		}
	}
	return out
}

func setElement(dst *tensor.Tensor, j int, src *tensor.Tensor, i int) {
	if src.DType() == tensor.String {
		tensor.Values[string](dst)[j] = tensor.Values[string](src)[i]
		return
	}
	size := src.DType().Size()
	copy(dst.Bytes()[j*size:(j+1)*size], src.Bytes()[i*size:(i+1)*size])
}

// shapeProto converts a shape.
func shapeProto(s tensor.Shape) *tfpb.TensorShapeProto { return tensor.TFShapeProto(s) }

// bundleEntries returns the index entries and the shard contents of a
// bundle holding tensors.
func bundleEntries(tensors []stored, o bundleOpts) ([]kv, [][]byte) {
	if o.numShards == 0 {
		o.numShards = 1
	}
	shards := make([][]byte, o.numShards)
	entries := map[string]*tfpb.BundleEntryProto{}
	add := func(key string, t *tensor.Tensor, shard int) {
		data, crc := encodeTensor(t, o.bigEndian)
		entries[key] = &tfpb.BundleEntryProto{
			Dtype: tfpb.DataType(t.DType()), Shape: shapeProto(t.Shape()),
			ShardId: int32(shard), Offset: int64(len(shards[shard])), Size: int64(len(data)), Crc32C: maskCRC(crc),
		}
		shards[shard] = append(shards[shard], data...)
		for len(shards[shard])%8 != 0 { // BundleWriter's data_alignment padding
			shards[shard] = append(shards[shard], 0)
		}
	}
	for _, s := range tensors {
		if len(s.slices) == 0 {
			add(s.key, s.t, s.shard)
			continue
		}
		full := &tfpb.BundleEntryProto{Dtype: tfpb.DataType(s.t.DType()), Shape: shapeProto(s.t.Shape())}
		for i, sl := range s.slices {
			sp := &tfpb.TensorSliceProto{}
			for _, e := range sl {
				ext := &tfpb.TensorSliceProto_Extent{}
				if e[1] != -1 {
					ext.Start, ext.HasLength = e[0], &tfpb.TensorSliceProto_Extent_Length{Length: e[1]}
				}
				sp.Extent = append(sp.Extent, ext)
			}
			full.Slices = append(full.Slices, sp)
			add(sliceKey(s.key, sp), extract(s.t, sl), (s.shard+i)%o.numShards)
		}
		entries[s.key] = full
	}
	endian := tfpb.BundleHeaderProto_LITTLE
	if o.bigEndian {
		endian = tfpb.BundleHeaderProto_BIG
	}
	header := &tfpb.BundleHeaderProto{NumShards: int32(o.numShards), Endianness: endian, Version: &tfpb.VersionDef{Producer: 1}}
	kvs := []kv{{"", mustMarshal(header)}}
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		kvs = append(kvs, kv{k, mustMarshal(entries[k])})
	}
	return kvs, shards
}

func mustMarshal(m proto.Message) []byte {
	b, err := proto.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// writeBundle writes a bundle under prefix and returns the prefix.
func writeBundle(t testing.TB, prefix string, tensors []stored, o bundleOpts) string {
	t.Helper()
	kvs, shards := bundleEntries(tensors, o)
	require.NoError(t, os.MkdirAll(filepath.Dir(prefix), 0o755))
	require.NoError(t, os.WriteFile(prefix+".index", writeTable(kvs, o.tableOpts), 0o644))
	for i, data := range shards {
		require.NoError(t, os.WriteFile(fmt.Sprintf("%s.data-%05d-of-%05d", prefix, i, len(shards)), data, 0o644))
	}
	return prefix
}

// tableEntries reads back every entry of a table, for tests that rewrite
// real index files.
func tableEntries(t testing.TB, data []byte) []kv {
	t.Helper()
	var out []kv
	require.NoError(t, readTable(data, func(k, v []byte) error {
		out = append(out, kv{string(k), slices.Clone(v)})
		return nil
	}))
	return out
}
