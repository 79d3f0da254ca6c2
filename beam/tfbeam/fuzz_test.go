package tfbeam

import (
	"bytes"
	"flag"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"path/filepath"
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

var update = flag.Bool("update", false, "rewrite the fuzz seed corpora")

// exampleSeeds are serialized tf.Examples with every kind of feature.
func exampleSeeds(t testing.TB) [][]any {
	ex := &tfpb.Example{Features: &tfpb.Features{Feature: map[string]*tfpb.Feature{
		"f": {Kind: &tfpb.Feature_FloatList{FloatList: &tfpb.FloatList{Value: []float32{1, 2, 3, 4}}}},
		"i": {Kind: &tfpb.Feature_Int64List{Int64List: &tfpb.Int64List{Value: []int64{-1, 1 << 40}}}},
		"s": {Kind: &tfpb.Feature_BytesList{BytesList: &tfpb.BytesList{Value: [][]byte{[]byte("a"), {0xff}}}}},
	}}}
	rec, err := proto.MarshalOptions{Deterministic: true}.Marshal(ex) // a stable corpus
	if err != nil {
		t.Fatal(err)
	}
	return [][]any{{rec}, {[]byte{}}}
}

// imageSeeds are small images in every format Predict decodes.
func imageSeeds(t testing.TB) [][]any {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 37)
	}
	var seeds [][]any
	for _, enc := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return png.Encode(b, img) },
		func(b *bytes.Buffer) error { return jpeg.Encode(b, img, nil) },
		func(b *bytes.Buffer) error { return gif.Encode(b, img, nil) },
		func(b *bytes.Buffer) error { return png.Encode(b, image.NewGray16(image.Rect(0, 0, 1, 1))) },
	} {
		var b bytes.Buffer
		if err := enc(&b); err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, []any{b.Bytes()})
	}
	return seeds
}

// TestFuzzSeedCorpora keeps testdata/fuzz in step with the seeds above.
func TestFuzzSeedCorpora(t *testing.T) {
	hint := "go test ./tfbeam -run TestFuzzSeedCorpora -update"
	testutil.CheckFuzzCorpus(t, filepath.Join("testdata", "fuzz", "FuzzExampleFeeds"), exampleSeeds(t), *update, hint)
	testutil.CheckFuzzCorpus(t, filepath.Join("testdata", "fuzz", "FuzzImageTensor"), imageSeeds(t), *update, hint)
}

// fuzzInputs are inputs of every dtype and shape rule exampleFeeds knows.
var fuzzInputs = [][]graph.TensorInfo{
	{inputInfo([]int64{-1, 2, 2}, tensor.Float32)},
	{{Key: "f", Name: "a:0", DType: tensor.Float64, Shape: []int64{-1, -1}, RankKnown: true}, {Key: "i", Name: "b:0", DType: tensor.Int64}},
	{{Key: "i", Name: "c:0", DType: tensor.Int32, Shape: []int64{}, RankKnown: true}},
	{{Key: "s", Name: "d:0", DType: tensor.String, Shape: []int64{-1, 2}, RankKnown: true}},
	{{Key: "examples", Name: "e:0", DType: tensor.String, Shape: []int64{-1}, RankKnown: true}},
}

// FuzzExampleFeeds: any record gives feeds that match the inputs' dtypes
// and batch of one, or an error; never a panic.
func FuzzExampleFeeds(f *testing.F) {
	f.Fuzz(func(t *testing.T, record []byte) {
		for _, inputs := range fuzzInputs {
			feeds, err := exampleFeeds(inputs, "", record)
			if err != nil {
				continue
			}
			for _, in := range inputs {
				got, ok := feeds[in.Name]
				if !ok {
					if in.DType == tensor.String && len(feeds) == 1 {
						continue // the record itself fed the string input
					}
					t.Fatalf("no feed for %s", in.Name)
				}
				if in.DType != tensor.Invalid && got.DType() != in.DType {
					t.Fatalf("%s: fed %v, the input is %v", in.Name, got.DType(), in.DType)
				}
				if in.RankKnown && got.Rank() != len(in.Shape) {
					t.Fatalf("%s: fed rank %d, the input's is %d", in.Name, got.Rank(), len(in.Shape))
				}
			}
		}
	})
}

// FuzzImageTensor: any file gives a [1, H, W, C] tensor of the input's
// dtype and size, or an error; never a panic.
func FuzzImageTensor(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range []graph.TensorInfo{
			inputInfo([]int64{-1, 4, 5, 3}, tensor.Float32),
			inputInfo([]int64{-1, 2, 2, 1}, tensor.Uint8),
		} {
			got, err := imageTensor(data, in, ImageOptions{})
			if err != nil {
				continue
			}
			want := tensor.Shape{1, int(in.Shape[1]), int(in.Shape[2]), int(in.Shape[3])}
			if !slices.Equal(got.Shape(), want) || got.DType() != in.DType {
				t.Fatalf("got %v %v, want %v %v", got.DType(), got.Shape(), in.DType, want)
			}
		}
	})
}
