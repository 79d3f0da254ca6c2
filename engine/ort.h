// The slice of the ONNX Runtime C API that package engine uses.
//
// ONNX Runtime's C API is one struct of function pointers (OrtApi) whose
// order never changes: new functions are only appended, so an index into it
// stays valid for every later release. Rather than vendoring the 8,000-line
// onnxruntime_c_api.h, this file declares the opaque handle types, the few
// enums engine passes across, and the table index of each function it calls.
//
// The indices were read from onnxruntime_c_api.h with ORT_API_VERSION 24
// (ONNX Runtime 1.24; the copy vendored in github.com/yalue/onnxruntime_go
// v1.27.0) by compiling
//
//	printf("%zu\n", offsetof(OrtApi, Run) / sizeof(void*));
//
// for each name. Every OrtApi member is a function pointer, so the struct is
// an array of them. The signatures below are copied from that header.
#ifndef TFOFFLOAD_ENGINE_ORT_H
#define TFOFFLOAD_ENGINE_ORT_H

#include <stddef.h>
#include <stdint.h>

// The C API version engine asks for. GetApi returns NULL on older libraries.
#define TFO_ORT_API_VERSION 24

typedef struct OrtStatus OrtStatus;
typedef struct OrtEnv OrtEnv;
typedef struct OrtMemoryInfo OrtMemoryInfo;
typedef struct OrtAllocator OrtAllocator;
typedef struct OrtSessionOptions OrtSessionOptions;
typedef struct OrtSession OrtSession;
typedef struct OrtValue OrtValue;
typedef struct OrtRunOptions OrtRunOptions;
typedef struct OrtTypeInfo OrtTypeInfo;
typedef struct OrtTensorTypeAndShapeInfo OrtTensorTypeAndShapeInfo;
typedef struct OrtCUDAProviderOptionsV2 OrtCUDAProviderOptionsV2;
typedef struct OrtTensorRTProviderOptionsV2 OrtTensorRTProviderOptionsV2;
typedef struct OrtThreadingOptions OrtThreadingOptions;

// ONNXType values (onnxruntime_c_api.h).
enum { TFO_ONNX_TYPE_TENSOR = 1 };

// ONNXTensorElementDataType values used by the C side.
enum { TFO_ELEM_STRING = 8 };

// Provider kinds: which OrtApi function appends an execution provider.
enum {
  TFO_EP_GENERIC = 0,   // SessionOptionsAppendExecutionProvider(name, ...)
  TFO_EP_CUDA = 1,      // SessionOptionsAppendExecutionProvider_CUDA_V2
  TFO_EP_TENSORRT = 2,  // SessionOptionsAppendExecutionProvider_TensorRT_V2
  TFO_EP_OPENVINO = 3,  // SessionOptionsAppendExecutionProvider_OpenVINO_V2
};

// One tensor of tfo_run. A fixed-size tensor is described by data/len and
// wrapped without copying; a prebuilt input value (string tensors) is
// passed in value and stays owned by the caller. For outputs, elem_type 0
// means "let ONNX Runtime allocate it".
typedef struct {
  void *data;
  size_t len;
  const int64_t *dims;
  size_t ndims;
  int elem_type;
  OrtValue *value;
} tfo_input;

// Loads the library at path (dlopen), fetches the OrtApi of version
// TFO_ORT_API_VERSION, creates the process's OrtEnv with logging at FATAL,
// the CPU memory info and the default allocator. Returns NULL on success, or
// a malloc'd error message (free it). Must be called once, under a lock.
char *tfo_load(const char *path);

// Opens path with dlopen and closes it again; returns NULL if it opened or
// a malloc'd dlerror message. Used to report which library would load.
char *tfo_probe(const char *path);

// The loaded library's version string ("1.30.0").
const char *tfo_version(void);

int tfo_status_code(OrtStatus *s);
const char *tfo_status_message(OrtStatus *s);
void tfo_release_status(OrtStatus *s);

// Creates session options with the given threads (0 = ONNX Runtime's
// default), graph optimization level, execution mode and spinning setting.
// tfo_set_optimized_model_path makes session creation write the model as
// ONNX Runtime optimized it to path.
OrtStatus *tfo_set_optimized_model_path(OrtSessionOptions *o, const char *path);
OrtStatus *tfo_new_session_options(int intra, int inter, int opt_level,
                                   int parallel, int allow_spinning,
                                   OrtSessionOptions **out);
void tfo_release_session_options(OrtSessionOptions *o);
OrtStatus *tfo_append_provider(OrtSessionOptions *o, int kind,
                               const char *name, const char **keys,
                               const char **values, size_t n);

OrtStatus *tfo_create_session(const void *model, size_t len,
                              OrtSessionOptions *o, OrtSession **out);
void tfo_release_session(OrtSession *s);
OrtStatus *tfo_session_io_count(OrtSession *s, size_t *inputs,
                                size_t *outputs);
// Describes input (is_output == 0) or output i: its name (malloc'd; free
// it), ONNXType, element type and up to cap dimensions; *ndims is the real
// rank even when it exceeds cap.
OrtStatus *tfo_session_io_info(OrtSession *s, int is_output, size_t i,
                               char **name, int *onnx_type, int *elem_type,
                               int64_t *dims, size_t cap, size_t *ndims);

// Creates a string tensor and fills it from n strings laid end to end in
// bytes (lengths in lens); strings may hold NUL bytes.
OrtStatus *tfo_new_string_tensor(const int64_t *dims, size_t ndims,
                                 const char *bytes, const size_t *lens,
                                 size_t n, OrtValue **out);

// Wraps the inputs, runs the session, and releases the wrapped inputs.
// When out_specs is not NULL, each output with a nonzero elem_type is
// written into the caller's buffer it describes (its shape must be the one
// the run produces); the others, and all outputs when out_specs is NULL,
// are allocated by ONNX Runtime. Whatever the status, the caller releases
// every non-NULL outs[i] (releasing a wrapper leaves its buffer alone).
OrtStatus *tfo_run(OrtSession *s, OrtRunOptions *ro, const char **in_names,
                   tfo_input *ins, size_t nin, const char **out_names,
                   tfo_input *out_specs, size_t nout, OrtValue **outs);

// Describes an output value: ONNXType, element type, up to cap dimensions
// (*ndims is the real rank), element count, and for fixed-size types a
// pointer to its data (valid until the value is released).
OrtStatus *tfo_value_info(OrtValue *v, int *onnx_type, int *elem_type,
                          int64_t *dims, size_t cap, size_t *ndims,
                          size_t *count, void **data);
OrtStatus *tfo_string_data_length(OrtValue *v, size_t *len);
OrtStatus *tfo_string_content(OrtValue *v, void *buf, size_t len,
                              size_t *offsets, size_t count);
void tfo_release_values(OrtValue **vs, size_t n);

OrtStatus *tfo_new_run_options(OrtRunOptions **out);
OrtStatus *tfo_terminate(OrtRunOptions *ro);
void tfo_release_run_options(OrtRunOptions *ro);

OrtStatus *tfo_available_providers(char ***out, int *n);
OrtStatus *tfo_release_available_providers(char **p, int n);

#endif  // TFOFFLOAD_ENGINE_ORT_H
