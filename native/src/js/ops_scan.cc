// scanDir / scanDirAsync: one directory of an overlay layer in one call, returned as the
// struct-of-arrays DirScan of index.d.ts. Building one JS object per entry is the cost this
// call exists to avoid: the numeric columns are typed-array views of a single ArrayBuffer
// filled with memcpy, and the names come from one joined string split in a single JS call.
#include <cstring>
#include <string>
#include <vector>

#include "js/errors.h"
#include "js/ops.h"
#include "js/run_op.h"
#include "sys/dir_scan.h"

namespace ovl::js {

namespace {

// Well below V8's longest string (2^29 - 24 characters).
constexpr size_t kMaxJoinedNames = size_t{256} << 20;

// Copies `column` into `buffer` at *offset and returns a typed-array view of it.
template <class T>
Napi::TypedArrayOf<T> Column(Napi::Env env, Napi::ArrayBuffer buffer, size_t* offset,
                             const std::vector<T>& column) {
  size_t bytes = column.size() * sizeof(T);
  if (bytes > 0) std::memcpy(static_cast<char*>(buffer.Data()) + *offset, column.data(), bytes);
  auto view = Napi::TypedArrayOf<T>::New(env, column.size(), buffer, *offset);
  *offset += bytes;
  return view;
}

// A JS array of `count` slots with the given entries set (holes elsewhere read as undefined).
Napi::Array Sparse(Napi::Env env, uint32_t count,
                   const std::vector<std::pair<uint32_t, std::string>>& entries) {
  Napi::Array array = Napi::Array::New(env, count);
  for (const auto& [index, value] : entries) {
    array.Set(index, Napi::String::New(env, value.data(), value.size()));
  }
  return array;
}

// Names of a directory too big to join into one JS string: one napi call per name.
// A failed napi call throws its error and yields an empty value (ScanToJs checks for it).
Napi::Value NamesOneByOne(Napi::Env env, const sys::DirScanResult& r) {
  napi_value array;
  NAPI_THROW_IF_FAILED(env, napi_create_array_with_length(env, r.count, &array), Napi::Value());
  for (uint32_t i = 0; i < r.count; ++i) {
    const uint32_t start = r.name_offsets[i];
    napi_value s;
    NAPI_THROW_IF_FAILED(env, napi_create_string_utf8(env, r.names.data() + start, r.name_offsets[i + 1] - 1 - start, &s), Napi::Value());
    NAPI_THROW_IF_FAILED(env, napi_set_element(env, array, i, s), Napi::Value());
  }
  return Napi::Value(env, array);
}

// All names in one JS call: the NUL-separated buffer becomes one string (V8 decodes UTF-8 the
// WHATWG way, every invalid sequence becoming U+FFFD, and never swallows the ASCII NUL after
// one), then String.prototype.split cuts it. For 50,000 names this takes half the time of
// NamesOneByOne. (V8 may return names of 13+ characters as slices of the joined string, which
// then stays alive while any of them does: about one more copy of the names.)
Napi::Value Names(Napi::Env env, const sys::DirScanResult& r) {
  if (r.count == 0) return Napi::Array::New(env, 0);
  if (r.names.size() > kMaxJoinedNames) return NamesOneByOne(env, r);
  Napi::String all = Napi::String::New(env, r.names.data(), r.names.size() - 1);  // no last NUL
  Napi::Value split = all.ToObject().Get("split");
  if (!split.IsFunction()) return NamesOneByOne(env, r);  // String.prototype tampered with
  return split.As<Napi::Function>().Call(all, {Napi::String::New(env, "\0", 1)});
}

// entries' every xattr as a sparse array: [name, Buffer] pairs where an entry has any.
Napi::Array AllXattrs(Napi::Env env, uint32_t count, const sys::DirScanResult& r) {
  Napi::Array array = Napi::Array::New(env, count);
  for (const auto& [index, list] : r.all_xattrs) {
    Napi::Array pairs = Napi::Array::New(env, list.size());
    for (uint32_t k = 0; k < list.size(); ++k) {
      Napi::Array pair = Napi::Array::New(env, 2);
      pair.Set(0u, Napi::String::New(env, list[k].first));
      pair.Set(1u, Napi::Buffer<char>::Copy(env, list[k].second.data(), list[k].second.size()));
      pairs.Set(k, pair);
    }
    array.Set(index, pairs);
  }
  return array;
}

// The options object of scanDir and scanNames.
bool ParseScanOptions(Args& a, Napi::Value arg, sys::DirScanOptions* opts) {
  Napi::Object o;
  Napi::Value prefix, xattrs, readlinks, stat, sorted;
  // A throwing getter leaves its exception pending: stop there, throwing nothing over it.
  auto get = [&](const char* key, Napi::Value* v) {
    *v = o.Get(key);
    return !a.Env().IsExceptionPending();
  };
  return a.ToObject(arg, "opts", &o) && get("xattrPrefix", &prefix) && get("xattrs", &xattrs) &&
         get("readlinks", &readlinks) && get("stat", &stat) && get("sorted", &sorted) &&
         a.ToString(prefix, "opts.xattrPrefix", &opts->xattr_prefix) &&
         a.ToBool(xattrs, "opts.xattrs", true, &opts->xattrs) &&
         a.ToBool(readlinks, "opts.readlinks", false, &opts->readlinks) &&
         a.ToBool(stat, "opts.stat", true, &opts->stat_all) &&
         a.ToBool(sorted, "opts.sorted", false, &opts->sorted);
}

// The DirScan object for a result; `with_request`: add the scanNames `request` column.
Napi::Value ScanToJs(Napi::Env env, const sys::DirScanResult& r, const sys::DirScanOptions& opts,
                     bool with_request = false) {
  const size_t n = r.count;
  Napi::Value names = Names(env, r);
  if (names.IsEmpty()) return names;
  // One ArrayBuffer for every numeric column, 8-byte columns first so that every view is
  // aligned to its element size.
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, n * (4 * 8 + 8 * 4 + 1));
  size_t off = 0;
  auto size = Column(env, buffer, &off, r.size);
  auto mtime_ms = Column(env, buffer, &off, r.mtime_ms);
  auto mtime_sec = Column(env, buffer, &off, r.mtime_sec);
  auto ino = Column(env, buffer, &off, r.ino);
  auto mode = Column(env, buffer, &off, r.mode);
  auto mtime_ns = Column(env, buffer, &off, r.mtime_ns);
  auto nlink = Column(env, buffer, &off, r.nlink);
  auto uid = Column(env, buffer, &off, r.uid);
  auto gid = Column(env, buffer, &off, r.gid);
  auto rdev_major = Column(env, buffer, &off, r.rdev_major);
  auto rdev_minor = Column(env, buffer, &off, r.rdev_minor);
  auto request = Column(env, buffer, &off, with_request ? r.request : std::vector<uint32_t>());
  auto flags = Column(env, buffer, &off, r.flags);

  Napi::Object o = Napi::Object::New(env);
  o.Set("count", Napi::Number::New(env, r.count));
  o.Set("names", names);
  o.Set("mode", mode);
  o.Set("size", size);
  o.Set("mtimeMs", mtime_ms);
  o.Set("mtimeNs", mtime_ns);
  o.Set("mtimeSec", mtime_sec);
  o.Set("ino", ino);
  o.Set("nlink", nlink);
  o.Set("uid", uid);
  o.Set("gid", gid);
  o.Set("rdevMajor", rdev_major);
  o.Set("rdevMinor", rdev_minor);
  o.Set("flags", flags);
  if (with_request) o.Set("request", request);
  o.Set("redirect", Sparse(env, r.count, r.redirects));
  if (opts.readlinks) o.Set("linkTarget", Sparse(env, r.count, r.link_targets));
  if (opts.all_xattrs) o.Set("xattrs", AllXattrs(env, r.count, r));
  o.Set("errors", Napi::Number::New(env, r.errors));
  return o;
}

struct ScanDirOp {
  static constexpr const char* kName = "scanDir";
  std::string path;
  sys::DirScanOptions opts;
  sys::DirScanResult result;

  // scanDir alone takes `beneath` and `allXattrs` (see ScanDirOptions in index.d.ts).
  bool Parse(Args& a) {
    if (!a.ToBytes(a[0], "path", &path) || !ParseScanOptions(a, a[1], &opts)) return false;
    Napi::Object o = a[1].As<Napi::Object>();
    Napi::Value beneath = o.Get("beneath");
    if (a.Env().IsExceptionPending()) return false;
    if (!beneath.IsUndefined() && !a.ToBytes(beneath, "opts.beneath", &opts.beneath_root)) return false;
    if (!beneath.IsUndefined() && opts.beneath_root.empty()) return a.Fail("opts.beneath", "a non-empty path", beneath);
    Napi::Value all = o.Get("allXattrs");
    return !a.Env().IsExceptionPending() && a.ToBool(all, "opts.allXattrs", false, &opts.all_xattrs);
  }
  void Execute(sys::Failure* f) {
    const char* syscall = "open";
    // The call first: `syscall` is read after it set it (argument order is unspecified).
    const int rc = sys::ScanDir(path.c_str(), opts, &result, &syscall);
    if (f->Set(rc, syscall)) {
      f->path = opts.beneath_root.empty() ? path : opts.beneath_root;
      if (!opts.beneath_root.empty()) f->dest = path;
    }
  }
  Napi::Value Result(Napi::Env env) { return ScanToJs(env, result, opts); }
};

struct ScanNamesOp {
  static constexpr const char* kName = "scanNames";
  std::string path;
  std::vector<std::string> names;
  sys::DirScanOptions opts;
  sys::DirScanResult result;

  bool Parse(Args& a) {
    return a.ToBytes(a[0], "path", &path) && a.ToBytesList(a[1], "names", &names) &&
           ParseScanOptions(a, a[2], &opts);
  }
  void Execute(sys::Failure* f) {
    const char* syscall = "open";
    // The call first: `syscall` is read after it set it (argument order is unspecified).
    const int rc = sys::ScanNames(path.c_str(), names, opts, &result, &syscall);
    if (f->Set(rc, syscall)) f->path = path;
  }
  Napi::Value Result(Napi::Env env) { return ScanToJs(env, result, opts, true); }
};

// Results of several scans: each a DirScan, or { errno, code, syscall } where errs[i] != 0.
Napi::Value ScanListToJs(Napi::Env env, const std::vector<sys::DirScanResult>& results,
                         const std::vector<int>& errs, const std::vector<const char*>& syscalls,
                         const sys::DirScanOptions& opts, bool with_request) {
  Napi::Array out = Napi::Array::New(env, results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    if (errs[i] != 0) {
      Napi::Object e = Napi::Object::New(env);
      e.Set("errno", Napi::Number::New(env, errs[i]));
      e.Set("code", Napi::String::New(env, ErrnoName(errs[i])));
      e.Set("syscall", Napi::String::New(env, syscalls[i]));
      out.Set(static_cast<uint32_t>(i), e);
      continue;
    }
    Napi::Value scan = ScanToJs(env, results[i], opts, with_request);
    if (scan.IsEmpty()) return scan;
    out.Set(static_cast<uint32_t>(i), scan);
  }
  return out;
}

// Several directories in one call (one thread hop): what reading one merged dir needs from
// every layer at once. Each path gets its DirScan, or { errno, code, syscall } when it cannot
// be read — a layer without that dir is normal, so no path failure fails the call.
struct ScanDirsOp {
  static constexpr const char* kName = "scanDirs";
  std::vector<std::string> paths;
  sys::DirScanOptions opts;
  bool cascade = false;
  std::vector<sys::DirScanResult> results;
  std::vector<int> errs;
  std::vector<const char*> syscalls;

  bool Parse(Args& a) {
    if (!a.ToBytesList(a[0], "paths", &paths) || !ParseScanOptions(a, a[1], &opts)) return false;
    Napi::Value c = a[1].As<Napi::Object>().Get("cascade");
    return !a.Env().IsExceptionPending() && a.ToBool(c, "opts.cascade", false, &cascade);
  }
  void Execute(sys::Failure*) { sys::ScanDirList(paths, opts, cascade, &results, &errs, &syscalls); }
  Napi::Value Result(Napi::Env env) { return ScanListToJs(env, results, errs, syscalls, opts, false); }
};

// scanNames for several directories in one call (one thread hop): the entries of all the
// layer dirs of one merged dir that need a full look. Entry i is the DirScan of
// (paths[i], names[i]) with its request column, or { errno, code, syscall }.
struct ScanNamesManyOp {
  static constexpr const char* kName = "scanNamesMany";
  std::vector<std::string> paths;
  std::vector<std::vector<std::string>> names;
  sys::DirScanOptions opts;
  std::vector<sys::DirScanResult> results;
  std::vector<int> errs;
  std::vector<const char*> syscalls;

  bool Parse(Args& a) {
    Napi::Array lists;
    if (!a.ToBytesList(a[0], "paths", &paths) || !a.ToArray(a[1], "names", &lists)) return false;
    if (lists.Length() != paths.size()) return a.Fail("names", "an array as long as paths", lists);
    names.resize(paths.size());
    for (uint32_t i = 0; i < lists.Length(); ++i) {
      const std::string what = "names[" + std::to_string(i) + "]";
      if (!a.ToBytesList(lists.Get(i), what.c_str(), &names[i])) return false;
    }
    return ParseScanOptions(a, a[2], &opts);
  }
  void Execute(sys::Failure*) {
    results.resize(paths.size());
    errs.assign(paths.size(), 0);
    syscalls.assign(paths.size(), "open");
    for (size_t i = 0; i < paths.size(); ++i) {
      errs[i] = -sys::ScanNames(paths[i].c_str(), names[i], opts, &results[i], &syscalls[i]);
    }
  }
  Napi::Value Result(Napi::Env env) { return ScanListToJs(env, results, errs, syscalls, opts, true); }
};

}  // namespace

void RegisterScanOps(Napi::Env env, Napi::Object exports) {
  Export<ScanDirOp>(env, exports);
  Export<ScanNamesOp>(env, exports);
  Export<ScanDirsOp>(env, exports);
  Export<ScanNamesManyOp>(env, exports);
}

}  // namespace ovl::js
