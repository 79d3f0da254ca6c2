// The C side of package jpegturbo: JPEG decoding and encoding in memory
// with libjpeg-turbo, with the settings TensorFlow's jpeg_mem.cc uses.
// Fatal libjpeg errors longjmp back into the function that called
// libjpeg and come out as a return code with libjpeg's message; nothing
// is printed and the process never exits.
#ifndef TFO_JPEGTURBO_H
#define TFO_JPEGTURBO_H

#include <stddef.h>
#include <stdint.h>

enum {
	TFO_JPEG_OK = 0,
	TFO_JPEG_ERROR = 1,     // libjpeg failed; msg holds its message
	TFO_JPEG_TOO_LARGE = 2, // output of 2^29 or more samples
	TFO_JPEG_TRUNCATED = 3, // not all rows could be read; rows_read says how many
	TFO_JPEG_BAD_PARAM = 4, // an argument libjpeg cannot honour
	TFO_JPEG_NOMEM = 5,
};

typedef struct {
	int components;  // 0 (the file's, CMYK as RGB), 1 or 3
	int ratio;       // 1, 2, 4 or 8
	int fancy_upscaling;
	int try_recover_truncated;
	int accurate_dct; // JDCT_ISLOW instead of JDCT_IFAST
	int crop;         // decode only the window below
	int crop_x, crop_y, crop_width, crop_height;
} tfo_jpeg_flags;

typedef struct {
	int width, height, components; // of the output
	int image_width, image_height;  // of the scaled image before cropping
	int rows_read;                  // rows fully decoded
	int64_t warnings;
	char msg[200];
} tfo_jpeg_info;

// tfo_jpeg_header reads the header and computes the output size the flags
// give (crop not applied), without decoding pixels.
int tfo_jpeg_header(const uint8_t *data, size_t len, const tfo_jpeg_flags *f, tfo_jpeg_info *info);

// tfo_jpeg_decode decodes into out (out_len bytes, at least height*width*
// components of the output). On TFO_JPEG_TRUNCATED the rows from
// info->rows_read on are left as they were.
int tfo_jpeg_decode(const uint8_t *data, size_t len, const tfo_jpeg_flags *f, uint8_t *out, size_t out_len, tfo_jpeg_info *info);

typedef struct {
	int quality;
	int progressive;
	int optimize_size;
	int chroma_downsampling;
	int density_unit; // 1 = dots per inch, 2 = per cm
	int x_density, y_density;
	const uint8_t *xmp;
	size_t xmp_len;
} tfo_jpeg_encode_flags;

// tfo_jpeg_encode compresses width×height pixels of 1 or 3 components;
// *out is malloc'd and must be freed by the caller.
int tfo_jpeg_encode(const uint8_t *pix, int width, int height, int components, const tfo_jpeg_encode_flags *f, uint8_t **out, size_t *out_len, tfo_jpeg_info *info);

#endif
