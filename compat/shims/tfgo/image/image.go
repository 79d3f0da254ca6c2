// Package image forwards to github.com/tfoffload/tfoffload/compat/tfgo/image.
package image

import img "github.com/tfoffload/tfoffload/compat/tfgo/image"

// The types of tfgo's image package.
type (
	Image     = img.Image
	Point     = img.Point
	Size      = img.Size
	Rectangle = img.Rectangle
	Box       = img.Box
	Stride    = img.Stride
)

// The functions of tfgo's image package.
var (
	ReadJPEG = img.ReadJPEG
	ReadPNG  = img.ReadPNG
	ReadGIF  = img.ReadGIF
	Read     = img.Read
	NewImage = img.NewImage
)
