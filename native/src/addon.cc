// cvr-native: the heavy tfjs kernels (convolutions and their gradients, depthwise convolutions,
// pooling, GEMM) computed by oneDNN on Float32Arrays owned by JavaScript. Every call is
// synchronous and writes into an output array the caller allocated, so tensor storage stays the
// tfjs cpu backend's. Primitives are created once per shape and cached: creating a oneDNN
// primitive (JIT code generation) costs far more than running a small one.
#include <node_api.h>
#include <omp.h>
#include <pthread.h>
#include <signal.h>

#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "oneapi/dnnl/dnnl.hpp"
#include "oneapi/dnnl/dnnl_version.h"

// oneDNN 3.0 dropped the operation descriptors (`convolution_forward::desc` and the like): a
// primitive descriptor is built from the engine and the operation's arguments directly. Both APIs
// are compiled from the same calls below, chosen by the headers' major version (native/build.mjs
// prints which one it found).
#if DNNL_VERSION_MAJOR >= 3
#define CVR_DNNL3 1
#else
#define CVR_DNNL3 0
#endif

namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

struct Conv {
  dnnl::primitive prim;
  memory::desc weightsDesc;   // the layout the primitive wants for the weights
  memory::desc userWeights;   // tfjs layout: hwio (or hwigo for depthwise)
  bool reorderWeights = false;
  std::unique_ptr<memory> weightsBuf;  // weights in the primitive's layout
  dnnl::reorder weightsReorder;        // user -> primitive (fwd, bwd data), primitive -> user (bwd weights)
  memory::desc srcDesc, dstDesc;       // tfjs layout: nhwc
  // The activations' layouts the primitive chose (tag::any: blocked, nChw8c and the like, where
  // oneDNN has faster kernels for them) and the reorders between them and nhwc, run each call
  // into the context's scratch buffers. Same values, other order in memory: results unchanged.
  memory::desc primSrc, primDst;
  bool blockSrc = false, blockDst = false;
  dnnl::reorder srcIn, srcOut, dstIn, dstOut;  // user -> primitive, primitive -> user
};

struct Pool {
  dnnl::pooling_forward fwd;
  dnnl::pooling_backward bwd;
  memory::desc srcDesc, dstDesc;
  std::unique_ptr<memory> workspace;
  std::vector<float> scratchDst;  // forward output recomputed for the max-pool gradient
  bool hasBwd = false;
};

// Batch normalisation in training mode (statistics of the batch): forward and backward primitives
// of one shape, the forward's descriptor kept as the backward's hint.
struct BnTrain {
  dnnl::batch_normalization_forward fwd;
  dnnl::batch_normalization_backward bwd;
  memory::desc data, stat;
  std::vector<float> zeros;  // the shift oneDNN 2.x's backward asks for (unused by the gradient)
};

struct Context {
  int threads = omp_get_max_threads();  // the configured count (setThreads)
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  std::unordered_map<std::string, std::unique_ptr<Conv>> convs;
  std::unordered_map<std::string, std::unique_ptr<Pool>> pools;
  std::unordered_map<std::string, std::unique_ptr<BnTrain>> bns;
  // Blocked-layout copies of a convolution's activations, shared by every convolution (calls are
  // sequential); grown, never shrunk.
  std::unique_ptr<memory> scratch[2];
  // By default (blocked) oneDNN chooses the activations' layout of every convolution.
  // CVR_NATIVE_CONV_LAYOUT=nhwc keeps them all on tfjs's layout (no reorders); =auto keeps only
  // 1×1 stride-1 convolutions over maps of at least 16×16 in nhwc, where they are a plain matrix
  // product and the two reorders may cost more than the blocked kernel saves (alone, 64→256 and
  // 256→64 at 16×16, batch 16, 1 thread: forward and backward data ≈ 30 % faster; over a whole
  // ResNet-50 step under load no difference could be told from the noise, so not the default).
  int layout = [] {
    const char* v = std::getenv("CVR_NATIVE_CONV_LAYOUT");
    const std::string s = v == nullptr ? "blocked" : v;
    return s == "nhwc" ? 0 : s == "blocked" ? 1 : 2;
  }();
  // Depthwise convolutions on tfjs's layout (brdgmm_dw / jit_dw take nhwc): no activation
  // reorders around them. On by default; CVR_NATIVE_DW_LAYOUT=blocked turns it off.
  bool dwNhwc = [] {
    const char* v = std::getenv("CVR_NATIVE_DW_LAYOUT");
    return v == nullptr || std::string(v) != "blocked";
  }();
  bool blockedFor(const std::vector<int64_t>& d) const;
  void* scratchFor(int i, const memory::desc& d) {
    const size_t bytes = d.get_size();
    if (!scratch[i] || scratch[i]->get_desc().get_size() < bytes) {
      scratch[i] = std::make_unique<memory>(memory::desc({memory::dim((bytes + 3) / 4)}, dt::f32, tag::a), eng);
    }
    return scratch[i]->get_data_handle();
  }
};

// Problems below this many multiply-adds run on one thread: waking OpenMP workers costs more
// than they save, and on a machine shared with other busy processes a parallel region can wait
// milliseconds for a descheduled worker. Fixed per shape, so results stay deterministic.
constexpr double kSmallWork = double(1 << 22);

// Sets the OpenMP thread count for the primitives created and run in this scope.
struct ThreadScope {
  int prev;
  explicit ThreadScope(int n) : prev(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~ThreadScope() { omp_set_num_threads(prev); }
};

// Per addon instance (worker threads each load their own), freed when the environment ends.
Context* ctx(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return static_cast<Context*>(data);
}

#define CHECK(call)                                                            \
  do {                                                                         \
    if ((call) != napi_ok) {                                                   \
      napi_throw_error(env, nullptr, "cvr-native: N-API call failed: " #call); \
      return nullptr;                                                          \
    }                                                                          \
  } while (0)

bool getFloats(napi_env env, napi_value v, float** data, size_t* len) {
  napi_typedarray_type type;
  napi_value buf;
  size_t offset;
  void* raw;
  if (napi_get_typedarray_info(env, v, &type, len, &raw, &buf, &offset) != napi_ok || type != napi_float32_array) {
    napi_throw_type_error(env, nullptr, "cvr-native: expected a Float32Array");
    return false;
  }
  *data = static_cast<float*>(raw);
  return true;
}

bool getInts(napi_env env, napi_value v, std::vector<int64_t>* out) {
  napi_typedarray_type type;
  napi_value buf;
  size_t offset, len;
  void* raw;
  if (napi_get_typedarray_info(env, v, &type, &len, &raw, &buf, &offset) != napi_ok || type != napi_int32_array) {
    napi_throw_type_error(env, nullptr, "cvr-native: expected an Int32Array of dimensions");
    return false;
  }
  const int32_t* p = static_cast<const int32_t*>(raw);
  out->assign(p, p + len);
  return true;
}

std::string keyOf(int kind, const std::vector<int64_t>& d) {
  std::string k = std::to_string(kind);
  for (int64_t v : d) {
    k += ',';
    k += std::to_string(v);
  }
  return k;
}

// dims: N IH IW IC OH OW OC KH KW SH SW DH DW PT PL PB PR G (dilations as tfjs counts them, 1 = none)
enum { N, IH, IW, IC, OH, OW, OC, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, G, CONV_DIMS };

bool Context::blockedFor(const std::vector<int64_t>& d) const {
  if (d[G] > 1 && dwNhwc) return false;
  if (layout != 2) return layout == 1;
  const bool pointwise = d[KH] == 1 && d[KW] == 1 && d[SH] == 1 && d[SW] == 1 && d[G] == 1;
  return !(pointwise && d[OH] * d[OW] >= 256);
}

std::unique_ptr<Conv> makeConv(Context& c, int kind, const std::vector<int64_t>& d) {
  auto e = std::make_unique<Conv>();
  const int64_t g = d[G];
  e->srcDesc = memory::desc({d[N], d[IC], d[IH], d[IW]}, dt::f32, tag::nhwc);
  e->dstDesc = memory::desc({d[N], d[OC], d[OH], d[OW]}, dt::f32, tag::nhwc);
  memory::dims wdims = g == 1 ? memory::dims{d[OC], d[IC], d[KH], d[KW]}
                              : memory::dims{g, d[OC] / g, d[IC] / g, d[KH], d[KW]};
  e->userWeights = memory::desc(wdims, dt::f32, g == 1 ? tag::hwio : tag::hwigo);
  memory::desc anyWeights(wdims, dt::f32, tag::any);
  memory::dims strides{d[SH], d[SW]}, dil{d[DH] - 1, d[DW] - 1}, pl{d[PT], d[PL]}, pr{d[PB], d[PR]};
  const auto alg = dnnl::algorithm::convolution_direct;
  const auto prop = kind == 0 ? dnnl::prop_kind::forward_inference : dnnl::prop_kind::forward_training;
  const bool blocked = c.blockedFor(d);
  const memory::desc srcAny = blocked ? memory::desc({d[N], d[IC], d[IH], d[IW]}, dt::f32, tag::any) : e->srcDesc;
  const memory::desc dstAny = blocked ? memory::desc({d[N], d[OC], d[OH], d[OW]}, dt::f32, tag::any) : e->dstDesc;
#if CVR_DNNL3
  dnnl::convolution_forward::primitive_desc fpd(c.eng, prop, alg, srcAny, anyWeights, dstAny, strides, dil, pl, pr);
#else
  dnnl::convolution_forward::desc fd(prop, alg, srcAny, anyWeights, dstAny, strides, dil, pl, pr);
  dnnl::convolution_forward::primitive_desc fpd(fd, c.eng);
#endif
  if (kind == 0) {
    e->weightsDesc = fpd.weights_desc();
    e->primSrc = fpd.src_desc();
    e->primDst = fpd.dst_desc();
    e->prim = dnnl::convolution_forward(fpd);
  } else if (kind == 1) {
#if CVR_DNNL3
    dnnl::convolution_backward_data::primitive_desc bpd(c.eng, alg, srcAny, anyWeights, dstAny, strides, dil, pl, pr, fpd);
#else
    dnnl::convolution_backward_data::desc bd(alg, srcAny, anyWeights, dstAny, strides, dil, pl, pr);
    dnnl::convolution_backward_data::primitive_desc bpd(bd, c.eng, fpd);
#endif
    e->weightsDesc = bpd.weights_desc();
    e->primSrc = bpd.diff_src_desc();
    e->primDst = bpd.diff_dst_desc();
    e->prim = dnnl::convolution_backward_data(bpd);
  } else {
#if CVR_DNNL3
    dnnl::convolution_backward_weights::primitive_desc bpd(c.eng, alg, srcAny, anyWeights, dstAny, strides, dil, pl, pr, fpd);
#else
    dnnl::convolution_backward_weights::desc bd(alg, srcAny, anyWeights, dstAny, strides, dil, pl, pr);
    dnnl::convolution_backward_weights::primitive_desc bpd(bd, c.eng, fpd);
#endif
    e->weightsDesc = bpd.diff_weights_desc();
    e->primSrc = bpd.src_desc();
    e->primDst = bpd.diff_dst_desc();
    e->prim = dnnl::convolution_backward_weights(bpd);
  }
  e->blockSrc = e->primSrc != e->srcDesc;
  e->blockDst = e->primDst != e->dstDesc;
  {
    memory us(e->srcDesc, c.eng, DNNL_MEMORY_NONE), ps(e->primSrc, c.eng, DNNL_MEMORY_NONE),
        ud(e->dstDesc, c.eng, DNNL_MEMORY_NONE), pd(e->primDst, c.eng, DNNL_MEMORY_NONE);
    // kind 0: x in, y out; 1: dy in, dx out; 2: x in, dy in.
    if (e->blockSrc) {
      if (kind == 1) e->srcOut = dnnl::reorder(ps, us);
      else e->srcIn = dnnl::reorder(us, ps);
    }
    if (e->blockDst) {
      if (kind == 0) e->dstOut = dnnl::reorder(pd, ud);
      else e->dstIn = dnnl::reorder(ud, pd);
    }
  }
  e->reorderWeights = e->weightsDesc != e->userWeights;
  if (e->reorderWeights) {
    e->weightsBuf = std::make_unique<memory>(e->weightsDesc, c.eng);
    memory user(e->userWeights, c.eng, DNNL_MEMORY_NONE);
    e->weightsReorder = kind == 2 ? dnnl::reorder(*e->weightsBuf, user) : dnnl::reorder(user, *e->weightsBuf);
  }
  return e;
}

// conv(kind, dims, a, b, out): kind 0 y = conv(x=a, w=b); 1 dx = conv_bwd_data(dy=a, w=b);
// 2 dw = conv_bwd_weights(x=a, dy=b).
napi_value ConvCall(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int32_t kind;
  CHECK(napi_get_value_int32(env, argv[0], &kind));
  std::vector<int64_t> d;
  float *a, *b, *out;
  size_t la, lb, lo;
  if (!getInts(env, argv[1], &d) || !getFloats(env, argv[2], &a, &la) || !getFloats(env, argv[3], &b, &lb) ||
      !getFloats(env, argv[4], &out, &lo))
    return nullptr;
  if (d.size() != CONV_DIMS || kind < 0 || kind > 2) {
    napi_throw_range_error(env, nullptr, "cvr-native: conv expects kind 0..2 and 18 dimensions");
    return nullptr;
  }
  const size_t xs = d[N] * d[IH] * d[IW] * d[IC], ys = d[N] * d[OH] * d[OW] * d[OC],
               ws = d[KH] * d[KW] * (d[IC] / d[G]) * d[OC];
  const size_t need[3][3] = {{xs, ws, ys}, {ys, ws, xs}, {xs, ys, ws}};
  if (la != need[kind][0] || lb != need[kind][1] || lo != need[kind][2]) {
    napi_throw_range_error(env, nullptr, "cvr-native: conv array lengths do not match the dimensions");
    return nullptr;
  }
  Context& c = *ctx(env);
  const double work = double(d[N]) * d[OH] * d[OW] * d[OC] * d[KH] * d[KW] * (d[IC] / d[G]);
  ThreadScope threads(work < kSmallWork ? 1 : c.threads);
  try {
    const std::string key = keyOf(kind, d);
    auto it = c.convs.find(key);
    if (it == c.convs.end()) it = c.convs.emplace(key, makeConv(c, kind, d)).first;
    Conv& e = *it->second;
    memory src(e.srcDesc, c.eng, DNNL_MEMORY_NONE), dst(e.dstDesc, c.eng, DNNL_MEMORY_NONE),
        userW(e.userWeights, c.eng, DNNL_MEMORY_NONE);
    memory* w = &userW;
    if (kind == 0) {
      src.set_data_handle(a);
      userW.set_data_handle(b);
      dst.set_data_handle(out);
    } else if (kind == 1) {
      dst.set_data_handle(a);
      userW.set_data_handle(b);
      src.set_data_handle(out);
    } else {
      src.set_data_handle(a);
      dst.set_data_handle(b);
      userW.set_data_handle(out);
    }
    if (e.reorderWeights) {
      w = e.weightsBuf.get();
      if (kind != 2) e.weightsReorder.execute(c.strm, userW, *w);
    }
    // The activations in the primitive's layout: reordered copies in scratch where it differs.
    memory ps = e.blockSrc ? memory(e.primSrc, c.eng, c.scratchFor(0, e.primSrc)) : src;
    memory pd = e.blockDst ? memory(e.primDst, c.eng, c.scratchFor(1, e.primDst)) : dst;
    if (e.blockSrc && kind != 1) e.srcIn.execute(c.strm, src, ps);
    if (e.blockDst && kind != 0) e.dstIn.execute(c.strm, dst, pd);
    if (kind == 0) {
      e.prim.execute(c.strm, {{DNNL_ARG_SRC, ps}, {DNNL_ARG_WEIGHTS, *w}, {DNNL_ARG_DST, pd}});
      if (e.blockDst) e.dstOut.execute(c.strm, pd, dst);
    } else if (kind == 1) {
      e.prim.execute(c.strm, {{DNNL_ARG_DIFF_DST, pd}, {DNNL_ARG_WEIGHTS, *w}, {DNNL_ARG_DIFF_SRC, ps}});
      if (e.blockSrc) e.srcOut.execute(c.strm, ps, src);
    } else {
      e.prim.execute(c.strm, {{DNNL_ARG_SRC, ps}, {DNNL_ARG_DIFF_DST, pd}, {DNNL_ARG_DIFF_WEIGHTS, *w}});
      if (e.reorderWeights) e.weightsReorder.execute(c.strm, *w, userW);
    }
    c.strm.wait();
  } catch (const dnnl::error& err) {
    napi_throw_error(env, nullptr, (std::string("cvr-native: oneDNN: ") + err.what()).c_str());
  }
  return nullptr;
}

// dims: N IH IW C OH OW KH KW SH SW PT PL PB PR
enum { PN, PIH, PIW, PC, POH, POW, PKH, PKW, PSH, PSW, PPT, PPL, PPB, PPR, POOL_DIMS };

// pool(kind, avg, dims, a, b, out): kind 0 y = pool(x=a); 1 dx = pool_grad(x=a, dy=b).
// Average pooling excludes padding going forward, as tfjs does.
napi_value PoolCall(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int32_t kind, avg;
  CHECK(napi_get_value_int32(env, argv[0], &kind));
  CHECK(napi_get_value_int32(env, argv[1], &avg));
  std::vector<int64_t> d;
  float *a, *b, *out;
  size_t la, lb, lo;
  if (!getInts(env, argv[2], &d) || !getFloats(env, argv[3], &a, &la) || !getFloats(env, argv[4], &b, &lb) ||
      !getFloats(env, argv[5], &out, &lo))
    return nullptr;
  if (d.size() != POOL_DIMS || kind < 0 || kind > 1) {
    napi_throw_range_error(env, nullptr, "cvr-native: pool expects kind 0..1 and 14 dimensions");
    return nullptr;
  }
  const size_t xs = d[PN] * d[PIH] * d[PIW] * d[PC], ys = d[PN] * d[POH] * d[POW] * d[PC];
  if (la != xs || (kind == 0 ? lo != ys : (lb != ys || lo != xs))) {
    napi_throw_range_error(env, nullptr, "cvr-native: pool array lengths do not match the dimensions");
    return nullptr;
  }
  Context& c = *ctx(env);
  ThreadScope threads(double(ys) * d[PKH] * d[PKW] < kSmallWork ? 1 : c.threads);
  try {
    const std::string key = keyOf(kind * 2 + avg, d);
    auto it = c.pools.find(key);
    if (it == c.pools.end()) {
      auto e = std::make_unique<Pool>();
      e->srcDesc = memory::desc({d[PN], d[PC], d[PIH], d[PIW]}, dt::f32, tag::nhwc);
      e->dstDesc = memory::desc({d[PN], d[PC], d[POH], d[POW]}, dt::f32, tag::nhwc);
      // tfjs's average pooling excludes padding going forward but its gradient divides by the
      // whole window (cpu backend's avgPoolGrad): the gradient follows it, so results match.
      const auto alg = !avg ? dnnl::algorithm::pooling_max
                       : kind == 0 ? dnnl::algorithm::pooling_avg_exclude_padding
                                   : dnnl::algorithm::pooling_avg_include_padding;
      memory::dims strides{d[PSH], d[PSW]}, kernel{d[PKH], d[PKW]}, pl{d[PPT], d[PPL]}, pr{d[PPB], d[PPR]};
      const auto prop = kind == 0 ? dnnl::prop_kind::forward_inference : dnnl::prop_kind::forward_training;
#if CVR_DNNL3
      const memory::dims noDilation{0, 0};
      dnnl::pooling_forward::primitive_desc fpd(c.eng, prop, alg, e->srcDesc, e->dstDesc, strides, kernel, noDilation, pl, pr);
#else
      dnnl::pooling_forward::desc fd(prop, alg, e->srcDesc, e->dstDesc, strides, kernel, pl, pr);
      dnnl::pooling_forward::primitive_desc fpd(fd, c.eng);
#endif
      e->fwd = dnnl::pooling_forward(fpd);
      if (kind == 1) {
#if CVR_DNNL3
        dnnl::pooling_backward::primitive_desc bpd(c.eng, alg, e->srcDesc, e->dstDesc, strides, kernel, noDilation, pl, pr, fpd);
#else
        dnnl::pooling_backward::desc bd(alg, e->srcDesc, e->dstDesc, strides, kernel, pl, pr);
        dnnl::pooling_backward::primitive_desc bpd(bd, c.eng, fpd);
#endif
        e->bwd = dnnl::pooling_backward(bpd);
        e->hasBwd = true;
        if (!avg) {
          e->workspace = std::make_unique<memory>(fpd.workspace_desc(), c.eng);
          e->scratchDst.resize(ys);
        }
      }
      it = c.pools.emplace(key, std::move(e)).first;
    }
    Pool& e = *it->second;
    memory src(e.srcDesc, c.eng, a);
    if (kind == 0) {
      memory dst(e.dstDesc, c.eng, out);
      e.fwd.execute(c.strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    } else {
      memory dy(e.dstDesc, c.eng, b), dx(e.srcDesc, c.eng, out);
      if (e.workspace) {
        memory y(e.dstDesc, c.eng, e.scratchDst.data());
        e.fwd.execute(c.strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, y}, {DNNL_ARG_WORKSPACE, *e.workspace}});
        e.bwd.execute(c.strm, {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_SRC, dx}, {DNNL_ARG_WORKSPACE, *e.workspace}});
      } else {
        e.bwd.execute(c.strm, {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_SRC, dx}});
      }
    }
    c.strm.wait();
  } catch (const dnnl::error& err) {
    napi_throw_error(env, nullptr, (std::string("cvr-native: oneDNN: ") + err.what()).c_str());
  }
  return nullptr;
}

// matmul(transA, transB, batch, M, N, K, a, b, out, broadcastA, broadcastB): row-major
// out[i] = op(a[i]) x op(b[i]); a batch of 1 on either side is reused for every output batch.
napi_value MatMulCall(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int32_t ta, tb, batch, m, n, k, bcA, bcB;
  CHECK(napi_get_value_int32(env, argv[0], &ta));
  CHECK(napi_get_value_int32(env, argv[1], &tb));
  CHECK(napi_get_value_int32(env, argv[2], &batch));
  CHECK(napi_get_value_int32(env, argv[3], &m));
  CHECK(napi_get_value_int32(env, argv[4], &n));
  CHECK(napi_get_value_int32(env, argv[5], &k));
  CHECK(napi_get_value_int32(env, argv[9], &bcA));
  CHECK(napi_get_value_int32(env, argv[10], &bcB));
  float *a, *b, *out;
  size_t la, lb, lo;
  if (!getFloats(env, argv[6], &a, &la) || !getFloats(env, argv[7], &b, &lb) || !getFloats(env, argv[8], &out, &lo))
    return nullptr;
  const size_t sa = size_t(m) * k, sb = size_t(k) * n, so = size_t(m) * n;
  if (la != (bcA ? sa : sa * batch) || lb != (bcB ? sb : sb * batch) || lo != so * batch) {
    napi_throw_range_error(env, nullptr, "cvr-native: matmul array lengths do not match the dimensions");
    return nullptr;
  }
  ThreadScope threads(double(m) * n * k < kSmallWork ? 1 : ctx(env)->threads);
  for (int32_t i = 0; i < batch; i++) {
    const dnnl::status st = dnnl::sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.0f, a + (bcA ? 0 : i * sa),
                                        ta ? m : k, b + (bcB ? 0 : i * sb), tb ? k : n, 0.0f, out + i * so, n);
    if (st != dnnl::status::success) {
      napi_throw_error(env, nullptr, "cvr-native: dnnl_sgemm failed");
      return nullptr;
    }
  }
  return nullptr;
}

// Element-wise work is split over threads only when large: a parallel region costs microseconds.
constexpr size_t kParallelMin = 1 << 17;

template <typename F>
void forEach(size_t n, F f) {
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (size_t i = 0; i < n; i++) f(i);
}

// binary(op, a, b, out): op 0 add, 1 sub, 2 mul, 3 div. The shorter operand (length dividing the
// output's) repeats along the longer one: per-channel and scalar broadcasts. float arithmetic
// rounds exactly as tfjs's double arithmetic stored to float32 does for these four operations.
napi_value BinaryCall(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int32_t op;
  CHECK(napi_get_value_int32(env, argv[0], &op));
  float *a, *b, *out;
  size_t la, lb, lo;
  if (!getFloats(env, argv[1], &a, &la) || !getFloats(env, argv[2], &b, &lb) || !getFloats(env, argv[3], &out, &lo))
    return nullptr;
  if (op < 0 || op > 3 || la == 0 || lb == 0 || (la != lo && lb != lo) || lo % la != 0 || lo % lb != 0) {
    napi_throw_range_error(env, nullptr, "cvr-native: binary expects op 0..3 and repeating operand lengths");
    return nullptr;
  }
  auto run = [&](auto f) {
    if (la == lo && lb == lo) {
      forEach(lo, [&](size_t i) { out[i] = f(a[i], b[i]); });
    } else if (lb == 1) {
      const float q = b[0];
      forEach(lo, [&](size_t i) { out[i] = f(a[i], q); });
    } else if (la == 1) {
      const float p = a[0];
      forEach(lo, [&](size_t i) { out[i] = f(p, b[i]); });
    } else if (la == lo) {
      forEach(lo / lb, [&](size_t r) {
        const float* x = a + r * lb;
        float* o = out + r * lb;
        for (size_t j = 0; j < lb; j++) o[j] = f(x[j], b[j]);
      });
    } else {
      forEach(lo / la, [&](size_t r) {
        const float* y = b + r * la;
        float* o = out + r * la;
        for (size_t j = 0; j < la; j++) o[j] = f(a[j], y[j]);
      });
    }
  };
  switch (op) {
    case 0: run([](float p, float q) { return p + q; }); break;
    case 1: run([](float p, float q) { return p - q; }); break;
    case 2: run([](float p, float q) { return p * q; }); break;
    default: run([](float p, float q) { return p / q; }); break;
  }
  return nullptr;
}

// unary(op, x, out, alpha): op 0 relu, 1 step (x > 0 ? 1 : alpha; NaN stays NaN), 2 square,
// 3 relu6, 4 neg.
napi_value UnaryCall(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int32_t op;
  double alphaD;
  CHECK(napi_get_value_int32(env, argv[0], &op));
  CHECK(napi_get_value_double(env, argv[3], &alphaD));
  const float alpha = float(alphaD);
  float *x, *out;
  size_t lx, lo;
  if (!getFloats(env, argv[1], &x, &lx) || !getFloats(env, argv[2], &out, &lo)) return nullptr;
  if (lx != lo || op < 0 || op > 4) {
    napi_throw_range_error(env, nullptr, "cvr-native: unary expects op 0..4 and equal lengths");
    return nullptr;
  }
  switch (op) {
    case 0: forEach(lo, [&](size_t i) { out[i] = x[i] < 0.f ? 0.f : x[i]; }); break;  // keeps NaN, as tfjs
    case 1: forEach(lo, [&](size_t i) { out[i] = x[i] != x[i] ? x[i] : (x[i] > 0.f ? 1.f : alpha); }); break;
    case 2: forEach(lo, [&](size_t i) { out[i] = x[i] * x[i]; }); break;
    case 3: forEach(lo, [&](size_t i) { out[i] = x[i] != x[i] ? x[i] : (x[i] < 0.f ? 0.f : (x[i] > 6.f ? 6.f : x[i])); }); break;
    default: forEach(lo, [&](size_t i) { out[i] = -x[i]; }); break;
  }
  return nullptr;
}

// reduceRows(mean, x, rows, out): out[j] = sum over rows of x[r * inner + j] (inner = out
// length), accumulated in double in row order like tfjs's Sum; mean divides each element by
// `rows` first (rounded to float), as tfjs's Mean does. Columns are split over threads; each
// column's order of addition never changes, so results do not depend on the thread count.
napi_value ReduceRowsCall(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  bool mean;
  int32_t rows;
  CHECK(napi_get_value_bool(env, argv[0], &mean));
  CHECK(napi_get_value_int32(env, argv[2], &rows));
  float *x, *out;
  size_t lx, lo;
  if (!getFloats(env, argv[1], &x, &lx) || !getFloats(env, argv[3], &out, &lo)) return nullptr;
  if (rows <= 0 || lx != size_t(rows) * lo) {
    napi_throw_range_error(env, nullptr, "cvr-native: reduceRows lengths do not match");
    return nullptr;
  }
  const size_t inner = lo;
  const float n = float(rows);
  const size_t chunk = 256;
  const size_t chunks = (inner + chunk - 1) / chunk;
#pragma omp parallel for schedule(static) if (lx >= kParallelMin && chunks > 1)
  for (size_t ch = 0; ch < chunks; ch++) {
    const size_t j0 = ch * chunk, j1 = j0 + chunk < inner ? j0 + chunk : inner;
    double acc[chunk] = {0};
    for (size_t r = 0; r < size_t(rows); r++) {
      const float* row = x + r * inner;
      if (mean) {
        for (size_t j = j0; j < j1; j++) acc[j - j0] += double(row[j] / n);
      } else {
        for (size_t j = j0; j < j1; j++) acc[j - j0] += double(row[j]);
      }
    }
    for (size_t j = j0; j < j1; j++) out[j] = float(acc[j - j0]);
  }
  return nullptr;
}

// batchNorm(x, mean, variance, offset, scale, eps, out): every parameter has length C (the
// innermost dimension) or 1; computed in double like tfjs's FusedBatchNorm.
napi_value BatchNormCall(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  float *x, *m, *v, *off, *sc, *out;
  size_t lx, lm, lv, loff, lsc, lo;
  double eps;
  if (!getFloats(env, argv[0], &x, &lx) || !getFloats(env, argv[1], &m, &lm) || !getFloats(env, argv[2], &v, &lv) ||
      !getFloats(env, argv[3], &off, &loff) || !getFloats(env, argv[4], &sc, &lsc) || !getFloats(env, argv[6], &out, &lo))
    return nullptr;
  CHECK(napi_get_value_double(env, argv[5], &eps));
  size_t c = 1;
  for (size_t l : {lm, lv, loff, lsc}) if (l > 1) c = l;
  bool ok = lx == lo && lx % c == 0;
  for (size_t l : {lm, lv, loff, lsc}) ok = ok && (l == 1 || l == c);
  if (!ok) {
    napi_throw_range_error(env, nullptr, "cvr-native: batchNorm parameters must have length C or 1");
    return nullptr;
  }
  std::vector<double> shift(c), mul(c), mu(c);
  for (size_t j = 0; j < c; j++) {
    mu[j] = m[lm == 1 ? 0 : j];
    mul[j] = double(sc[lsc == 1 ? 0 : j]) / std::sqrt(double(v[lv == 1 ? 0 : j]) + eps);
    shift[j] = off[loff == 1 ? 0 : j];
  }
  forEach(lx / c, [&](size_t r) {
    const float* xr = x + r * c;
    float* o = out + r * c;
    for (size_t j = 0; j < c; j++) o[j] = float(shift[j] + (double(xr[j]) - mu[j]) * mul[j]);
  });
  return nullptr;
}

// Contiguous chunks [b, e) of [0, n), one per thread when n is large, each handed to f.
template <typename F>
void spans(size_t n, F f) {
  const int nt = n >= kParallelMin ? omp_get_max_threads() : 1;
#pragma omp parallel for schedule(static) num_threads(nt)
  for (int t = 0; t < nt; t++) f(n * size_t(t) / size_t(nt), n * size_t(t + 1) / size_t(nt));
}

// dy · step(x) over n elements, as tfjs's chain computes it: a multiply by 1, 0 or NaN. In a lambda
// inside forEach GCC left this loop scalar with a branch (7 ns an element against Relu's 0.5); as
// a plain function over restrict pointers it vectorises (AVX2 clone where the CPU has it).
__attribute__((target_clones("avx2", "default")))
void reluGradSpan(const float* __restrict dy, const float* __restrict x, float* __restrict out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const float xi = x[i];
    const float s = xi > 0.f ? 1.f : (xi != xi ? xi : 0.f);
    out[i] = dy[i] * s;
  }
}

// gradOp(op, dy, x, out, n): op 0 relu gradient dy · step(x), 1 square gradient
// dy * (2x), 2 mean gradient over leading axes (dy repeats along out, divided by n). Each rounds
// as tfjs's chain of float32 operations does, in one pass instead of two or three.
napi_value GradOpCall(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int32_t op;
  double nD;
  CHECK(napi_get_value_int32(env, argv[0], &op));
  CHECK(napi_get_value_double(env, argv[4], &nD));
  float *dy, *x, *out;
  size_t ldy, lx, lo;
  if (!getFloats(env, argv[1], &dy, &ldy) || !getFloats(env, argv[2], &x, &lx) || !getFloats(env, argv[3], &out, &lo))
    return nullptr;
  const bool ok = op == 2 ? (ldy > 0 && lo % ldy == 0) : (op == 0 || op == 1) && ldy == lo && lx == lo;
  if (!ok) {
    napi_throw_range_error(env, nullptr, "cvr-native: gradOp lengths do not match");
    return nullptr;
  }
  if (op == 0) {
    // dy × step(x), as tfjs's chain: a multiply by 1 or 0, branch-free so that it vectorises (the
    // branch on the sign of x mispredicted on every other element: 8× slower than Relu itself).
    // tfjs's step is NaN at NaN.
    spans(lo, [&](size_t b, size_t e) { reluGradSpan(dy + b, x + b, out + b, e - b); });
  } else if (op == 1) {
    forEach(lo, [&](size_t i) { out[i] = dy[i] * (x[i] * 2.f); });
  } else {
    const float n = float(nD);
    forEach(lo / ldy, [&](size_t r) {
      float* o = out + r * ldy;
      for (size_t j = 0; j < ldy; j++) o[j] = dy[j] / n;
    });
  }
  return nullptr;
}

// bnGrad(x, mean, variance, scale, dy, eps, dx, dmean, dvariance, dscale, doffset): the gradient
// of tfjs's FusedBatchNorm for per-channel (last axis) parameters, all five parts in one pass
// instead of tfjs's fifteen tensor-sized operations. `scale` of length 0 means 1. Per-channel sums
// run over rows in order, in double, channel blocks split over threads: thread-count independent.
napi_value BnGradCall(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  float *x, *m, *v, *sc, *dy, *dx, *dm, *dv, *ds, *doff;
  size_t lx, lm, lv, lsc, ldy, ldx, ldm, ldv, lds, ldo;
  double eps;
  if (!getFloats(env, argv[0], &x, &lx) || !getFloats(env, argv[1], &m, &lm) || !getFloats(env, argv[2], &v, &lv) ||
      !getFloats(env, argv[3], &sc, &lsc) || !getFloats(env, argv[4], &dy, &ldy) || !getFloats(env, argv[6], &dx, &ldx) ||
      !getFloats(env, argv[7], &dm, &ldm) || !getFloats(env, argv[8], &dv, &ldv) || !getFloats(env, argv[9], &ds, &lds) ||
      !getFloats(env, argv[10], &doff, &ldo))
    return nullptr;
  CHECK(napi_get_value_double(env, argv[5], &eps));
  const size_t c = lm;
  if (c == 0 || lx % c != 0 || ldy != lx || ldx != lx || lv != c || (lsc != 0 && lsc != c) || ldm != c || ldv != c ||
      lds != c || ldo != c) {
    napi_throw_range_error(env, nullptr, "cvr-native: bnGrad lengths do not match");
    return nullptr;
  }
  const size_t rows = lx / c;
  const size_t chunk = 64;
  const size_t chunks = (c + chunk - 1) / chunk;
#pragma omp parallel for schedule(static) if (lx >= kParallelMin && chunks > 1)
  for (size_t ch = 0; ch < chunks; ch++) {
    const size_t j0 = ch * chunk, j1 = j0 + chunk < c ? j0 + chunk : c;
    double sdy[chunk] = {0}, sdyx[chunk] = {0}, rstd[chunk], g[chunk];
    float mu[chunk];
    for (size_t j = j0; j < j1; j++) {
      rstd[j - j0] = 1.0 / std::sqrt(double(v[j] + float(eps)));
      g[j - j0] = rstd[j - j0] * (lsc == 0 ? 1.0 : double(sc[j]));
      mu[j - j0] = m[j];
    }
    for (size_t r = 0; r < rows; r++) {
      const float* xr = x + r * c;
      const float* dyr = dy + r * c;
      float* dxr = dx + r * c;
      for (size_t j = j0; j < j1; j++) {
        const double d = dyr[j];
        sdy[j - j0] += d;
        sdyx[j - j0] += d * double(xr[j] - mu[j - j0]);
        dxr[j] = float(d * g[j - j0]);
      }
    }
    for (size_t j = j0; j < j1; j++) {
      const double rs = rstd[j - j0], s = lsc == 0 ? 1.0 : double(sc[j]);
      dm[j] = float(-rs * s * sdy[j - j0]);
      dv[j] = float(-0.5 * rs * rs * rs * s * sdyx[j - j0]);
      ds[j] = float(rs * sdyx[j - j0]);
      doff[j] = float(sdy[j - j0]);
    }
  }
  return nullptr;
}

// bnTrain(kind, dims, eps, ...): batch normalisation over N·H·W per channel (NHWC float32) with the
// batch's own statistics, as Keras's BatchNormalization trains, by oneDNN's batch_normalization
// primitives (forward_training, backward) with a learnt scale and shift:
//   kind 0: (x, scale, shift, y, mean, variance)  y = scale·(x − mean)/√(variance + eps) + shift,
//           mean and (biased) variance of the batch written out;
//   kind 1: (x, dy, mean, variance, scale, dmean, dvariance, dx, dscale, dshift): the gradient,
//           with the gradients reaching the mean and variance outputs (dmean, dvariance; length
//           0, or all zero, when none) added to dx as tfjs's moments would pass them on.
// dims: N H W C. Primitives are cached per shape and epsilon; the thread count is fixed per shape,
// so results are the same bytes run after run.
std::unique_ptr<BnTrain> makeBnTrain(Context& c, const std::vector<int64_t>& d, float eps, bool backward) {
  auto e = std::make_unique<BnTrain>();
  e->data = memory::desc({d[0], d[3], d[1], d[2]}, dt::f32, tag::nhwc);
  e->stat = memory::desc({d[3]}, dt::f32, tag::a);
  e->zeros.assign(size_t(d[3]), 0.f);
  const auto flags = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
#if CVR_DNNL3
  dnnl::batch_normalization_forward::primitive_desc fpd(c.eng, dnnl::prop_kind::forward_training, e->data, e->data, eps, flags);
#else
  dnnl::batch_normalization_forward::desc fd(dnnl::prop_kind::forward_training, e->data, eps, flags);
  dnnl::batch_normalization_forward::primitive_desc fpd(fd, c.eng);
#endif
  if (!backward) {
    e->fwd = dnnl::batch_normalization_forward(fpd);
    return e;
  }
#if CVR_DNNL3
  dnnl::batch_normalization_backward::primitive_desc bpd(c.eng, dnnl::prop_kind::backward, e->data, e->data, e->data, eps, flags, fpd);
#else
  dnnl::batch_normalization_backward::desc bd(dnnl::prop_kind::backward, e->data, e->data, eps, flags);
  dnnl::batch_normalization_backward::primitive_desc bpd(bd, c.eng, fpd);
#endif
  e->bwd = dnnl::batch_normalization_backward(bpd);
  return e;
}

napi_value BnTrainCall(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int32_t kind;
  double epsD;
  CHECK(napi_get_value_int32(env, argv[0], &kind));
  CHECK(napi_get_value_double(env, argv[2], &epsD));
  std::vector<int64_t> d;
  if (!getInts(env, argv[1], &d)) return nullptr;
  const size_t nArrays = kind == 0 ? 6 : 10;
  if ((kind != 0 && kind != 1) || d.size() != 4 || argc < 3 + nArrays) {
    napi_throw_range_error(env, nullptr, "cvr-native: bnTrain expects kind 0 or 1, dims N H W C and its arrays");
    return nullptr;
  }
  float* p[10];
  size_t l[10];
  for (size_t i = 0; i < nArrays; i++)
    if (!getFloats(env, argv[3 + i], &p[i], &l[i])) return nullptr;
  const size_t ch = size_t(d[3]), n = size_t(d[0] * d[1] * d[2] * d[3]);
  // Which arrays are tensor-sized (the rest per channel; dmean and dvariance may be empty).
  const bool big0[6] = {true, false, false, true, false, false};
  const bool big1[10] = {true, true, false, false, false, false, false, true, false, false};
  bool ok = ch > 0;
  for (size_t i = 0; i < nArrays; i++) {
    const bool big = kind == 0 ? big0[i] : big1[i];
    const bool optional = kind == 1 && (i == 5 || i == 6);
    ok = ok && (l[i] == (big ? n : ch) || (optional && l[i] == 0));
  }
  if (!ok) {
    napi_throw_range_error(env, nullptr, "cvr-native: bnTrain array lengths do not match the dimensions");
    return nullptr;
  }
  Context& c = *ctx(env);
  const float eps = float(epsD);
  ThreadScope threads(n < kParallelMin ? 1 : c.threads);
  try {
    uint32_t epsBits;
    std::memcpy(&epsBits, &eps, sizeof eps);
    std::vector<int64_t> keyDims(d);
    keyDims.push_back(int64_t(epsBits));
    const std::string key = keyOf(kind, keyDims);
    auto it = c.bns.find(key);
    if (it == c.bns.end()) it = c.bns.emplace(key, makeBnTrain(c, d, eps, kind == 1)).first;
    BnTrain& e = *it->second;
    auto data = [&](float* q) { return memory(e.data, c.eng, q); };
    auto stat = [&](float* q) { return memory(e.stat, c.eng, q); };
    if (kind == 0) {
      e.fwd.execute(c.strm, {{DNNL_ARG_SRC, data(p[0])}, {DNNL_ARG_SCALE, stat(p[1])}, {DNNL_ARG_SHIFT, stat(p[2])},
                             {DNNL_ARG_DST, data(p[3])}, {DNNL_ARG_MEAN, stat(p[4])}, {DNNL_ARG_VARIANCE, stat(p[5])}});
      c.strm.wait();
      return nullptr;
    }
    e.bwd.execute(c.strm, {{DNNL_ARG_SRC, data(p[0])}, {DNNL_ARG_DIFF_DST, data(p[1])}, {DNNL_ARG_MEAN, stat(p[2])},
                           {DNNL_ARG_VARIANCE, stat(p[3])}, {DNNL_ARG_SCALE, stat(p[4])}, {DNNL_ARG_SHIFT, stat(e.zeros.data())}, {DNNL_ARG_DIFF_SRC, data(p[7])},
                           {DNNL_ARG_DIFF_SCALE, stat(p[8])}, {DNNL_ARG_DIFF_SHIFT, stat(p[9])}});
    c.strm.wait();
    // d mean/dx = 1/R, d variance/dx = 2(x − mean)/R (R = N·H·W), as tfjs's moments' gradient.
    bool extra = false;
    for (size_t j = 0; j < ch; j++) extra = extra || (l[5] && p[5][j] != 0.f) || (l[6] && p[6][j] != 0.f);
    if (extra) {
      const double rows = double(n / ch);
      const float *x = p[0], *mu = p[2], *dm = p[5], *dv = p[6];
      float* dx = p[7];
      forEach(n / ch, [&](size_t r) {
        for (size_t j = 0; j < ch; j++) {
          const double a = (l[5] ? double(dm[j]) : 0.0) + (l[6] ? 2.0 * double(dv[j]) * (double(x[r * ch + j]) - mu[j]) : 0.0);
          dx[r * ch + j] = float(double(dx[r * ch + j]) + a / rows);
        }
      });
    }
  } catch (const dnnl::error& err) {
    napi_throw_error(env, nullptr, (std::string("cvr-native: oneDNN: ") + err.what()).c_str());
  }
  return nullptr;
}

// One Adam step over n elements. The arrays may alias in place (v with ov, m with om, u with ou),
// element by element only, hence no __restrict. Cloned for AVX2: the ifunc picks the clone at load.
__attribute__((target_clones("avx2", "default")))
void adamSpan(const float* v, const float* m, const float* u, const float* g, float* ov, float* om, float* ou, size_t n,
              float lrT, float b1, float b2, float eps, float c1, float c2) {
#pragma GCC ivdep
  for (size_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = m[i] * b1 + gi * c1;
    const float gg = gi * gi;
    const float ui = u[i] * b2 + gg * c2;
    const float step = (mi * lrT) / (__builtin_sqrtf(ui) + eps);
    om[i] = mi;
    ou[i] = ui;
    ov[i] = v[i] - step;
  }
}

// adam(v, m, u, g, outV, outM, outU, lrT, beta1, beta2, epsilon): one Keras Adam step for one
// variable in one pass, instead of tfjs's eleven tensor-sized operations (each allocating):
//   m' = m·β1 + g·(1−β1);  u' = u·β2 + (g·g)·(1−β2);  v' = v − (m'·lrT) / (√u' + ε)
// Every operation rounds to float32 in the order src/train/optimizers.ts's tensor chain does, and
// float32 +, −, ×, ÷ and √ round exactly as tfjs's double arithmetic stored to float32 does (the
// addon is built with -ffp-contract=off: no fused multiply-adds), so the result is bit-identical
// to the chain's, and element-wise, so it does not depend on the thread count.
napi_value AdamCall(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  float *v, *m, *u, *g, *ov, *om, *ou;
  size_t lv, lm, lu, lg, lov, lom, lou;
  double lrD, b1D, b2D, epsD;
  if (!getFloats(env, argv[0], &v, &lv) || !getFloats(env, argv[1], &m, &lm) || !getFloats(env, argv[2], &u, &lu) ||
      !getFloats(env, argv[3], &g, &lg) || !getFloats(env, argv[4], &ov, &lov) || !getFloats(env, argv[5], &om, &lom) ||
      !getFloats(env, argv[6], &ou, &lou))
    return nullptr;
  CHECK(napi_get_value_double(env, argv[7], &lrD));
  CHECK(napi_get_value_double(env, argv[8], &b1D));
  CHECK(napi_get_value_double(env, argv[9], &b2D));
  CHECK(napi_get_value_double(env, argv[10], &epsD));
  if (lm != lv || lu != lv || lg != lv || lov != lv || lom != lv || lou != lv) {
    napi_throw_range_error(env, nullptr, "cvr-native: adam arrays must all have the variable's length");
    return nullptr;
  }
  // The scalars as tfjs makes them: float32 tensors of the JavaScript numbers.
  const float lrT = float(lrD), b1 = float(b1D), b2 = float(b2D), eps = float(epsD);
  const float c1 = float(1.0 - b1D), c2 = float(1.0 - b2D);
  ThreadScope threads(lv >= kParallelMin ? ctx(env)->threads : 1);
  const int nt = lv >= kParallelMin ? omp_get_max_threads() : 1;
  // Contiguous chunks per thread, each a vectorised loop (AVX2 where the CPU has it): element-wise,
  // so the bytes do not depend on the chunking or the vector width (IEEE +, −, ×, ÷, √).
#pragma omp parallel for schedule(static) num_threads(nt)
  for (int t = 0; t < nt; t++) {
    const size_t lo = lv * size_t(t) / size_t(nt), hi = lv * size_t(t + 1) / size_t(nt);
    adamSpan(v + lo, m + lo, u + lo, g + lo, ov + lo, om + lo, ou + lo, hi - lo, lrT, b1, b2, eps, c1, c2);
  }
  return nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int32_t n;
  CHECK(napi_get_value_int32(env, argv[0], &n));
  if (n > 0) {
    omp_set_num_threads(n);
    ctx(env)->threads = n;
  }
  napi_value r;
  CHECK(napi_create_int32(env, ctx(env)->threads, &r));
  return r;
}

napi_value Info(napi_env env, napi_callback_info) {
  const dnnl_version_t* v = dnnl_version();
  napi_value o, s, t, cached;
  std::string ver = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  CHECK(napi_create_object(env, &o));
  CHECK(napi_create_string_utf8(env, ver.c_str(), NAPI_AUTO_LENGTH, &s));
  Context& c = *ctx(env);
  CHECK(napi_create_int32(env, c.threads, &t));
  CHECK(napi_create_int32(env, int32_t(c.convs.size() + c.pools.size() + c.bns.size()), &cached));
  CHECK(napi_set_named_property(env, o, "dnnlVersion", s));
  CHECK(napi_set_named_property(env, o, "threads", t));
  CHECK(napi_set_named_property(env, o, "cachedPrimitives", cached));
  return o;
}

void FreeContext(napi_env, void* data, void*) { delete static_cast<Context*>(data); }

// oneDNN's JIT kernels keep data below the stack pointer (seen with dnnl_sgemm 2.6.3 on an
// AVX-512 CPU): a signal handled on this thread's stack in the middle of a kernel writes its frame
// over that data and the kernel then corrupts the heap ("corrupted size vs. prev_size"). Node
// delivers signals often: V8's sampling profiler sends SIGPROF every millisecond, libuv handles
// SIGCHLD, SIGWINCH, SIGINT. So every addon call runs with the asynchronous signals blocked on its
// thread; they arrive when it returns (a call lasts milliseconds). OpenMP's workers are first
// created inside a call, so they inherit the blocked mask. Faults (SIGSEGV and the like) stay
// unblocked: blocking them would turn a crash into a hang.
struct SignalsDeferred {
  sigset_t prev;
  SignalsDeferred() {
    static const sigset_t blocked = [] {
      sigset_t s;
      sigfillset(&s);
      for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS}) sigdelset(&s, sig);
      return s;
    }();
    pthread_sigmask(SIG_BLOCK, &blocked, &prev);
  }
  ~SignalsDeferred() { pthread_sigmask(SIG_SETMASK, &prev, nullptr); }
};

template <napi_value (*F)(napi_env, napi_callback_info)>
napi_value Deferred(napi_env env, napi_callback_info info) {
  SignalsDeferred guard;
  return F(env, info);
}

napi_value Init(napi_env env, napi_value exports) {
  try {
    CHECK(napi_set_instance_data(env, new Context(), FreeContext, nullptr));
  } catch (const dnnl::error& err) {
    napi_throw_error(env, nullptr, (std::string("cvr-native: oneDNN engine: ") + err.what()).c_str());
    return nullptr;
  }
  napi_property_descriptor props[] = {
      {"conv", nullptr, Deferred<ConvCall>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pool", nullptr, Deferred<PoolCall>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Deferred<BinaryCall>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Deferred<UnaryCall>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduceRows", nullptr, Deferred<ReduceRowsCall>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNorm", nullptr, Deferred<BatchNormCall>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gradOp", nullptr, Deferred<GradOpCall>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bnGrad", nullptr, Deferred<BnGradCall>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bnTrain", nullptr, Deferred<BnTrainCall>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Deferred<AdamCall>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, Deferred<MatMulCall>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, Deferred<SetThreads>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Deferred<Info>, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  CHECK(napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
