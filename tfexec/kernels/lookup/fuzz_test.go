package lookup

import (
	"bytes"
	"flag"
	"path/filepath"
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
)

var update = flag.Bool("update", false, "rewrite the fuzz seed corpus in testdata/fuzz/FuzzParseTextFile")

// textSeed is one input of FuzzParseTextFile: a vocabulary file and how
// to read it.
type textSeed struct {
	data                        string
	keyIndex, valueIndex, vocab int64
	delimiter                   byte
	offset                      int64
	dtypes                      uint8 // index into fuzzTypes
}

// fuzzTypes are the key and value dtype pairs the fuzzer picks from.
var fuzzTypes = [][2]tensor.DType{
	{tensor.String, tensor.Int64}, {tensor.Int64, tensor.String}, {tensor.String, tensor.Int32},
	{tensor.String, tensor.Float32}, {tensor.Int32, tensor.Float64}, {tensor.String, tensor.String},
	{tensor.String, tensor.Bool}, {tensor.Int64, tensor.Int64},
}

func textSeeds() []textSeed {
	return []textSeed{
		{"emerson 10\nlake 20\npalmer 30", 0, 1, -1, ' ', 0, 0},
		{"emerson 10\nlake 20\npalmer 30\n", -2, -1, -1, '\t', 0, 0},
		{"a\r\nb\r\n\r", -2, -1, 2, '\t', 3, 0},
		{"1\tone\n2\ttwo\n", 0, 1, -1, '\t', 0, 1},
		{"x,7\ny,-2147483648\n", 0, 1, -1, ',', 5, 2},
		{"x 1e40\ny nan\nz -inf\n", 0, 1, -1, ' ', 0, 3},
		{"5 0x1p-3\n6  2.5 \n", 0, 1, 3, ' ', 0, 4},
		{"a\n\nb\n", -2, -2, -1, '\t', 0, 5},
		{"a,,b\n", 2, 0, -1, ',', 0, 5},
		{"a true\n", 0, 1, -1, ' ', 0, 6},
		{"9223372036854775807\n-9223372036854775808\n", -2, -1, -1, '\t', -1, 7},
		{"", -2, -1, -1, '\t', 0, 0},
		{"k\nk\n", -2, -1, 0, '\t', 0, 0},
	}
}

// FuzzParseTextFile feeds vocabulary files and reading options to the
// text-file parser: it must not panic, and what it accepts is one key
// and one value per line read, vocab_size of them when that is set.
func FuzzParseTextFile(f *testing.F) {
	for _, s := range textSeeds() {
		f.Add([]byte(s.data), s.keyIndex, s.valueIndex, s.vocab, s.delimiter, s.offset, s.dtypes)
	}
	f.Fuzz(func(t *testing.T, data []byte, keyIndex, valueIndex, vocab int64, delimiter byte, offset int64, dtypes uint8) {
		o := textFile{keyIndex: keyIndex, valueIndex: valueIndex, vocabSize: vocab, delimiter: delimiter, offset: offset}
		if min(keyIndex, valueIndex) < wholeLine || max(keyIndex, valueIndex) > 64 || vocab < -1 || vocab > 1<<20 {
			return // the factory refuses negative ones; larger ones only repeat
		}
		pair := fuzzTypes[int(dtypes)%len(fuzzTypes)]
		o.kt, o.vt = pair[0], pair[1]
		if o.check() != nil {
			return
		}
		keys, values, err := o.parse("f", data)
		if err != nil {
			return
		}
		n := keys.NumElements()
		if keys.Rank() != 1 || values.Rank() != 1 || values.NumElements() != n || keys.DType() != o.kt || values.DType() != o.vt {
			t.Fatalf("parse gave keys %v%v and values %v%v", keys.DType(), keys.Shape(), values.DType(), values.Shape())
		}
		if lines := bytes.Count(data, []byte{'\n'}) + 1; n == 0 || n > lines || (o.vocabSize >= 0 && int64(n) != o.vocabSize) {
			t.Fatalf("%d entries from %d lines with vocab_size %d", n, lines, o.vocabSize)
		}
	})
}

// TestFuzzSeedCorpus checks that the committed seed corpus is textSeeds,
// and rewrites it with -update.
func TestFuzzSeedCorpus(t *testing.T) {
	var seeds [][]any
	for _, s := range textSeeds() {
		seeds = append(seeds, []any{[]byte(s.data), s.keyIndex, s.valueIndex, s.vocab, s.delimiter, s.offset, s.dtypes})
	}
	testutil.CheckFuzzCorpus(t, filepath.Join("testdata", "fuzz", "FuzzParseTextFile"), seeds, *update,
		"go test ./tfexec/kernels/lookup -run TestFuzzSeedCorpus -update")
}
