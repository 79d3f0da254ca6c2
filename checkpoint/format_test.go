package checkpoint

import (
	"encoding/hex"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// everyDType returns one small tensor of each dtype a checkpoint can hold
// and a tensor.Tensor can too, with values that show byte-order mistakes.
func everyDType() []stored {
	f32 := []float32{1.5, -2.25, float32(math.Inf(1)), 3.4e38, 1e-45, 0}
	return []stored{
		{key: "f32", t: tensor.MustFromSlice(tensor.Shape{2, 3}, f32)},
		{key: "f64", t: tensor.MustFromSlice(tensor.Shape{3}, []float64{math.Pi, -1e300, 5e-324})},
		{key: "f16", t: tensor.MustFromSlice(tensor.Shape{2}, []tensor.F16{tensor.NewF16(0.5), tensor.NewF16(-65504)})},
		{key: "bf16", t: tensor.MustFromSlice(tensor.Shape{2}, []tensor.BF16{tensor.NewBF16(3.140625), tensor.NewBF16(-1e30)})},
		{key: "i8", t: tensor.MustFromSlice(tensor.Shape{3}, []int8{-128, 0, 127})},
		{key: "i16", t: tensor.MustFromSlice(tensor.Shape{2}, []int16{-32768, 0x1234})},
		{key: "i32", t: tensor.MustFromSlice(tensor.Shape{2}, []int32{-1 << 31, 0x12345678})},
		{key: "i64", t: tensor.MustFromSlice(tensor.Shape{2}, []int64{-1 << 63, 0x123456789abcdef0})},
		{key: "u8", t: tensor.MustFromSlice(tensor.Shape{2}, []uint8{0, 255})},
		{key: "u16", t: tensor.MustFromSlice(tensor.Shape{2}, []uint16{0xfffe, 0x0102})},
		{key: "u32", t: tensor.MustFromSlice(tensor.Shape{1}, []uint32{0xdeadbeef})},
		{key: "u64", t: tensor.MustFromSlice(tensor.Shape{1}, []uint64{0xfedcba9876543210})},
		{key: "bool", t: tensor.MustFromSlice(tensor.Shape{3}, []bool{true, false, true})},
		{key: "c64", t: tensor.MustFromSlice(tensor.Shape{2}, []complex64{complex(1, -2), complex(0.5, 1e10)})},
		{key: "c128", t: tensor.MustFromSlice(tensor.Shape{1}, []complex128{complex(math.E, -math.Pi)})},
		{key: "str", t: tensor.MustFromSlice(tensor.Shape{2, 2}, []string{"", "a\x00\xffb", strings.Repeat("long ", 60), "ünï"})},
		{key: "str_empty", t: tensor.MustFromSlice(tensor.Shape{0}, []string{})},
		{key: "scalar", t: tensor.Scalar[float32](7)},
		{key: "empty", t: tensor.MustFromSlice(tensor.Shape{0, 3}, []float32{})},
	}
}

// assertSame checks two tensors are identical, bit for bit.
func assertSame(t *testing.T, want, got *tensor.Tensor, key string) {
	t.Helper()
	require.Equal(t, want.DType(), got.DType(), key)
	require.Equal(t, want.Shape(), got.Shape(), key)
	if want.DType() == tensor.String {
		assert.Equal(t, tensor.Values[string](want), tensor.Values[string](got), key)
		return
	}
	assert.Equal(t, want.Bytes(), got.Bytes(), key)
}

// TestRoundTrip writes bundles in every layout the reader must handle and
// reads every tensor back.
func TestRoundTrip(t *testing.T) {
	layouts := map[string]bundleOpts{
		"little-endian":           {},
		"big-endian":              {bigEndian: true},
		"snappy":                  {tableOpts: tableOpts{snappy: true}},
		"many blocks and shards":  {tableOpts: tableOpts{blockSize: 40, restartInterval: 3}, numShards: 3},
		"big-endian snappy multi": {tableOpts: tableOpts{snappy: true, blockSize: 64, restartInterval: 2}, bigEndian: true, numShards: 2},
	}
	for name, o := range layouts {
		t.Run(name, func(t *testing.T) {
			tensors := everyDType()
			for i := range tensors {
				tensors[i].shard = i % max(o.numShards, 1)
			}
			r := openT(t, writeBundle(t, filepath.Join(t.TempDir(), "model.ckpt"), tensors, o))
			assert.Equal(t, o.bigEndian, r.bigEndian)
			assert.Len(t, r.Keys(), len(tensors))
			for _, s := range tensors {
				got, err := r.Tensor(s.key)
				require.NoError(t, err, s.key)
				assertSame(t, s.t, got, s.key)
				e, ok := r.Entry(s.key)
				require.True(t, ok)
				assert.Equal(t, s.shard, e.Shard)
			}
		})
	}
}

// TestBigEndianBytes checks the byte swap against bytes written by hand,
// independently of the test writer.
func TestBigEndianBytes(t *testing.T) {
	for _, c := range []struct {
		dt   tensor.DType
		raw  string // the stored, big-endian bytes
		want any
	}{
		{tensor.Float32, "3fc00000", []float32{1.5}},
		{tensor.Int16, "fffe0102", []int16{-2, 0x0102}},
		{tensor.Int64, "0102030405060708", []int64{0x0102030405060708}},
		{tensor.Complex64, "3f800000c0000000", []complex64{complex(1, -2)}},
		{tensor.Float16, "3c00", []tensor.F16{tensor.NewF16(1)}},
		{tensor.Uint8, "ff01", []uint8{255, 1}},
	} {
		b, err := hex.DecodeString(c.raw)
		require.NoError(t, err)
		swapBytes(b, componentSize(c.dt))
		got, err := tensor.FromBytes(c.dt, tensor.Shape{len(b) / c.dt.Size()}, b)
		require.NoError(t, err)
		assert.Equal(t, c.want, got.Data(), c.dt.String())
	}
}

// TestOrderedCode checks the slice-key encoding against byte strings
// TensorFlow's C++ OrderedCode produces.
func TestOrderedCode(t *testing.T) {
	signed := map[int64]string{
		math.MinInt64: "003f8000000000000000", math.MinInt32 - 1: "077fffffff", math.MinInt32: "0780000000",
		-65: "3fbf", -64: "40", -63: "41", -1: "7f", 0: "80", 1: "81", 63: "bf", 64: "c040", 65: "c041",
		math.MaxInt32: "f87fffffff", math.MaxInt32 + 1: "f880000000", math.MaxInt64: "ffc07fffffffffffffff",
	}
	for v, want := range signed {
		assert.Equal(t, want, hex.EncodeToString(appendSignedIncreasing(nil, v)), "%d", v)
	}
	assert.Equal(t, "00", hex.EncodeToString(appendNumIncreasing(nil, 0)))
	assert.Equal(t, "020100", hex.EncodeToString(appendNumIncreasing(nil, 256)))
	assert.Equal(t, "6100ff62ff00630001", hex.EncodeToString(appendOrderedString(nil, "a\x00b\xffc")))

	// EncodeTensorNameSlice("foo", "-:1,3"): 0, "foo", rank 2, (0,-1), (1,3).
	s := &tfpb.TensorSliceProto{Extent: []*tfpb.TensorSliceProto_Extent{
		{},
		{Start: 1, HasLength: &tfpb.TensorSliceProto_Extent_Length{Length: 3}},
	}}
	assert.Equal(t, "00"+"666f6f0001"+"0102"+"807f"+"8183", hex.EncodeToString([]byte(sliceKey("foo", s))))
}

// partitionCases are partitioned tensors in the layouts TensorFlow's
// partitioners produce, plus ones the fast path cannot take.
func partitionCases() []stored {
	grid := make([]float32, 6*4)
	for i := range grid {
		grid[i] = float32(i) + 0.5
	}
	full := tensor.MustFromSlice(tensor.Shape{6, 4}, grid)
	words := tensor.MustFromSlice(tensor.Shape{3, 2}, []string{"a", "bb", "", "dddd", "e", "ff"})
	i64 := make([]int64, 2*3*4)
	for i := range i64 {
		i64[i] = int64(i) * -1234567
	}
	cube := tensor.MustFromSlice(tensor.Shape{2, 3, 4}, i64)
	return []stored{
		{key: "rows", t: full, slices: [][][2]int64{{{0, 2}, {0, -1}}, {{2, 3}, {0, -1}}, {{5, 1}, {0, -1}}}},
		{key: "cols", t: full, slices: [][][2]int64{{{0, -1}, {0, 1}}, {{0, -1}, {1, 3}}}},
		{key: "grid", t: full, slices: [][][2]int64{{{0, 3}, {0, 2}}, {{0, 3}, {2, 2}}, {{3, 3}, {0, 2}}, {{3, 3}, {2, 2}}}},
		{key: "words", t: words, slices: [][][2]int64{{{0, 1}, {0, -1}}, {{1, 2}, {0, 1}}, {{1, 2}, {1, 1}}}},
		{key: "cube", t: cube, slices: [][][2]int64{{{0, 1}, {0, 2}, {0, -1}}, {{0, 1}, {2, 1}, {0, -1}}, {{1, 1}, {0, -1}, {0, 4}}}},
	}
}

func TestPartitioned(t *testing.T) {
	for _, big := range []bool{false, true} {
		o := bundleOpts{bigEndian: big, numShards: 2}
		tensors := partitionCases()
		r := openT(t, writeBundle(t, filepath.Join(t.TempDir(), "part"), tensors, o))
		assert.Equal(t, []string{"cols", "cube", "grid", "rows", "words"}, r.Keys(), "slice keys are hidden")
		for _, s := range tensors {
			e, ok := r.Entry(s.key)
			require.True(t, ok)
			assert.Equal(t, len(s.slices), e.Slices)
			got, err := r.Tensor(s.key)
			require.NoError(t, err, s.key)
			assertSame(t, s.t, got, s.key)
		}
	}
}

func TestContiguousOffset(t *testing.T) {
	shape := tensor.Shape{4, 3, 2}
	cases := []struct {
		start, length []int
		off           int
		ok            bool
	}{
		{[]int{1, 0, 0}, []int{2, 3, 2}, 6, true},
		{[]int{2, 1, 0}, []int{1, 2, 2}, 14, true},
		{[]int{3, 2, 1}, []int{1, 1, 1}, 23, true},
		{[]int{0, 0, 0}, []int{4, 3, 2}, 0, true},
		{[]int{0, 1, 0}, []int{2, 1, 2}, 0, false},
		{[]int{0, 0, 1}, []int{1, 3, 1}, 0, false},
	}
	for _, c := range cases {
		off, ok := contiguousOffset(shape, c.start, c.length)
		assert.Equal(t, c.ok, ok, "%v %v", c.start, c.length)
		if c.ok {
			assert.Equal(t, c.off, off, "%v %v", c.start, c.length)
		}
	}
}

func TestMaskCRC(t *testing.T) {
	for _, crc := range []uint32{0, 1, 0xffffffff, 0x12345678, maskDelta} {
		assert.Equal(t, crc, unmaskCRC(maskCRC(crc)))
	}
	// LevelDB's crc32c_test: Mask(0) is the rotation of 0 plus the delta.
	assert.Equal(t, uint32(maskDelta), maskCRC(0))
}
