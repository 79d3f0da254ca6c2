package image

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func encodeStdPNG(t testing.TB, img image.Image) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.String()
}

// rgbPNG is a 2×1 opaque RGB PNG: red, then (10, 200, 30).
func rgbPNG(t testing.TB) string {
	img := image.NewRGBA(image.Rect(0, 0, 2, 1))
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	img.Set(1, 0, color.RGBA{10, 200, 30, 255})
	return encodeStdPNG(t, img)
}

func TestDecodePng(t *testing.T) {
	rgba := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	rgba.SetNRGBA(0, 0, color.NRGBA{255, 0, 0, 128})
	rgba.SetNRGBA(1, 0, color.NRGBA{0, 0, 255, 0})
	gray := image.NewGray(image.Rect(0, 0, 2, 1))
	gray.SetGray(1, 0, color.Gray{200})
	gray16 := image.NewGray16(image.Rect(0, 0, 1, 1))
	gray16.SetGray16(0, 0, color.Gray16{0x1234})
	pal := image.NewPaletted(image.Rect(0, 0, 2, 1), color.Palette{color.NRGBA{1, 2, 3, 255}, color.NRGBA{4, 5, 6, 0}})
	pal.SetColorIndex(1, 0, 1)
	pal3 := image.NewPaletted(image.Rect(0, 0, 1, 1), color.Palette{color.RGBA{7, 8, 9, 255}})

	tests := []struct {
		name  string
		data  string
		attrs map[string]any
		want  *tensor.Tensor
	}{
		{"rgb", rgbPNG(t), nil, u8(s(1, 2, 3), 255, 0, 0, 10, 200, 30)},
		{"rgb to gray by 601 luma, truncated", rgbPNG(t), map[string]any{"channels": 1}, u8(s(1, 2, 1), 76, 123)},
		{"rgb plus opaque alpha", rgbPNG(t), map[string]any{"channels": 4}, u8(s(1, 2, 4), 255, 0, 0, 255, 10, 200, 30, 255)},
		{"rgba", encodeStdPNG(t, rgba), nil, u8(s(1, 2, 4), 255, 0, 0, 128, 0, 0, 255, 0)},
		{"alpha stripped, not composed", encodeStdPNG(t, rgba), map[string]any{"channels": 3}, u8(s(1, 2, 3), 255, 0, 0, 0, 0, 255)},
		{"gray", encodeStdPNG(t, gray), nil, u8(s(1, 2, 1), 0, 200)},
		{"gray to rgb", encodeStdPNG(t, gray), map[string]any{"channels": 3}, u8(s(1, 2, 3), 0, 0, 0, 200, 200, 200)},
		{"gray to rgba", encodeStdPNG(t, gray), map[string]any{"channels": 4}, u8(s(1, 2, 4), 0, 0, 0, 255, 200, 200, 200, 255)},
		{"gray to uint16 by 257", encodeStdPNG(t, gray), map[string]any{"dtype": tensor.Uint16}, tensor.MustFromSlice(s(1, 2, 1), []uint16{0, 200 * 257})},
		{"16 bits to 8: high byte", encodeStdPNG(t, gray16), nil, u8(s(1, 1, 1), 0x12)},
		{"16 bits kept", encodeStdPNG(t, gray16), map[string]any{"dtype": tensor.Uint16}, tensor.MustFromSlice(s(1, 1, 1), []uint16{0x1234})},
		{"palette with tRNS", encodeStdPNG(t, pal), nil, u8(s(1, 2, 4), 1, 2, 3, 255, 4, 5, 6, 0)},
		{"palette", encodeStdPNG(t, pal3), nil, u8(s(1, 1, 3), 7, 8, 9)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, "DecodePng", tc.attrs, tensor.Scalar(tc.data))[0]
			assertTensor(t, tc.want, out)
		})
	}
	out := run(t, "DecodeImage", map[string]any{"dtype": tensor.Float32}, tensor.Scalar(encodeStdPNG(t, gray)))[0]
	assertClose(t, f32(s(1, 2, 1), 0, 200.0/255), out)
	out = run(t, "DecodeGif", nil, tensor.Scalar(rgbPNG(t)))[0]
	assert.Equal(t, s(1, 1, 2, 3), out.Shape())

	for name, data := range map[string]string{
		"truncated":  rgbPNG(t)[:40],
		"no IHDR":    "\x89PNG\r\n\x1a\n\x00\x00\x00\x00IEND\xae\x42\x60\x82",
		"zero width": zeroPNGWidth(rgbPNG(t)),
	} {
		_, err := call("DecodePng", nil, tensor.Scalar(data))
		assert.ErrorIs(t, err, kernel.ErrInvalidArgument, name)
	}
	_, err := call("DecodePng", map[string]any{"dtype": tensor.Float32}, tensor.Scalar(rgbPNG(t)))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
	_, err = call("DecodeBmp", nil, tensor.Scalar(rgbPNG(t)))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
}

func zeroPNGWidth(data string) string {
	b := []byte(data)
	binary.BigEndian.PutUint32(b[16:], 0)
	return string(b)
}

// TestEncodePng round-trips every channel count and both depths.
func TestEncodePng(t *testing.T) {
	for c := 1; c <= 4; c++ {
		v8 := make([]uint8, 3*2*c)
		v16 := make([]uint16, len(v8))
		for i := range v8 {
			v8[i] = uint8(i * 37)
			v16[i] = uint16(i * 4099)
		}
		for _, img := range []*tensor.Tensor{tensor.MustFromSlice(s(3, 2, c), v8), tensor.MustFromSlice(s(3, 2, c), v16)} {
			for _, level := range []int{-1, 0, 9} {
				enc := run(t, "EncodePng", map[string]any{"compression": level, "T": img.DType()}, img)[0]
				back := run(t, "DecodePng", map[string]any{"dtype": img.DType()}, enc)[0]
				assertTensor(t, img, back)
				if c != 2 { // image/png has no gray+alpha type but reads it
					_, err := png.Decode(bytes.NewReader([]byte(tensor.Values[string](enc)[0])))
					assert.NoError(t, err)
				}
			}
		}
	}
	for name, img := range map[string]*tensor.Tensor{
		"5 channels": u8(s(1, 1, 5), 1, 2, 3, 4, 5),
		"2-D":        u8(s(1, 1), 1),
	} {
		_, err := call("EncodePng", nil, img)
		assert.ErrorIs(t, err, kernel.ErrInvalidArgument, name)
	}
	_, err := call("EncodePng", nil, u8(s(0, 2, 3)))
	assert.Error(t, err)
	_, err = call("EncodePng", map[string]any{"compression": 10}, u8(s(1, 1, 1), 1))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
}

func TestEncodeJpeg(t *testing.T) {
	v := make([]uint8, 16*16*3)
	for i := range v {
		v[i] = uint8(60 + i%7*10)
	}
	img := tensor.MustFromSlice(s(16, 16, 3), v)
	hi := run(t, "EncodeJpeg", nil, img)[0]
	lo := run(t, "EncodeJpeg", map[string]any{"quality": 10}, img)[0]
	assert.Less(t, len(tensor.Values[string](lo)[0]), len(tensor.Values[string](hi)[0]))
	back := run(t, "DecodeJpeg", nil, hi)[0]
	require.Equal(t, s(16, 16, 3), back.Shape())
	gray := run(t, "EncodeJpeg", map[string]any{"format": "grayscale"}, tensor.MustFromSlice(s(16, 16, 1), v[:256]))[0]
	assert.Equal(t, s(16, 16, 1), run(t, "DecodeJpeg", nil, gray)[0].Shape())

	// EncodeJpegVariableQuality is EncodeJpeg's defaults with the quality
	// as an input: the same bytes.
	vq := run(t, "EncodeJpegVariableQuality", nil, img, tensor.Scalar(int32(10)))[0]
	assertTensor(t, lo, vq)
	_, err := call("EncodeJpegVariableQuality", nil, img, tensor.Scalar(int32(101)))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
	_, err = call("EncodeJpegVariableQuality", nil, img, i32(s(1), 50))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)

	_, err = call("EncodeJpeg", map[string]any{"format": "rgb"}, tensor.MustFromSlice(s(16, 16, 1), v[:256]))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
	_, err = call("EncodeJpeg", nil, u8(s(1, 1, 2), 1, 2))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
	_, err = call("EncodeJpeg", map[string]any{"quality": 101}, img)
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
	_, err = call("EncodeJpeg", map[string]any{"density_unit": "mm"}, img)
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
}

// testGIF is a 4×3 animation: frame 0 fills the canvas with colour 1
// except pixel (0,0) (colour 2); frame 1, 2×2 at (1,1), paints colour 2
// with its top-left pixel transparent.
func testGIF(t testing.TB) string {
	pal := color.Palette{color.RGBA{0, 0, 0, 255}, color.RGBA{10, 20, 30, 255}, color.RGBA{200, 100, 50, 255}}
	f0 := image.NewPaletted(image.Rect(0, 0, 4, 3), pal)
	for i := range f0.Pix {
		f0.Pix[i] = 1
	}
	f0.Pix[0] = 2
	pal1 := append(color.Palette{}, pal...)
	pal1 = append(pal1, color.RGBA{}) // index 3: transparent
	f1 := image.NewPaletted(image.Rect(1, 1, 3, 3), pal1)
	for i := range f1.Pix {
		f1.Pix[i] = 2
	}
	f1.Pix[0] = 3
	var b bytes.Buffer
	require.NoError(t, gif.EncodeAll(&b, &gif.GIF{Image: []*image.Paletted{f0, f1}, Delay: []int{0, 0}}))
	return b.String()
}

func TestDecodeGif(t *testing.T) {
	data := testGIF(t)
	a, c := []uint8{10, 20, 30}, []uint8{200, 100, 50}
	frame0 := concat(c, a, a, a, a, a, a, a, a, a, a, a)
	frame1 := concat(c, a, a, a, a, a /*transparent*/, c, a, a, c, c, a)
	out := run(t, "DecodeGif", nil, tensor.Scalar(data))[0]
	assertTensor(t, u8(s(2, 3, 4, 3), append(append([]uint8{}, frame0...), frame1...)...), out)

	first := run(t, "DecodeImage", map[string]any{"expand_animations": false}, tensor.Scalar(data))[0]
	assertTensor(t, u8(s(3, 4, 3), frame0...), first)
	all := run(t, "DecodeImage", nil, tensor.Scalar(data))[0]
	assert.Equal(t, s(2, 3, 4, 3), all.Shape())

	_, err := call("DecodeJpeg", nil, tensor.Scalar(data))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument, "animated GIFs need DecodeGif or DecodeImage")
	_, err = call("DecodeImage", map[string]any{"channels": 1}, tensor.Scalar(data))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
	_, err = call("DecodeGif", nil, tensor.Scalar(data[:30]))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
}

func concat(px ...[]uint8) []uint8 {
	var out []uint8
	for _, p := range px {
		out = append(out, p...)
	}
	return out
}

// bmp builds a BMP file of w×h pixels of bpp bits, rows as given (in file
// order) and padded to 4 bytes; a negative h is top-down.
func bmp(w, h, bpp int, rows ...[]byte) string {
	const header = 54
	b := make([]byte, header)
	b[0], b[1] = 'B', 'M'
	binary.LittleEndian.PutUint32(b[10:], header)
	binary.LittleEndian.PutUint32(b[14:], 40)
	binary.LittleEndian.PutUint32(b[18:], uint32(int32(w)))
	binary.LittleEndian.PutUint32(b[22:], uint32(int32(h)))
	binary.LittleEndian.PutUint16(b[26:], 1)
	binary.LittleEndian.PutUint16(b[28:], uint16(bpp))
	for _, r := range rows {
		b = append(b, r...)
		for len(r)%4 != 0 {
			r = append(r, 0)
			b = append(b, 0)
		}
	}
	binary.LittleEndian.PutUint32(b[2:], uint32(len(b)))
	return string(b)
}

func TestDecodeBmp(t *testing.T) {
	// Bottom-up 2×2, 24 bits: the file's first row is the image's last.
	bgr := bmp(2, 2, 24, []byte{1, 2, 3, 4, 5, 6}, []byte{7, 8, 9, 10, 11, 12})
	out := run(t, "DecodeBmp", nil, tensor.Scalar(bgr))[0]
	assertTensor(t, u8(s(2, 2, 3), 9, 8, 7, 12, 11, 10, 3, 2, 1, 6, 5, 4), out)
	out = run(t, "DecodeBmp", map[string]any{"channels": 4}, tensor.Scalar(bgr))[0]
	assertTensor(t, u8(s(2, 2, 4), 9, 8, 7, 255, 12, 11, 10, 255, 3, 2, 1, 255, 6, 5, 4, 255), out)

	topDown := bmp(1, -2, 32, []byte{1, 2, 3, 4}, []byte{5, 6, 7, 8})
	out = run(t, "DecodeImage", nil, tensor.Scalar(topDown))[0]
	assertTensor(t, u8(s(2, 1, 4), 3, 2, 1, 4, 7, 6, 5, 8), out)
	out = run(t, "DecodeBmp", map[string]any{"channels": 3}, tensor.Scalar(topDown))[0]
	assertTensor(t, u8(s(2, 1, 3), 3, 2, 1, 7, 6, 5), out)

	gray := bmp(3, 1, 8, []byte{10, 20, 30})
	out = run(t, "DecodeBmp", nil, tensor.Scalar(gray))[0]
	assertTensor(t, u8(s(1, 3, 1), 10, 20, 30), out)
	out = run(t, "DecodeBmp", map[string]any{"channels": 3}, tensor.Scalar(gray))[0]
	assertTensor(t, u8(s(1, 3, 3), 10, 10, 10, 20, 20, 20, 30, 30, 30), out)

	for name, c := range map[string]struct {
		op, data string
		attrs    map[string]any
	}{
		"size mismatch":  {"DecodeBmp", bgr + "x", nil},
		"16 bits":        {"DecodeBmp", bmp(2, 1, 16, []byte{1, 2, 3, 4}), nil},
		"zero height":    {"DecodeBmp", bmp(2, 0, 24), nil},
		"short":          {"DecodeBmp", bgr[:20], nil},
		"one channel":    {"DecodeBmp", bgr, map[string]any{"channels": 1}},
		"by DecodeJpeg":  {"DecodeJpeg", bgr, nil},
		"by DecodePng":   {"DecodePng", bgr, nil},
		"unknown format": {"DecodeImage", "XY" + bgr[2:], nil},
	} {
		_, err := call(c.op, c.attrs, tensor.Scalar(c.data))
		assert.ErrorIs(t, err, kernel.ErrInvalidArgument, name)
	}
}

// TestResizeDefaults: without attributes the resize ops use TensorFlow's
// legacy defaults, align_corners=false and half_pixel_centers=false.
func TestResizeDefaults(t *testing.T) {
	img := f32(s(1, 2, 3, 1), 1, 2, 3, 4, 5, 6)
	size := i32(s(2), 3, 5)
	for _, op := range []string{"ResizeBilinear", "ResizeNearestNeighbor", "ResizeBicubic", "ResizeArea"} {
		t.Run(op, func(t *testing.T) {
			def := run(t, op, nil, img, size)[0]
			legacy := map[string]any{"align_corners": false}
			if op != "ResizeArea" {
				legacy["half_pixel_centers"] = false
			}
			assertTensor(t, run(t, op, legacy, img, size)[0], def)
			other := map[string]any{"align_corners": true}
			assert.Error(t, tensor.Compare(run(t, op, other, img, size)[0], def, tensor.Tolerance{}), "align_corners changes nothing")
			if op != "ResizeArea" {
				other = map[string]any{"half_pixel_centers": true}
				assert.Error(t, tensor.Compare(run(t, op, other, img, size)[0], def, tensor.Tolerance{}), "half_pixel_centers changes nothing")
			}
		})
	}
}
