//go:build ignore

// mkpng writes the PNG test images of package image's libpng reference
// (make.sh runs it): every colour type, bit depth and transparency case
// TensorFlow's conversions treat differently, and an RGB image with a
// gAMA chunk, for which libpng's RGB-to-gray conversion corrects gamma.
package main

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
)

func main() {
	const w, h = 7, 5
	write := func(name string, img image.Image) {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			panic(err)
		}
		if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
			panic(err)
		}
	}
	rgb := image.NewRGBA(image.Rect(0, 0, w, h))
	rgba := image.NewNRGBA(image.Rect(0, 0, w, h))
	rgb16 := image.NewNRGBA64(image.Rect(0, 0, w, h))
	gray := image.NewGray(image.Rect(0, 0, w, h))
	gray16 := image.NewGray16(image.Rect(0, 0, w, h))
	pal := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{
		color.NRGBA{10, 20, 30, 255}, color.NRGBA{200, 100, 0, 128}, color.NRGBA{0, 250, 5, 0}, color.NRGBA{90, 90, 90, 255}})
	palOpaque := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{
		color.RGBA{10, 20, 30, 255}, color.RGBA{200, 100, 0, 255}, color.RGBA{0, 250, 5, 255}})
	for y := range h {
		for x := range w {
			v := uint8(x*37 + y*23)
			rgb.Set(x, y, color.RGBA{v, uint8(255 - x*30), uint8(y * 60), 255})
			rgba.Set(x, y, color.NRGBA{v, uint8(x * 40), uint8(200 - y*40), uint8(x * y * 9)})
			rgb16.Set(x, y, color.NRGBA64{uint16(x) * 9000, uint16(y) * 13000, uint16(x*y) * 1500, 65535})
			gray.Set(x, y, color.Gray{v})
			gray16.Set(x, y, color.Gray16{uint16(x)*9000 + uint16(y)*77})
			pal.SetColorIndex(x, y, uint8((x+y)%4))
			palOpaque.SetColorIndex(x, y, uint8((x*y)%3))
		}
	}
	write("rgb8.png", rgb)
	write("rgba8.png", rgba)
	write("rgb16.png", rgb16)
	write("gray8.png", gray)
	write("gray16.png", gray16)
	write("palette_trns.png", pal)
	write("palette.png", palOpaque)

	// rgb_gama.png: rgb8.png with a gAMA chunk (1/2.2) after IHDR.
	var b bytes.Buffer
	if err := png.Encode(&b, rgb); err != nil {
		panic(err)
	}
	data := b.Bytes()
	gama := make([]byte, 4)
	binary.BigEndian.PutUint32(gama, 45455)
	chunk := append([]byte{0, 0, 0, 4}, "gAMA"...)
	chunk = append(chunk, gama...)
	crc := crc32.ChecksumIEEE(chunk[4:])
	chunk = binary.BigEndian.AppendUint32(chunk, crc)
	ihdrEnd := 8 + 8 + 13 + 4
	out := append(append(append([]byte{}, data[:ihdrEnd]...), chunk...), data[ihdrEnd:]...)
	if err := os.WriteFile("rgb_gama.png", out, 0o644); err != nil {
		panic(err)
	}
}
