package image

import (
	"errors"
	"flag"
	"image"
	"image/color"
	"testing"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

var update = flag.Bool("update", false, "rewrite the fuzz seed corpora in testdata/fuzz")

// fuzzOps are the decode ops the fuzz targets choose from.
var fuzzOps = []string{"DecodeImage", "DecodePng", "DecodeGif", "DecodeBmp", "DecodeJpeg"}

// fuzzDecode runs a decode op, chosen with its attributes by the other
// arguments, on data: the result is an error or an image of the rank and
// dtype the op promises, never a panic; with the tensor budget at 16 MiB
// no declared size can exhaust memory.
func fuzzDecode(t *testing.T, data []byte, op, channels, dtype byte, expand bool) {
	prev := tensor.SetMaxTensorBytes(16 << 20)
	defer tensor.SetMaxTensorBytes(prev)
	name := fuzzOps[int(op)%len(fuzzOps)]
	attrs := map[string]any{}
	if name != "DecodeGif" {
		attrs["channels"] = int(channels % 5)
	}
	dt := []tensor.DType{tensor.Uint8, tensor.Uint16, tensor.Float32}[int(dtype)%3]
	switch name {
	case "DecodeImage":
		attrs["dtype"], attrs["expand_animations"] = dt, expand
	case "DecodePng":
		if dt == tensor.Float32 {
			dt = tensor.Uint16
		}
		attrs["dtype"] = dt
	default:
		dt = tensor.Uint8
	}
	out, err := kerneltest.Call(graph.NewNode("n", name, nil, attrs), tensor.Scalar(string(data)))
	if err != nil {
		if !errors.Is(err, kernel.ErrInvalidArgument) && !errors.Is(err, tensor.ErrTooLarge) {
			t.Fatalf("%s: error wraps neither ErrInvalidArgument nor ErrTooLarge: %v", name, err)
		}
		return
	}
	img := out[0]
	if img.DType() != dt {
		t.Fatalf("%s returned %v, want %v", name, img.DType(), dt)
	}
	if r := img.Rank(); r != 3 && r != 4 {
		t.Fatalf("%s returned rank %d", name, r)
	}
	if c := img.Shape()[img.Rank()-1]; c < 1 || c > 4 {
		t.Fatalf("%s returned %d channels", name, c)
	}
}

func fuzzTarget(f *testing.F, seeds [][]any) {
	for _, s := range seeds {
		f.Add(s[0].([]byte), s[1].(byte), s[2].(byte), s[3].(byte), s[4].(bool))
	}
	f.Fuzz(fuzzDecode)
}

func pngSeeds(t testing.TB) [][]any {
	gray := image.NewGray(image.Rect(0, 0, 3, 2))
	pal := image.NewPaletted(image.Rect(0, 0, 2, 2), color.Palette{color.NRGBA{1, 2, 3, 255}, color.NRGBA{4, 5, 6, 0}})
	rgba := image.NewNRGBA64(image.Rect(0, 0, 2, 1))
	rgba.SetNRGBA64(1, 0, color.NRGBA64{1, 2, 3, 4})
	var seeds [][]any
	for i, data := range []string{rgbPNG(t), encodeStdPNG(t, gray), encodeStdPNG(t, pal), encodeStdPNG(t, rgba)} {
		seeds = append(seeds, []any{[]byte(data), byte(1), byte(i), byte(i), false}, []any{[]byte(data), byte(0), byte(i + 1), byte(2), true})
	}
	return seeds
}

func gifSeeds(t testing.TB) [][]any {
	data := []byte(testGIF(t))
	return [][]any{{data, byte(2), byte(0), byte(0), true}, {data, byte(0), byte(3), byte(2), false}, {data[:len(data)-9], byte(0), byte(0), byte(1), true}}
}

func bmpSeeds(testing.TB) [][]any {
	var seeds [][]any
	for i, data := range []string{
		bmp(2, 2, 24, []byte{1, 2, 3, 4, 5, 6}, []byte{7, 8, 9, 10, 11, 12}),
		bmp(1, -2, 32, []byte{1, 2, 3, 4}, []byte{5, 6, 7, 8}),
		bmp(3, 1, 8, []byte{10, 20, 30}),
	} {
		seeds = append(seeds, []any{[]byte(data), byte(3), byte(i * 3), byte(i), true})
	}
	return seeds
}

// TestFuzzSeedCorpora checks the committed seed corpora of the decode
// fuzz targets (rewrite them with -update).
func TestFuzzSeedCorpora(t *testing.T) {
	hint := "go test ./tfexec/kernels/image -run TestFuzzSeedCorpora -update"
	testutil.CheckFuzzCorpus(t, "testdata/fuzz/FuzzDecodePng", pngSeeds(t), *update, hint)
	testutil.CheckFuzzCorpus(t, "testdata/fuzz/FuzzDecodeGif", gifSeeds(t), *update, hint)
	testutil.CheckFuzzCorpus(t, "testdata/fuzz/FuzzDecodeBmp", bmpSeeds(t), *update, hint)
}

// FuzzDecodePng feeds mutated PNG files to the decode ops.
func FuzzDecodePng(f *testing.F) { fuzzTarget(f, pngSeeds(f)) }

// FuzzDecodeGif feeds mutated GIF files, animated and cut, to the decode
// ops.
func FuzzDecodeGif(f *testing.F) { fuzzTarget(f, gifSeeds(f)) }

// FuzzDecodeBmp feeds mutated BMP files to the decode ops.
func FuzzDecodeBmp(f *testing.F) { fuzzTarget(f, bmpSeeds(f)) }
