package image

import (
	"math/rand/v2"
	"testing"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// BenchmarkResizeBilinearUint8 upsamples a 320×320 RGB uint8 image 2×,
// the preprocessing of detection models.
func BenchmarkResizeBilinearUint8(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	img := make([]uint8, 320*320*3)
	for i := range img {
		img[i] = uint8(r.IntN(256))
	}
	kerneltest.Bench(b, op("ResizeBilinear", resizeAttrs(false, true)), u8(s(1, 320, 320, 3), img...), i32(s(2), 640, 640))
}

// BenchmarkResizeBilinearFeatures upsamples a 64×64×128 feature map 2×,
// as segmentation and pose decoders do.
func BenchmarkResizeBilinearFeatures(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	kerneltest.Bench(b, op("ResizeBilinear", resizeAttrs(false, true)), randF32(r, s(1, 64, 64, 128)), i32(s(2), 128, 128))
}

func BenchmarkResizeNearest(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	kerneltest.Bench(b, op("ResizeNearestNeighbor", nil), randF32(r, s(1, 64, 64, 128)), i32(s(2), 128, 128))
}

func BenchmarkResizeBicubic(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	kerneltest.Bench(b, op("ResizeBicubic", resizeAttrs(false, true)), randF32(r, s(1, 128, 128, 3)), i32(s(2), 256, 256))
}

func BenchmarkCropAndResize(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	boxes := make([]float32, 100*4)
	for i := 0; i < 100; i++ {
		y, x := r.Float32()*0.5, r.Float32()*0.5
		copy(boxes[i*4:], []float32{y, x, y + 0.5, x + 0.5})
	}
	kerneltest.Bench(b, op("CropAndResize", nil), randF32(r, s(1, 320, 320, 32)), f32(s(100, 4), boxes...),
		i32(s(100), make([]int32, 100)...), i32(s(2), 14, 14))
}

// BenchmarkNMSV5 selects 100 of 5000 random boxes, an SSD post-process.
func BenchmarkNMSV5(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 5000
	boxes := make([]float32, n*4)
	for i := 0; i < n; i++ {
		y, x := r.Float32(), r.Float32()
		copy(boxes[i*4:], []float32{y, x, y + 0.1*r.Float32(), x + 0.1*r.Float32()})
	}
	kerneltest.Bench(b, op("NonMaxSuppressionV5", nil), f32(s(n, 4), boxes...), randF32(r, s(n)), tensor.Scalar(int32(100)),
		tensor.Scalar(float32(0.5)), tensor.Scalar(float32(0.3)), tensor.Scalar(float32(0)))
}

func randF32(r *rand.Rand, shape tensor.Shape) *tensor.Tensor {
	v := make([]float32, shape.NumElements())
	for i := range v {
		v[i] = r.Float32()
	}
	return tensor.MustFromSlice(shape, v)
}

// BenchmarkDecodeJpeg decodes the shared 606×517 photo grace_hopper.jpg
// with TensorFlow's default settings.
func BenchmarkDecodeJpeg(b *testing.B) {
	kerneltest.Bench(b, op("DecodeJpeg", nil), tensor.Scalar(string(photo(b))))
}
