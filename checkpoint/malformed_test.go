package checkpoint

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// copyCheckpoint copies the files of the checkpoint at prefix into dir and
// returns the copy's prefix.
func copyCheckpoint(t *testing.T, prefix, dir string) string {
	t.Helper()
	files, err := filepath.Glob(prefix + ".*")
	require.NoError(t, err)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644))
	}
	return filepath.Join(dir, filepath.Base(prefix))
}

// editIndex rewrites the index at prefix, changing the entries edit
// returns true for.
func editIndex(t *testing.T, prefix string, edit func(key string, e *tfpb.BundleEntryProto) bool) {
	t.Helper()
	data, err := os.ReadFile(prefix + ".index")
	require.NoError(t, err)
	entries := tableEntries(t, data)
	for i, kv := range entries[1:] {
		e := &tfpb.BundleEntryProto{}
		require.NoError(t, proto.Unmarshal(kv.value, e))
		if edit(kv.key, e) {
			entries[i+1].value = mustMarshal(e)
		}
	}
	require.NoError(t, os.WriteFile(prefix+".index", writeTable(entries, tableOpts{}), 0o644))
}

func editEntry(key string, f func(e *tfpb.BundleEntryProto)) func(*testing.T, string) {
	return func(t *testing.T, prefix string) {
		editIndex(t, prefix, func(k string, e *tfpb.BundleEntryProto) bool {
			if k == key {
				f(e)
			}
			return k == key
		})
	}
}

func editFile(suffix string, f func([]byte) []byte) func(*testing.T, string) {
	return func(t *testing.T, prefix string) {
		path := prefix + suffix
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, f(data), 0o644))
	}
}

func flipByte(at func(n int) int) func([]byte) []byte {
	return func(b []byte) []byte { b[at(len(b))] ^= 0x40; return b }
}

func writeIndex(entries []kv, o tableOpts) func(*testing.T, string) {
	return func(t *testing.T, prefix string) {
		require.NoError(t, os.WriteFile(prefix+".index", writeTable(entries, o), 0o644))
	}
}

func header(h *tfpb.BundleHeaderProto) kv { return kv{"", mustMarshal(h)} }

const shard0 = ".data-00000-of-00001"

// malformedCase damages a copy of a checkpoint and says which error
// reading it must give: the sentinel, the file it names (".index" or a
// shard suffix) and the tensor it names. Open must fail when key is empty
// or atOpen is set; otherwise reading the tensor key must.
type malformedCase struct {
	name   string
	damage func(t *testing.T, prefix string)
	key    string
	want   error
	file   string
	atOpen bool
}

// TestMalformedRealCheckpoint damages copies of a real TF1 checkpoint
// (half_plus_two: float32 scalars a, a2, b, c, c2; c is bytes 12–15 of
// the shard).
func TestMalformedRealCheckpoint(t *testing.T) {
	src := filepath.Join(testutil.SharedModel(t, "savedmodel/tfserving/saved_model_half_plus_two_cpu"), "variables", "variables")
	cases := []malformedCase{
		{"truncated index", editFile(".index", func(b []byte) []byte { return b[:len(b)-7] }), "", ErrCorrupt, ".index", false},
		{"index shorter than the footer", editFile(".index", func(b []byte) []byte { return b[:30] }), "", ErrCorrupt, ".index", false},
		{"empty index", editFile(".index", func([]byte) []byte { return nil }), "", ErrCorrupt, ".index", false},
		{"bad magic", editFile(".index", flipByte(func(n int) int { return n - 1 })), "", ErrCorrupt, ".index", false},
		{"bad block CRC", editFile(".index", flipByte(func(int) int { return 3 })), "", ErrChecksum, ".index", false},
		{"bad tensor CRC", editFile(shard0, flipByte(func(int) int { return 13 })), "c", ErrChecksum, shard0, false},
		{"bad entry CRC", editEntry("b", func(e *tfpb.BundleEntryProto) { e.Crc32C ^= 1 }), "b", ErrChecksum, shard0, false},
		{"missing shard", func(t *testing.T, p string) { require.NoError(t, os.Remove(p+shard0)) }, "a", ErrNotFound, shard0, false},
		{"short shard", editFile(shard0, func(b []byte) []byte { return b[:10] }), "c", ErrCorrupt, shard0, false},
		{"wrong dtype", editEntry("b", func(e *tfpb.BundleEntryProto) { e.Dtype = tfpb.DataType_DT_DOUBLE }), "b", ErrCorrupt, ".index", false},
		{"wrong shape", editEntry("b", func(e *tfpb.BundleEntryProto) { e.Shape = shapeProto(tensor.Shape{2, 2}) }), "b", ErrCorrupt, ".index", false},
		{"negative dimension", editEntry("b", func(e *tfpb.BundleEntryProto) {
			e.Shape = &tfpb.TensorShapeProto{Dim: []*tfpb.TensorShapeProto_Dim{{Size: -1}}}
		}), "b", ErrCorrupt, ".index", true},
		{"unknown rank", editEntry("b", func(e *tfpb.BundleEntryProto) { e.Shape = &tfpb.TensorShapeProto{UnknownRank: true} }), "b", ErrCorrupt, ".index", true},
		{"huge shape, small size", editEntry("b", func(e *tfpb.BundleEntryProto) { e.Shape = shapeProto(tensor.Shape{1 << 30, 1 << 30}) }), "b", ErrCorrupt, ".index", false},
		{"offset past the shard", editEntry("b", func(e *tfpb.BundleEntryProto) { e.Offset = 1 << 40 }), "b", ErrCorrupt, shard0, false},
		{"negative offset", editEntry("b", func(e *tfpb.BundleEntryProto) { e.Offset = -4 }), "b", ErrCorrupt, shard0, false},
		{"shard id out of range", editEntry("b", func(e *tfpb.BundleEntryProto) { e.ShardId = 3 }), "b", ErrCorrupt, ".index", false},
		{"variant dtype", editEntry("b", func(e *tfpb.BundleEntryProto) { e.Dtype = tfpb.DataType_DT_VARIANT }), "b", ErrUnsupported, ".index", false},
		{"quantized dtype on float bytes", editEntry("b", func(e *tfpb.BundleEntryProto) { e.Dtype = tfpb.DataType_DT_QINT8 }), "b", ErrCorrupt, ".index", false},
		{"unknown dtype", editEntry("b", func(e *tfpb.BundleEntryProto) { e.Dtype = 99 }), "b", ErrCorrupt, ".index", false},
		{"string dtype on float bytes", editEntry("b", func(e *tfpb.BundleEntryProto) { e.Dtype = tfpb.DataType_DT_STRING }), "b", ErrCorrupt, shard0, false},
	}
	runMalformed(t, src, cases)
}

// TestMalformedIndex damages the table structure and the header.
func TestMalformedIndex(t *testing.T) {
	okHeader := header(&tfpb.BundleHeaderProto{NumShards: 1})
	entry := kv{"w", mustMarshal(&tfpb.BundleEntryProto{Dtype: tfpb.DataType_DT_FLOAT})}
	unknownCompression := func(t *testing.T, prefix string) {
		b := writeTable([]kv{okHeader}, tableOpts{})
		// Set the first block's type byte to 2 and recompute its CRC, so
		// only the compression type is wrong.
		_, n, err := readHandle(b[len(b)-footerLen:])
		require.NoError(t, err)
		idx, _, err := readHandle(b[len(b)-footerLen+n:])
		require.NoError(t, err)
		end := int(idx.offset + idx.size)
		b[end] = 2
		crc := crc32.Update(crc32.Checksum(b[idx.offset:end], castagnoli), castagnoli, []byte{2})
		binary.LittleEndian.PutUint32(b[end+1:], maskCRC(crc))
		require.NoError(t, os.WriteFile(prefix+".index", b, 0o644))
	}
	cases := []malformedCase{
		{"no header", writeIndex([]kv{entry}, tableOpts{}), "", ErrCorrupt, ".index", false},
		{"empty table", writeIndex(nil, tableOpts{}), "", ErrCorrupt, ".index", false},
		{"header not a proto", writeIndex([]kv{{"", []byte{0xff, 0xff}}}, tableOpts{}), "", ErrCorrupt, ".index", false},
		{"entry not a proto", writeIndex([]kv{okHeader, {"w", []byte{0x0a, 0x7f}}}, tableOpts{}), "w", ErrCorrupt, ".index", true},
		{"keys out of order", writeIndex([]kv{okHeader, {"b", entry.value}, {"a", entry.value}}, tableOpts{blockSize: 1}), "", ErrCorrupt, ".index", false},
		{"duplicate keys", writeIndex([]kv{okHeader, entry, entry}, tableOpts{}), "", ErrCorrupt, ".index", false},
		{"newer format", writeIndex([]kv{header(&tfpb.BundleHeaderProto{NumShards: 1, Version: &tfpb.VersionDef{Producer: 5, MinConsumer: 3}})}, tableOpts{}), "", ErrUnsupported, ".index", false},
		{"bad endianness", writeIndex([]kv{header(&tfpb.BundleHeaderProto{NumShards: 1, Endianness: 7})}, tableOpts{}), "", ErrCorrupt, ".index", false},
		{"unknown block compression", unknownCompression, "", ErrUnsupported, ".index", false},
		{"snappy block CRC", func(t *testing.T, p string) {
			b := writeTable([]kv{okHeader, entry}, tableOpts{snappy: true})
			b[2] ^= 1
			require.NoError(t, os.WriteFile(p+".index", b, 0o644))
		}, "", ErrChecksum, ".index", false},
	}
	dir := t.TempDir()
	src := writeBundle(t, filepath.Join(dir, "src", "m"), []stored{{key: "w", t: tensor.Scalar[float32](1)}}, bundleOpts{})
	runMalformed(t, src, cases)
}

// TestMalformedStrings damages string tensors.
func TestMalformedStrings(t *testing.T) {
	src := writeBundle(t, filepath.Join(t.TempDir(), "src", "m"), []stored{
		{key: "s", t: tensor.MustFromSlice(tensor.Shape{3}, []string{"ab", "", "cde"})},
	}, bundleOpts{})
	// The shard holds 3 length bytes, 4 bytes of length CRC, then "abcde".
	cases := []malformedCase{
		{"lengths CRC", editFile(shard0, flipByte(func(int) int { return 4 })), "s", ErrChecksum, shard0, false},
		{"string bytes", editFile(shard0, flipByte(func(int) int { return 8 })), "s", ErrChecksum, shard0, false},
		{"length too long", editFile(shard0, func(b []byte) []byte { b[0] = 0x7f; return b }), "s", ErrCorrupt, shard0, false},
		{"overlong varint", editFile(shard0, func(b []byte) []byte {
			for i := range 12 {
				b[i] = 0xff
			}
			return b
		}), "s", ErrCorrupt, shard0, false},
		{"size too small", editEntry("s", func(e *tfpb.BundleEntryProto) { e.Size = 2 }), "s", ErrCorrupt, ".index", false},
		{"size past the lengths", editEntry("s", func(e *tfpb.BundleEntryProto) { e.Size = 5 }), "s", ErrCorrupt, shard0, false},
		{"more elements than bytes", editEntry("s", func(e *tfpb.BundleEntryProto) { e.Shape = shapeProto(tensor.Shape{1 << 40}) }), "s", ErrCorrupt, ".index", false},
		{"size zero", editEntry("s", func(e *tfpb.BundleEntryProto) { e.Size, e.Shape = 0, shapeProto(tensor.Shape{0}) }), "s", ErrChecksum, shard0, false},
	}
	runMalformed(t, src, cases)
}

// TestMalformedPartitioned damages partitioned tensors.
func TestMalformedPartitioned(t *testing.T) {
	full := tensor.MustFromSlice(tensor.Shape{4, 2}, []float32{1, 2, 3, 4, 5, 6, 7, 8})
	src := writeBundle(t, filepath.Join(t.TempDir(), "src", "m"), []stored{
		{key: "p", t: full, slices: [][][2]int64{{{0, 2}, {0, -1}}, {{2, 2}, {0, -1}}}},
	}, bundleOpts{})
	setSlices := func(exts ...[][2]int64) func(*testing.T, string) {
		return editEntry("p", func(e *tfpb.BundleEntryProto) {
			e.Slices = nil
			for _, ext := range exts {
				sp := &tfpb.TensorSliceProto{}
				for _, x := range ext {
					sp.Extent = append(sp.Extent, &tfpb.TensorSliceProto_Extent{Start: x[0], HasLength: &tfpb.TensorSliceProto_Extent_Length{Length: x[1]}})
				}
				e.Slices = append(e.Slices, sp)
			}
		})
	}
	firstSliceKey := sliceKey("p", &tfpb.TensorSliceProto{Extent: []*tfpb.TensorSliceProto_Extent{
		{Start: 0, HasLength: &tfpb.TensorSliceProto_Extent_Length{Length: 2}}, {}}})
	cases := []malformedCase{
		{"missing slice", setSlices([][2]int64{{0, 2}, {0, 2}}, [][2]int64{{2, 2}, {0, 2}}), "p", ErrCorrupt, ".index", false},
		{"slice out of bounds", setSlices([][2]int64{{3, 2}, {0, 2}}), "p", ErrCorrupt, ".index", false},
		{"wrong rank", setSlices([][2]int64{{0, 4}}), "p", ErrCorrupt, ".index", false},
		{"slices not covering", func(t *testing.T, p string) {
			editIndex(t, p, func(k string, e *tfpb.BundleEntryProto) bool {
				if k == "p" {
					e.Slices = e.Slices[:1]
				}
				return k == "p"
			})
		}, "p", ErrCorrupt, ".index", false},
		{"slices overlapping", func(t *testing.T, p string) {
			editIndex(t, p, func(k string, e *tfpb.BundleEntryProto) bool {
				if k == "p" {
					e.Slices = append(e.Slices, e.Slices[0])
				}
				return k == "p"
			})
		}, "p", ErrCorrupt, ".index", false},
		{"slice dtype", editEntry(firstSliceKey, func(e *tfpb.BundleEntryProto) { e.Dtype = tfpb.DataType_DT_INT32 }), "p", ErrCorrupt, ".index", false},
		{"slices sharing bytes", func(t *testing.T, p string) {
			// Point the second slice at the first one's bytes and drop the
			// second half of the shard: each slice reads and checks out,
			// but together they claim more than the shard holds.
			var first *tfpb.BundleEntryProto
			editIndex(t, p, func(k string, e *tfpb.BundleEntryProto) bool {
				switch {
				case k == firstSliceKey:
					first = e
				case first != nil && len(e.Slices) == 0:
					e.Offset, e.Crc32C = first.Offset, first.Crc32C
					return true
				}
				return false
			})
			editFile(shard0, func(b []byte) []byte { return b[:16] })(t, p)
		}, "p", ErrCorrupt, shard0, false},
		{"slice CRC", editEntry(firstSliceKey, func(e *tfpb.BundleEntryProto) { e.Crc32C++ }), "p", ErrChecksum, shard0, false},
	}
	runMalformed(t, src, cases)
}

func runMalformed(t *testing.T, src string, cases []malformedCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prefix := copyCheckpoint(t, src, t.TempDir())
			c.damage(t, prefix)
			r, err := Open(prefix)
			if c.key != "" && !c.atOpen {
				require.NoError(t, err, "Open must succeed: only reading %q fails", c.key)
				defer r.Close()
				_, err = r.Tensor(c.key)
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, c.want)
			var ce *Error
			require.True(t, errors.As(err, &ce), "%T", err)
			assert.Equal(t, prefix+c.file, ce.File)
			assert.Equal(t, c.key, ce.Key)
			assert.NotContains(t, err.Error(), "\n")
			t.Log(err)
		})
	}
}

// TestQuantizedEntryReads relabels the float32 scalar b (2.0) of a real
// checkpoint as qint32, of the same size: it reads as a qint32 holding
// the float's bits, as TensorFlow would read a quantized variable.
func TestQuantizedEntryReads(t *testing.T) {
	src := filepath.Join(testutil.SharedModel(t, "savedmodel/tfserving/saved_model_half_plus_two_cpu"), "variables", "variables")
	prefix := copyCheckpoint(t, src, t.TempDir())
	editEntry("b", func(e *tfpb.BundleEntryProto) { e.Dtype = tfpb.DataType_DT_QINT32 })(t, prefix)
	r, err := Open(prefix)
	require.NoError(t, err)
	defer r.Close()
	b, err := r.Tensor("b")
	require.NoError(t, err)
	assert.Equal(t, tensor.Qint32, b.DType())
	assert.Equal(t, []int32{0x40000000}, b.Data())
}
