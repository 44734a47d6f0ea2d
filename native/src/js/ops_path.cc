#include <cstring>
#include <string>
#include <vector>

#include "js/ops.h"
#include "js/run_op.h"
#include "sys/path_probe.h"
#include "sys/read_beneath.h"

namespace ovl::js {

Napi::Value ProbeToJs(Napi::Env env, const sys::PathProbeResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("errno", Napi::Number::New(env, r.err));
  if (r.err != 0) return o;
  o.Set("mode", Napi::Number::New(env, r.mode));
  o.Set("devMajor", Napi::Number::New(env, r.dev_major));
  o.Set("devMinor", Napi::Number::New(env, r.dev_minor));
  o.Set("ino", Napi::BigInt::New(env, r.ino));
  o.Set("mountId", Napi::Number::New(env, static_cast<double>(r.mount_id)));
  if (r.unique_mount_id != 0) o.Set("uniqueMountId", Napi::Number::New(env, static_cast<double>(r.unique_mount_id)));
  if (r.symlink_known) o.Set("isSymlink", Napi::Boolean::New(env, r.is_symlink));
  if (r.has_realpath) o.Set("realpath", Napi::String::New(env, r.realpath));
  if (r.fd >= 0) o.Set("fd", Napi::Number::New(env, r.fd));
  return o;
}

Napi::Value ProbesToJs(Napi::Env env, const std::vector<sys::PathProbeResult>& results) {
  Napi::Array array = Napi::Array::New(env, results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    array.Set(static_cast<uint32_t>(i), ProbeToJs(env, results[i]));
  }
  return array;
}

bool ParsePaths(Args& a, Napi::Value v, std::vector<std::string>* paths) {
  Napi::Array list;
  if (!a.ToArray(v, "paths", &list)) return false;
  paths->resize(list.Length());
  for (uint32_t i = 0; i < list.Length(); ++i) {
    if (!a.ToBytes(list.Get(i), "paths[" + std::to_string(i) + "]", &(*paths)[i])) return false;
  }
  return true;
}

namespace {

struct ProbePathsOp {
  static constexpr const char* kName = "probePaths";
  std::vector<std::string> paths;
  bool with_realpath = false;
  std::vector<sys::PathProbeResult> results;

  bool Parse(Args& a) {
    return ParsePaths(a, a[0], &paths) && a.ToBool(a[1], "withRealpath", false, &with_realpath);
  }
  void Execute(sys::Failure*) { sys::ProbePaths(paths, with_realpath, &results); }
  Napi::Value Result(Napi::Env env) { return ProbesToJs(env, results); }
};

struct OpenPathsOp {
  static constexpr const char* kName = "openPaths";
  std::vector<std::string> paths;
  std::vector<sys::PathProbeResult> results;

  bool Parse(Args& a) { return ParsePaths(a, a[0], &paths); }
  void Execute(sys::Failure*) { sys::OpenPaths(paths, &results); }
  Napi::Value Result(Napi::Env env) { return ProbesToJs(env, results); }
};

struct ListDirOp {
  static constexpr const char* kName = "listDir";
  std::string path;
  uint64_t max = 0;
  std::vector<std::string> names;

  bool Parse(Args& a) { return a.ToBytes(a[0], "path", &path) && a.ToCount(a[1], "max", &max); }
  void Execute(sys::Failure* f) {
    const char* syscall = "opendir";
    // The call first: `syscall` is read after it set it (argument order is unspecified).
    const int rc = sys::ListDir(path.c_str(), max, &names, &syscall);
    if (f->Set(rc, syscall)) f->path = path;
  }
  Napi::Value Result(Napi::Env env) {
    Napi::Array array = Napi::Array::New(env, names.size());
    for (size_t i = 0; i < names.size(); ++i) {
      array.Set(static_cast<uint32_t>(i), Napi::String::New(env, names[i]));
    }
    return array;
  }
};

struct ReadBeneathOp {
  static constexpr const char* kName = "readBeneath";
  std::string root, rel;
  uint64_t offset = 0, length = 0;
  bool link = false;
  sys::BeneathRead result;

  bool Parse(Args& a) {
    return a.ToBytes(a[0], "root", &root) && a.ToBytes(a[1], "rel", &rel) && a.ToCount(a[2], "offset", &offset) &&
           a.ToCount(a[3], "length", &length) && a.ToBool(a[4], "link", false, &link);
  }
  void Execute(sys::Failure* f) {
    if (f->Set(sys::ReadBeneath(root.c_str(), rel.c_str(), offset, length, link, &result), link ? "readlinkat" : "openat2")) {
      f->path = root;
      f->dest = rel;
    }
  }
  Napi::Value Result(Napi::Env env) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("mode", Napi::Number::New(env, result.mode));
    o.Set("ino", Napi::BigInt::New(env, result.ino));
    o.Set("size", Napi::Number::New(env, static_cast<double>(result.size)));
    o.Set("data", Napi::Buffer<char>::Copy(env, result.data.data(), result.data.size()));
    if (link) o.Set("link", Napi::Buffer<char>::Copy(env, result.link.data(), result.link.size()));
    return o;
  }
};

// The property names of a BeneathStat, made once per call rather than once per entry and
// field: statManyBeneath describes tens of thousands of entries for one layer export.
struct StatKeys {
  explicit StatKeys(Napi::Env env)
      : errno_(Napi::String::New(env, "errno")), mode(Napi::String::New(env, "mode")), ino(Napi::String::New(env, "ino")),
        size(Napi::String::New(env, "size")), mtime_ms(Napi::String::New(env, "mtimeMs")), uid(Napi::String::New(env, "uid")),
        gid(Napi::String::New(env, "gid")), rdev_major(Napi::String::New(env, "rdevMajor")),
        rdev_minor(Napi::String::New(env, "rdevMinor")), xattrs(Napi::String::New(env, "xattrs")), data(Napi::String::New(env, "data")) {}
  Napi::String errno_, mode, ino, size, mtime_ms, uid, gid, rdev_major, rdev_minor, xattrs, data;
};

Napi::Value BeneathStatToJs(Napi::Env env, const StatKeys& k, const sys::BeneathStat& st, Napi::Object o);

struct StatBeneathOp {
  static constexpr const char* kName = "statBeneath";
  std::string root, rel;
  sys::BeneathStat result;

  bool Parse(Args& a) { return a.ToBytes(a[0], "root", &root) && a.ToBytes(a[1], "rel", &rel); }
  void Execute(sys::Failure* f) {
    if (f->Set(sys::StatBeneath(root.c_str(), rel.c_str(), &result), "openat2")) {
      f->path = root;
      f->dest = rel;
    }
  }
  Napi::Value Result(Napi::Env env) { return BeneathStatToJs(env, StatKeys(env), result, Napi::Object::New(env)); }
};

Napi::Value BeneathStatToJs(Napi::Env env, const StatKeys& k, const sys::BeneathStat& st, Napi::Object o) {
  o.Set(k.mode, Napi::Number::New(env, st.mode));
  o.Set(k.ino, Napi::Number::New(env, static_cast<double>(st.ino)));
  o.Set(k.size, Napi::Number::New(env, static_cast<double>(st.size)));
  o.Set(k.mtime_ms, Napi::Number::New(env, static_cast<double>(st.mtime_sec) * 1000 + st.mtime_nsec / 1e6));
  o.Set(k.uid, Napi::Number::New(env, st.uid));
  o.Set(k.gid, Napi::Number::New(env, st.gid));
  o.Set(k.rdev_major, Napi::Number::New(env, st.rdev_major));
  o.Set(k.rdev_minor, Napi::Number::New(env, st.rdev_minor));
  Napi::Array xattrs = Napi::Array::New(env, st.xattrs.size());
  for (uint32_t i = 0; i < st.xattrs.size(); ++i) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, Napi::String::New(env, st.xattrs[i].first));
    pair.Set(1u, Napi::Buffer<char>::Copy(env, st.xattrs[i].second.data(), st.xattrs[i].second.size()));
    xattrs.Set(i, pair);
  }
  o.Set(k.xattrs, xattrs);
  return o;
}

struct StatManyBeneathOp {
  static constexpr const char* kName = "statManyBeneath";
  std::string root;
  std::vector<std::string> rels;
  uint64_t inline_max = 0;
  std::vector<sys::BeneathEntry> results;

  bool Parse(Args& a) {
    return a.ToBytes(a[0], "root", &root) && a.ToBytesList(a[1], "rels", &rels) && a.ToCount(a[2], "inlineMax", &inline_max);
  }
  void Execute(sys::Failure* f) {
    if (f->Set(sys::StatManyBeneath(root.c_str(), rels, inline_max, &results), "open")) f->path = root;
  }
  Napi::Value Result(Napi::Env env) {
    StatKeys keys(env);
    Napi::Array array = Napi::Array::New(env, results.size());
    for (size_t i = 0; i < results.size(); ++i) {
      const sys::BeneathEntry& e = results[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set(keys.errno_, Napi::Number::New(env, e.err));
      if (e.err == 0) BeneathStatToJs(env, keys, e.st, o);
      if (e.has_data) o.Set(keys.data, Napi::Buffer<char>::Copy(env, e.data.data(), e.data.size()));
      array.Set(static_cast<uint32_t>(i), o);
    }
    return array;
  }
};

struct ReadManyBeneathOp {
  static constexpr const char* kName = "readManyBeneath";
  std::string root;
  std::vector<std::string> rels;
  uint64_t max_each = 0;
  // Optional: the keys a former call gave (kKeyFields uint64 per entry), and when (wall clock,
  // ms) that call started.
  std::string known;
  bool has_known = false;
  int64_t taken_at_ms = 0;
  sys::ManyRead result;

  bool Parse(Args& a) {
    if (!(a.ToBytes(a[0], "root", &root) && a.ToBytesList(a[1], "rels", &rels) && a.ToCount(a[2], "maxEach", &max_each))) return false;
    if (a[3].IsUndefined() || a[3].IsNull()) return true;
    has_known = true;
    if (!a.ToBinary(a[3], "known", &known)) return false;
    if (known.size() != rels.size() * sys::kKeyFields * sizeof(uint64_t)) return a.Fail("known", "40 bytes per entry of rels", a[3]);
    return a.ToInteger(a[4], "keysTakenAtMs", 0, INT64_C(1) << 50, &taken_at_ms);
  }
  void Execute(sys::Failure* f) {
    std::vector<uint64_t> keys(has_known ? rels.size() * sys::kKeyFields : 0);
    if (has_known) memcpy(keys.data(), known.data(), known.size());
    if (f->Set(sys::ReadManyBeneath(root.c_str(), rels, max_each, &result, has_known ? keys.data() : nullptr, taken_at_ms), "open"))
      f->path = root;
  }
  Napi::Value Result(Napi::Env env) {
    const size_t n = rels.size();
    Napi::Object o = Napi::Object::New(env);
    o.Set("data", Napi::Buffer<char>::Copy(env, result.data.data(), result.data.size()));
    Napi::Float64Array ends = Napi::Float64Array::New(env, n);
    Napi::Uint32Array modes = Napi::Uint32Array::New(env, n);
    Napi::Int32Array errnos = Napi::Int32Array::New(env, n);
    for (size_t i = 0; i < n; ++i) {
      ends[i] = static_cast<double>(result.ends[i]);
      modes[i] = result.modes[i];
      errnos[i] = result.errs[i];
    }
    o.Set("ends", ends);
    o.Set("modes", modes);
    o.Set("errnos", errnos);
    o.Set("keys", Napi::Buffer<char>::Copy(env, reinterpret_cast<const char*>(result.keys.data()), result.keys.size() * sizeof(uint64_t)));
    Napi::Uint8Array same = Napi::Uint8Array::New(env, n);
    if (n > 0) memcpy(same.Data(), result.same.data(), n);
    o.Set("same", same);
    return o;
  }
};

}  // namespace

void RegisterPathOps(Napi::Env env, Napi::Object exports) {
  Export<ProbePathsOp>(env, exports);
  Export<OpenPathsOp>(env, exports);
  Export<ListDirOp>(env, exports);
  Export<ReadBeneathOp>(env, exports);
  Export<StatBeneathOp>(env, exports);
  Export<StatManyBeneathOp>(env, exports);
  Export<ReadManyBeneathOp>(env, exports);
}

}  // namespace ovl::js
