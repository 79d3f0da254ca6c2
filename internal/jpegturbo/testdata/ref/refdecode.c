// refdecode: the reference decoder for package jpegturbo's tests. It uses
// libjpeg-turbo directly, in the ordinary way (stdio source, default
// error handling), with the settings TensorFlow's DecodeJpeg uses, and
// writes the raw interleaved pixels of the whole image to stdout, so that
// a crop is checked against a slice of the full decode. make.sh hashes
// them into ../reference.txt.
//
//   refdecode FILE CHANNELS RATIO DCT FANCY [X Y WIDTH HEIGHT]
//     CHANNELS 0 (the file's, at most 3), 1 or 3; RATIO 1, 2, 4 or 8;
//     DCT fast or accurate; FANCY 0 or 1; a crop window is decoded the way
//     TensorFlow's DecodeAndCropJpeg does it, with jpeg_crop_scanline
//     (which widens the window to whole MCUs) and jpeg_skip_scanlines.
//   refdecode --encode KIND OUT.jpg  writes a small synthetic test image.
//
// Not part of the Go build (testdata is ignored by go).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

// encode writes a small synthetic test image: kind is cmyk (Adobe),
// gray, rgb420 (odd size, 4:2:0), rgb444 or progressive.
static int encode(const char *kind, const char *path) {
	FILE *f = fopen(path, "wb");
	if (!f) return 1;
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr e;
	c.err = jpeg_std_error(&e);
	jpeg_create_compress(&c);
	jpeg_stdio_dest(&c, f);
	c.image_width = 37;
	c.image_height = 23;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	if (strcmp(kind, "cmyk") == 0) {
		c.input_components = 4;
		c.in_color_space = JCS_CMYK;
	} else if (strcmp(kind, "gray") == 0) {
		c.input_components = 1;
		c.in_color_space = JCS_GRAYSCALE;
	}
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 85, TRUE);
	if (strcmp(kind, "rgb444") == 0) {
		for (int i = 0; i < c.num_components; i++) c.comp_info[i].h_samp_factor = c.comp_info[i].v_samp_factor = 1;
	}
	if (strcmp(kind, "progressive") == 0) jpeg_simple_progression(&c);
	jpeg_start_compress(&c, TRUE);
	JSAMPLE row[37 * 4];
	while (c.next_scanline < c.image_height) {
		unsigned y = c.next_scanline;
		for (int x = 0; x < 37; x++)
			for (int i = 0; i < c.input_components; i++)
				row[c.input_components * x + i] = (JSAMPLE)((x * (7 + 5 * i) + y * (11 - 3 * i) + ((x ^ y) & 3) * 29) & 255);
		JSAMPROW p = row;
		jpeg_write_scanlines(&c, &p, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	return fclose(f) != 0;
}

int main(int argc, char **argv) {
	if (argc == 4 && strcmp(argv[1], "--encode") == 0) return encode(argv[2], argv[3]);
	if (argc != 6 && argc != 10) {
		fprintf(stderr, "usage: refdecode FILE CHANNELS RATIO fast|accurate FANCY [X Y WIDTH HEIGHT]\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	int channels = atoi(argv[2]);
	struct jpeg_decompress_struct c;
	struct jpeg_error_mgr e;
	c.err = jpeg_std_error(&e);
	jpeg_create_decompress(&c);
	jpeg_stdio_src(&c, f);
	jpeg_read_header(&c, TRUE);
	if (channels == 0) channels = c.num_components < 3 ? c.num_components : 3;
	int cmyk = 0;
	if (channels == 1) {
		c.out_color_space = JCS_GRAYSCALE;
	} else if (c.jpeg_color_space == JCS_CMYK || c.jpeg_color_space == JCS_YCCK) {
		c.out_color_space = JCS_CMYK;
		cmyk = 1;
	} else {
		c.out_color_space = JCS_RGB;
	}
	c.scale_num = 1;
	c.scale_denom = (unsigned)atoi(argv[3]);
	c.dct_method = strcmp(argv[4], "accurate") == 0 ? JDCT_ISLOW : JDCT_IFAST;
	c.do_fancy_upsampling = atoi(argv[5]) ? TRUE : FALSE;
	jpeg_start_decompress(&c);
	JDIMENSION y0 = 0, w = c.output_width, h = c.output_height, first = 0;
	if (argc == 10) {
		JDIMENSION want_x = (JDIMENSION)atoi(argv[6]);
		y0 = (JDIMENSION)atoi(argv[7]);
		w = (JDIMENSION)atoi(argv[8]);
		h = (JDIMENSION)atoi(argv[9]);
		JDIMENSION cx = want_x, cw = w;
		jpeg_crop_scanline(&c, &cx, &cw);
		first = want_x - cx; // columns to drop on the left of each row
		if (y0 > 0) jpeg_skip_scanlines(&c, y0);
	}
	size_t n = (size_t)c.output_width * c.output_components;
	JSAMPLE *row = malloc(n);
	unsigned char *rgb = malloc((size_t)c.output_width * 3);
	while (c.output_scanline < y0 + h) {
		JSAMPROW p = row;
		jpeg_read_scanlines(&c, &p, 1);
		if (!cmyk) {
			fwrite(row + (size_t)first * c.output_components, 1, (size_t)w * c.output_components, stdout);
			continue;
		}
		// TensorFlow's CMYK to RGB: Adobe files store inverted CMYK.
		for (unsigned x = first; x < first + w; x++) {
			int k = row[4 * x + 3];
			for (int i = 0; i < 3; i++) {
				int v = row[4 * x + i];
				rgb[3 * (x - first) + i] = (unsigned char)(c.saw_Adobe_marker ? k * v / 255 : (255 - k) * (255 - v) / 255);
			}
		}
		fwrite(rgb, 1, (size_t)w * 3, stdout);
	}
	fprintf(stderr, "%u %u %d\n", h, w, cmyk ? 3 : c.output_components);
	if (c.output_scanline < c.output_height) jpeg_skip_scanlines(&c, c.output_height - c.output_scanline);
	jpeg_finish_decompress(&c);
	jpeg_destroy_decompress(&c);
	fclose(f);
	return 0;
}
