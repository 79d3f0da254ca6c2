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
	{Op: "FFT", DTypes: complexTypes, TypeAttr: "Tcomplex", New: newFFT(false)},
	{Op: "IFFT", DTypes: complexTypes, TypeAttr: "Tcomplex", New: newFFT(true)},
	{Op: "RFFT", DTypes: realFFTTypes, TypeAttr: "Treal", New: newRFFT},
	{Op: "IRFFT", DTypes: realFFTTypes, TypeAttr: "Treal", New: newIRFFT},
}
