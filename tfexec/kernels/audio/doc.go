// Package audio implements tfexec's kernels for TensorFlow's audio ops,
// the front end of speech models such as the keyword-spotting graphs
// (DecodeWav → AudioSpectrogram → Mfcc), and its spectral ops (FFT,
// IFFT, RFFT, IRFFT; see spectral.go). Each kernel follows TensorFlow's
// CPU kernel: shapes, dtypes, the float32/float64 choices of each step and
// the InvalidArgument checks. Importing the package registers its kernel
// table (ops.go), one row an op with the dtypes its kernel implements.
//
// # Ops
//
//   - FFT, IFFT (and FFT2D, FFT3D, IFFT2D, IFFT3D): the DFT of the
//     innermost one, two or three dimensions of a complex64 or complex128
//     tensor (the inverses scaled by 1/n), of any lengths.
//   - RFFT, IRFFT (and their 2-D and 3-D forms): real input cropped or
//     zero-padded to fft_length, to the fft_length/2+1 non-negative
//     frequencies of its innermost dimension; and back, the spectrum
//     completed by Hermitian symmetry. Treal float32 or float64, Tcomplex
//     complex64 or complex128.
//   - DecodeWav: a string scalar holding a 16-bit PCM WAV file to float32
//     audio [samples, channels] in [-1, 1) (int16 · 2⁻¹⁵) and the int32
//     sample rate. desired_samples (-1 keeps the file's) crops or pads with
//     zeros; desired_channels (-1 keeps the file's) drops surplus channels
//     or repeats the last one.
//   - EncodeWav: float32 audio [samples, channels] and an int32 sample rate
//     to a canonical 44-byte-header 16-bit PCM WAV file (string scalar);
//     samples are rounded half away from zero after scaling by 2¹⁵ and
//     clamped to the int16 range (NaN encodes as 0).
//   - AudioSpectrogram: float32 [samples, channels] to float32 [channels,
//     frames, fft/2+1], where fft is the next power of two ≥ window_size
//     and frames = 1 + (samples − window_size)/stride (0 when the input is
//     shorter than one window). Each frame is multiplied by the periodic
//     Hann window 0.5 − 0.5·cos(2πi/window_size), zero-padded to fft and
//     transformed in float64; the squared magnitude is rounded to float32
//     and, unless magnitude_squared, its float32 square root taken.
//   - Mfcc: a float32 power spectrogram [channels, frames, bins] and an
//     int32 sample rate to float32 [channels, frames,
//     dct_coefficient_count], in float64 throughout as TensorFlow computes
//     it: the square roots of the bins between lower_frequency_limit and
//     upper_frequency_limit are summed under filterbank_channel_count
//     triangular filters evenly spaced on the mel scale 1127·ln(1+f/700)
//     (bin 0 excluded), each sum floored at 1e-12 and logged, and the
//     logs transformed by the DCT-II with the √(2/N) scale of every
//     coefficient (coefficient 0 included).
//
// # Differences from TensorFlow
//
// DecodeWav accepts and rejects exactly the files TensorFlow does (only
// the JUNK, bext, iXML, qlty, mext, levl, link and axml chunks may precede
// "fmt "; no RIFF pad byte after odd-sized chunks; format chunks of 16 or
// 18 bytes, PCM, 16 bits), with errors wrapping [ErrInvalidWAV]. Offsets
// are 64-bit, so chunk sizes near 2³² are "data too short" errors where
// TensorFlow's int offsets may wrap around. Attribute errors (a negative
// desired_channels, window_size < 2, dct_coefficient_count >
// filterbank_channel_count, …) are reported when the kernel is prepared
// rather than when it first runs. Absurd sizes are errors rather than
// allocation attempts: a DecodeWav output of more than 2³¹ values, a
// window_size above 2²⁴, a filterbank_channel_count above 4096. A NaN
// lower_frequency_limit, which makes TensorFlow's filterbank read outside
// the spectrum, is an error.
//
// When upper_frequency_limit lies beyond the spectrogram's last bin, Mfcc
// produces zeros, as TensorFlow does (its filterbank logs an error and
// returns an empty vector, whose DCT is zero).
//
// The FFT is this package's own radix-2 real FFT in float64, not
// TensorFlow's Ooura rdft; the two differ only in the last bits of the
// float64 results, which float32 rounding almost always removes.
package audio
