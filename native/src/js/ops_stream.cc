#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "js/ops.h"
#include "js/run_op.h"
#include "sys/stream_beneath.h"

namespace ovl::js {

namespace {

constexpr size_t kLayoutWidth = 6;  // at, root, ino, size, offset, length
constexpr double kMaxSafe = 9007199254740991.0;

// A hash resumed from the bytes an earlier call returned: only a state SHA256 itself could
// have left (its buffer index in range) is taken, so a forged one cannot make it write past
// its block.
bool ParseHashState(Args& a, Napi::Value v, SHA256_CTX* ctx) {
  if (v.IsNull() || v.IsUndefined()) {
    SHA256_Init(ctx);
    return true;
  }
  std::string raw;
  if (!a.ToBinary(v, "hashState", &raw)) return false;
  if (raw.size() == sizeof(SHA256_CTX)) std::memcpy(ctx, raw.data(), sizeof *ctx);
  if (raw.size() != sizeof(SHA256_CTX) || ctx->num >= SHA_CBLOCK || ctx->md_len != SHA256_DIGEST_LENGTH) {
    return a.Fail("hashState", "null or the hashState an earlier streamBeneath returned", v);
  }
  return true;
}

// What a StreamHash is to JS: an External tagged as ours (no other value, nor another addon's
// External, is taken for one), owning a reference; a call in flight holds one of its own.
using StreamHashRef = std::shared_ptr<sys::StreamHash>;
constexpr napi_type_tag kStreamHashTag = {0x6f766c5f73747265ULL, 0x616d686173683031ULL};

bool ParseStreamHash(Args& a, Napi::Value v, StreamHashRef* out) {
  if (v.IsExternal()) {
    auto ext = v.As<Napi::External<StreamHashRef>>();
    if (ext.CheckTypeTag(&kStreamHashTag)) {
      *out = *ext.Data();
      return true;
    }
  }
  return a.Fail("hash", "a StreamHash from createStreamHash", v);
}

std::string Hex(const unsigned char* d, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = kDigits[d[i] >> 4];
    s[2 * i + 1] = kDigits[d[i] & 15];
  }
  return s;
}

// hashState (to go on from) and digest (of every byte so far) of `hash`, onto `o`.
void SetHash(Napi::Env env, Napi::Object o, const SHA256_CTX& hash) {
  o.Set("hashState", Napi::Buffer<char>::Copy(env, reinterpret_cast<const char*>(&hash), sizeof hash));
  SHA256_CTX copy = hash;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_Final(digest, &copy);
  o.Set("digest", Napi::String::New(env, Hex(digest, sizeof digest)));
}

struct StreamBeneathOp {
  static constexpr const char* kName = "streamBeneath";
  int out_fd = -1;
  std::vector<std::string> roots;
  std::string bytes;
  std::vector<sys::StreamFile> files;
  SHA256_CTX hash;
  StreamHashRef session;  // hashed there instead of `hash`, with no state returned
  sys::StreamHash::Turn turn;  // the session's: this call's place in its order (taken here, on the JS thread)
  sys::StreamResult result;

  bool ParseLayout(Args& a, std::vector<std::string>* rels) {
    Napi::Value v = a[3];
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
      return a.Fail("layout", "a Float64Array", v);
    }
    Napi::Float64Array layout = v.As<Napi::Float64Array>();
    const double* d = layout.Data();
    size_t n = layout.ElementLength();
    if (n % kLayoutWidth != 0 || n / kLayoutWidth != rels->size()) {
      return a.Fail("layout", "a Float64Array of 6 numbers for each of rels", v);
    }
    files.resize(rels->size());
    uint64_t last_at = 0;
    for (size_t i = 0; i < files.size(); ++i) {
      uint64_t u[kLayoutWidth];
      for (size_t k = 0; k < kLayoutWidth; ++k) {
        double x = d[i * kLayoutWidth + k];
        if (!(x >= 0 && x <= kMaxSafe) || std::floor(x) != x) return a.Fail("layout", "non-negative integers", v);
        u[k] = static_cast<uint64_t>(x);
      }
      sys::StreamFile& f = files[i];
      f = {u[0], static_cast<uint32_t>(u[1]), std::move((*rels)[i]), u[2], u[3], u[4], u[5]};
      if (f.at < last_at || f.at > bytes.size()) return a.Fail("layout", "offsets into bytes, in order", v);
      if (u[1] >= roots.size()) return a.Fail("layout", "root indices into roots", v);
      if (f.offset > f.size || f.length > f.size - f.offset) return a.Fail("layout", "ranges within each file's size", v);
      last_at = f.at;
    }
    return true;
  }

  bool Parse(Args& a) {
    int64_t out = 0;
    std::vector<std::string> rels;
    return a.ToInteger(a[0], "out", -1, 0x7fffffff, &out) && (out_fd = static_cast<int>(out), true) &&
           a.ToBytesList(a[1], "roots", &roots) && a.ToBinary(a[2], "bytes", &bytes) &&
           a.ToBytesList(a[4], "rels", &rels) && ParseLayout(a, &rels) &&
           (a[5].IsExternal() ? ParseStreamHash(a, a[5], &session) && (turn = session->Take(), true) : ParseHashState(a, a[5], &hash));
  }
  void Execute(sys::Failure* f) {
    int failed_root = -1;
    int r = session ? session->Stream(std::move(turn), out_fd, roots, bytes, files, &result, &failed_root)
                    : sys::StreamBeneath(out_fd, roots, bytes, files, &hash, &result, &failed_root);
    if (f->Set(r, failed_root >= 0 ? "open" : "write") && failed_root >= 0) f->path = roots[failed_root];
  }
  Napi::Value Result(Napi::Env env) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("written", Napi::Number::New(env, static_cast<double>(result.written)));
    if (out_fd < 0) o.Set("data", Napi::Buffer<char>::Copy(env, result.collected.data(), result.collected.size()));
    if (result.stop.stopped) {
      const sys::StreamStop& s = result.stop;
      Napi::Object stop = Napi::Object::New(env);
      stop.Set("index", Napi::Number::New(env, static_cast<double>(s.index)));
      stop.Set("errno", Napi::Number::New(env, s.err));
      if (s.err == 0) {
        stop.Set("mode", Napi::Number::New(env, s.mode));
        stop.Set("ino", Napi::Number::New(env, static_cast<double>(s.ino)));
        stop.Set("size", Napi::Number::New(env, static_cast<double>(s.size)));
        stop.Set("changed", Napi::Boolean::New(env, s.changed));
      }
      o.Set("stopped", stop);
      return o;
    }
    if (!session) SetHash(env, o, hash);
    return o;
  }
};

struct CreateStreamHashOp {
  static constexpr const char* kName = "createStreamHash";
  StreamHashRef hash;
  bool Parse(Args&) { return true; }
  void Execute(sys::Failure*) { hash = std::make_shared<sys::StreamHash>(); }
  Napi::Value Result(Napi::Env env) {
    auto ext = Napi::External<StreamHashRef>::New(env, new StreamHashRef(std::move(hash)), [](Napi::Env, StreamHashRef* r) { delete r; });
    ext.TypeTag(&kStreamHashTag);
    return ext;
  }
};

struct StreamHashDigestOp {
  static constexpr const char* kName = "streamHashDigest";
  StreamHashRef session;
  sys::StreamHash::Turn turn;
  SHA256_CTX hash;
  bool Parse(Args& a) { return ParseStreamHash(a, a[0], &session) && (turn = session->Take(), true); }
  void Execute(sys::Failure*) { session->Snapshot(std::move(turn), &hash); }
  Napi::Value Result(Napi::Env env) {
    Napi::Object o = Napi::Object::New(env);
    SetHash(env, o, hash);
    return o;
  }
};

}  // namespace

void RegisterStreamOps(Napi::Env env, Napi::Object exports) {
  Export<StreamBeneathOp>(env, exports);
  Export<CreateStreamHashOp>(env, exports);
  Export<StreamHashDigestOp>(env, exports);
}

}  // namespace ovl::js
