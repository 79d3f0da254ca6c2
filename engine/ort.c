// Thin C shims over the ONNX Runtime C API for package engine. Go cannot
// call C function pointers, so each OrtApi function engine needs is called
// from here. See ort.h for where the table indices come from.

#include "ort.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*tfo_fn)(void);

typedef struct {
  const void *(*GetApi)(uint32_t version);
  const char *(*GetVersionString)(void);
} tfo_api_base;

typedef const tfo_api_base *(*tfo_get_api_base_fn)(void);

// OrtApi viewed as the array of function pointers it is.
static const tfo_fn *api;
static const char *version;
static OrtEnv *env;
static OrtMemoryInfo *cpu_mem;
static OrtAllocator *allocator;

// Backing store for zero-element tensors, which ONNX Runtime never reads.
static char empty_data[16];

// OrtApi indices (ORT_API_VERSION 24), see ort.h.
enum {
  I_CreateStatus = 0,
  I_GetErrorCode = 1,
  I_GetErrorMessage = 2,
  I_CreateEnv = 3,
  I_DisableTelemetryEvents = 6,
  I_CreateSessionFromArray = 8,
  I_Run = 9,
  I_CreateSessionOptions = 10,
  I_SetOptimizedModelFilePath = 11,
  I_SetSessionExecutionMode = 13,
  I_SetSessionLogSeverityLevel = 22,
  I_SetSessionGraphOptimizationLevel = 23,
  I_SetIntraOpNumThreads = 24,
  I_SetInterOpNumThreads = 25,
  I_SessionGetInputCount = 30,
  I_SessionGetOutputCount = 31,
  I_SessionGetInputTypeInfo = 33,
  I_SessionGetOutputTypeInfo = 34,
  I_SessionGetInputName = 36,
  I_SessionGetOutputName = 37,
  I_CreateRunOptions = 39,
  I_RunOptionsSetTerminate = 46,
  I_CreateTensorAsOrtValue = 48,
  I_CreateTensorWithDataAsOrtValue = 49,
  I_GetTensorMutableData = 51,
  I_GetStringTensorDataLength = 53,
  I_GetStringTensorContent = 54,
  I_CastTypeInfoToTensorInfo = 55,
  I_GetOnnxTypeFromTypeInfo = 56,
  I_GetTensorElementType = 60,
  I_GetDimensionsCount = 61,
  I_GetDimensions = 62,
  I_GetTensorShapeElementCount = 64,
  I_GetTensorTypeAndShape = 65,
  I_GetValueType = 67,
  I_CreateCpuMemoryInfo = 69,
  I_AllocatorFree = 76,
  I_GetAllocatorWithDefaultOptions = 78,
  I_ReleaseStatus = 93,
  I_ReleaseSession = 95,
  I_ReleaseValue = 96,
  I_ReleaseRunOptions = 97,
  I_ReleaseTypeInfo = 98,
  I_ReleaseTensorTypeAndShapeInfo = 99,
  I_ReleaseSessionOptions = 100,
  I_CreateEnvWithGlobalThreadPools = 119,
  I_DisablePerSessionThreads = 120,
  I_CreateThreadingOptions = 121,
  I_ReleaseThreadingOptions = 122,
  I_GetAvailableProviders = 125,
  I_ReleaseAvailableProviders = 126,
  I_AddSessionConfigEntry = 130,
  I_SetGlobalSpinControl = 149,
  I_SessionOptionsAppendExecutionProvider_TensorRT_V2 = 170,
  I_CreateTensorRTProviderOptions = 171,
  I_UpdateTensorRTProviderOptions = 172,
  I_ReleaseTensorRTProviderOptions = 174,
  I_SessionOptionsAppendExecutionProvider_CUDA_V2 = 204,
  I_CreateCUDAProviderOptions = 205,
  I_UpdateCUDAProviderOptions = 206,
  I_ReleaseCUDAProviderOptions = 208,
  I_SessionOptionsAppendExecutionProvider = 216,
  I_GetResizedStringTensorElementBuffer = 252,
  I_SessionOptionsAppendExecutionProvider_OpenVINO_V2 = 275,
};

// CALL(name, return type, parameter types...)(arguments...) calls OrtApi
// member name through its table slot with the header's signature.
#define CALL(name, ret, ...) ((ret(*)(__VA_ARGS__))api[I_##name])

// ORT_FAIL, for errors raised on the C side.
#define TFO_ORT_FAIL 1

static OrtStatus *make_status(int code, const char *msg) {
  return CALL(CreateStatus, OrtStatus *, int, const char *)(code, msg);
}

static char *dup_message(const char *prefix, const char *detail) {
  size_t n = strlen(prefix) + strlen(detail) + 1;
  char *s = malloc(n);
  if (s != NULL) {
    snprintf(s, n, "%s%s", prefix, detail);
  }
  return s;
}

static char *status_message_dup(OrtStatus *st) {
  char *msg = dup_message("",
      CALL(GetErrorMessage, const char *, const OrtStatus *)(st));
  CALL(ReleaseStatus, void, OrtStatus *)(st);
  return msg;
}

char *tfo_probe(const char *path) {
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) {
    const char *e = dlerror();
    return dup_message("dlopen failed: ", e != NULL ? e : "unknown error");
  }
  dlclose(h);
  return NULL;
}

char *tfo_load(const char *path) {
  if (api != NULL) {
    return NULL;
  }
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) {
    const char *e = dlerror();
    return dup_message("dlopen failed: ", e != NULL ? e : "unknown error");
  }
  tfo_get_api_base_fn get_base =
      (tfo_get_api_base_fn)dlsym(h, "OrtGetApiBase");
  if (get_base == NULL) {
    dlclose(h);
    return dup_message("", "the library does not export OrtGetApiBase; "
                           "it is not ONNX Runtime");
  }
  const tfo_api_base *base = get_base();
  const void *a = base->GetApi(TFO_ORT_API_VERSION);
  if (a == NULL) {
    char *msg = dup_message("ONNX Runtime ", base->GetVersionString());
    char *full = msg == NULL ? NULL
        : dup_message(msg, " is too old: it lacks C API version 24 "
                           "(ONNX Runtime 1.24 or newer is needed)");
    free(msg);
    dlclose(h);
    return full;
  }
  const tfo_fn *table = (const tfo_fn *)a;
  const tfo_fn *saved = api;
  api = table;
  // One intra-op thread pool for the whole process (one thread per
  // physical core, spinning while work is expected), shared by every
  // session that does not ask for threads of its own: a model offloaded as
  // several clusters, or several models, then never has idle pools spin
  // against each other for the cores.
  OrtThreadingOptions *tp = NULL;
  OrtStatus *st = CALL(CreateThreadingOptions, OrtStatus *,
                       OrtThreadingOptions **)(&tp);
  if (st == NULL) {
    st = CALL(SetGlobalSpinControl, OrtStatus *, OrtThreadingOptions *, int)(
        tp, 1);
  }
  if (st == NULL) {
    st = CALL(CreateEnvWithGlobalThreadPools, OrtStatus *, int, const char *,
              const OrtThreadingOptions *, OrtEnv **)(
        4 /* ORT_LOGGING_LEVEL_FATAL */, "tfoffload", tp, &env);
  }
  if (tp != NULL) {
    CALL(ReleaseThreadingOptions, void, OrtThreadingOptions *)(tp);
  }
  if (st == NULL) {
    // Telemetry is off by default on Linux; this only matters on Windows.
    st = CALL(DisableTelemetryEvents, OrtStatus *, const OrtEnv *)(env);
    if (st != NULL) {
      CALL(ReleaseStatus, void, OrtStatus *)(st);
      st = NULL;
    }
  }
  if (st == NULL) {
    st = CALL(CreateCpuMemoryInfo, OrtStatus *, int, int, OrtMemoryInfo **)(
        0 /* OrtDeviceAllocator */, 0 /* OrtMemTypeDefault */, &cpu_mem);
  }
  if (st == NULL) {
    st = CALL(GetAllocatorWithDefaultOptions, OrtStatus *, OrtAllocator **)(
        &allocator);
  }
  if (st != NULL) {
    char *msg = status_message_dup(st);
    // The environment and memory info are process-wide singletons inside
    // ONNX Runtime; on this failure path they are left for the process.
    api = saved;
    env = NULL;
    cpu_mem = NULL;
    return msg;
  }
  version = base->GetVersionString();
  // The handle is deliberately never closed: the library stays loaded for
  // the life of the process.
  return NULL;
}

const char *tfo_version(void) { return version != NULL ? version : ""; }

int tfo_status_code(OrtStatus *s) {
  return (int)CALL(GetErrorCode, int, const OrtStatus *)(s);
}

const char *tfo_status_message(OrtStatus *s) {
  return CALL(GetErrorMessage, const char *, const OrtStatus *)(s);
}

void tfo_release_status(OrtStatus *s) {
  CALL(ReleaseStatus, void, OrtStatus *)(s);
}

OrtStatus *tfo_new_session_options(int intra, int inter, int opt_level,
                                   int parallel, int allow_spinning,
                                   OrtSessionOptions **out) {
  OrtSessionOptions *o = NULL;
  OrtStatus *st =
      CALL(CreateSessionOptions, OrtStatus *, OrtSessionOptions **)(&o);
  if (st != NULL) {
    return st;
  }
  st = CALL(SetSessionLogSeverityLevel, OrtStatus *, OrtSessionOptions *,
            int)(o, 4 /* ORT_LOGGING_LEVEL_FATAL */);
  if (st == NULL && intra <= 0 && inter <= 0 && allow_spinning && !parallel) {
    // Nothing asks for threads of its own: use the process-wide pool.
    st = CALL(DisablePerSessionThreads, OrtStatus *, OrtSessionOptions *)(o);
  }
  if (st == NULL && intra > 0) {
    st = CALL(SetIntraOpNumThreads, OrtStatus *, OrtSessionOptions *, int)(
        o, intra);
  }
  if (st == NULL && inter > 0) {
    st = CALL(SetInterOpNumThreads, OrtStatus *, OrtSessionOptions *, int)(
        o, inter);
  }
  if (st == NULL) {
    st = CALL(SetSessionGraphOptimizationLevel, OrtStatus *,
              OrtSessionOptions *, int)(o, opt_level);
  }
  if (st == NULL && parallel) {
    st = CALL(SetSessionExecutionMode, OrtStatus *, OrtSessionOptions *, int)(
        o, 1 /* ORT_PARALLEL */);
  }
  if (st == NULL && !allow_spinning) {
    st = CALL(AddSessionConfigEntry, OrtStatus *, OrtSessionOptions *,
              const char *, const char *)(o, "session.intra_op.allow_spinning",
                                          "0");
    if (st == NULL) {
      st = CALL(AddSessionConfigEntry, OrtStatus *, OrtSessionOptions *,
                const char *, const char *)(
          o, "session.inter_op.allow_spinning", "0");
    }
  }
  if (st != NULL) {
    CALL(ReleaseSessionOptions, void, OrtSessionOptions *)(o);
    return st;
  }
  *out = o;
  return NULL;
}

void tfo_release_session_options(OrtSessionOptions *o) {
  if (o != NULL) {
    CALL(ReleaseSessionOptions, void, OrtSessionOptions *)(o);
  }
}

static OrtStatus *append_cuda(OrtSessionOptions *o, const char **keys,
                              const char **values, size_t n) {
  OrtCUDAProviderOptionsV2 *p = NULL;
  OrtStatus *st = CALL(CreateCUDAProviderOptions, OrtStatus *,
                       OrtCUDAProviderOptionsV2 **)(&p);
  if (st != NULL) {
    return st;
  }
  if (n > 0) {
    st = CALL(UpdateCUDAProviderOptions, OrtStatus *,
              OrtCUDAProviderOptionsV2 *, const char *const *,
              const char *const *, size_t)(p, keys, values, n);
  }
  if (st == NULL) {
    st = CALL(SessionOptionsAppendExecutionProvider_CUDA_V2, OrtStatus *,
              OrtSessionOptions *, const OrtCUDAProviderOptionsV2 *)(o, p);
  }
  CALL(ReleaseCUDAProviderOptions, void, OrtCUDAProviderOptionsV2 *)(p);
  return st;
}

static OrtStatus *append_tensorrt(OrtSessionOptions *o, const char **keys,
                                  const char **values, size_t n) {
  OrtTensorRTProviderOptionsV2 *p = NULL;
  OrtStatus *st = CALL(CreateTensorRTProviderOptions, OrtStatus *,
                       OrtTensorRTProviderOptionsV2 **)(&p);
  if (st != NULL) {
    return st;
  }
  if (n > 0) {
    st = CALL(UpdateTensorRTProviderOptions, OrtStatus *,
              OrtTensorRTProviderOptionsV2 *, const char *const *,
              const char *const *, size_t)(p, keys, values, n);
  }
  if (st == NULL) {
    st = CALL(SessionOptionsAppendExecutionProvider_TensorRT_V2, OrtStatus *,
              OrtSessionOptions *, const OrtTensorRTProviderOptionsV2 *)(o, p);
  }
  CALL(ReleaseTensorRTProviderOptions, void, OrtTensorRTProviderOptionsV2 *)(
      p);
  return st;
}

OrtStatus *tfo_set_optimized_model_path(OrtSessionOptions *o,
                                        const char *path) {
  return CALL(SetOptimizedModelFilePath, OrtStatus *, OrtSessionOptions *,
              const char *)(o, path);
}

OrtStatus *tfo_append_provider(OrtSessionOptions *o, int kind,
                               const char *name, const char **keys,
                               const char **values, size_t n) {
  switch (kind) {
    case TFO_EP_CUDA:
      return append_cuda(o, keys, values, n);
    case TFO_EP_TENSORRT:
      return append_tensorrt(o, keys, values, n);
    case TFO_EP_OPENVINO:
      return CALL(SessionOptionsAppendExecutionProvider_OpenVINO_V2,
                  OrtStatus *, OrtSessionOptions *, const char *const *,
                  const char *const *, size_t)(o, keys, values, n);
    default:
      return CALL(SessionOptionsAppendExecutionProvider, OrtStatus *,
                  OrtSessionOptions *, const char *, const char *const *,
                  const char *const *, size_t)(o, name, keys, values, n);
  }
}

OrtStatus *tfo_create_session(const void *model, size_t len,
                              OrtSessionOptions *o, OrtSession **out) {
  return CALL(CreateSessionFromArray, OrtStatus *, const OrtEnv *,
              const void *, size_t, const OrtSessionOptions *, OrtSession **)(
      env, model, len, o, out);
}

void tfo_release_session(OrtSession *s) {
  if (s != NULL) {
    CALL(ReleaseSession, void, OrtSession *)(s);
  }
}

OrtStatus *tfo_session_io_count(OrtSession *s, size_t *inputs,
                                size_t *outputs) {
  OrtStatus *st = CALL(SessionGetInputCount, OrtStatus *, const OrtSession *,
                       size_t *)(s, inputs);
  if (st != NULL) {
    return st;
  }
  return CALL(SessionGetOutputCount, OrtStatus *, const OrtSession *,
              size_t *)(s, outputs);
}

// Reads the element type and dimensions of a tensor type-and-shape info.
static OrtStatus *read_shape_info(const OrtTensorTypeAndShapeInfo *info,
                                  int *elem_type, int64_t *dims, size_t cap,
                                  size_t *ndims) {
  OrtStatus *st = CALL(GetTensorElementType, OrtStatus *,
                       const OrtTensorTypeAndShapeInfo *, int *)(info,
                                                                 elem_type);
  if (st == NULL) {
    st = CALL(GetDimensionsCount, OrtStatus *,
              const OrtTensorTypeAndShapeInfo *, size_t *)(info, ndims);
  }
  if (st == NULL && *ndims > 0 && *ndims <= cap) {
    st = CALL(GetDimensions, OrtStatus *, const OrtTensorTypeAndShapeInfo *,
              int64_t *, size_t)(info, dims, *ndims);
  }
  return st;
}

OrtStatus *tfo_session_io_info(OrtSession *s, int is_output, size_t i,
                               char **name, int *onnx_type, int *elem_type,
                               int64_t *dims, size_t cap, size_t *ndims) {
  char *ort_name = NULL;
  OrtStatus *st;
  if (is_output) {
    st = CALL(SessionGetOutputName, OrtStatus *, const OrtSession *, size_t,
              OrtAllocator *, char **)(s, i, allocator, &ort_name);
  } else {
    st = CALL(SessionGetInputName, OrtStatus *, const OrtSession *, size_t,
              OrtAllocator *, char **)(s, i, allocator, &ort_name);
  }
  if (st != NULL) {
    return st;
  }
  *name = dup_message("", ort_name);
  OrtStatus *fst = CALL(AllocatorFree, OrtStatus *, OrtAllocator *, void *)(
      allocator, ort_name);
  if (fst != NULL) {
    CALL(ReleaseStatus, void, OrtStatus *)(fst);
  }
  if (*name == NULL) {
    return make_status(TFO_ORT_FAIL, "out of memory");
  }

  OrtTypeInfo *ti = NULL;
  if (is_output) {
    st = CALL(SessionGetOutputTypeInfo, OrtStatus *, const OrtSession *,
              size_t, OrtTypeInfo **)(s, i, &ti);
  } else {
    st = CALL(SessionGetInputTypeInfo, OrtStatus *, const OrtSession *,
              size_t, OrtTypeInfo **)(s, i, &ti);
  }
  if (st == NULL) {
    st = CALL(GetOnnxTypeFromTypeInfo, OrtStatus *, const OrtTypeInfo *,
              int *)(ti, onnx_type);
  }
  *elem_type = 0;
  *ndims = 0;
  if (st == NULL && *onnx_type == TFO_ONNX_TYPE_TENSOR) {
    const OrtTensorTypeAndShapeInfo *info = NULL;
    st = CALL(CastTypeInfoToTensorInfo, OrtStatus *, const OrtTypeInfo *,
              const OrtTensorTypeAndShapeInfo **)(ti, &info);
    if (st == NULL && info != NULL) {
      st = read_shape_info(info, elem_type, dims, cap, ndims);
    }
  }
  if (ti != NULL) {
    CALL(ReleaseTypeInfo, void, OrtTypeInfo *)(ti);
  }
  if (st != NULL) {
    free(*name);
    *name = NULL;
  }
  return st;
}

OrtStatus *tfo_new_string_tensor(const int64_t *dims, size_t ndims,
                                 const char *bytes, const size_t *lens,
                                 size_t n, OrtValue **out) {
  OrtValue *v = NULL;
  OrtStatus *st = CALL(CreateTensorAsOrtValue, OrtStatus *, OrtAllocator *,
                       const int64_t *, size_t, int, OrtValue **)(
      allocator, dims, ndims, TFO_ELEM_STRING, &v);
  if (st != NULL) {
    return st;
  }
  size_t off = 0;
  for (size_t i = 0; i < n; i++) {
    char *buf = NULL;
    st = CALL(GetResizedStringTensorElementBuffer, OrtStatus *, OrtValue *,
              size_t, size_t, char **)(v, i, lens[i], &buf);
    if (st != NULL) {
      CALL(ReleaseValue, void, OrtValue *)(v);
      return st;
    }
    if (lens[i] > 0) {
      memcpy(buf, bytes + off, lens[i]);
    }
    off += lens[i];
  }
  *out = v;
  return NULL;
}

// wrap creates an OrtValue over the caller's buffer described by t.
static OrtStatus *wrap(const tfo_input *t, OrtValue **out) {
  void *data = t->data != NULL ? t->data : empty_data;
  return CALL(CreateTensorWithDataAsOrtValue, OrtStatus *,
              const OrtMemoryInfo *, void *, size_t, const int64_t *, size_t,
              int, OrtValue **)(cpu_mem, data, t->len, t->dims, t->ndims,
                                t->elem_type, out);
}

OrtStatus *tfo_run(OrtSession *s, OrtRunOptions *ro, const char **in_names,
                   tfo_input *ins, size_t nin, const char **out_names,
                   tfo_input *out_specs, size_t nout, OrtValue **outs) {
  OrtValue *stack_vals[16];
  OrtValue **vals = stack_vals;
  if (nin > 16) {
    vals = calloc(nin, sizeof *vals);
    if (vals == NULL) {
      return make_status(TFO_ORT_FAIL, "out of memory");
    }
  }
  for (size_t i = 0; i < nin; i++) {
    vals[i] = NULL;
  }
  OrtStatus *st = NULL;
  for (size_t i = 0; i < nin && st == NULL; i++) {
    if (ins[i].value != NULL) {
      vals[i] = ins[i].value;
    } else {
      st = wrap(&ins[i], &vals[i]);
    }
  }
  for (size_t i = 0; out_specs != NULL && i < nout && st == NULL; i++) {
    if (out_specs[i].elem_type != 0) {
      st = wrap(&out_specs[i], &outs[i]);
    }
  }
  if (st == NULL) {
    st = CALL(Run, OrtStatus *, OrtSession *, const OrtRunOptions *,
              const char *const *, const OrtValue *const *, size_t,
              const char *const *, size_t, OrtValue **)(
        s, ro, in_names, (const OrtValue *const *)vals, nin, out_names, nout,
        outs);
  }
  for (size_t i = 0; i < nin; i++) {
    if (ins[i].value == NULL && vals[i] != NULL) {
      CALL(ReleaseValue, void, OrtValue *)(vals[i]);
    }
  }
  if (vals != stack_vals) {
    free(vals);
  }
  return st;
}

OrtStatus *tfo_value_info(OrtValue *v, int *onnx_type, int *elem_type,
                          int64_t *dims, size_t cap, size_t *ndims,
                          size_t *count, void **data) {
  *elem_type = 0;
  *ndims = 0;
  *count = 0;
  *data = NULL;
  OrtStatus *st =
      CALL(GetValueType, OrtStatus *, const OrtValue *, int *)(v, onnx_type);
  if (st != NULL || *onnx_type != TFO_ONNX_TYPE_TENSOR) {
    return st;
  }
  OrtTensorTypeAndShapeInfo *info = NULL;
  st = CALL(GetTensorTypeAndShape, OrtStatus *, const OrtValue *,
            OrtTensorTypeAndShapeInfo **)(v, &info);
  if (st != NULL) {
    return st;
  }
  st = read_shape_info(info, elem_type, dims, cap, ndims);
  if (st == NULL) {
    st = CALL(GetTensorShapeElementCount, OrtStatus *,
              const OrtTensorTypeAndShapeInfo *, size_t *)(info, count);
  }
  CALL(ReleaseTensorTypeAndShapeInfo, void, OrtTensorTypeAndShapeInfo *)(info);
  if (st == NULL && *elem_type != TFO_ELEM_STRING && *count > 0) {
    st = CALL(GetTensorMutableData, OrtStatus *, OrtValue *, void **)(v, data);
  }
  return st;
}

OrtStatus *tfo_string_data_length(OrtValue *v, size_t *len) {
  return CALL(GetStringTensorDataLength, OrtStatus *, const OrtValue *,
              size_t *)(v, len);
}

OrtStatus *tfo_string_content(OrtValue *v, void *buf, size_t len,
                              size_t *offsets, size_t count) {
  char dummy;
  return CALL(GetStringTensorContent, OrtStatus *, const OrtValue *, void *,
              size_t, size_t *, size_t)(v, buf != NULL ? buf : &dummy, len,
                                        offsets, count);
}

void tfo_release_values(OrtValue **vs, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (vs[i] != NULL) {
      CALL(ReleaseValue, void, OrtValue *)(vs[i]);
      vs[i] = NULL;
    }
  }
}

OrtStatus *tfo_new_run_options(OrtRunOptions **out) {
  return CALL(CreateRunOptions, OrtStatus *, OrtRunOptions **)(out);
}

OrtStatus *tfo_terminate(OrtRunOptions *ro) {
  return CALL(RunOptionsSetTerminate, OrtStatus *, OrtRunOptions *)(ro);
}

void tfo_release_run_options(OrtRunOptions *ro) {
  if (ro != NULL) {
    CALL(ReleaseRunOptions, void, OrtRunOptions *)(ro);
  }
}

OrtStatus *tfo_available_providers(char ***out, int *n) {
  return CALL(GetAvailableProviders, OrtStatus *, char ***, int *)(out, n);
}

OrtStatus *tfo_release_available_providers(char **p, int n) {
  return CALL(ReleaseAvailableProviders, OrtStatus *, char **, int)(p, n);
}
