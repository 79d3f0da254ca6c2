package jpegturbo

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/testutil"
)

// reference is one line of testdata/reference.txt: a decode by
// testdata/ref/refdecode.c, libjpeg-turbo used directly.
type reference struct {
	file                 string
	opts                 DecodeOptions
	height, width, chans int
	sha256               string
}

func readReferences(t *testing.T) []reference {
	t.Helper()
	f, err := os.Open("testdata/reference.txt")
	require.NoError(t, err)
	defer f.Close()
	var refs []reference
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		fs := strings.Fields(line)
		require.Len(t, fs, 9, line)
		n := func(i int) int {
			v, err := strconv.Atoi(fs[i])
			require.NoError(t, err, line)
			return v
		}
		o := DefaultDecodeOptions()
		o.Channels, o.Ratio, o.FancyUpscaling = n(1), n(2), fs[4] == "1"
		if fs[3] == "accurate" {
			o.DCT = IntegerAccurate
		}
		refs = append(refs, reference{file: fs[0], opts: o, height: n(5), width: n(6), chans: n(7), sha256: fs[8]})
	}
	require.NoError(t, s.Err())
	return refs
}

// imagePath finds a reference file: the package's testdata, or the shared
// photos.
func imagePath(t *testing.T, name string) string {
	t.Helper()
	if p := filepath.Join("testdata", name); fileExists(p) {
		return p
	}
	return testutil.SharedModel(t, "images/"+name)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return b
}

// TestReferenceDecodes checks every reference decode bit for bit: the
// synthetic images (CMYK, grayscale, 4:2:0 of odd size, 4:4:4,
// progressive) and the shared photos, with every channels, ratio, DCT and
// upsampling setting.
func TestReferenceDecodes(t *testing.T) {
	if !Exact {
		t.Skip("built without libjpeg-turbo: TestStdDifference measures the fallback")
	}
	refs := readReferences(t)
	require.GreaterOrEqual(t, len(refs), 100)
	for _, r := range refs {
		name := strings.Join([]string{r.file, strconv.Itoa(r.opts.Channels), strconv.Itoa(r.opts.Ratio),
			map[DCTMethod]string{IntegerFast: "fast", IntegerAccurate: "accurate"}[r.opts.DCT],
			strconv.FormatBool(r.opts.FancyUpscaling)}, "/")
		t.Run(name, func(t *testing.T) {
			data := readFile(t, imagePath(t, r.file))
			img, err := Decode(data, r.opts, nil)
			require.NoError(t, err)
			assert.Equal(t, Header{Width: r.width, Height: r.height, Channels: r.chans}, img.Header)
			sum := sha256.Sum256(img.Pix)
			assert.Equal(t, r.sha256, hex.EncodeToString(sum[:]), "pixels differ from libjpeg-turbo's")
			h, err := ReadHeader(data, r.opts)
			require.NoError(t, err)
			assert.Equal(t, img.Header, h)
		})
	}
}

// crop returns the window w of img.
func crop(img Image, w Window) []byte {
	var out []byte
	for y := w.Y; y < w.Y+w.Height; y++ {
		row := (y*img.Width + w.X) * img.Channels
		out = append(out, img.Pix[row:row+w.Width*img.Channels]...)
	}
	return out
}

// TestCrop checks DecodeAndCropJpeg's windows, on and off the MCU grid,
// against testdata/crop_reference.txt (libjpeg-turbo's own crop, as
// TensorFlow uses it) and, where the chroma is not subsampled (so that
// fancy upsampling cannot see past the window), against the window of the
// full decode.
func TestCrop(t *testing.T) {
	f, err := os.Open("testdata/crop_reference.txt")
	require.NoError(t, err)
	defer f.Close()
	s := bufio.NewScanner(f)
	n := 0
	for s.Scan() {
		if strings.HasPrefix(s.Text(), "#") {
			continue
		}
		fs := strings.Fields(s.Text())
		require.Len(t, fs, 9)
		v := make([]int, 7)
		for i := range v {
			v[i], err = strconv.Atoi(fs[i+1])
			require.NoError(t, err)
		}
		w := Window{X: v[0], Y: v[1], Width: v[2], Height: v[3]}
		n++
		t.Run(strings.Join(fs[:5], "/"), func(t *testing.T) {
			data := readFile(t, filepath.Join("testdata", fs[0]))
			o := DefaultDecodeOptions()
			o.Crop = &w
			img, err := Decode(data, o, nil)
			require.NoError(t, err)
			assert.Equal(t, Header{Width: v[5], Height: v[4], Channels: v[6]}, img.Header)
			if Exact {
				sum := sha256.Sum256(img.Pix)
				assert.Equal(t, fs[8], hex.EncodeToString(sum[:]))
			}
			if fs[0] == "rgb444.jpg" || fs[0] == "gray.jpg" || fs[0] == "cmyk.jpg" {
				full, err := Decode(data, DefaultDecodeOptions(), nil)
				require.NoError(t, err)
				assert.Equal(t, crop(full, w), img.Pix)
			}
		})
	}
	require.NoError(t, s.Err())
	require.Equal(t, 35, n)

	data := readFile(t, "testdata/rgb420.jpg")
	for _, w := range []Window{{0, 0, 0, 1}, {0, 0, 38, 1}, {-1, 0, 2, 2}, {0, 20, 1, 4}} {
		o := DefaultDecodeOptions()
		o.Crop = &w
		_, err := Decode(data, o, nil)
		assert.ErrorIs(t, err, ErrCropWindow, "%+v", w)
	}
}

// TestTruncated checks TensorFlow's three ways with a truncated file:
// an error by default, black rows under acceptable_fraction, and the last
// row repeated under try_recover_truncated.
func TestTruncated(t *testing.T) {
	data := readFile(t, imagePath(t, "grace_hopper.jpg"))
	cut := data[:len(data)/2]
	full, err := Decode(data, DefaultDecodeOptions(), nil)
	require.NoError(t, err)
	stride := full.Width * 3

	_, err = Decode(cut, DefaultDecodeOptions(), nil)
	if !Exact {
		// image/jpeg decodes no partial images, and often calls them
		// corrupt.
		require.True(t, errors.Is(err, ErrTruncated) || errors.Is(err, ErrInvalid), "%v", err)
		return
	}
	require.ErrorIs(t, err, ErrTruncated)

	o := DefaultDecodeOptions()
	o.AcceptableFraction = 0.1
	img, err := Decode(cut, o, nil)
	require.NoError(t, err)
	rows := firstDifferentRow(full, img)
	require.Greater(t, rows, 0)
	require.Less(t, rows, img.Height)
	assert.Equal(t, make([]byte, (img.Height-rows)*stride), img.Pix[rows*stride:], "rows after the last decoded one are black")

	o = DefaultDecodeOptions()
	o.TryRecoverTruncated = true
	img, err = Decode(cut, o, nil)
	require.NoError(t, err)
	assert.Equal(t, full.Pix[:stride], img.Pix[:stride])
	assert.NotEqual(t, full.Pix, img.Pix)
}

func firstDifferentRow(a, b Image) int {
	stride := a.Width * a.Channels
	for y := range a.Height {
		if string(a.Pix[y*stride:(y+1)*stride]) != string(b.Pix[y*stride:(y+1)*stride]) {
			return y
		}
	}
	return a.Height
}

func TestInvalid(t *testing.T) {
	good := readFile(t, "testdata/rgb420.jpg")
	cases := map[string][]byte{
		"empty":       nil,
		"not a jpeg":  []byte("GIF89a not a jpeg"),
		"soi only":    {0xFF, 0xD8},
		"header only": good[:200],
		"bad marker":  append(append([]byte{}, good[:2]...), 0xFF, 0x01, 0x00, 0x00),
		"zero width":  zeroWidth(good),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Decode(data, DefaultDecodeOptions(), nil)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalid) || errors.Is(err, ErrTruncated), "%v", err)
			_, err = ReadHeader(data, DefaultDecodeOptions())
			if name != "header only" {
				assert.ErrorIs(t, err, ErrInvalid)
			}
		})
	}
	for _, o := range []DecodeOptions{{Ratio: 3}, {Ratio: 1, Channels: 4}, {Ratio: 1, Channels: 2}, {Ratio: 1, DCT: 7}} {
		_, err := Decode(good, o, nil)
		assert.ErrorIs(t, err, ErrOptions, "%+v", o)
	}
}

// zeroWidth returns data with the width in its SOF marker set to 0.
func zeroWidth(data []byte) []byte {
	out := append([]byte{}, data...)
	for i := 0; i+8 < len(out); i++ {
		if out[i] == 0xFF && (out[i+1] == 0xC0 || out[i+1] == 0xC2) {
			out[i+7], out[i+8] = 0, 0
			break
		}
	}
	return out
}

// TestReserve checks that the size reaches reserve before the image is
// allocated and that its refusal is returned.
func TestReserve(t *testing.T) {
	data := readFile(t, "testdata/rgb420.jpg")
	refuse := errors.New("over budget")
	var got Header
	_, err := Decode(data, DefaultDecodeOptions(), func(h Header) error { got = h; return refuse })
	assert.ErrorIs(t, err, refuse)
	assert.Equal(t, Header{Width: 37, Height: 23, Channels: 3}, got)
}

// TestHugeDeclaredSize: a header declaring 65500×65500 pixels is refused
// before anything is allocated, as TensorFlow refuses it.
func TestHugeDeclaredSize(t *testing.T) {
	data := append([]byte{}, readFile(t, "testdata/rgb420.jpg")...)
	for i := 0; i+8 < len(data); i++ {
		if data[i] == 0xFF && data[i+1] == 0xC0 {
			data[i+5], data[i+6], data[i+7], data[i+8] = 0xFF, 0xDC, 0xFF, 0xDC
			break
		}
	}
	called := false
	_, err := Decode(data, DefaultDecodeOptions(), func(Header) error { called = true; return nil })
	assert.ErrorIs(t, err, ErrTooLarge)
	assert.False(t, called)
}

func TestShape(t *testing.T) {
	for file, want := range map[string]Header{
		"cmyk.jpg": {37, 23, 4}, "gray.jpg": {37, 23, 1}, "rgb420.jpg": {37, 23, 3}, "progressive.jpg": {37, 23, 3},
	} {
		h, err := Shape(readFile(t, filepath.Join("testdata", file)))
		require.NoError(t, err, file)
		assert.Equal(t, want, h, file)
	}
}

// TestEncode round-trips images through Encode and Decode.
func TestEncode(t *testing.T) {
	src, gray := gradient(40, 30, 3), gradient(40, 30, 1)
	for name, c := range map[string]struct {
		img Image
		o   func(*EncodeOptions)
		tol int
	}{
		"rgb":            {src, func(*EncodeOptions) {}, 6},
		"gray":           {gray, func(*EncodeOptions) {}, 3},
		"progressive":    {src, func(o *EncodeOptions) { o.Progressive = true }, 6},
		"no subsampling": {src, func(o *EncodeOptions) { o.ChromaDownsampling = false; o.Quality = 100 }, 3},
		"optimized xmp":  {src, func(o *EncodeOptions) { o.OptimizeSize = true; o.XMPMetadata = "<x/>" }, 6},
	} {
		t.Run(name, func(t *testing.T) {
			o := DefaultEncodeOptions()
			c.o(&o)
			data, err := Encode(c.img, o)
			require.NoError(t, err)
			back, err := Decode(data, DefaultDecodeOptions(), nil)
			require.NoError(t, err)
			require.Equal(t, c.img.Header, back.Header)
			assert.LessOrEqual(t, maxDiff(c.img.Pix, back.Pix), c.tol)
			if Exact && o.XMPMetadata != "" {
				assert.Contains(t, string(data), "http://ns.adobe.com/xap/1.0/\x00"+o.XMPMetadata)
			}
		})
	}
	_, err := Encode(Image{Header: Header{Width: 0, Height: 3, Channels: 3}}, DefaultEncodeOptions())
	assert.ErrorIs(t, err, ErrOptions)
	_, err = Encode(src, EncodeOptions{Quality: 101})
	assert.ErrorIs(t, err, ErrOptions)
}

func maxDiff(a, b []byte) int {
	m := 0
	for i := range a {
		m = max(m, absDiff(a[i], b[i]))
	}
	return m
}

func absDiff(a, b byte) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// gradient returns a smooth test image.
func gradient(w, h, channels int) Image {
	img := Image{Header: Header{Width: w, Height: h, Channels: channels}}
	for y := range h {
		for x := range w {
			for c := range channels {
				img.Pix = append(img.Pix, byte(20+2*x+y+30*c))
			}
		}
	}
	return img
}

// maxStdDifference is the largest difference of a sample between
// image/jpeg (the fallback) and libjpeg-turbo with TensorFlow's default
// settings on the test images and shared photos, as measured by
// TestStdDifference and stated in the package documentation.
const maxStdDifference = 112

// TestStdDifference measures how far the fallback decoder's pixels lie
// from libjpeg-turbo's (TensorFlow's) with default settings.
func TestStdDifference(t *testing.T) {
	if !Exact {
		t.Skip("built without libjpeg-turbo: nothing to compare the fallback with")
	}
	files := []string{"testdata/rgb420.jpg", "testdata/rgb444.jpg", "testdata/gray.jpg", "testdata/cmyk.jpg", "testdata/progressive.jpg"}
	shared, err := filepath.Glob(filepath.Join(testutil.SharedModels(t), "images", "*.jp*g"))
	require.NoError(t, err)
	require.NotEmpty(t, shared)
	files = append(files, shared...)
	worst := 0
	for _, p := range files {
		data := readFile(t, p)
		want, err := Decode(data, DefaultDecodeOptions(), nil)
		require.NoError(t, err)
		got, err := decodeStd(data, DefaultDecodeOptions(), nil)
		require.NoError(t, err)
		require.Equal(t, want.Header, got.Header)
		sum, d := 0, 0
		for i := range want.Pix {
			d = absDiff(want.Pix[i], got.Pix[i])
			sum += d
			worst = max(worst, d)
		}
		t.Logf("%s: max %d, mean %.3f", filepath.Base(p), maxDiff(want.Pix, got.Pix), float64(sum)/float64(len(want.Pix)))
	}
	t.Logf("image/jpeg versus libjpeg-turbo: max difference %d", worst)
	assert.LessOrEqual(t, worst, maxStdDifference)
}
