//go:build cgo && !nolibjpeg

// The C side of package jpegturbo; see jpegturbo.h. The decoding steps
// follow TensorFlow's tensorflow/core/lib/jpeg/jpeg_mem.cc and
// jpeg_handle.cc (the memory source, the fake EOI that recovers truncated
// files, the CMYK conversion, the crop window), so that the pixels are the
// ones TensorFlow's DecodeJpeg gives with the same libjpeg-turbo. Two
// departures, both where TensorFlow misbehaves: src_fill never answers
// TRUE without adding data (TensorFlow hangs), and recovery of a crop
// whose first row is missing writes black instead of reading before the
// output buffer.
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "jpegturbo.h"

// errors longjmps to the caller of libjpeg with libjpeg's message kept.
typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jmp;
	char *msg;
} errors;

static void on_error_exit(j_common_ptr c) {
	errors *e = (errors *)c->err;
	(*c->err->format_message)(c, e->msg);
	longjmp(e->jmp, 1);
}

// Warnings are counted in num_warnings, never printed.
static void on_output_message(j_common_ptr c) { (void)c; }

static void init_errors(errors *e, tfo_jpeg_info *info) {
	jpeg_std_error(&e->pub);
	e->pub.error_exit = on_error_exit;
	e->pub.output_message = on_output_message;
	e->msg = info->msg;
}

// source reads from memory. When the data runs out it either suspends
// (TensorFlow's default: the scanline being read is lost) or, with
// recover, inserts one fake EOI marker so that libjpeg finishes the image
// with what it has.
typedef struct {
	struct jpeg_source_mgr pub;
	const JOCTET *data;
	size_t len;
	int recover;
} source;

static const JOCTET fake_eoi[2] = {0xFF, JPEG_EOI};

static void src_init(j_decompress_ptr c) {
	source *s = (source *)c->src;
	s->pub.next_input_byte = s->data;
	s->pub.bytes_in_buffer = s->len;
}

static boolean src_fill(j_decompress_ptr c) {
	source *s = (source *)c->src;
	if (s->pub.bytes_in_buffer == 0 && s->pub.next_input_byte == s->data) {
		ERREXIT(c, JERR_INPUT_EMPTY);
		return FALSE;
	}
	if (s->pub.bytes_in_buffer) {
		// libjpeg asks for more while bytes remain only where it needs
		// more than remain. TensorFlow answers TRUE when recovering,
		// adding nothing, and libjpeg asks again forever (a hang on a
		// header cut inside a marker); suspending ends the read.
		return FALSE;
	}
	if (s->pub.next_input_byte != fake_eoi && s->recover) {
		WARNMS(c, JWRN_JPEG_EOF);
		s->pub.next_input_byte = fake_eoi;
		s->pub.bytes_in_buffer = 2;
		return TRUE;
	}
	ERREXIT(c, JERR_FILE_READ);
	return FALSE;
}

static void src_skip(j_decompress_ptr c, long n) {
	source *s = (source *)c->src;
	if (n < 0) {
		return;
	}
	if ((size_t)n > s->pub.bytes_in_buffer) {
		s->pub.bytes_in_buffer = 0;
		(void)src_fill(c);
	} else {
		s->pub.bytes_in_buffer -= (size_t)n;
		s->pub.next_input_byte += n;
	}
}

static void src_term(j_decompress_ptr c) { (void)c; }

static void set_source(j_decompress_ptr c, source *s, const uint8_t *data, size_t len, int recover) {
	memset(s, 0, sizeof *s);
	s->pub.init_source = src_init;
	s->pub.fill_input_buffer = src_fill;
	s->pub.skip_input_data = src_skip;
	s->pub.resync_to_restart = jpeg_resync_to_restart;
	s->pub.term_source = src_term;
	s->data = data;
	s->len = len;
	s->recover = recover;
	c->src = &s->pub;
}

// configure applies the flags after the header is read and computes the
// output dimensions. It returns the output components in *components.
static int configure(j_decompress_ptr c, const tfo_jpeg_flags *f, int *components) {
	int comps = f->components;
	if (comps == 0) {
		comps = c->num_components < 3 ? c->num_components : 3;
	}
	switch (comps) {
	case 1:
		c->out_color_space = JCS_GRAYSCALE;
		break;
	case 3:
		if (c->jpeg_color_space == JCS_CMYK || c->jpeg_color_space == JCS_YCCK) {
			c->out_color_space = JCS_CMYK;
		} else {
			c->out_color_space = JCS_RGB;
		}
		break;
	default:
		return TFO_JPEG_BAD_PARAM;
	}
	c->do_fancy_upsampling = f->fancy_upscaling ? TRUE : FALSE;
	c->scale_num = 1;
	c->scale_denom = (unsigned int)f->ratio;
	c->dct_method = f->accurate_dct ? JDCT_ISLOW : JDCT_IFAST;
	jpeg_calc_output_dimensions(c);
	if (c->output_width == 0 || c->output_height == 0) {
		return TFO_JPEG_BAD_PARAM;
	}
	// TensorFlow refuses 2^29 samples or more, counted with the file's
	// components, before libjpeg allocates anything.
	if ((int64_t)c->output_width * c->output_height * c->num_components >= ((int64_t)1 << 29)) {
		return TFO_JPEG_TOO_LARGE;
	}
	*components = comps;
	return TFO_JPEG_OK;
}

// open_image creates the decompressor on data and reads the header; on
// failure (no image before EOI) it destroys it and returns 0. Called after
// the caller's setjmp, which catches libjpeg's fatal errors.
static int open_image(j_decompress_ptr c, source *s, const uint8_t *data, size_t len, const tfo_jpeg_flags *f,
                      tfo_jpeg_info *info) {
	jpeg_create_decompress(c);
	set_source(c, s, data, len, f->try_recover_truncated);
	if (jpeg_read_header(c, TRUE) != JPEG_HEADER_OK) {
		snprintf(info->msg, sizeof info->msg, "no image in the JPEG data");
		jpeg_destroy_decompress(c);
		return 0;
	}
	return 1;
}

static int valid_ratio(int r) { return r == 1 || r == 2 || r == 4 || r == 8; }

int tfo_jpeg_header(const uint8_t *data, size_t len, const tfo_jpeg_flags *f, tfo_jpeg_info *info) {
	struct jpeg_decompress_struct c;
	errors e;
	source s;
	int comps = 0, rc;

	memset(info, 0, sizeof *info);
	if (len == 0 || !valid_ratio(f->ratio)) {
		return TFO_JPEG_BAD_PARAM;
	}
	init_errors(&e, info);
	c.err = &e.pub;
	if (setjmp(e.jmp)) {
		jpeg_destroy_decompress(&c);
		return TFO_JPEG_ERROR;
	}
	if (!open_image(&c, &s, data, len, f, info)) {
		return TFO_JPEG_ERROR;
	}
	if (f->components < 0) {
		// The library's own output: what TensorFlow's ExtractJpegShape
		// reports.
		jpeg_calc_output_dimensions(&c);
		comps = c.output_components;
		rc = TFO_JPEG_OK;
	} else {
		rc = configure(&c, f, &comps);
	}
	info->image_width = info->width = (int)c.output_width;
	info->image_height = info->height = (int)c.output_height;
	info->components = comps;
	jpeg_destroy_decompress(&c);
	return rc;
}

// cmyk_to_rgb converts one row as TensorFlow does: Adobe files store
// inverted CMYK.
static void cmyk_to_rgb(const JSAMPLE *in, uint8_t *out, int width, int adobe) {
	for (int i = 0; i < width; i++) {
		int cc = in[4 * i], m = in[4 * i + 1], y = in[4 * i + 2], k = in[4 * i + 3];
		if (adobe) {
			out[3 * i] = (uint8_t)((k * cc) / 255);
			out[3 * i + 1] = (uint8_t)((k * m) / 255);
			out[3 * i + 2] = (uint8_t)((k * y) / 255);
		} else {
			out[3 * i] = (uint8_t)((255 - k) * (255 - cc) / 255);
			out[3 * i + 1] = (uint8_t)((255 - k) * (255 - m) / 255);
			out[3 * i + 2] = (uint8_t)((255 - k) * (255 - y) / 255);
		}
	}
}

int tfo_jpeg_decode(const uint8_t *data, size_t len, const tfo_jpeg_flags *f, uint8_t *out, size_t out_len,
                    tfo_jpeg_info *info) {
	struct jpeg_decompress_struct c;
	errors e;
	source s;
	JSAMPLE *volatile temp = NULL;
	int comps = 0, rc, truncated = 0;

	memset(info, 0, sizeof *info);
	if (len == 0 || !valid_ratio(f->ratio) || f->components < 0) {
		return TFO_JPEG_BAD_PARAM;
	}
	init_errors(&e, info);
	c.err = &e.pub;
	if (setjmp(e.jmp)) {
		free(temp);
		jpeg_destroy_decompress(&c);
		return TFO_JPEG_ERROR;
	}
	if (!open_image(&c, &s, data, len, f, info)) {
		return TFO_JPEG_ERROR;
	}
	rc = configure(&c, f, &comps);
	if (rc != TFO_JPEG_OK) {
		jpeg_destroy_decompress(&c);
		return rc;
	}
	if (!jpeg_start_decompress(&c)) {
		snprintf(info->msg, sizeof info->msg, "JPEG data ends before the first scan is complete");
		jpeg_destroy_decompress(&c);
		return TFO_JPEG_ERROR;
	}
	info->image_width = (int)c.output_width;
	info->image_height = (int)c.output_height;

	JDIMENSION width = c.output_width, height = c.output_height, skipped = 0;
	if (f->crop) {
		if (f->crop_width <= 0 || f->crop_height <= 0 || f->crop_x < 0 || f->crop_y < 0 ||
		    (int64_t)f->crop_y + f->crop_height > (int64_t)c.output_height ||
		    (int64_t)f->crop_x + f->crop_width > (int64_t)c.output_width) {
			jpeg_destroy_decompress(&c);
			return TFO_JPEG_BAD_PARAM;
		}
		width = (JDIMENSION)f->crop_width;
		height = (JDIMENSION)f->crop_height;
		// libjpeg widens the window to whole MCUs and moves it left;
		// the rows are realigned below.
		JDIMENSION x = (JDIMENSION)f->crop_x, w = width;
		jpeg_crop_scanline(&c, &x, &w);
		if (f->crop_y > 0) {
			skipped = jpeg_skip_scanlines(&c, (JDIMENSION)f->crop_y);
			if (skipped != (JDIMENSION)f->crop_y) {
				snprintf(info->msg, sizeof info->msg, "JPEG data ends before the crop window");
				jpeg_destroy_decompress(&c);
				return TFO_JPEG_ERROR;
			}
		}
	}
	info->width = (int)width;
	info->height = (int)height;
	info->components = comps;
	const size_t stride = (size_t)width * comps;
	if (out_len < stride * height) {
		jpeg_destroy_decompress(&c);
		return TFO_JPEG_BAD_PARAM;
	}

	const int realign = width != c.output_width;
	const int cmyk = c.out_color_space == JCS_CMYK;
	const size_t align_offset = (size_t)(c.output_width - width) * (cmyk ? 4 : comps);
	if (cmyk) {
		temp = malloc((size_t)c.output_width * 4);
	} else if (realign) {
		temp = malloc((size_t)c.output_width * comps);
	}
	if ((cmyk || realign) && temp == NULL) {
		jpeg_destroy_decompress(&c);
		return TFO_JPEG_NOMEM;
	}

	info->rows_read = (int)height;
	const JDIMENSION last = skipped + height;
	uint8_t *line = out;
	while (c.output_scanline < last) {
		JDIMENSION n;
		if (cmyk) {
			JSAMPROW row = temp;
			n = jpeg_read_scanlines(&c, &row, 1);
			if (n > 0) {
				cmyk_to_rgb(temp + (realign ? align_offset : 0), line, (int)width, c.saw_Adobe_marker);
			}
		} else if (realign) {
			JSAMPROW row = temp;
			n = jpeg_read_scanlines(&c, &row, 1);
			if (n > 0) {
				memcpy(line, temp + align_offset, stride);
			}
		} else {
			JSAMPROW row = line;
			n = jpeg_read_scanlines(&c, &row, 1);
		}
		if (n == 0) {
			if (!f->try_recover_truncated) {
				info->rows_read = (int)(c.output_scanline - skipped);
				truncated = 1;
			} else {
				// Repeat the last row read (black when there is none).
				for (; line < out + stride * height; line += stride) {
					if (line == out) {
						memset(line, 0, stride);
					} else {
						memcpy(line, line - stride, stride);
					}
				}
				c.output_scanline = last;
			}
			break;
		}
		line += stride;
	}
	free(temp);
	temp = NULL;
	info->warnings = c.err->num_warnings;
	if (truncated) {
		jpeg_abort((j_common_ptr)&c);
		jpeg_destroy_decompress(&c);
		return TFO_JPEG_TRUNCATED;
	}
	if (f->crop && c.output_scanline < c.output_height) {
		jpeg_skip_scanlines(&c, c.output_height - c.output_scanline);
	}
	jpeg_finish_decompress(&c);
	jpeg_destroy_decompress(&c);
	return TFO_JPEG_OK;
}

int tfo_jpeg_encode(const uint8_t *pix, int width, int height, int components, const tfo_jpeg_encode_flags *f,
                    uint8_t **out, size_t *out_len, tfo_jpeg_info *info) {
	struct jpeg_compress_struct c;
	errors e;
	unsigned char *volatile buf = NULL;
	unsigned long buf_len = 0;
	static const char xmp_ns[] = "http://ns.adobe.com/xap/1.0/";

	memset(info, 0, sizeof *info);
	*out = NULL;
	*out_len = 0;
	if (width <= 0 || height <= 0 || (int64_t)width * height >= ((int64_t)1 << 29)) {
		return TFO_JPEG_TOO_LARGE;
	}
	if (components != 1 && components != 3) {
		return TFO_JPEG_BAD_PARAM;
	}
	init_errors(&e, info);
	c.err = &e.pub;
	if (setjmp(e.jmp)) {
		jpeg_destroy_compress(&c);
		free(buf);
		return TFO_JPEG_ERROR;
	}
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, (unsigned char **)&buf, &buf_len);
	c.image_width = (JDIMENSION)width;
	c.image_height = (JDIMENSION)height;
	c.input_components = components;
	c.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
	jpeg_set_defaults(&c);
	if (f->optimize_size) {
		c.optimize_coding = TRUE;
	}
	c.density_unit = (UINT8)f->density_unit;
	c.X_density = (UINT16)f->x_density;
	c.Y_density = (UINT16)f->y_density;
	jpeg_set_quality(&c, f->quality, TRUE);
	if (f->progressive) {
		jpeg_simple_progression(&c);
	}
	if (!f->chroma_downsampling) {
		for (int i = 0; i < c.num_components; i++) {
			c.comp_info[i].h_samp_factor = 1;
			c.comp_info[i].v_samp_factor = 1;
		}
	}
	jpeg_start_compress(&c, TRUE);
	if (f->xmp_len > 0) {
		size_t n = sizeof xmp_ns + f->xmp_len; // the namespace's NUL included
		JOCTET *packet = malloc(n);
		if (packet == NULL) {
			jpeg_destroy_compress(&c);
			free(buf);
			return TFO_JPEG_NOMEM;
		}
		memcpy(packet, xmp_ns, sizeof xmp_ns);
		memcpy(packet + sizeof xmp_ns, f->xmp, f->xmp_len);
		// jpeg_write_marker errors out on markers over 65533 bytes;
		// the packet is freed first.
		if (n > 65533) {
			free(packet);
			snprintf(info->msg, sizeof info->msg, "XMP metadata of %zu bytes does not fit a JPEG marker", f->xmp_len);
			jpeg_destroy_compress(&c);
			free(buf);
			return TFO_JPEG_BAD_PARAM;
		}
		jpeg_write_marker(&c, JPEG_APP0 + 1, packet, (unsigned int)n);
		free(packet);
	}
	const size_t stride = (size_t)width * components;
	while (c.next_scanline < c.image_height) {
		JSAMPROW row = (JSAMPROW)(pix + (size_t)c.next_scanline * stride);
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	*out = buf;
	*out_len = buf_len;
	return TFO_JPEG_OK;
}
