package image

import (
	"fmt"
	"strings"

	tf "github.com/tfoffload/tfoffload/compat/tf"
	"github.com/tfoffload/tfoffload/compat/tf/op"
	tg "github.com/tfoffload/tfoffload/compat/tfgo"
	"github.com/tfoffload/tfoffload/compat/tfgo/image/padding"
)

// add adds an operation by type, for the decoders read picks by name.
func add(s *op.Scope, typ string, attrs map[string]any, inputs ...tf.Input) tf.Output {
	if s.Err() != nil {
		return tf.Output{}
	}
	o := s.AddOperation(tf.OpSpec{Type: typ, Input: inputs, Attrs: attrs})
	if o == nil {
		return tf.Output{}
	}
	return o.Output(0)
}

func read(scope *op.Scope, imagePath, decoder string, attrs map[string]any, expand bool) *Image {
	scope = tg.NewScope(scope)
	contents := add(scope.SubScope("ReadFile"), "ReadFile", nil, op.Const(scope.SubScope("filename"), imagePath))
	output := add(scope.SubScope(decoder), decoder, attrs, contents)
	if expand {
		output = op.ExpandDims(scope.SubScope("ExpandDims"), output, op.Const(scope.SubScope("axis"), []int32{0}))
	}
	image := &Image{Tensor: tg.NewTensor(scope, output)}
	return image.Scale(0, 1)
}

// ReadJPEG reads the JPEG image at imagePath, decoded with channels
// channels, as a batch of one image scaled to [0, 1].
func ReadJPEG(scope *op.Scope, imagePath string, channels int64) *Image {
	return read(scope, imagePath, "DecodeJpeg", map[string]any{"channels": channels}, true)
}

// ReadPNG reads the PNG image at imagePath, decoded with channels
// channels, as a batch of one image scaled to [0, 1].
func ReadPNG(scope *op.Scope, imagePath string, channels int64) *Image {
	return read(scope, imagePath, "DecodePng", map[string]any{"channels": channels}, true)
}

// ReadGIF reads the GIF at imagePath, one image per frame, scaled to
// [0, 1].
func ReadGIF(scope *op.Scope, imagePath string) *Image {
	return read(scope, imagePath, "DecodeGif", nil, false)
}

// Read reads the image at imagePath with the reader its extension names
// (png, jpg, jpeg, gif). It panics for other extensions.
func Read(scope *op.Scope, imagePath string, channels int64) *Image {
	split := strings.Split(imagePath, ".")
	ext := strings.ToLower(split[len(split)-1])
	switch ext {
	case "png":
		return ReadPNG(scope, imagePath, channels)
	case "jpg", "jpeg":
		return ReadJPEG(scope, imagePath, channels)
	case "gif":
		return ReadGIF(scope, imagePath)
	}
	panic(fmt.Errorf("unsupported image extension %s", ext))
}

// NewImage makes an Image of a 3-D or 4-D tensor, scaled to [0, 1]. It
// panics for other ranks.
func NewImage(scope *op.Scope, tensor tf.Output) *Image {
	nd := tensor.Shape().NumDimensions()
	if nd != 3 && nd != 4 {
		panic(fmt.Errorf("tensor should be 3 or 4 D, but has %d dimensions", nd))
	}
	scope = tg.NewScope(scope)
	output := tensor
	if nd == 3 {
		output = op.ExpandDims(scope.SubScope("ExpandDims"), tensor, op.Const(scope.SubScope("axis"), []int32{0}))
	}
	output = op.Identity(scope.SubScope("Identity"), output)
	image := &Image{Tensor: tg.NewTensor(scope, output)}
	return image.Scale(0, 1)
}

// Value returns the image as a 3-D tensor when the batch holds one image,
// else the 4-D batch.
func (image *Image) Value() tf.Output {
	defer image.Tensor.Check()
	if image.Output.Shape().Size(0) == 1 {
		return op.Squeeze(image.Path.SubScope("Squeeze"), image.Output, op.SqueezeAxis([]int64{0}))
	}
	return image.Output
}

// Scale maps the image's values linearly onto [min, max].
func (image *Image) Scale(min, max float32) *Image {
	defer image.Tensor.Check()
	if image.Dtype() != tf.Float {
		image = image.Cast(tf.Float)
	}
	s := image.Path.SubScope("scale")
	minVal := op.Min(s.SubScope("Min"), image.Output, op.Const(s.SubScope("reductionIndices"), []int32{0, 1, 2}), op.MinKeepDims(false))
	maxVal := op.Max(s.SubScope("Max"), image.Output, op.Const(s.SubScope("reductionIndices"), []int32{0, 1, 2}), op.MaxKeepDims(false))
	image.Output = op.Div(s.SubScope("Div"),
		op.Mul(s.SubScope("Mul"),
			op.Sub(s.SubScope("Sub"), image.Output, minVal),
			op.Const(s.SubScope("scaleRange"), max-min)),
		op.Sub(s.SubScope("Sub"), maxVal, minVal))
	return image
}

// Normalize subtracts the mean and divides by the standard deviation
// (at least 1/sqrt(pixels)), per channel.
func (image *Image) Normalize() *Image {
	defer image.Tensor.Check()
	if image.Dtype() != tf.Float {
		image = image.Cast(tf.Float)
	}
	s := image.Path.SubScope("mean")
	mean := op.Mean(s.SubScope("Mean"), image.Output, op.Const(s.SubScope("reductionIndices"), []int32{0, 1, 2}), op.MeanKeepDims(false))
	s = image.Path.SubScope("variance")
	variance := op.Relu(s.SubScope("Relu"),
		op.Mean(s.SubScope("Mean"),
			op.Sub(s.SubScope("Sub"),
				op.Square(s.SubScope("Square"), image.Output),
				op.Square(s.SubScope("Square"), mean)),
			op.Const(s.SubScope("reductionIndices"), []int32{0, 1, 2})))
	stddev := op.Sqrt(image.Path.SubScope("Sqrt"), variance)

	s = image.Path.SubScope("normalize")
	height, width := image.spatial(s)
	numPixels := op.Mul(s.SubScope("numPix"), width, height)
	minStddev := op.Rsqrt(s.SubScope("Rsqrt"), numPixels)
	pixelValueScale := op.Maximum(s.SubScope("pixveValueScale"), stddev, minStddev)
	image.Output = op.Div(s.SubScope("Div"), op.Sub(s.SubScope("Sub"), image.Output, mean), pixelValueScale)
	return image
}

// spatial returns the image's height and width as float scalars.
func (image *Image) spatial(s *op.Scope) (height, width tf.Output) {
	shape := op.Shape(s.SubScope("shape"), image.Output)
	gatherScope := s.SubScope("gatherHeight")
	height = op.Squeeze(s.SubScope("squeeze"), tg.Cast(s, op.Gather(gatherScope, shape, tg.Const(gatherScope.SubScope("indices"), []int32{1})), tf.Float))
	gatherScope = s.SubScope("gatherWidth")
	width = op.Squeeze(s.SubScope("squeeze"), tg.Cast(s, op.Gather(gatherScope, shape, tg.Const(gatherScope.SubScope("indices"), []int32{2})), tf.Float))
	return height, width
}

// Center subtracts the mean pixel value, per channel.
func (image *Image) Center() *Image {
	defer image.Tensor.Check()
	if image.Dtype() != tf.Float {
		image = image.Cast(tf.Float)
	}
	s := image.Path.SubScope("center")
	mean := op.Mean(s.SubScope("Mean"), image.Output, op.Const(s.SubScope("reductionIndices"), []int32{0, 1, 2}), op.MeanKeepDims(false))
	image.Output = op.Sub(s.SubScope("Sub"), image.Output, mean)
	return image
}

// SaturateCast casts the image to dtype, clamping values to its range.
func (image *Image) SaturateCast(dtype tf.DataType) *Image {
	defer image.Tensor.Check()
	s := image.Path.SubScope("saturateCast")
	if tg.MinValue(image.Dtype()) < tg.MinValue(dtype) {
		image.Output = op.Maximum(s.SubScope("Maximum"), tg.Cast(s, image.Output, tf.Double), op.Const(s.SubScope("Const"), tg.MinValue(dtype)))
	}
	if tg.MaxValue(image.Dtype()) > tg.MaxValue(dtype) {
		image.Output = op.Minimum(s.SubScope("Minimum"), tg.Cast(s, image.Output, tf.Double), op.Const(s.SubScope("Const"), tg.MaxValue(dtype)))
	}
	return image.Cast(dtype)
}

// ConvertDtype converts the image to dtype, rescaling between integer
// and float ranges as tfgo does, saturating when asked.
func (image *Image) ConvertDtype(dtype tf.DataType, saturate bool) *Image {
	defer image.Tensor.Check()
	if dtype == image.Dtype() {
		return image
	}
	s := image.Path.SubScope("convertDtype")
	switch {
	case tg.IsInteger(image.Dtype()) && tg.IsInteger(dtype):
		scaleIn := tg.MaxValue(image.Dtype())
		scaleOut := tg.MaxValue(dtype)
		if scaleIn > scaleOut {
			scale := tg.Cast(s, op.Const(s.SubScope("Const"), int64(scaleIn+1)/int64(scaleOut+1)), image.Dtype())
			image.Output = op.Div(s.SubScope("Div"), image.Output, scale)
			if saturate {
				return image.SaturateCast(dtype)
			}
			return image.Cast(dtype)
		}
		if saturate {
			image = image.SaturateCast(dtype)
		} else {
			image = image.Cast(dtype)
		}
		scale := tg.Cast(s, op.Const(s.SubScope("Const"), int64(scaleOut+1)/int64(scaleIn+1)), image.Dtype())
		image.Output = op.Mul(s.SubScope("Mul"), image.Output, scale)
		return image
	case tg.IsFloat(image.Dtype()) && tg.IsFloat(dtype):
		return image.Cast(dtype)
	case tg.IsInteger(image.Dtype()):
		image = image.Cast(dtype)
		scale := tg.Cast(s, op.Const(s.SubScope("Const"), float64(1.0/tg.MaxValue(image.Dtype()))), image.Dtype())
		image.Output = op.Mul(s.SubScope("Mul"), image.Output, scale)
		return image
	}
	scale := tg.Cast(s, op.Const(s.SubScope("Const"), float64(0.5+tg.MaxValue(dtype))), image.Dtype())
	image.Output = op.Mul(s.SubScope("Mul"), image.Output, scale)
	if saturate {
		return image.SaturateCast(dtype)
	}
	return image.Cast(dtype)
}

// AdjustBrightness adds delta to the image.
func (image *Image) AdjustBrightness(delta float32) *Image {
	defer image.Tensor.Check()
	return image.Add(op.Const(image.Path.SubScope("delta"), delta))
}

// AdjustContrast changes the contrast by contrastFactor
// (AdjustContrastv2).
func (image *Image) AdjustContrast(contrastFactor float32) *Image {
	defer image.Tensor.Check()
	s := image.Path.SubScope("adjustContrast")
	image.Output = op.AdjustContrastv2(s.SubScope("AdjustContrastv2"), image.Output, op.Const(s.SubScope("contrastFactor"), contrastFactor))
	return image
}

// AdjustGamma performs gamma correction: (img/scale)^gamma · scale·gain.
func (image *Image) AdjustGamma(gamma, gain float32) *Image {
	defer image.Tensor.Check()
	s := image.Path.SubScope("adjustGamma")
	dtype := image.Dtype()
	scale := op.Const(s.SubScope("scale"), tg.MaxValue(dtype)-tg.MinValue(dtype))
	scaleTimesGain := op.Const(s.SubScope("scaleTimesGain"), (tg.MaxValue(dtype)-tg.MinValue(dtype))*float64(gain))
	image.Output = op.Mul(s.SubScope("Mul"),
		op.Pow(s.SubScope("Pow"),
			op.Div(s.SubScope("Div"), image.Cast(tf.Double).Output, scale),
			op.Const(s.SubScope("gamma"), float64(gamma))),
		scaleTimesGain)
	return image
}

// AdjustHue shifts the hue by delta.
func (image *Image) AdjustHue(delta float32) *Image {
	defer image.Tensor.Check()
	s := image.Path.SubScope("adjustHue")
	image.Output = op.AdjustHue(s.SubScope("AdjustHue"), image.Output, op.Const(s.SubScope("delta"), delta))
	return image
}

// AdjustSaturation scales the saturation by saturationFactor.
func (image *Image) AdjustSaturation(saturationFactor float32) *Image {
	defer image.Tensor.Check()
	s := image.Path.SubScope("adjustSaturation")
	image.Output = op.AdjustSaturation(s.SubScope("AdjustSaturation"), image.Output, op.Const(s.SubScope("saturationFactor"), saturationFactor))
	return image
}

// CentralCrop keeps the central centralFraction of the image's height and
// width.
func (image *Image) CentralCrop(centralFraction float32) *Image {
	defer image.Tensor.Check()
	s := image.Path.SubScope("centralCrop")
	tfCentralFraction := tg.Const(s.SubScope("centralFraction"), centralFraction)
	height, width := image.spatial(s)
	two := tg.Const(s.SubScope("two"), float32(2))
	hStart := op.Div(s.SubScope("div"), op.Sub(s.SubScope("Sub"), height, op.Mul(s.SubScope("Mul"), height, tfCentralFraction)), two)
	wStart := op.Div(s.SubScope("div"), op.Sub(s.SubScope("Sub"), width, op.Mul(s.SubScope("Mul"), width, tfCentralFraction)), two)
	hSize := op.Sub(s.SubScope("Sub"), height, op.Mul(s.SubScope("Mul"), hStart, two))
	wSize := op.Sub(s.SubScope("Sub"), width, op.Mul(s.SubScope("Mul"), wStart, two))
	zero := tg.Const(s.SubScope("zero"), int32(0))
	negOne := tg.Const(s.SubScope("negOne"), int32(-1))
	image.Output = op.Slice(s.SubScope("Slice"), image.Output,
		op.Pack(s.SubScope("begin"), []tf.Output{zero, tg.Cast(s, hStart, tf.Int32), tg.Cast(s, wStart, tf.Int32), zero}),
		op.Pack(s.SubScope("size"), []tf.Output{negOne, tg.Cast(s, hSize, tf.Int32), tg.Cast(s, wSize, tf.Int32), negOne}))
	return image
}

// CropAndResize crops box (normalized coordinates) and resizes the crop
// to size.
func (image *Image) CropAndResize(box Box, size Size, optional ...op.CropAndResizeAttr) *Image {
	defer image.Tensor.Check()
	s := image.Path.SubScope("cropAndResize")
	boxes := boxes2batch(s, []Box{box})
	image.Output = op.CropAndResize(s.SubScope("CropAndResize"),
		image.Output,
		boxes,
		op.Const(s.SubScope("boxInd"), []int32{0}),
		op.Const(s.SubScope("cropSize"), []int32{int32(size.Height), int32(size.Width)}),
		optional...)
	return image
}

// DrawBoundingBoxes draws boxes on the image.
func (image *Image) DrawBoundingBoxes(boxes []Box) *Image {
	defer image.Tensor.Check()
	s := image.Path.SubScope("drawBoundingBoxes")
	image.Output = op.DrawBoundingBoxes(s.SubScope("DrawBoundingBoxes"), image.Output,
		op.ExpandDims(s.SubScope("ExpandDims"), boxes2batch(s, boxes), op.Const(s.SubScope("axis"), []int32{0})))
	return image
}

// EncodeJPEG scales the image to [0, 255], casts it to uint8 and returns
// the JPEG encoding of its single image, a string scalar to evaluate.
func (image *Image) EncodeJPEG(optional ...op.EncodeJpegAttr) tf.Output {
	defer image.Tensor.Check()
	image = image.Scale(0, 255).Cast(tf.Uint8)
	return op.EncodeJpeg(image.Path.SubScope("EncodeJpeg"), image.Value(), optional...)
}

// EncodePNG is EncodeJPEG for PNG.
func (image *Image) EncodePNG(optional ...op.EncodePngAttr) tf.Output {
	defer image.Tensor.Check()
	image = image.Scale(0, 255).Cast(tf.Uint8)
	return op.EncodePng(image.Path.SubScope("EncodePng"), image.Value(), optional...)
}

// ExtractGlimpse cuts a glimpse of size from the image at offset
// (ExtractGlimpse: by default centred and normalized to [-1, 1]).
// tfoffload fills the part of a glimpse outside the image only with
// zeros: pass op.ExtractGlimpseUniformNoise(false) and
// op.ExtractGlimpseNoise("zero") for such glimpses.
func (image *Image) ExtractGlimpse(size Size, offset Point, optional ...op.ExtractGlimpseAttr) tf.Output {
	defer image.Tensor.Check()
	s := image.Path.SubScope("extractGlimpse")
	offsets := points2batch(s, []Point{offset})
	return op.ExtractGlimpse(s.SubScope("ExtractGlimpse"),
		image.Output,
		op.Const(s.SubScope("size"), []int32{int32(size.Height), int32(size.Width)}), offsets,
		optional...)
}

// RGBToGrayscale converts RGB to one gray channel (ITU-R 601 weights).
func (image *Image) RGBToGrayscale() *Image {
	defer image.Tensor.Check()
	s := image.Path.SubScope("RGB2Grayscale")
	image = image.Cast(tf.Float)
	rgbWeights := op.Const(s.SubScope("RGBWeights"), []float32{0.2989, 0.5870, 0.1140})
	image.Output = op.Sum(s.SubScope("Sum"), op.Mul(s.SubScope("Mul"), image.Output, rgbWeights), op.Const(s.SubScope("reduction_indices"), []int32{3}), op.SumKeepDims(true))
	return image
}

// HSVToRGB converts HSV to RGB.
func (image *Image) HSVToRGB() *Image {
	defer image.Tensor.Check()
	image.Output = op.HSVToRGB(image.Path.SubScope("HSVToRGB"), image.Output)
	return image
}

// RGBToHSV converts RGB to HSV.
func (image *Image) RGBToHSV() *Image {
	defer image.Tensor.Check()
	image.Output = op.RGBToHSV(image.Path.SubScope("RGBToHSV"), image.Output)
	return image
}

func sizeConst(s *op.Scope, size Size) tf.Output {
	return op.Const(s.SubScope("size"), []int32{int32(size.Height), int32(size.Width)})
}

// ResizeArea resizes the image to size with area interpolation. Unlike
// tfgo, which drops them, the optional attributes are applied.
func (image *Image) ResizeArea(size Size, optional ...op.ResizeAreaAttr) *Image {
	defer image.Tensor.Check()
	s := image.Path.SubScope("resizeArea")
	image.Output = op.ResizeArea(s.SubScope("ResizeArea"), image.Output, sizeConst(s, size), optional...)
	return image
}

// ResizeBicubic resizes the image to size with bicubic interpolation.
func (image *Image) ResizeBicubic(size Size, optional ...op.ResizeBicubicAttr) *Image {
	defer image.Tensor.Check()
	s := image.Path.SubScope("resizeBicubic")
	image.Output = op.ResizeBicubic(s.SubScope("ResizeBicubic"), image.Output, sizeConst(s, size), optional...)
	return image
}

// ResizeBilinear resizes the image to size with bilinear interpolation.
func (image *Image) ResizeBilinear(size Size, optional ...op.ResizeBilinearAttr) *Image {
	defer image.Tensor.Check()
	s := image.Path.SubScope("resizeBilinear")
	image.Output = op.ResizeBilinear(s.SubScope("ResizeBilinear"), image.Output, sizeConst(s, size), optional...)
	return image
}

// ResizeNearestNeighbor resizes the image to size with nearest-neighbour
// interpolation.
func (image *Image) ResizeNearestNeighbor(size Size, optional ...op.ResizeNearestNeighborAttr) *Image {
	defer image.Tensor.Check()
	s := image.Path.SubScope("resizeNearestNeighbor")
	image.Output = op.ResizeNearestNeighbor(s.SubScope("ResizeNearestNeighbor"), image.Output, sizeConst(s, size), optional...)
	return image
}

// Convolve convolves the image with filter (flipped, then correlated).
func (image *Image) Convolve(filter tf.Output, stride Stride, padding padding.Padding) *Image {
	defer image.Tensor.Check()
	s := image.Path.SubScope("Conv2D")
	filter = op.ReverseV2(s.SubScope("ReverseV2"), filter, op.Const(s.SubScope("axis"), []int32{0, 1}))
	return image.Correlate(filter, stride, padding)
}

// Correlate correlates the image with filter (TensorFlow's Conv2D).
func (image *Image) Correlate(filter tf.Output, stride Stride, padding padding.Padding) *Image {
	defer image.Tensor.Check()
	strides := []int64{1, stride.Y, stride.X, 1}
	image.Output = op.Conv2D(image.Path.SubScope("Corr2D"), image.Output, filter, strides, padding.String())
	return image
}

// Dilate is the morphological dilation of the image by filter
// (Dilation2D).
func (image *Image) Dilate(filter tf.Output, stride, rate Stride, padding padding.Padding) *Image {
	defer image.Tensor.Check()
	strides := []int64{1, stride.Y, stride.X, 1}
	rates := []int64{1, rate.Y, rate.X, 1}
	s := image.Path.SubScope("Dilatation2d")
	if filter.Shape().NumDimensions() == 4 && filter.Shape().Size(3) == 1 {
		filter = op.Squeeze(s, filter, op.SqueezeAxis([]int64{3}))
	}
	filter = tg.Cast(s, filter, image.Dtype())
	image.Output = op.Dilation2D(s, image.Output, filter, strides, rates, padding.String())
	return image
}

// Erode is the morphological erosion of the image by filter.
func (image *Image) Erode(filter tf.Output, stride, rate Stride, padding padding.Padding) *Image {
	defer image.Tensor.Check()
	s := image.Path.SubScope("Erode")
	negativeOne := tg.Cast(s, op.Const(s.SubScope("negative"), -1.), image.Dtype())
	image = image.Mul(negativeOne)
	filter = op.ReverseV2(s.SubScope("ReverseV2"), filter, op.Const(s.SubScope("axis"), []int32{0, 1}))
	return image.Dilate(filter, stride, rate, padding)
}
