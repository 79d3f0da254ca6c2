package jpegturbo

import (
	"errors"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the fuzz seed corpus in testdata/fuzz/FuzzDecodeJpeg")

// fuzzBudget bounds the images the fuzzer may decode, as the tensor budget
// bounds DecodeJpeg's.
const fuzzBudget = 16 << 20

var errOverBudget = errors.New("over the fuzz budget")

// fuzzSeeds are the test images whole and cut, with settings that reach
// the crop, CMYK, truncation and scaling paths.
func fuzzSeeds(t testing.TB) [][]any {
	var seeds [][]any
	for i, name := range []string{"rgb420.jpg", "rgb444.jpg", "gray.jpg", "cmyk.jpg", "progressive.jpg"} {
		data, err := os.ReadFile("testdata/" + name)
		require.NoError(t, err)
		seeds = append(seeds,
			[]any{data, byte(0), byte(1), byte(0b0011), int64(0)},
			[]any{data[:len(data)*2/3], byte(3), byte(2), byte(0b1101), int64(0x0003_0002_0010_0009)},
			[]any{data[:len(data)/2], byte(i % 2), byte(1), byte(0b0101), int64(0)},
		)
	}
	return seeds
}

func TestFuzzDecodeJpegSeeds(t *testing.T) {
	testutil.CheckFuzzCorpus(t, "testdata/fuzz/FuzzDecodeJpeg", fuzzSeeds(t), *update,
		"go test ./internal/jpegturbo -run TestFuzzDecodeJpegSeeds -update")
}

// FuzzDecodeJpeg decodes mutated JPEG data with mutated options: every
// outcome is an image of the size ReadHeader gives or an error, never a
// crash or an exit from libjpeg. flags holds fancy upscaling (bit 0),
// recovery of truncated files (1), the accurate DCT (2) and a crop (3);
// window packs the crop's x, y, width and height in 16 bits each.
func FuzzDecodeJpeg(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s[0].([]byte), s[1].(byte), s[2].(byte), s[3].(byte), s[4].(int64))
	}
	f.Fuzz(func(t *testing.T, data []byte, channels, ratio, flags byte, window int64) {
		o := DecodeOptions{
			Channels:            int(channels % 4),
			Ratio:               int(ratio % 9),
			FancyUpscaling:      flags&1 != 0,
			TryRecoverTruncated: flags&2 != 0,
			AcceptableFraction:  float32(flags>>4) / 15,
		}
		if flags&4 != 0 {
			o.DCT = IntegerAccurate
		}
		if flags&8 != 0 {
			w := uint64(window)
			o.Crop = &Window{X: int(w >> 48), Y: int(w >> 32 & 0xFFFF), Width: int(w >> 16 & 0xFFFF), Height: int(w & 0xFFFF)}
		}
		img, err := Decode(data, o, func(h Header) error {
			if h.Samples() > fuzzBudget {
				return errOverBudget
			}
			return nil
		})
		if err != nil {
			return
		}
		if int64(len(img.Pix)) != img.Samples() {
			t.Fatalf("%d bytes for a %+v image", len(img.Pix), img.Header)
		}
		h, err := ReadHeader(data, o)
		if err != nil {
			t.Fatalf("decoded, but ReadHeader fails: %v", err)
		}
		if h != img.Header {
			t.Fatalf("decoded %+v, ReadHeader says %+v", img.Header, h)
		}
		// Shape, as TensorFlow's ExtractJpegShape, never recovers a
		// truncated header.
		if _, err := Shape(data); err != nil && !o.TryRecoverTruncated {
			t.Fatalf("decoded, but Shape fails: %v", err)
		}
	})
}
