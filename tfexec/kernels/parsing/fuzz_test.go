package parsing

import (
	"flag"
	"path/filepath"
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

var update = flag.Bool("update", false, "rewrite the fuzz seed corpus in testdata/fuzz/FuzzParseExample")

// fuzzRequest asks for one feature of each dtype and kind.
var fuzzRequest = request{
	sparse: []sparseReq{{"a", tensor.Int64}, {"b", tensor.String}, {"c", tensor.Float32}},
	dense: []denseReq{
		{"e", tensor.Float32, graph.ShapeAttr{1}, f32s(tensor.Shape{1}, -1)},
		{"v", tensor.Int64, graph.ShapeAttr{-1}, tensor.Scalar(int64(0))},
	},
	ragged: []raggedReq{{"r", tensor.String, tensor.Int64}},
}

// fuzzSeeds are serialized Examples, valid and not: every list kind,
// empty and missing features, repeated keys, the unpacked and unusual
// wire forms TensorFlow's parser reads, truncations.
func fuzzSeeds(t testing.TB) []string {
	full := example(t, features{
		"a": intsF(1, -2, 1<<40), "b": bytesF("x", ""), "c": floatsF(0.5, -1),
		"e": floatsF(3), "v": intsF(4, 5), "r": bytesF("p", "q"), "z": intsF(9),
	})
	seeds := []string{
		"",
		full,
		example(t, features{}),
		example(t, features{"a": emptyF(), "b": bytesF(), "c": floatsF(), "e": emptyF()}),
		example(t, features{"a": floatsF(1)}),
		example(t, features{"e": floatsF(1, 2)}),
		example(t, features{"e": intsF(1)}),
		example(t, features{"b": bytesF("k", "l", "m"), "r": bytesF()}),
		example(t, features{"a": intsF(1)}) + example(t, features{"a": intsF(2)}),
		example(t, features{"e": floatsF(1)}) + example(t, features{"e": emptyF()}),
		"\x0a\x0d\x0a\x0b\x0a\x01a\x12\x06\x1a\x04\x08\x05\x08\x7f",     // unpacked int64
		"\x0a\x0c\x0a\x0a\x0a\x01c\x12\x05\x12\x03\x0d\x00\x00",         // truncated unpacked float
		"\x0a\x0b\x0a\x09\x12\x04\x1a\x02\x08\x03\x0a\x01a",             // value before key
		"\x10\x01\x0a\x00\x1d\x00\x00\x00\x00\x12\xff\xff\xff\xff\x0f",  // unknown fields, huge skip
		"\x0a\x09\x0a\x07\x0a\x01a\x12\x02\x22\x00",                     // unsupported kind
		"\x0a\x0c\x0a\x0a\x0a\x01c\x12\x05\x12\x03\x0a\x05\x00",         // packed float longer than its list
		"\x0a\x0e\x0a\x0c\x0a\x01a\x12\x07\x1a\x05\x0a\x03\x80\x80\x80", // unterminated varint
		"\x0a\x0a\x0a\x08\x0a\x01a\x0a\x01a\x0a\x01a",                   // three fields in an entry
		"\x0a\x80\x80\x80\x80\x10",                                      // overlong length varint
		"\x0a\x05\x0a\x03\x0a\x01a",                                     // entry without a value
		"\x0b\x0c",                                                      // group
	}
	for _, n := range []int{1, 5, 12, len(full) - 1} {
		seeds = append(seeds, full[:n])
	}
	return seeds
}

// FuzzParseExample feeds arbitrary bytes as serialized Examples to the
// three ops. None may panic or break its outputs' invariants; a batch of
// the input twice gives its results twice; and where the bytes are a
// canonical encoding of a tensorflow.Example (they decode with protobuf
// and re-encode to themselves, unknown fields dropped), the parse must give exactly what the
// decoded message holds.
func FuzzParseExample(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add([]byte(s))
	}
	q := fuzzRequest
	f.Fuzz(func(t *testing.T, b []byte) {
		s := string(b)
		one, err1 := q.v2(strs(s), strs())
		two, err2 := q.v2(strs(s, s), strs())
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("a batch of one fails with %v, of two with %v", err1, err2)
		}
		if err1 == nil {
			checkBatchInvariants(t, one, 1)
			checkBatchInvariants(t, two, 2)
			checkDoubled(t, one, two)
		}
		// ParseExample has no ragged features.
		noRagged := request{sparse: q.sparse, dense: q.dense}
		v1, err := noRagged.v1(strs(s), strs())
		v2, errV2 := noRagged.v2(strs(s), strs())
		if (err == nil) != (errV2 == nil) {
			t.Fatalf("ParseExample and ParseExampleV2 disagree: %v vs %v", err, errV2)
		}
		if err == nil {
			assertTensors(t, v2, v1)
		}
		single, err := q.v2(tensor.Scalar(s), strs())
		if err == nil {
			checkSingleInvariants(t, single)
		}
		oracle(t, b, one, err1)
	})
}

// checkBatchInvariants checks the outputs of fuzzRequest on a batch.
func checkBatchInvariants(t *testing.T, out []*tensor.Tensor, batch int) {
	t.Helper()
	for i := range 3 {
		ix, vals, shape := tensor.Values[int64](out[i]), out[3+i], tensor.Values[int64](out[6+i])
		if out[i].Shape()[0] != vals.NumElements() || shape[0] != int64(batch) {
			t.Fatalf("sparse %d: indices %v, values %v, shape %v", i, out[i].Shape(), vals.Shape(), shape)
		}
		for j := 0; j < len(ix); j += 2 {
			if ix[j] < 0 || ix[j] >= int64(batch) || ix[j+1] < 0 || ix[j+1] >= shape[1] {
				t.Fatalf("sparse %d: index %v outside %v", i, ix[j:j+2], shape)
			}
		}
	}
	if s := out[9].Shape(); !s.Equal(tensor.Shape{batch, 1}) {
		t.Fatalf("dense e has shape %v", s)
	}
	if s := out[10].Shape(); len(s) != 2 || s[0] != batch {
		t.Fatalf("dense v has shape %v", s)
	}
	splits := tensor.Values[int64](out[12])
	if len(splits) != batch+1 || splits[0] != 0 || splits[batch] != int64(out[11].NumElements()) || !slices.IsSorted(splits) {
		t.Fatalf("ragged splits %v for %d values", splits, out[11].NumElements())
	}
}

// checkSingleInvariants checks the outputs of fuzzRequest on one Example.
func checkSingleInvariants(t *testing.T, out []*tensor.Tensor) {
	t.Helper()
	for i := range 3 {
		n := out[3+i].NumElements()
		if !out[i].Shape().Equal(tensor.Shape{n, 1}) || tensor.Values[int64](out[6+i])[0] != int64(n) {
			t.Fatalf("sparse %d: indices %v, %d values, shape %v", i, out[i].Shape(), n, out[6+i])
		}
	}
	if out[12].NumElements() != 0 {
		t.Fatalf("single-example ragged splits %v", out[12])
	}
}

// checkDoubled checks that the batch [s, s] gives the batch [s]'s values
// twice.
func checkDoubled(t *testing.T, one, two []*tensor.Tensor) {
	t.Helper()
	for _, i := range []int{3, 4, 5, 11} { // sparse and ragged values
		if two[i].NumElements() != 2*one[i].NumElements() {
			t.Fatalf("output %d: %d values for one, %d for two", i, one[i].NumElements(), two[i].NumElements())
		}
		if one[i].NumElements() > 0 {
			half, _ := two[i].Clone().Reshape(tensor.Shape{2, one[i].NumElements()})
			if err := tensor.Compare(one[i], rowOf(half), tensor.Tolerance{}); err != nil {
				t.Fatalf("output %d: %v", i, err)
			}
		}
	}
	if err := tensor.Compare(two[9], concatRows(one[9], one[9]), tensor.Tolerance{}); err != nil {
		t.Fatalf("dense e: %v", err)
	}
}

// rowOf returns the first row of a [2, n] tensor.
func rowOf(t *tensor.Tensor) *tensor.Tensor {
	n := t.Shape()[1]
	switch t.DType() {
	case tensor.Int64:
		return tensor.MustFromSlice(tensor.Shape{n}, tensor.Values[int64](t)[:n])
	case tensor.Float32:
		return tensor.MustFromSlice(tensor.Shape{n}, tensor.Values[float32](t)[:n])
	}
	return tensor.MustFromSlice(tensor.Shape{n}, tensor.Values[string](t)[:n])
}

func concatRows(a, b *tensor.Tensor) *tensor.Tensor {
	v := append(slices.Clone(tensor.Values[float32](a)), tensor.Values[float32](b)...)
	return tensor.MustFromSlice(append(tensor.Shape{2}, a.Shape()[1:]...), v)
}

// oracle checks a batch-of-one parse of b against protobuf's decoding
// when b is a canonical encoding of an Example, with no unknown fields.
// There TensorFlow's reading
// and protobuf's agree: a feature is the list its kind says, the sparse
// and ragged values are its values, "e" takes its one value or the
// default, and a list of the wrong kind is an error.
func oracle(t *testing.T, b []byte, out []*tensor.Tensor, err error) {
	t.Helper()
	var ex tfpb.Example
	if (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, &ex) != nil {
		return
	}
	again, merr := proto.MarshalOptions{Deterministic: true}.Marshal(&ex)
	if merr != nil || string(again) != string(b) {
		return
	}
	f := ex.GetFeatures().GetFeature()
	wantErr := false
	kindOf := func(key string) tensor.DType {
		switch f[key].GetKind().(type) {
		case *tfpb.Feature_Int64List:
			return tensor.Int64
		case *tfpb.Feature_FloatList:
			return tensor.Float32
		case *tfpb.Feature_BytesList:
			return tensor.String
		}
		return tensor.Invalid
	}
	for _, r := range []struct {
		key string
		dt  tensor.DType
	}{{"a", tensor.Int64}, {"b", tensor.String}, {"c", tensor.Float32}, {"r", tensor.String}, {"e", tensor.Float32}, {"v", tensor.Int64}} {
		if k := kindOf(r.key); k != tensor.Invalid && k != r.dt {
			wantErr = true
		}
	}
	if n := len(f["e"].GetFloatList().GetValue()); kindOf("e") == tensor.Float32 && n != 1 {
		wantErr = true
	}
	if wantErr != (err != nil) {
		t.Fatalf("canonical Example %v: parse error %v, want an error: %v", &ex, err, wantErr)
	}
	if err != nil {
		return
	}
	bytesOf := func(key string) []string {
		var out []string
		for _, v := range f[key].GetBytesList().GetValue() {
			out = append(out, string(v))
		}
		return out
	}
	e := []float32{-1}
	if kindOf("e") == tensor.Float32 {
		e = f["e"].GetFloatList().GetValue()
	}
	for i, want := range map[int]*tensor.Tensor{
		3:  vec(f["a"].GetInt64List().GetValue()),
		4:  vec(bytesOf("b")),
		5:  vec(f["c"].GetFloatList().GetValue()),
		9:  tensor.MustFromSlice(tensor.Shape{1, 1}, e),
		11: vec(bytesOf("r")),
	} {
		if err := tensor.Compare(out[i], want, tensor.Tolerance{}); err != nil {
			t.Fatalf("canonical Example %v: output %d: %v", &ex, i, err)
		}
	}
	v := f["v"].GetInt64List().GetValue()
	if err := tensor.Compare(out[10], tensor.MustFromSlice(tensor.Shape{1, len(v)}, slices.Clone(v)), tensor.Tolerance{}); err != nil {
		t.Fatalf("canonical Example %v: dense v: %v", &ex, err)
	}
}

func vec[T tensor.Element](v []T) *tensor.Tensor {
	return tensor.MustFromSlice(tensor.Shape{len(v)}, slices.Clone(v))
}

// TestFuzzSeedCorpus checks the committed seed corpus against fuzzSeeds,
// rewriting it with -update.
func TestFuzzSeedCorpus(t *testing.T) {
	var seeds [][]any
	for _, s := range fuzzSeeds(t) {
		seeds = append(seeds, []any{[]byte(s)})
	}
	testutil.CheckFuzzCorpus(t, filepath.Join("testdata", "fuzz", "FuzzParseExample"), seeds, *update,
		"go test ./tfexec/kernels/parsing -run TestFuzzSeedCorpus -update")
}
