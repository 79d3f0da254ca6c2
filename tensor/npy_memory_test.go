package tensor

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/testutil"
)

// npyBytes builds a .npy file by hand: header for descr, order and shape,
// then data as given (already in the file's byte order and layout).
func npyBytes(descr string, fortran bool, shape Shape, data []byte) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = fmt.Sprint(d)
	}
	order := "False"
	if fortran {
		order = "True"
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': (%s,), }", descr, order, strings.Join(dims, ", "))
	pad := 64 - (10+len(dict)+1)%64
	h := dict + strings.Repeat(" ", pad%64) + "\n"
	b := append([]byte(npyMagic), 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	b = append(b, h...)
	return append(b, data...)
}

// npyMemoryCases are large arrays in every layout ReadNPY must decode:
// native, byte-swapped, Fortran order, bool, complex.
func npyMemoryCases() []struct {
	name    string
	descr   string
	fortran bool
	shape   Shape
	item    int
} {
	return []struct {
		name    string
		descr   string
		fortran bool
		shape   Shape
		item    int
	}{
		{"float32 little-endian", "<f4", false, Shape{1024, 1024}, 4},
		{"float64 big-endian", ">f8", false, Shape{512, 1024}, 8},
		{"int16 Fortran order", "<i2", true, Shape{64, 128, 256}, 2},
		{"uint32 big-endian Fortran", ">u4", true, Shape{1024, 1024}, 4},
		{"bool", "|b1", false, Shape{4 << 20}, 1},
		{"complex64 big-endian", ">c8", false, Shape{512, 1024}, 8},
	}
}

// TestReadNPYFileAllocatesOnce: reading a .npy allocates the tensor and
// little more, whatever the byte order or layout. Reading the file whole
// and decoding it into a copy used to take 3.4–5.4× the file size; now it
// takes the tensor plus at most one npyChunk buffer.
func TestReadNPYFileAllocatesOnce(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range npyMemoryCases() {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.shape.NumElements() * tc.item
			data := make([]byte, n)
			for i := range data {
				data[i] = byte(i*7 + i>>9)
				if tc.descr == "|b1" {
					data[i] &= 1
				}
			}
			p := filepath.Join(dir, tc.name+".npy")
			require.NoError(t, os.WriteFile(p, npyBytes(tc.descr, tc.fortran, tc.shape, data), 0o644))
			var got *Tensor
			var err error
			alloc := testutil.AllocatedBy(func() { got, err = ReadNPYFile(p) })
			require.NoError(t, err)
			assert.Equal(t, tc.shape, got.Shape())
			ratio := float64(alloc) / float64(n)
			t.Logf("%s: %d bytes of data, %d allocated (%.2f×)", tc.name, n, alloc, ratio)
			assert.LessOrEqual(t, alloc, uint64(n)+npyChunk+64<<10, "allocated %.2f× the data", ratio)

			// The same file from a reader that does not know its size
			// decodes to the same tensor.
			again, err := ReadNPY(io.MultiReader(bytes.NewReader(npyBytes(tc.descr, tc.fortran, tc.shape, data))))
			require.NoError(t, err)
			assert.NoError(t, Compare(again, got, Tolerance{}))
		})
	}
}

// BenchmarkReadNPYFile reports the bytes allocated per byte of array data.
func BenchmarkReadNPYFile(b *testing.B) {
	dir := b.TempDir()
	for _, tc := range npyMemoryCases() {
		n := tc.shape.NumElements() * tc.item
		p := filepath.Join(dir, tc.name+".npy")
		require.NoError(b, os.WriteFile(p, npyBytes(tc.descr, tc.fortran, tc.shape, make([]byte, n)), 0o644))
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(n))
			var total uint64
			for b.Loop() {
				total += testutil.AllocatedBy(func() {
					if _, err := ReadNPYFile(p); err != nil {
						b.Fatal(err)
					}
				})
			}
			b.ReportMetric(float64(total)/float64(b.N)/float64(n), "alloc-bytes/data-byte")
		})
	}
}

func TestReadNPYLayouts(t *testing.T) {
	// Column-major [[a, b, c], [d, e, f]] is a d b e c f.
	fortranS := npyBytes("|S2", true, Shape{2, 3}, []byte("a\x00d\x00b\x00e\x00c\x00f\x00"))
	got, err := ReadNPY(bytes.NewReader(fortranS))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c", "d", "e", "f"}, got.Data())

	// Big-endian uint16, column-major [[1, 2], [3, 4]].
	fortranU := npyBytes(">u2", true, Shape{2, 2}, []byte{0, 1, 0, 3, 0, 2, 0, 4})
	got, err = ReadNPY(bytes.NewReader(fortranU))
	require.NoError(t, err)
	assert.Equal(t, []uint16{1, 2, 3, 4}, got.Data())

	// Bool bytes other than 0 read as true.
	got, err = ReadNPY(bytes.NewReader(npyBytes("|b1", false, Shape{3}, []byte{0, 7, 1})))
	require.NoError(t, err)
	assert.Equal(t, []bool{false, true, true}, got.Data())
}

// TestReadNPYLyingHeader: a header that claims more data than the stream
// holds costs no more than the stream, whether or not the reader knows its
// length.
func TestReadNPYLyingHeader(t *testing.T) {
	// 2³⁰ float32 claimed, 12 bytes present.
	data := npyBytes("<f4", false, Shape{1 << 30}, make([]byte, 12))
	readers := []struct {
		name string
		r    func() io.Reader
	}{
		{"known length", func() io.Reader { return bytes.NewReader(data) }},
		{"unknown length", func() io.Reader { return io.MultiReader(bytes.NewReader(data)) }},
	}
	for _, tc := range readers {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			alloc := testutil.AllocatedBy(func() { _, err = ReadNPY(tc.r()) })
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrNPY)
			assert.Contains(t, err.Error(), "data truncated: [1073741824] <f4 needs 4294967296 bytes, found 12")
			assert.Less(t, alloc, uint64(4*npyChunk), "allocated %d bytes", alloc)
		})
	}
	_, err := ReadNPY(bytes.NewReader(npyBytes("|S0", false, Shape{1 << 40}, nil)))
	assert.ErrorIs(t, err, ErrNPY)
	assert.Contains(t, err.Error(), `zero-width string descr "|S0"`)
}

var update = flag.Bool("update", false, "rewrite the committed fuzz seed corpus under testdata/fuzz/FuzzReadNPY")

// npySeeds are the committed seeds of FuzzReadNPY, besides the NumPy
// files in testdata/npy it adds itself: the layouts the streaming decoder
// handles apart (Fortran strings and numbers, byte-swapped, bool bytes
// other than 0 and 1) and headers that lie about the data.
func npySeeds() [][]any {
	return [][]any{
		{npyBytes("|S2", true, Shape{2, 3}, []byte("a\x00d\x00b\x00e\x00c\x00f\x00"))},
		{npyBytes("<U1", true, Shape{2, 2}, []byte("a\x00\x00\x00c\x00\x00\x00b\x00\x00\x00d\x00\x00\x00"))},
		{npyBytes(">u2", true, Shape{2, 2}, []byte{0, 1, 0, 3, 0, 2, 0, 4})},
		{npyBytes(">c8", false, Shape{1}, []byte{0x3f, 0x80, 0, 0, 0x40, 0, 0, 0})},
		{npyBytes("|b1", false, Shape{3}, []byte{0, 7, 1})},
		{npyBytes("<f4", false, Shape{1 << 30}, make([]byte, 12))},
		{npyBytes("|S0", false, Shape{1 << 40}, nil)},
	}
}

func TestFuzzSeedCorpus(t *testing.T) {
	testutil.CheckFuzzCorpus(t, filepath.Join("testdata", "fuzz", "FuzzReadNPY"), npySeeds(), *update,
		"go test ./tensor -run TestFuzzSeedCorpus -update")
}
