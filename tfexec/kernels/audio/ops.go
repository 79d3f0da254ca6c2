package audio

import "github.com/tfoffload/tfoffload/tfexec/kernel"

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table. No audio op is type-polymorphic:
// each has the fixed dtypes the package documentation gives.
var kernels = []kernel.Def{
	{Op: "DecodeWav", New: newDecodeWav},
	{Op: "EncodeWav", New: kernel.Stateless(encodeWav)},
	{Op: "AudioSpectrogram", New: newAudioSpectrogram},
	{Op: "Mfcc", New: newMfcc},
}
