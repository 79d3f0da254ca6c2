package image

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table.
var kernels = []kernel.Def{
	// The resampling ops compute in float32 from any real input; the
	// nearest neighbour copies pixels of any fixed-size dtype.
	{Op: "ResizeBilinear", DTypes: kernel.RealTypes(), New: newResize(resizeBilinear)},
	{Op: "ResizeNearestNeighbor", DTypes: kernel.FixedSizeTypes(), New: newResize(resizeNearest)},
	{Op: "ResizeArea", DTypes: kernel.RealTypes(), New: newResize(resizeArea)},
	{Op: "ResizeBicubic", DTypes: kernel.RealTypes(), New: newResize(resizeBicubic)},
	{Op: "CropAndResize", DTypes: kernel.RealTypes(), New: newCropAndResize},

	// NonMaxSuppression and NonMaxSuppressionWithOverlaps take float32
	// only; the later versions round their scores to T.
	{Op: "NonMaxSuppression", New: newNMS(1)},
	{Op: "NonMaxSuppressionV2", DTypes: nmsTypes(), New: newNMS(2)},
	{Op: "NonMaxSuppressionV3", DTypes: nmsTypes(), New: newNMS(3)},
	{Op: "NonMaxSuppressionV4", DTypes: nmsTypes(), New: newNMS(4)},
	{Op: "NonMaxSuppressionV5", DTypes: nmsTypes(), New: newNMS(5)},
	{Op: "NonMaxSuppressionWithOverlaps", New: kernel.Stateless(nmsWithOverlaps)},
	{Op: "CombinedNonMaxSuppression", New: newCombinedNMS},

	{Op: "ImageProjectiveTransformV2", DTypes: projectiveTypes(), TypeAttr: "dtype", New: newProjective(false)},
	{Op: "ImageProjectiveTransformV3", DTypes: projectiveTypes(), TypeAttr: "dtype", New: newProjective(true)},

	// The decoders are one kernel, as in TensorFlow: each decodes every
	// format it recognises.
	{Op: "DecodeJpeg", New: newDecoder},
	{Op: "DecodeAndCropJpeg", New: newDecoder},
	{Op: "DecodePng", New: newDecoder},
	{Op: "DecodeGif", New: newDecoder},
	{Op: "DecodeBmp", New: newDecoder},
	{Op: "DecodeImage", New: newDecoder},
	{Op: "ExtractJpegShape", New: extractJpegShape},
	{Op: "EncodeJpeg", New: newEncodeJpeg},
	{Op: "EncodeJpegVariableQuality", New: newEncodeJpegVariableQuality},
	{Op: "EncodePng", DTypes: []tensor.DType{tensor.Uint8, tensor.Uint16}, New: newEncodePng},

	// The adjustments compute in float32, RGBToHSV in float64 and
	// HSVToRGB in T.
	{Op: "AdjustHue", DTypes: adjustTypes(), New: kernel.Stateless(adjustHue)},
	{Op: "AdjustSaturation", DTypes: adjustTypes(), New: kernel.Stateless(adjustSaturation)},
	{Op: "AdjustContrastv2", DTypes: adjustTypes(), New: kernel.Stateless(adjustContrast)},
	{Op: "RGBToHSV", DTypes: colorspaceTypes(), New: kernel.Stateless(rgbToHSV)},
	{Op: "HSVToRGB", DTypes: colorspaceTypes(), New: kernel.Stateless(hsvToRGB)},

	{Op: "ExtractGlimpse", New: newGlimpse(1)},
	{Op: "ExtractGlimpseV2", New: newGlimpse(2)},

	{Op: "DrawBoundingBoxes", DTypes: drawTypes(), New: kernel.Stateless(drawBoundingBoxes)},
	{Op: "DrawBoundingBoxesV2", DTypes: drawTypes(), New: kernel.Stateless(drawBoundingBoxes)},
}

// nmsTypes are the score dtypes roundingFor rounds to.
func nmsTypes() []tensor.DType {
	return []tensor.DType{tensor.Float16, tensor.BFloat16, tensor.Float32}
}

// drawTypes are the image dtypes DrawBoundingBoxes paints.
func drawTypes() []tensor.DType { return []tensor.DType{tensor.Float16, tensor.Float32} }

// adjustTypes are the image dtypes the colour adjustments take.
func adjustTypes() []tensor.DType { return []tensor.DType{tensor.Float16, tensor.Float32} }

// colorspaceTypes are the dtypes RGBToHSV and HSVToRGB convert.
func colorspaceTypes() []tensor.DType { return []tensor.DType{tensor.Float32, tensor.Float64} }
