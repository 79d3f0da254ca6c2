package audio

import "github.com/tfoffload/tfoffload/tfexec/kernel"

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table. The audio ops have the fixed
// dtypes the package documentation gives; the spectral ops' rows list
// their complex or real type attribute.
var kernels = []kernel.Def{
	{Op: "DecodeWav", New: newDecodeWav},
	{Op: "EncodeWav", New: kernel.Stateless(encodeWav)},
	{Op: "AudioSpectrogram", New: newAudioSpectrogram},
	{Op: "Mfcc", New: newMfcc},
	{Op: "FFT", DTypes: complexTypes, TypeAttr: "Tcomplex", New: newFFT(1, false)},
	{Op: "FFT2D", DTypes: complexTypes, TypeAttr: "Tcomplex", New: newFFT(2, false)},
	{Op: "FFT3D", DTypes: complexTypes, TypeAttr: "Tcomplex", New: newFFT(3, false)},
	{Op: "IFFT", DTypes: complexTypes, TypeAttr: "Tcomplex", New: newFFT(1, true)},
	{Op: "IFFT2D", DTypes: complexTypes, TypeAttr: "Tcomplex", New: newFFT(2, true)},
	{Op: "IFFT3D", DTypes: complexTypes, TypeAttr: "Tcomplex", New: newFFT(3, true)},
	{Op: "RFFT", DTypes: realFFTTypes, TypeAttr: "Treal", New: newRFFT(1)},
	{Op: "RFFT2D", DTypes: realFFTTypes, TypeAttr: "Treal", New: newRFFT(2)},
	{Op: "RFFT3D", DTypes: realFFTTypes, TypeAttr: "Treal", New: newRFFT(3)},
	{Op: "IRFFT", DTypes: realFFTTypes, TypeAttr: "Treal", New: newIRFFT(1)},
	{Op: "IRFFT2D", DTypes: realFFTTypes, TypeAttr: "Treal", New: newIRFFT(2)},
	{Op: "IRFFT3D", DTypes: realFFTTypes, TypeAttr: "Treal", New: newIRFFT(3)},
}
