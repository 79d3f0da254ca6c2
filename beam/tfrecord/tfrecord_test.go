package tfrecord

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"flag"
	"io"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/testutil"
)

// TensorFlow's own bytes: tf.python_io.TFRecordWriter writing the records
// "foo", then "foo" and "bar" (the vectors Apache Beam's tfrecordio tests
// keep).
const (
	fooRecord    = "AwAAAAAAAACwmUkOZm9vYYq+/g=="
	fooBarRecord = "AwAAAAAAAACwmUkOZm9vYYq+/gMAAAAAAAAAsJlJDmJhckYA5cg="
)

func decode(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

func readAll(r *Reader) ([][]byte, error) {
	var out [][]byte
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}

func TestReadsTensorFlowsBytes(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"foo", fooRecord, []string{"foo"}},
		{"foo and bar", fooBarRecord, []string{"foo", "bar"}},
		{"empty file", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(NewReader(bytes.NewReader(decode(t, tc.file))))
			require.NoError(t, err)
			var strs []string
			for _, g := range got {
				strs = append(strs, string(g))
			}
			assert.Equal(t, tc.want, strs)
		})
	}
}

func TestWritesTensorFlowsBytes(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	require.NoError(t, w.Write([]byte("foo")))
	require.NoError(t, w.Write([]byte("bar")))
	assert.Equal(t, fooBarRecord, base64.StdEncoding.EncodeToString(buf.Bytes()))
}

func TestRefusesCorruptStreams(t *testing.T) {
	good := decode(t, fooBarRecord)
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 1
		return b
	}
	huge := bytes.Clone(good[:12])
	binary.LittleEndian.PutUint64(huge, 1<<40)
	binary.LittleEndian.PutUint32(huge[8:], maskedCRC(huge[:8]))
	for _, tc := range []struct {
		name  string
		data  []byte
		valid int // records read before the error
	}{
		{"length bit flipped", flip(0), 0},
		{"length CRC bit flipped", flip(9), 0},
		{"data bit flipped", flip(12), 0},
		{"data CRC bit flipped", flip(16), 0},
		{"second record's data flipped", flip(19 + 12), 1},
		{"cut inside the header", good[:5], 0},
		{"cut inside the data", good[:13], 0},
		{"cut before the data CRC", good[:15], 0},
		{"cut inside the second record", good[:len(good)-1], 1},
		{"length over the limit", huge, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(NewReader(bytes.NewReader(tc.data)))
			assert.ErrorIs(t, err, ErrCorrupt)
			assert.Len(t, got, tc.valid)
		})
	}
}

func TestMaxRecordBytes(t *testing.T) {
	r := NewReader(bytes.NewReader(decode(t, fooRecord)))
	r.MaxRecordBytes = 2
	_, err := r.Next()
	require.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), "record 0 at byte 0")
}

// TestLargeRecordsRoundTrip covers records read in several chunks.
func TestLargeRecordsRoundTrip(t *testing.T) {
	recs := [][]byte{bytes.Repeat([]byte{7}, 3*chunk+5), {}, []byte("x")}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, r := range recs {
		require.NoError(t, w.Write(r))
	}
	got, err := readAll(NewReader(&buf))
	require.NoError(t, err)
	assert.Equal(t, recs, got)
}

// TestCorruptLengthAllocatesLittle: a header claiming the limit's worth
// of data over a stream that holds a few bytes must not allocate it.
func TestCorruptLengthAllocatesLittle(t *testing.T) {
	head := make([]byte, 12, 20)
	binary.LittleEndian.PutUint64(head, DefaultMaxRecordBytes)
	binary.LittleEndian.PutUint32(head[8:], maskedCRC(head[:8]))
	data := append(head, "12345678"...)
	var err error
	allocated := testutil.AllocatedBy(func() { _, err = NewReader(bytes.NewReader(data)).Next() })
	require.ErrorIs(t, err, ErrCorrupt)
	assert.Less(t, allocated, uint64(2*chunk), "bytes allocated for a 1 GiB claim over 8 bytes")
}

func TestGzip(t *testing.T) {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, err := zw.Write(decode(t, fooBarRecord))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	r, c, err := NewGzipReader(&z)
	require.NoError(t, err)
	defer c.Close()
	got, err := readAll(r)
	require.NoError(t, err)
	assert.Equal(t, [][]byte{[]byte("foo"), []byte("bar")}, got)

	_, _, err = NewGzipReader(bytes.NewReader(decode(t, fooRecord)))
	assert.Error(t, err, "an uncompressed file is not gzip")
}

var update = flag.Bool("update", false, "rewrite the fuzz seed corpus")

// TestFuzzSeedCorpus keeps testdata/fuzz/FuzzReader in step with
// TensorFlow's bytes above.
func TestFuzzSeedCorpus(t *testing.T) {
	var seeds [][]any
	for _, s := range []string{fooRecord, fooBarRecord, ""} {
		seeds = append(seeds, []any{decode(t, s)})
	}
	testutil.CheckFuzzCorpus(t, filepath.Join("testdata", "fuzz", "FuzzReader"), seeds, *update, "go test ./tfrecord -run TestFuzzSeedCorpus -update")
}

// FuzzReader: any stream either reads as records that write back to the
// same bytes, or stops at an ErrCorrupt; it never panics.
func FuzzReader(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data))
		r.MaxRecordBytes = 1 << 20
		recs, err := readAll(r)
		var back bytes.Buffer
		w := NewWriter(&back)
		for _, rec := range recs {
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
		}
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			if !bytes.HasPrefix(data, back.Bytes()) {
				t.Fatal("the records read before the error do not write back to the stream's start")
			}
			return
		}
		if !bytes.Equal(back.Bytes(), data) {
			t.Fatal("records do not write back to the same bytes")
		}
	})
}
