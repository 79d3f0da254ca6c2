// refpng: the reference PNG decoder for package image's tests. It calls
// libpng with the transformations TensorFlow's png_io.cc
// (CommonInitDecode) asks for and writes the decoded samples to stdout:
// bytes for 8 bits, little-endian uint16 for 16.
//
//   refpng FILE CHANNELS BITS     CHANNELS 0 to 4, BITS 8 or 16
//
// Not part of the Go build (testdata is ignored by go); make.sh runs it.
#include <png.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
	if (argc != 4) {
		fprintf(stderr, "usage: refpng FILE CHANNELS BITS\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) return 1;
	int channels = atoi(argv[2]), bits = atoi(argv[3]);
	png_structp p = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(p);
	if (setjmp(png_jmpbuf(p))) return 1;
	png_init_io(p, f);
	png_read_info(p, info);
	png_uint_32 w, h;
	int depth, type;
	png_get_IHDR(p, info, &w, &h, &depth, &type, NULL, NULL, NULL);
	int trns = png_get_valid(p, info, PNG_INFO_tRNS) != 0;
	if (channels == 0) {
		channels = type == PNG_COLOR_TYPE_PALETTE ? (trns ? 4 : 3) : png_get_channels(p, info);
	}
	int alpha = (type & PNG_COLOR_MASK_ALPHA) != 0;
	if ((channels & 1) == 0) {
		if (!alpha) {
			if (trns) png_set_tRNS_to_alpha(p);
			else png_set_add_alpha(p, (1 << depth) - 1, PNG_FILLER_AFTER);
		}
	} else if (alpha || trns) {
		png_set_strip_alpha(p);
	}
	if (depth > 8 && bits <= 8) png_set_strip_16(p);
	int synth16 = depth <= 8 && bits == 16;
	png_set_packing(p);
	int passes = png_set_interlace_handling(p);
	if (bits > 8) png_set_swap(p);
	if (type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(p);
	int is_gray = !(type & PNG_COLOR_MASK_COLOR);
	if (is_gray && depth < 8) png_set_expand_gray_1_2_4_to_8(p);
	if (channels < 3) {
		if (!is_gray) png_set_rgb_to_gray(p, 1, 0.299, 0.587);
	} else if (is_gray) {
		png_set_gray_to_rgb(p);
	}
	png_read_update_info(p, info);
	size_t row = (size_t)w * channels * (synth16 ? 1 : bits / 8);
	unsigned char *img = calloc(h, row * 2);
	for (int pass = 0; pass < passes; pass++)
		for (png_uint_32 y = 0; y < h; y++) png_read_row(p, img + y * row, NULL);
	png_read_end(p, info);
	if (synth16) {
		// TensorFlow's Convert8to16: v | v<<8, from the 8-bit samples.
		for (size_t i = (size_t)w * h * channels; i-- > 0;) {
			unsigned v = img[i];
			img[2 * i] = (unsigned char)v;
			img[2 * i + 1] = (unsigned char)v;
		}
	}
	fwrite(img, 1, (size_t)w * h * channels * (bits / 8), stdout);
	fprintf(stderr, "%u %u %d\n", h, w, channels);
	return 0;
}
