package testutil

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// PNGColours decodes PNG data, failing the test when it is not a PNG, and
// returns the image's size and how many pixels it has of each colour: a
// chart test looks its series' colours up.
func PNGColours(t testing.TB, data []byte) (image.Point, map[color.NRGBA]int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	counts := map[color.NRGBA]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			counts[color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)]++
		}
	}
	return b.Size(), counts
}
