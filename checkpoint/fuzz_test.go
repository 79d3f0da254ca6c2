package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

var update = flag.Bool("update", false, "rewrite the fuzz seed corpora in testdata/fuzz/")

// fuzzBundle is one seed checkpoint: its index and its first shard.
type fuzzBundle struct{ index, shard []byte }

// fuzzBundles are small synthetic checkpoints covering the reader's
// branches: every dtype, big-endian data, snappy blocks, many blocks with
// few restarts, partitioned tensors, an object graph, truncations. The
// real checkpoints of ../shared/models are added at run time instead of
// being committed (the folder's README asks that they stay out of the
// repository).
func fuzzBundles() []fuzzBundle {
	g := &tfpb.TrackableObjectGraph{Nodes: []*object{
		{Children: []*edge{{NodeId: 1, LocalName: "v"}}},
		variable("v", "v/.ATTRIBUTES/VARIABLE_VALUE"),
	}}
	layouts := []struct {
		tensors []stored
		o       bundleOpts
	}{
		{everyDType()[:6], bundleOpts{}},
		{everyDType()[6:], bundleOpts{bigEndian: true, tableOpts: tableOpts{snappy: true}}},
		{everyDType()[12:17], bundleOpts{tableOpts: tableOpts{blockSize: 32, restartInterval: 2}}},
		{partitionCases()[:3], bundleOpts{bigEndian: true}},
		{partitionCases()[3:], bundleOpts{}},
		{[]stored{{key: ObjectGraphKey, t: tensor.Scalar(string(mustMarshal(g)))}, {key: "v/.ATTRIBUTES/VARIABLE_VALUE", t: tensor.Scalar[float32](2)}}, bundleOpts{}},
	}
	var out []fuzzBundle
	for i, l := range layouts {
		kvs, shards := bundleEntries(l.tensors, l.o)
		out = append(out, fuzzBundle{writeTable(kvs, l.o.tableOpts), shards[0]})
		if i%2 == 0 { // also as a bare block: see tableFromBlock
			b := newBlock(3)
			for _, e := range kvs {
				b.add(e.key, e.value)
			}
			out = append(out, fuzzBundle{b.finish(), shards[0]})
		}
	}
	whole := out[0]
	out = append(out,
		fuzzBundle{whole.index[:len(whole.index)/2], whole.shard},
		fuzzBundle{whole.index, whole.shard[:len(whole.shard)/2]},
		fuzzBundle{writeTable([]kv{{"", nil}}, tableOpts{}), nil},
	)
	return out
}

// addSharedBundles adds small real checkpoints from ../shared/models as
// seeds when the folder is there.
func addSharedBundles(add func(fuzzBundle)) {
	root, err := testutil.SharedModelsDir()
	if err != nil {
		return
	}
	for _, rel := range []string{
		"savedmodel/tfserving/saved_model_half_plus_two_cpu/variables/variables",
		"savedmodel/tfserving/saved_model_half_plus_two_tf2_cpu/variables/variables",
		"savedmodel/tfjs_node/int64_multiply/variables/variables",
		"savedmodel/freeze/tfx_chicago_taxi_estimator/variables/variables",
	} {
		prefix := filepath.Join(root, filepath.FromSlash(rel))
		index, err1 := os.ReadFile(prefix + ".index")
		shard, err2 := os.ReadFile(prefix + shard0)
		if err1 == nil && err2 == nil {
			add(fuzzBundle{index, shard})
		}
	}
}

// memShards serves data as every shard of a fuzzed checkpoint.
func memShards(data []byte) func(string) (*shard, error) {
	return func(path string) (*shard, error) {
		return &shard{path: path, r: bytes.NewReader(data), size: int64(len(data))}, nil
	}
}

// tableFromBlock wraps a data block's contents into a valid table, so that
// fuzzed bytes reach the block and entry parsers past the block CRC that
// almost every mutation of a whole table breaks.
func tableFromBlock(contents []byte) []byte {
	trailer := func(file, block []byte) []byte {
		crc := crc32.Update(crc32.Checksum(block, castagnoli), castagnoli, []byte{noCompression})
		file = append(append(file, block...), noCompression)
		return binary.LittleEndian.AppendUint32(file, maskCRC(crc))
	}
	file := trailer(nil, contents)
	index := newBlock(1)
	index.add("\xff", binary.AppendUvarint(binary.AppendUvarint(nil, 0), uint64(len(contents))))
	indexBlock := index.finish()
	indexAt := len(file)
	file = trailer(file, indexBlock)
	footer := binary.AppendUvarint(binary.AppendUvarint(nil, 0), 0) // empty metaindex handle
	footer = binary.AppendUvarint(binary.AppendUvarint(footer, uint64(indexAt)), uint64(len(indexBlock)))
	footer = append(footer, make([]byte, 40-len(footer))...)
	return append(file, binary.LittleEndian.AppendUint64(footer, tableMagic)...)
}

// fuzzReader opens a fuzzed index read as a whole table or, failing
// that, as the contents of its only data block.
func fuzzReader(index, data []byte) (*Reader, error, error) {
	r, errTable := newReader("fuzz", "fuzz.index", index, memShards(data))
	if errTable == nil {
		return r, nil, nil
	}
	r, errBlock := newReader("fuzz", "fuzz.index", tableFromBlock(index), memShards(data))
	return r, errTable, errBlock
}

// fixCRCs sets the CRC32C of every fixed-size entry whose bytes lie in
// data to theirs, so that fuzzed data and entries reach the decoding and
// slice assembly behind the tensor CRC check.
func fixCRCs(r *Reader, data []byte) {
	for _, e := range r.entries {
		dt := tensor.DType(e.proto.GetDtype())
		off, size := e.proto.GetOffset(), e.proto.GetSize()
		if dt.FixedSize() && off >= 0 && size >= 0 && off <= int64(len(data)) && size <= int64(len(data))-off {
			e.proto.Crc32C = maskCRC(crc32.Checksum(data[off:off+size], castagnoli))
		}
	}
}

// checkFuzzError fails unless err is an *Error that wraps a sentinel.
func checkFuzzError(t *testing.T, err error) {
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is a %T, not an *Error", err, err)
	}
	for _, s := range []error{ErrCorrupt, ErrChecksum, ErrNotFound, ErrUnsupported} {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error %v wraps no sentinel", err)
}

// FuzzReadIndex feeds arbitrary bytes to the index reader: it must never
// panic, fail only with an *Error wrapping a sentinel, and what it accepts
// must list sorted keys with entries.
func FuzzReadIndex(f *testing.F) {
	for _, b := range fuzzBundles() {
		f.Add(b.index)
	}
	addSharedBundles(func(b fuzzBundle) { f.Add(b.index) })
	f.Fuzz(func(t *testing.T, index []byte) {
		r, errTable, errBlock := fuzzReader(index, nil)
		if errTable != nil {
			checkFuzzError(t, errTable)
		}
		if errBlock != nil {
			checkFuzzError(t, errBlock)
			return
		}
		keys := r.Keys()
		if !slices.IsSorted(keys) {
			t.Fatalf("keys not sorted: %q", keys)
		}
		for _, k := range keys {
			if _, ok := r.Entry(k); !ok {
				t.Fatalf("listed key %q has no entry", k)
			}
		}
	})
}

// FuzzReadTensor reads every tensor of a fuzzed index and shard: it must
// never panic or allocate beyond what the shard's size bounds, fail only
// with an *Error wrapping a sentinel, and return tensors that match their
// entries.
func FuzzReadTensor(f *testing.F) {
	for _, b := range fuzzBundles() {
		f.Add(b.index, b.shard)
	}
	addSharedBundles(func(b fuzzBundle) { f.Add(b.index, b.shard) })
	f.Fuzz(func(t *testing.T, index, data []byte) {
		r, _, err := fuzzReader(index, data)
		if err != nil {
			return // FuzzReadIndex covers the index
		}
		defer r.Close()
		if len(data) > 0 && data[0]&1 == 1 { // half the time, get past the tensor CRCs
			fixCRCs(r, data)
		}
		keys := make([]string, 0, len(r.entries))
		for k := range r.entries {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			got, err := r.Tensor(k)
			if err != nil {
				checkFuzzError(t, err)
				continue
			}
			e, _ := r.Entry(k)
			if got.DType() != e.DType || !got.Shape().Equal(e.Shape) || got.NumElements() != e.Shape.NumElements() {
				t.Fatalf("%q: read %v%v, entry says %v%v", k, got.DType(), got.Shape(), e.DType, e.Shape)
			}
		}
		if _, err := r.ObjectValues(); err != nil {
			checkFuzzError(t, err)
		}
	})
}

// TestWriteFuzzSeeds writes fuzzBundles as the committed seed corpora when
// run with -update.
func TestWriteFuzzSeeds(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/fuzz/FuzzReadIndex and FuzzReadTensor")
	}
	quote := func(b []byte) string { return "[]byte(" + strconv.Quote(string(b)) + ")\n" }
	for name, body := range map[string]func(fuzzBundle) string{
		"FuzzReadIndex":  func(b fuzzBundle) string { return quote(b.index) },
		"FuzzReadTensor": func(b fuzzBundle) string { return quote(b.index) + quote(b.shard) },
	} {
		dir := filepath.Join("testdata", "fuzz", name)
		require.NoError(t, os.RemoveAll(dir))
		require.NoError(t, os.MkdirAll(dir, 0o755))
		for i, b := range fuzzBundles() {
			require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte("go test fuzz v1\n"+body(b)), 0o644))
		}
	}
}
